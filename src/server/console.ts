import { existsSync } from 'node:fs'
import fastifyStatic from '@fastify/static'
import type { FastifyPluginAsync } from 'fastify'

/** Serves the built console (web/dist) at /console/; /console (with any query) redirects there. */
export const consolePlugin: FastifyPluginAsync<{ readonly root: string }> = async (app, { root }) => {
  app.get('/console', (request, reply) => {
    const url = request.raw.url ?? '/console'
    const query = url.indexOf('?')
    return reply.redirect(`/console/${query < 0 ? '' : url.slice(query)}`)
  })
  if (existsSync(root)) {
    await app.register(fastifyStatic, { root, prefix: '/console/' })
    return
  }
  app.get('/console/*', (_request, reply) =>
    reply
      .code(404)
      .send({ error: 'the console is not built: run `npm run build` (or `npm start`, which builds it)' }),
  )
}

import type { FastifyPluginAsync } from 'fastify'
import type { Services } from '../app/context.js'
import { sweepForgotten } from '../app/sweep.js'
import type { AdjustableClock } from '../ports/clock.js'

export interface AdminOptions {
  readonly services: Services
  readonly clock: AdjustableClock
}

/** How often the server forgets records past every visibility window (and after each clock move). */
const SWEEP_INTERVAL_MS = 60_000

/**
 * The admin endpoints test suites drive (health, reset, the server clock) and the sweeper that
 * forgets what the clock has put past every visibility window.
 */
export const adminPlugin: FastifyPluginAsync<AdminOptions> = async (app, { services, clock }) => {
  const { store } = services
  const sweeper = setInterval(() => {
    sweepForgotten(services).catch((error: unknown) =>
      app.log.error({ err: error }, 'sweeping forgotten records failed'),
    )
  }, SWEEP_INTERVAL_MS)
  sweeper.unref()
  app.addHook('onClose', async () => clearInterval(sweeper))

  app.get('/_vpcpeer/health', async () => ({
    status: 'ok',
    database: store.dialect,
    revision: await store.revision(),
    now: clock.now().toISOString(),
  }))

  app.post('/_vpcpeer/reset', async () => {
    await store.reset()
    return { reset: true }
  })

  app.get('/_vpcpeer/clock', async () => ({ now: clock.now().toISOString(), offsetMs: clock.offset }))

  /** Moves the server clock forward: `?advanceSeconds=N` or a JSON body `{"advanceSeconds": N}`. */
  app.post('/_vpcpeer/clock', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    let seconds: unknown = query.advanceSeconds
    if (seconds === undefined && Buffer.isBuffer(request.body) && request.body.length > 0) {
      try {
        seconds = (JSON.parse(request.body.toString('utf8')) as { advanceSeconds?: unknown }).advanceSeconds
      } catch {
        return reply.code(400).send({ error: 'the body must be JSON like {"advanceSeconds": 3600}' })
      }
    }
    const value = Number(seconds)
    if (seconds === undefined || !Number.isFinite(value) || value < 0) {
      return reply.code(400).send({ error: 'advanceSeconds must be a number of seconds, zero or more' })
    }
    const now = clock.advance(value * 1000)
    return { now: now.toISOString(), offsetMs: clock.offset, forgotten: await sweepForgotten(services) }
  })
}

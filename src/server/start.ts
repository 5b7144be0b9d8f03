import type { FastifyInstance } from 'fastify'
import { authMode, limitsOf, type ServeConfig, settingsOf, sqlitePath } from '../config/config.js'
import type { Store } from '../ports/store.js'
import { openStore } from '../storage/kysely-store.js'
import { buildServer } from './app.js'

export interface RunningServer {
  readonly app: FastifyInstance
  readonly store: Store
  readonly url: string
  close(): Promise<void>
}

/** Opens the configured store, builds the server and listens. */
export async function startServer(config: ServeConfig): Promise<RunningServer> {
  const auth = authMode(config)
  const store = await openStore(
    config.databaseUrl ? { databaseUrl: config.databaseUrl } : { sqlitePath: sqlitePath(config) },
  )
  const app = await buildServer({
    store,
    auth,
    logLevel: config.logLevel,
    settings: settingsOf(config),
    limits: limitsOf(config),
  })
  try {
    await app.listen({ host: config.host, port: config.port })
  } catch (error) {
    await store.close()
    throw error
  }
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return {
    app,
    store,
    url: `http://${host}:${port}`,
    async close() {
      await app.close()
      await store.close()
    },
  }
}

import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import { DEFAULT_SETTINGS, type Services, type Settings } from '../app/context.js'
import { ApiError } from '../domain/errors.js'
import { AdjustableClock } from '../ports/clock.js'
import type { FlowLogSink } from '../ports/flow-log-sink.js'
import { type IdSource, randomIds } from '../ports/ids.js'
import type { Store } from '../ports/store.js'
import { ec2Error } from '../protocol/ec2-query/handler.js'
import type { AuthMode } from '../protocol/sigv4/verify.js'
import { directorySink } from '../storage/flow-log-files.js'
import { adminPlugin } from './admin.js'
import { apiRoutes } from './api/index.js'
import { apiPlugin } from './api/routes.js'
import { answerClientError } from './client-errors.js'
import { consolePlugin } from './console.js'
import { createMetrics, metricsPlugin } from './metrics.js'
import { queryPlugin, XML_TYPE } from './query.js'

export interface ServerOptions {
  readonly store: Store
  readonly auth: AuthMode
  readonly logLevel?: string
  readonly clock?: AdjustableClock
  readonly newId?: IdSource
  /** The largest request body accepted, in bytes. */
  readonly bodyLimit?: number
  readonly settings?: Partial<Settings>
  /** Where S3-destination flow-log files go; files under `settings.flowLogDirectory` unless given. */
  readonly flowLogSink?: FlowLogSink
  /** The built web console (web/dist), served at /console/. */
  readonly consoleRoot?: string
}

/** Where `npm run build` puts the console: web/dist beside src/ and dist/ alike. */
export const DEFAULT_CONSOLE_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url))

/**
 * Builds the HTTP server from its plugins: the AWS Query endpoint on `/`, the console's JSON
 * API and static files, `/metrics`, and the admin routes with the sweeper. Every plugin reaches
 * the use cases through the same services.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? new AdjustableClock()
  const settings: Settings = { ...DEFAULT_SETTINGS, ...options.settings }
  const metrics = createMetrics()
  const services: Services = {
    store: options.store,
    clock,
    newId: options.newId ?? randomIds,
    settings,
    memo: new Map(),
    flowLogSink: options.flowLogSink ?? directorySink(settings.flowLogDirectory),
    onRun: metrics.recordRun,
  }
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-amz-security-token"]'],
        censor: '[Redacted]',
      },
    },
    // One line per request is written by the route itself, with the action and outcome.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    genReqId: () => randomUUID(),
    clientErrorHandler: answerClientError,
  })

  // Keep every body as the exact bytes received: SigV4 hashes them before anything parses them.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

  // Set before any plugin boots: routes take the error handler in force when they are added.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    // Fastify's own refusals (body too large, bad headers) still answer in EC2's envelope.
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500
    if (status >= 500) request.log.error({ err: error }, 'unexpected error')
    const code =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'RequestEntityTooLarge'
        : status >= 500
          ? 'InternalError'
          : 'InvalidRequest'
    const message = status >= 500 ? 'An internal error has occurred' : error.message
    const response = ec2Error(new ApiError(code, message, status), request.id, 'unknown')
    return reply
      .code(status)
      .header('content-type', XML_TYPE)
      .header('x-amzn-requestid', request.id)
      .send(response.body)
  })

  await app.register(queryPlugin, { services, auth: options.auth, metrics, started: new Date() })
  await app.register(apiPlugin, { services, auth: options.auth, routes: apiRoutes })
  await app.register(consolePlugin, { root: options.consoleRoot ?? DEFAULT_CONSOLE_ROOT })
  await app.register(metricsPlugin, { metrics })
  await app.register(adminPlugin, { services, clock })

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url}; the AWS API is at POST /` }),
  )

  return app
}

import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { fileURLToPath } from 'node:url'
import Fastify, { type FastifyInstance, LogController } from 'fastify'
import { DEFAULT_SETTINGS, type Services, type Settings } from '../app/context.js'
import { errors } from '../domain/errors.js'
import { AdjustableClock } from '../ports/clock.js'
import type { FlowLogSink } from '../ports/flow-log-sink.js'
import { type IdSource, randomIds } from '../ports/ids.js'
import type { Store } from '../ports/store.js'
import { ec2Error } from '../protocol/ec2-query/handler.js'
import type { AuthMode } from '../protocol/sigv4/verify.js'
import { directorySink } from '../storage/flow-log-files.js'
import { guardedAdminPlugin } from './admin-auth.js'
import { apiRoutes } from './api/index.js'
import { apiPlugin } from './api/routes.js'
import { answerClientError } from './client-errors.js'
import { consolePlugin } from './console.js'
import { DEFAULT_LIMITS, type Limits } from './limits.js'
import { createMetrics, metricsPlugin } from './metrics.js'
import { queryPlugin, XML_TYPE } from './query.js'

export interface ServerOptions {
  readonly store: Store
  readonly auth: AuthMode
  readonly logLevel?: string
  readonly clock?: AdjustableClock
  readonly newId?: IdSource
  readonly limits?: Partial<Limits>
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
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits }
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
    bodyLimit: limits.bodyBytes,
    // A slow client (headers or body a byte at a time) holds its connection this long at most;
    // Node checks every connection at this interval, so it is a fraction of the timeout.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: { connectionsCheckingInterval: Math.max(50, Math.min(1000, limits.requestTimeoutMs / 4)) },
    genReqId: () => randomUUID(),
    clientErrorHandler: answerClientError,
  })
  app.server.maxConnections = limits.maxConnections
  app.server.headersTimeout = limits.requestTimeoutMs

  // Keep every body as the exact bytes received: SigV4 hashes them before anything parses them.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))

  // Set before any plugin boots: routes take the error handler in force when they are added.
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    // Fastify's own refusals (body too large, a content type it cannot read) still answer in
    // EC2's envelope, with a code from the catalogue.
    const refused = error.statusCode !== undefined && error.statusCode < 500
    if (!refused) request.log.error({ err: error }, 'unexpected error')
    const failure = !refused
      ? errors.internal()
      : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? errors.requestEntityTooLarge()
        : errors.invalidRequest(error.message)
    const response = ec2Error(failure, request.id, 'unknown')
    return reply
      .code(response.status)
      .header('content-type', XML_TYPE)
      .header('x-amzn-requestid', request.id)
      .send(response.body)
  })

  // An `Expect` other than 100-continue would get Node's bare 417; vpcpeer ignores it, as the
  // header asks nothing a Query API needs.
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) =>
    app.routing(request, response),
  )

  await app.register(queryPlugin, { services, auth: options.auth, metrics, started: new Date() })
  await app.register(apiPlugin, { services, auth: options.auth, routes: apiRoutes })
  await app.register(consolePlugin, { root: options.consoleRoot ?? DEFAULT_CONSOLE_ROOT })
  await app.register(metricsPlugin, { metrics })
  await app.register(guardedAdminPlugin, { auth: options.auth, services, clock })

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url}; the AWS API is at POST /` }),
  )

  return app
}

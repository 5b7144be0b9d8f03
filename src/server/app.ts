import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import { type Caller, type Context, DEFAULT_SETTINGS, type Memo, type Settings } from '../app/context.js'
import { forgotten, sweep } from '../app/sweep.js'
import { ApiError, isApiError } from '../domain/errors.js'
import { type IdSource, randomIds } from '../domain/ids.js'
import { AdjustableClock } from '../ports/clock.js'
import type { Store } from '../ports/store.js'
import { ec2Error, handleEc2, type QueryResponse } from '../protocol/ec2-query/handler.js'
import { handleIdentity, identityError, identityService } from '../protocol/identity/handler.js'
import { queryPairs } from '../protocol/sigv4/canonical.js'
import { type AuthMode, authenticate } from '../protocol/sigv4/verify.js'
import { apiRoutes } from './api/index.js'
import { registerApiRoutes } from './api/routes.js'
import { createMetrics } from './metrics.js'

export interface ServerOptions {
  readonly store: Store
  readonly auth: AuthMode
  readonly logLevel?: string
  readonly clock?: AdjustableClock
  readonly newId?: IdSource
  /** The largest request body accepted, in bytes. */
  readonly bodyLimit?: number
  readonly settings?: Partial<Settings>
  /** The built web console (web/dist), served at /console/. */
  readonly consoleRoot?: string
}

/** Where `npm run build` puts the console: web/dist beside src/ and dist/ alike. */
export const DEFAULT_CONSOLE_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url))

const XML_TYPE = 'text/xml;charset=UTF-8'

/** How often the server forgets records past every visibility window (and after each clock move). */
const SWEEP_INTERVAL_MS = 60_000

/** Builds the HTTP server: the EC2/STS/IAM Query endpoint on `/`, metrics and admin routes. */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? new AdjustableClock()
  const newId = options.newId ?? randomIds
  const settings: Settings = { ...DEFAULT_SETTINGS, ...options.settings }
  const memo: Memo = new Map()
  // The sweeper acts for no account; its context only needs the time and the transaction.
  const system: Caller = { accountId: '000000000000', region: 'aws-global', accessKeyId: '' }
  const contextOf = (tx: Context['tx']): Context => ({
    caller: system,
    tx,
    now: clock.now(),
    newId,
    settings,
    memo,
  })
  /** Forgets what nobody can see any more; a write happens only when there is something to remove. */
  const sweepNow = async () => {
    const candidates = await options.store.read(async (tx) => (await forgotten(contextOf(tx))).length)
    return candidates === 0 ? 0 : options.store.write((tx) => sweep(contextOf(tx)))
  }
  const sweeper = setInterval(() => {
    sweepNow().catch((error: unknown) => app.log.error({ err: error }, 'sweeping forgotten records failed'))
  }, SWEEP_INTERVAL_MS)
  sweeper.unref()
  const metrics = createMetrics()
  const started = new Date()
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
  async function handleQuery(request: FastifyRequest): Promise<QueryResponse> {
    const url = request.raw.url ?? '/'
    const queryStart = url.indexOf('?')
    const rawQuery = queryStart < 0 ? '' : url.slice(queryStart + 1)
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
    // The query string is read as SigV4 reads it (`+` stays `+`); a form body as forms are read.
    const params = new URLSearchParams(queryPairs(rawQuery))
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.append(key, value)
    const requestId = request.id
    let caller: Caller
    let service: string | undefined
    try {
      const identity = authenticate(
        {
          method: request.method,
          path: url.slice(0, queryStart < 0 ? undefined : queryStart),
          rawQuery,
          headers: request.headers,
          body,
        },
        options.auth,
      )
      caller = { accountId: identity.accountId, region: identity.region, accessKeyId: identity.accessKeyId }
      service = identity.service
    } catch (error) {
      if (!isApiError(error)) throw error
      const target = identityService(undefined, params.get('Version'))
      return target
        ? identityError(target, error, requestId, params.get('Action') ?? 'unknown')
        : ec2Error(error, requestId, params.get('Action') ?? 'unknown')
    }
    const identity = identityService(service, params.get('Version'))
    if (identity) return handleIdentity(identity, params, caller, requestId, started)
    return handleEc2(
      params,
      caller,
      { store: options.store, clock, newId, settings, memo },
      requestId,
      (error) => request.log.error({ err: error, action: params.get('Action') }, 'unexpected error'),
    )
  }

  const queryRoute = async (request: FastifyRequest, reply: FastifyReply) => {
    const begin = process.hrtime.bigint()
    const response = await handleQuery(request)
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9
    metrics.record(response.action, response.status, seconds, response.errorCode)
    request.log.info(
      {
        action: response.action,
        status: response.status,
        code: response.errorCode,
        ms: Math.round(seconds * 1e4) / 10,
      },
      'request',
    )
    return reply
      .code(response.status)
      .header('content-type', XML_TYPE)
      .header('x-amzn-requestid', request.id)
      .send(response.body)
  }
  app.post('/', queryRoute)
  app.get('/', queryRoute)

  registerApiRoutes(
    app,
    { store: options.store, clock, newId, settings, memo, auth: options.auth },
    apiRoutes,
  )

  await registerConsole(app, options.consoleRoot ?? DEFAULT_CONSOLE_ROOT)

  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  )

  app.get('/_vpcpeer/health', async () => ({
    status: 'ok',
    database: options.store.dialect,
    revision: await options.store.revision(),
    now: clock.now().toISOString(),
  }))

  app.post('/_vpcpeer/reset', async () => {
    await options.store.reset()
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
    return { now: now.toISOString(), offsetMs: clock.offset, forgotten: await sweepNow() }
  })

  app.addHook('onClose', async () => clearInterval(sweeper))

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url}; the AWS API is at POST /` }),
  )

  return app
}

/** Serves the built console at /console/; /console (with any query) redirects there. */
async function registerConsole(app: FastifyInstance, root: string) {
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

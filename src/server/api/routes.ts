import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Caller, Context, Memo, Settings } from '../../app/context.js'
import { type ApiError, errors, isApiError } from '../../domain/errors.js'
import type { IdSource } from '../../domain/ids.js'
import type { AdjustableClock } from '../../ports/clock.js'
import { ConflictError, type Store } from '../../ports/store.js'
import { type AuthMode, authenticate } from '../../protocol/sigv4/verify.js'

/**
 * The JSON API under /_vpcpeer/api/, for the console and the CLI's data-plane commands. It
 * authenticates exactly as the EC2 endpoint does (SigV4; in open mode the key id names the
 * account) and runs the same use cases, one transaction per call; only the encoding differs.
 * Errors answer `{"error": {"code", "message"}}` with the AWS code's HTTP status.
 */
export interface ApiServices {
  readonly store: Store
  readonly clock: AdjustableClock
  readonly newId: IdSource
  readonly settings: Settings
  readonly memo: Memo
  readonly auth: AuthMode
}

export const API_PREFIX = '/_vpcpeer/api'

export interface ApiRequest {
  readonly ctx: Context
  /** The parsed JSON body (undefined for GET). */
  readonly body: unknown
  readonly query: Readonly<Record<string, string | undefined>>
  readonly params: Readonly<Record<string, string | undefined>>
}

export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'DELETE'
  /** Below /_vpcpeer/api, e.g. `/trace` or `/peerings/:id/accept`. */
  readonly path: string
  /** Whether the call writes (a write transaction, which takes the next revision). */
  readonly mutates: boolean
  handle(request: ApiRequest): Promise<unknown>
}

function callerOf(request: FastifyRequest, auth: AuthMode, body: Buffer): Caller {
  const url = request.raw.url ?? '/'
  const queryStart = url.indexOf('?')
  const identity = authenticate(
    {
      method: request.method,
      path: queryStart < 0 ? url : url.slice(0, queryStart),
      rawQuery: queryStart < 0 ? '' : url.slice(queryStart + 1),
      headers: request.headers,
      body,
    },
    auth,
  )
  return { accountId: identity.accountId, region: identity.region, accessKeyId: identity.accessKeyId }
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw errors.invalidParameterValue('The request body must be JSON.')
  }
}

const send = (reply: FastifyReply, status: number, payload: unknown) =>
  reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(payload))

/** Registers JSON routes; each runs as the signing caller inside one store transaction. */
export function registerApiRoutes(app: FastifyInstance, services: ApiServices, routes: readonly ApiRoute[]) {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: `${API_PREFIX}${route.path}`,
      handler: async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        try {
          const caller = callerOf(request, services.auth, raw)
          const body = parseBody(raw)
          const work = (tx: Context['tx']) =>
            route.handle({
              ctx: {
                caller,
                tx,
                now: services.clock.now(),
                newId: services.newId,
                settings: services.settings,
                memo: services.memo,
              },
              body,
              query: request.query as Record<string, string | undefined>,
              params: request.params as Record<string, string | undefined>,
            })
          for (let attempt = 1; ; attempt++) {
            try {
              const result = await (route.mutates ? services.store.write(work) : services.store.read(work))
              return send(reply, 200, result)
            } catch (error) {
              if (!(error instanceof ConflictError) || attempt >= 3) throw error
            }
          }
        } catch (error) {
          const failure = isApiError(error) ? error : undefined
          if (!failure) request.log.error({ err: error }, 'unexpected error')
          const shown: ApiError = failure ?? errors.internal()
          return send(reply, shown.status, { error: { code: shown.code, message: shown.message } })
        }
      },
    })
  }
}

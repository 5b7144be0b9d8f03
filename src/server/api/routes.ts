import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { z } from 'zod'
import type { Caller, Context, Services } from '../../app/context.js'
import { runUseCase } from '../../app/run.js'
import { type ApiError, errors, isApiError } from '../../domain/errors.js'
import { type AuthMode, authenticate } from '../../protocol/sigv4/verify.js'
import { incomingOf } from '../incoming.js'

/**
 * The JSON API under /_vpcpeer/api/, for the console and the CLI's data-plane commands. It
 * authenticates exactly as the EC2 endpoint does (SigV4; in open mode the key id names the
 * account) and runs use cases through the same runner, one transaction per call; only the
 * encoding differs. Errors answer `{"error": {"code", "message"}}` with the AWS code's HTTP status.
 */

export const API_PREFIX = '/_vpcpeer/api'

export interface ApiRequest {
  /** The parsed JSON body (undefined for GET). */
  readonly body: unknown
  readonly query: Readonly<Record<string, string | undefined>>
  readonly params: Readonly<Record<string, string | undefined>>
}

/** One route: it validates the request into a use case's input and calls the use case, nothing more. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'DELETE'
  /** Below /_vpcpeer/api, e.g. `/trace` or `/peerings/:id/accept`. */
  readonly path: string
  /** Whether the call writes (a write transaction, which takes the next revision). */
  readonly mutates: boolean
  handle(ctx: Context, request: ApiRequest): Promise<unknown> | unknown
}

/** A JSON body checked against its schema; the first problem answers InvalidParameterValue. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw errors.invalidParameterValue(
      `The ${what} is not valid: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'malformed'}.`,
    )
  }
  return parsed.data
}

/** A path parameter (routes only match when it is there). */
export const param = (request: ApiRequest, name: string) => request.params[name] ?? ''

function callerOf(request: FastifyRequest, auth: AuthMode): Caller {
  const identity = authenticate(incomingOf(request), auth)
  return { accountId: identity.accountId, region: identity.region, accessKeyId: identity.accessKeyId }
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw errors.invalidParameterValue('The request body must be JSON.')
  }
}

const send = (reply: FastifyReply, status: number, payload: unknown) =>
  reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(payload))

export interface ApiOptions {
  readonly services: Services
  readonly auth: AuthMode
  readonly routes: readonly ApiRoute[]
}

/** Registers the JSON routes; each runs as the signing caller inside one store transaction. */
export const apiPlugin: FastifyPluginAsync<ApiOptions> = async (app, { services, auth, routes }) => {
  for (const route of routes) {
    const name = `${route.method} ${API_PREFIX}${route.path}`
    app.route({
      method: route.method,
      url: `${API_PREFIX}${route.path}`,
      handler: async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        try {
          const caller = callerOf(request, auth)
          const input: ApiRequest = {
            body: parseJson(raw),
            query: request.query as Record<string, string | undefined>,
            params: request.params as Record<string, string | undefined>,
          }
          const result = await runUseCase(services, caller, {
            name,
            mutates: route.mutates,
            run: (ctx) => route.handle(ctx, input),
          })
          return send(reply, 200, result)
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

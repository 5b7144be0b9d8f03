import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { Caller, Services } from '../app/context.js'
import { isApiError } from '../domain/errors.js'
import { ec2Actions } from '../protocol/ec2-query/actions/index.js'
import { ec2Error, handleEc2, type QueryResponse } from '../protocol/ec2-query/handler.js'
import { handleIdentity, identityError, identityService } from '../protocol/identity/handler.js'
import { queryPairs } from '../protocol/sigv4/canonical.js'
import { type AuthMode, authenticate } from '../protocol/sigv4/verify.js'
import { incomingOf } from './incoming.js'
import type { Metrics } from './metrics.js'

export const XML_TYPE = 'text/xml;charset=UTF-8'

export interface QueryOptions {
  readonly services: Services
  readonly auth: AuthMode
  readonly metrics: Metrics
  /** When the server started (STS and IAM answers need a stable creation time). */
  readonly started: Date
}

/**
 * The action as a metric label: a name vpcpeer answers, else `unknown`. A label taken from the
 * wire as sent would add a series (and a latency histogram) per made-up Action, so a client
 * could grow the server's memory without end.
 */
const IDENTITY_ACTIONS = new Set(['GetCallerIdentity', 'GetUser'])
const metricAction = (action: string) =>
  Object.hasOwn(ec2Actions, action) || IDENTITY_ACTIONS.has(action) ? action : 'unknown'

/** The AWS Query endpoint: `POST /` (and GET with `Action=`) for EC2, STS and IAM. */
export const queryPlugin: FastifyPluginAsync<QueryOptions> = async (app, options) => {
  async function handleQuery(request: FastifyRequest): Promise<QueryResponse> {
    const incoming = incomingOf(request)
    // The query string is read as SigV4 reads it (`+` stays `+`); a form body as forms are read.
    const params = new URLSearchParams(queryPairs(incoming.rawQuery))
    for (const [key, value] of new URLSearchParams(incoming.body.toString('utf8'))) params.append(key, value)
    const requestId = request.id
    let caller: Caller
    let service: string | undefined
    try {
      const identity = authenticate(incoming, options.auth)
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
    if (identity) return handleIdentity(identity, params, caller, requestId, options.started)
    return handleEc2(params, caller, options.services, requestId, (error) =>
      request.log.error({ err: error, action: params.get('Action') }, 'unexpected error'),
    )
  }

  const queryRoute = async (request: FastifyRequest, reply: FastifyReply) => {
    const begin = process.hrtime.bigint()
    const response = await handleQuery(request)
    const seconds = Number(process.hrtime.bigint() - begin) / 1e9
    options.metrics.record(metricAction(response.action), response.status, seconds, response.errorCode)
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
}

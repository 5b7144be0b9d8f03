import { z } from 'zod'
import { parseInstant, queryFlowRecords, sendTraffic } from '../../app/traffic.js'
import { errors } from '../../domain/errors.js'
import { type ApiRoute, parseBody } from './routes.js'

/**
 * Traffic and flow logs over JSON: POST /traffic sends one flow through the data plane and
 * delivers its flow-log records; GET /flows reads the caller's stored (CloudWatch Logs) records.
 */

// Ranges are the use case's to check, so its errors name them; here only the types.
const integer = z.number().int()
const trafficRequest = z
  .object({
    from: z.string().min(1),
    to: z.string().min(1),
    protocol: z.union([z.string().min(1), integer]).transform(String),
    port: integer.optional(),
    icmpCode: integer.optional(),
    sourcePort: integer.optional(),
    packets: integer.optional(),
    bytes: integer.optional(),
  })
  .strict()

const QUERY_NAMES = [
  'action',
  'address',
  'port',
  'since',
  'until',
  'flowLogId',
  'interfaceId',
  'limit',
  'after',
]

function integerParam(name: string, text: string | undefined) {
  if (text === undefined) return undefined
  if (!/^\d{1,9}$/.test(text)) throw errors.invalidValue(name, text, 'Expected a whole number.')
  return Number(text)
}

function parseFlowQuery(query: Readonly<Record<string, string | undefined>>, now: Date) {
  const unknown = Object.keys(query).find((name) => !QUERY_NAMES.includes(name))
  if (unknown !== undefined) throw errors.unknownParameter(unknown)
  return {
    action: query.action,
    address: query.address,
    flowLogId: query.flowLogId,
    interfaceId: query.interfaceId,
    after: query.after,
    port: integerParam('port', query.port),
    limit: integerParam('limit', query.limit),
    since: query.since === undefined ? undefined : parseInstant('since', query.since, now),
    until: query.until === undefined ? undefined : parseInstant('until', query.until, now),
  }
}

export const trafficRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/traffic',
    mutates: true,
    handle: (ctx, { body }) => sendTraffic(ctx, parseBody(trafficRequest, body, 'traffic request')),
  },
  {
    method: 'GET',
    path: '/flows',
    mutates: false,
    handle: (ctx, { query }) => queryFlowRecords(ctx, parseFlowQuery(query, ctx.now)),
  },
]

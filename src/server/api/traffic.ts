import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import { z } from 'zod'
import { type LogFileSink, parseInstant, queryFlowRecords, sendTraffic } from '../../app/traffic.js'
import { errors } from '../../domain/errors.js'
import type { ApiRoute } from './routes.js'

/**
 * Traffic and flow logs over JSON: POST /traffic sends one flow through the data plane and
 * delivers its flow-log records; GET /flows reads the caller's stored (CloudWatch Logs) records.
 */

/** S3-destination files under the flow-log directory, gzipped as AWS delivers them. */
export function directorySink(directory: string): LogFileSink {
  const root = resolve(directory)
  return {
    async write(key, text) {
      const path = resolve(root, key)
      // The key's parts were checked when the flow log was created; this keeps every write inside.
      if (!path.startsWith(root + sep)) {
        throw errors.invalidParameterValue(`The log file key ${key} leaves the flow-log directory.`)
      }
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, gzipSync(text))
    },
  }
}

// Ranges are the use case's to check, so its errors name them; here only the types.
const integer = z.number().int()
const trafficRequest = z.object({
  from: z.string().min(1),
  to: z.string().min(1),
  protocol: z.union([z.string().min(1), integer]).transform(String),
  port: integer.optional(),
  icmpCode: integer.optional(),
  sourcePort: integer.optional(),
  packets: integer.optional(),
  bytes: integer.optional(),
})

function parseTrafficRequest(body: unknown) {
  const parsed = trafficRequest.strict().safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw errors.invalidParameterValue(
      `The traffic request is not valid: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'malformed'}.`,
    )
  }
  return parsed.data
}

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
    handle: ({ ctx, body }) =>
      sendTraffic(ctx, parseTrafficRequest(body), directorySink(ctx.settings.flowLogDirectory)),
  },
  {
    method: 'GET',
    path: '/flows',
    mutates: false,
    handle: ({ ctx, query }) => queryFlowRecords(ctx, parseFlowQuery(query, ctx.now)),
  },
]

import { createHash } from 'node:crypto'
import { readAddress } from '../dataplane/address.js'
import { evaluateFlow } from '../dataplane/evaluate.js'
import {
  fieldValues,
  formatRecord,
  headerLine,
  hitValues,
  parseLogFormat,
} from '../dataplane/flow-log-format.js'
import { holdersOf, type InterfaceEntry, type Snapshot } from '../dataplane/snapshot.js'
import { DEFAULT_SOURCE_PORT, type Flow, type InterfaceHit, PROTOCOLS } from '../dataplane/types.js'
import { errors } from '../domain/errors.js'
import {
  FLOW_LOG_RECORD_KIND,
  type FlowLog,
  type FlowLogRecord,
  logsAction,
  s3LocationOf,
  s3ObjectKey,
} from '../domain/flow-log.js'
import { ids } from '../domain/ids.js'
import { parseAddress } from '../net/prefix.js'
import type { Stored } from '../ports/store.js'
import type { Context } from './context.js'
import { currentSnapshot, resolveSource } from './dataplane.js'
import { kinds } from './resources.js'

export interface SendTrafficInput {
  /** The sending interface (`eni-…`), an instance (`i-…`, its primary interface), or an address one holds. */
  readonly from: string
  readonly to: string
  /** `tcp`, `udp`, `icmp`, `icmpv6` or an IANA number. */
  readonly protocol: string
  /** The destination port (tcp, udp), or the ICMP type. */
  readonly port?: number
  readonly icmpCode?: number
  readonly sourcePort?: number
  readonly packets?: number
  readonly bytes?: number
}

/** A record as delivered: where it went, and the line its flow log's format gives. */
export interface DeliveredRecord {
  readonly flowLogId: string
  readonly accountId: string
  readonly region: string
  readonly logDestinationType: FlowLog['logDestinationType']
  readonly logGroupName?: string
  readonly logStreamName?: string
  /** S3: the object key (bucket first) of the file the record was written to. */
  readonly file?: string
  readonly message: string
  readonly fields: Readonly<Record<string, string>>
}

const PROTOCOL_RANGE = { min: 0, max: 255 }
const PORT_RANGE = { min: 0, max: 65535 }
/** ICMP echo request, the type `ping` sends, when no type is given. */
const ECHO_REQUEST = { [PROTOCOLS.icmp]: 8, [PROTOCOLS.icmpv6]: 128 } as Record<number, number>
const DEFAULT_BYTES_PER_PACKET = 64

function checkInteger(name: string, value: number, range: { min: number; max?: number }) {
  if (!Number.isInteger(value) || value < range.min || (range.max !== undefined && value > range.max)) {
    throw errors.invalidValue(
      name,
      String(value),
      `It must be an integer from ${range.min}${range.max === undefined ? '' : ` to ${range.max}`}.`,
    )
  }
  return value
}

export function protocolNumber(protocol: string): number {
  const named = (PROTOCOLS as Record<string, number>)[protocol.toLowerCase()]
  if (named !== undefined) return named
  if (!/^\d{1,3}$/.test(protocol)) {
    throw errors.invalidValue('protocol', protocol, 'Use tcp, udp, icmp, icmpv6 or a protocol number.')
  }
  return checkInteger('protocol', Number(protocol), PROTOCOL_RANGE)
}

/** The flow's destination port and ICMP code, by protocol: tcp/udp need a port, ICMP defaults to echo. */
function portsOf(protocol: number, input: SendTrafficInput) {
  if (protocol === PROTOCOLS.tcp || protocol === PROTOCOLS.udp) {
    if (input.port === undefined) throw errors.missingParameter('port')
    const sourcePort = checkInteger('sourcePort', input.sourcePort ?? DEFAULT_SOURCE_PORT, PORT_RANGE)
    return { port: checkInteger('port', input.port, PORT_RANGE), sourcePort }
  }
  const echo = ECHO_REQUEST[protocol]
  if (echo !== undefined) {
    return {
      port: checkInteger('port', input.port ?? echo, PROTOCOL_RANGE),
      icmpCode: checkInteger('icmpCode', input.icmpCode ?? 0, PROTOCOL_RANGE),
    }
  }
  return {}
}

/** Whether the caller may send as this source: only from its own interfaces in this region. */
function ownsSource(ctx: Context, snapshot: Snapshot, source: Flow['source']) {
  const owned = (entry: InterfaceEntry | undefined) =>
    entry !== undefined &&
    entry.eni.ownerId === ctx.caller.accountId &&
    entry.eni.region === ctx.caller.region
  if ('networkInterfaceId' in source) return owned(snapshot.interfaces.get(source.networkInterfaceId))
  const address = readAddress(source.address)
  return address !== undefined && holdersOf(snapshot, address).some(owned)
}

/** The flow's source: one of the caller's interfaces, by id, by instance, or by an address it holds. */
function sourceOf(ctx: Context, snapshot: Snapshot, from: string): Flow['source'] {
  const source = resolveSource(snapshot, from)
  if (source && ownsSource(ctx, snapshot, source)) return source
  if (from.startsWith('eni-')) throw errors.notFound(ids.networkInterface, from)
  if (from.startsWith('i-')) throw errors.notFound(ids.instance, from)
  if (!parseAddress(from)) {
    throw errors.invalidValue(
      'from',
      from,
      'Expected a network interface id (eni-…), an instance id (i-…) or an IP address.',
    )
  }
  throw errors.invalidValue('from', from, 'None of your network interfaces in this region holds it.')
}

/** Two spellings of one address (IPv6 has many) compare equal. */
const sameAddress = (a: string | undefined, b: string) => {
  const x = a === undefined ? undefined : parseAddress(a)
  const y = parseAddress(b)
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value
}

/** Where an interface sits, for the fields a hit alone does not carry (region, zone, instance). */
function placeOf(ctx: Context, snapshot: Snapshot, hit: InterfaceHit) {
  const entry = snapshot.interfaces.get(hit.networkInterfaceId)
  return {
    region: entry?.eni.region ?? ctx.caller.region,
    availabilityZoneId: entry?.subnet.subnet.availabilityZoneId,
    // Requester-managed interfaces (a NAT gateway's) record no instance.
    instanceId: entry?.eni.interfaceType === 'interface' ? entry.eni.attachment?.instanceId : undefined,
  }
}

/** Whether a flow log watches this interface: its owner's log of the interface, its subnet or its VPC. */
const covers = (flowLog: Stored<FlowLog>, hit: InterfaceHit, region: string) =>
  flowLog.owner.accountId === hit.ownerId &&
  flowLog.owner.region === region &&
  [hit.networkInterfaceId, hit.subnetId, hit.vpcId].includes(flowLog.body.resourceId)

/** The object key of a flow log's file for one send; the hash is unique per send (per revision). */
function fileKeyOf(ctx: Context, flowLog: Stored<FlowLog>) {
  const options = flowLog.body.destinationOptions
  return s3ObjectKey(s3LocationOf(flowLog.body.logDestination), {
    accountId: flowLog.owner.accountId,
    region: flowLog.owner.region,
    flowLogId: flowLog.id,
    at: ctx.now,
    hash: createHash('sha256').update(`${flowLog.id}/${ctx.tx.revision}`).digest('hex').slice(0, 8),
    hiveCompatiblePartitions: options?.hiveCompatiblePartitions ?? false,
    perHourPartition: options?.perHourPartition ?? false,
  })
}

/**
 * Sends one flow through the data plane and delivers its flow-log records: one per interface
 * the flow touched (FlowResult.touched), to every flow log that covers that interface and logs
 * that action. CloudWatch Logs records are stored; S3 records go to one file per flow log and
 * send, headed by the field names. The records' start and end are the server clock's now.
 */
export async function sendTraffic(ctx: Context, input: SendTrafficInput) {
  const protocol = protocolNumber(input.protocol)
  if (!parseAddress(input.to)) throw errors.invalidValue('to', input.to, 'Expected an IPv4 or IPv6 address.')
  const ports = portsOf(protocol, input)
  const packets = checkInteger('packets', input.packets ?? 1, { min: 1 })
  const bytes = checkInteger('bytes', input.bytes ?? packets * DEFAULT_BYTES_PER_PACKET, { min: 0 })
  const snapshot = await currentSnapshot(ctx)
  const flow: Flow = {
    source: sourceOf(ctx, snapshot, input.from),
    destination: input.to,
    protocol,
    ...ports,
  }
  const result = evaluateFlow(snapshot, flow)
  const flowLogs = await ctx.tx.list<FlowLog>(kinds.flowLog.type)
  const now = Math.floor(ctx.now.getTime() / 1000)
  const records: DeliveredRecord[] = []
  const files = new Map<string, { key: string; header: string; lines: string[] }>()
  for (const hit of result.touched) {
    const place = placeOf(ctx, snapshot, hit)
    const values = hitValues(hit, { protocol, packets, bytes, start: now, end: now, ...place })
    for (const flowLog of flowLogs.filter((f) => covers(f, hit, place.region))) {
      if (!logsAction(flowLog.body.trafficType, hit.action)) continue
      const format = parseLogFormat(flowLog.body.logFormat)
      const delivered = {
        flowLogId: flowLog.id,
        accountId: flowLog.owner.accountId,
        region: flowLog.owner.region,
        logDestinationType: flowLog.body.logDestinationType,
        message: formatRecord(format, values),
        fields: fieldValues(format, values),
      }
      if (flowLog.body.logDestinationType === 's3') {
        const file = files.get(flowLog.id) ?? {
          key: fileKeyOf(ctx, flowLog),
          header: headerLine(format),
          lines: [],
        }
        file.lines.push(delivered.message)
        files.set(flowLog.id, file)
        records.push({ ...delivered, file: file.key })
        continue
      }
      const record: FlowLogRecord = {
        flowLogId: flowLog.id,
        logDestinationType: 'cloud-watch-logs',
        logGroupName: flowLog.body.logGroupName!,
        logStreamName: hit.networkInterfaceId,
        sequence: records.length,
        message: delivered.message,
        fields: delivered.fields,
        start: now,
      }
      await ctx.tx.insert<FlowLogRecord>({
        id: ctx.newId('flr'),
        kind: FLOW_LOG_RECORD_KIND,
        owner: flowLog.owner,
        body: record,
      })
      records.push({ ...delivered, logGroupName: record.logGroupName, logStreamName: record.logStreamName })
    }
  }
  // Files last, once every record is in the transaction.
  for (const file of files.values())
    await ctx.flowLogSink.write(file.key, `${file.header}\n${file.lines.join('\n')}\n`)

  return {
    flow: { source: input.from, destination: input.to, protocol, ...ports },
    reachable: result.reachable,
    explanations: result.explanations,
    touched: result.touched,
    records,
    files: [...files.values()].map((file) => file.key),
  }
}

export interface FlowQuery {
  readonly action?: string
  /** Either end of the flow (srcaddr or dstaddr). */
  readonly address?: string
  /** Either port (srcport or dstport). */
  readonly port?: number
  readonly flowLogId?: string
  readonly interfaceId?: string
  /** Records that started at or after / before this instant. */
  readonly since?: Date
  readonly until?: Date
  /** Only records newer than this cursor (from an earlier answer), for tailing. */
  readonly after?: string
  readonly limit?: number
}

const DEFAULT_QUERY_LIMIT = 100
const MAX_QUERY_LIMIT = 1000

/** A record's place in delivery order: its send's revision, then its order within the send. */
const positionOf = (record: Stored<FlowLogRecord>) => [record.createdRevision, record.body.sequence] as const
const cursorOf = (record: Stored<FlowLogRecord>) => positionOf(record).join('.')

function parseCursor(cursor: string): readonly [number, number] {
  const match = /^(\d+)\.(\d+)$/.exec(cursor)
  if (!match) throw errors.invalidValue('after', cursor, 'Use the cursor of an earlier answer.')
  return [Number(match[1]), Number(match[2])]
}

const isAfter = (a: readonly [number, number], b: readonly [number, number]) =>
  a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])

/**
 * The caller's stored flow-log records (CloudWatch Logs destinations), newest first, with a
 * cursor naming the newest so a tail can ask for what came after it.
 */
export async function queryFlowRecords(ctx: Context, query: FlowQuery) {
  if (query.action !== undefined && query.action !== 'ACCEPT' && query.action !== 'REJECT') {
    throw errors.invalidValue('action', query.action, 'Valid values: ACCEPT, REJECT.')
  }
  if (query.address !== undefined && !parseAddress(query.address)) {
    throw errors.invalidValue('address', query.address, 'Expected an IPv4 or IPv6 address.')
  }
  if (query.port !== undefined) checkInteger('port', query.port, PORT_RANGE)
  const limit = checkInteger('limit', query.limit ?? DEFAULT_QUERY_LIMIT, { min: 1, max: MAX_QUERY_LIMIT })
  const after = query.after === undefined ? undefined : parseCursor(query.after)
  const matches = (record: Stored<FlowLogRecord>) => {
    const { fields, start, flowLogId } = record.body
    return (
      (after === undefined || isAfter(positionOf(record), after)) &&
      (query.action === undefined || fields.action === query.action) &&
      (query.address === undefined ||
        sameAddress(fields.srcaddr, query.address) ||
        sameAddress(fields.dstaddr, query.address)) &&
      (query.port === undefined ||
        fields.srcport === String(query.port) ||
        fields.dstport === String(query.port)) &&
      (query.flowLogId === undefined || flowLogId === query.flowLogId) &&
      (query.interfaceId === undefined || fields['interface-id'] === query.interfaceId) &&
      (query.since === undefined || start * 1000 >= query.since.getTime()) &&
      (query.until === undefined || start * 1000 < query.until.getTime())
    )
  }
  const stored = await ctx.tx.list<FlowLogRecord>(FLOW_LOG_RECORD_KIND, { visibleTo: ctx.caller })
  const newestFirst = stored
    .filter(matches)
    .sort((a, b) => (isAfter(positionOf(a), positionOf(b)) ? -1 : 1))
    .slice(0, limit)
  return {
    records: newestFirst.map((record) => ({
      ...record.body,
      accountId: record.owner.accountId,
      region: record.owner.region,
      cursor: cursorOf(record),
    })),
    cursor: newestFirst[0] ? cursorOf(newestFirst[0]) : query.after,
  }
}

const DURATION = /^(\d+)(s|m|h|d)$/
const DURATION_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** A time bound: a duration back from now (`90s`, `10m`, `2h`, `1d`), Unix seconds, or ISO 8601. */
export function parseInstant(name: string, text: string, now: Date): Date {
  const duration = DURATION.exec(text)
  if (duration) {
    return new Date(
      now.getTime() - Number(duration[1]) * DURATION_MS[duration[2] as keyof typeof DURATION_MS],
    )
  }
  const instant = /^\d+$/.test(text) ? new Date(Number(text) * 1000) : new Date(text)
  if (Number.isNaN(instant.getTime())) {
    throw errors.invalidValue(name, text, 'Use a duration such as 10m, Unix seconds or an ISO 8601 time.')
  }
  return instant
}

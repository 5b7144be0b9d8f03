/**
 * Flow-log record formatting, as VPC Flow Logs writes records: space-separated values in the
 * order of the flow log's format, `-` for a field that does not apply. Pure: no I/O, no clock.
 */
import { errors } from '../domain/errors.js'
import type { InterfaceHit } from './types.js'

/**
 * Every field vpcpeer writes, in the order of AWS's "available fields" table, with the flow-log
 * version that introduced it. The default format is the version-2 fields in this order.
 */
export const FLOW_LOG_FIELD_VERSIONS = {
  version: 2,
  'account-id': 2,
  'interface-id': 2,
  srcaddr: 2,
  dstaddr: 2,
  srcport: 2,
  dstport: 2,
  protocol: 2,
  packets: 2,
  bytes: 2,
  start: 2,
  end: 2,
  action: 2,
  'log-status': 2,
  'vpc-id': 3,
  'subnet-id': 3,
  'instance-id': 3,
  'tcp-flags': 3,
  type: 3,
  'pkt-srcaddr': 3,
  'pkt-dstaddr': 3,
  region: 4,
  'az-id': 4,
  'sublocation-type': 4,
  'sublocation-id': 4,
  'pkt-src-aws-service': 5,
  'pkt-dst-aws-service': 5,
  'flow-direction': 5,
  'traffic-path': 5,
  'ecs-cluster-arn': 7,
  'ecs-cluster-name': 7,
  'ecs-container-instance-arn': 7,
  'ecs-container-instance-id': 7,
  'ecs-container-id': 7,
  'ecs-second-container-id': 7,
  'ecs-service-name': 7,
  'ecs-task-definition-arn': 7,
  'ecs-task-arn': 7,
  'ecs-task-id': 7,
  'reject-reason': 8,
} as const

export type FlowLogField = keyof typeof FLOW_LOG_FIELD_VERSIONS

export const FLOW_LOG_FIELDS = Object.keys(FLOW_LOG_FIELD_VERSIONS) as FlowLogField[]

const isField = (name: string): name is FlowLogField => Object.hasOwn(FLOW_LOG_FIELD_VERSIONS, name)

export const DEFAULT_FIELDS: readonly FlowLogField[] = FLOW_LOG_FIELDS.filter(
  (field) => FLOW_LOG_FIELD_VERSIONS[field] === 2,
)

export const logFormatOf = (fields: readonly FlowLogField[]) => fields.map((f) => `\${${f}}`).join(' ')

/** What DescribeFlowLogs reports as the format of a flow log created without LogFormat. */
export const DEFAULT_LOG_FORMAT = logFormatOf(DEFAULT_FIELDS)

const TOKEN = /^\$\{([^{}\s]+)\}$/

/**
 * The fields of a `LogFormat`: `${field}` entries separated by single spaces, at least one.
 * Anything else is refused with the validation error AWS answers for a malformed format; a
 * well-formed entry naming no field is refused naming it.
 */
export function parseLogFormat(text: string): FlowLogField[] {
  const tokens = text.split(' ')
  const names = tokens.map((token) => TOKEN.exec(token)?.[1])
  if (text === '' || names.some((name) => name === undefined)) {
    throw errors.invalidParameterValue(
      `1 validation error detected: Value '${text}' at 'logFormat' has an invalid format`,
    )
  }
  const unknown = (names as string[]).filter((name) => !isField(name))
  if (unknown.length > 0) {
    throw errors.invalidValue(
      'logFormat',
      text,
      `Unknown fields: ${unknown.map((name) => `\${${name}}`).join(', ')}.`,
    )
  }
  return names as FlowLogField[]
}

/** The `version` a record carries: the highest version among the format's fields. */
export const versionOf = (fields: readonly FlowLogField[]) =>
  Math.max(...fields.map((field) => FLOW_LOG_FIELD_VERSIONS[field]))

/** A record's values by field; an absent value (undefined) is written `-`. */
export type RecordValues = Readonly<Partial<Record<FlowLogField, string | number>>>

/** Each field's value as written, `-` where absent; `version` is the format's own version. */
export function fieldValues(
  format: readonly FlowLogField[],
  values: RecordValues,
): Record<FlowLogField, string> {
  const written = Object.fromEntries(FLOW_LOG_FIELDS.map((field) => [field, String(values[field] ?? '-')]))
  return { ...(written as Record<FlowLogField, string>), version: String(versionOf(format)) }
}

/** One record line in the format's field order. */
export function formatRecord(format: readonly FlowLogField[], values: RecordValues): string {
  const written = fieldValues(format, values)
  return format.map((field) => written[field]).join(' ')
}

/** The first line of a plain-text S3 log file: the field names, in format order. */
export const headerLine = (fields: readonly FlowLogField[]) => fields.join(' ')

/** Splits a record line back into its values by field name (for readers and tests). */
export function parseRecord(fields: readonly FlowLogField[], line: string): Record<string, string> {
  const values = line.split(' ')
  if (values.length !== fields.length) {
    throw new Error(`expected ${fields.length} values, got ${values.length}: ${line}`)
  }
  return Object.fromEntries(fields.map((field, index) => [field, values[index]!]))
}

/** What a record needs beyond the interface hit: the flow's counts and times, the interface's place. */
export interface RecordContext {
  readonly protocol: number
  readonly packets: number
  readonly bytes: number
  /** Unix seconds. */
  readonly start: number
  readonly end: number
  readonly region: string
  readonly availabilityZoneId?: string
  /** The instance the interface is attached to; none for requester-managed interfaces. */
  readonly instanceId?: string
}

const TCP = 6
/** TCP flag bitmasks as flow logs write them: a request opens with SYN, its reply with SYN-ACK. */
const TCP_FLAGS = { request: 2, reply: 18 } as const

/**
 * The values one interface hit records. Peering does no NAT, so the packet addresses equal the
 * interface-side ones; ports are 0 for protocols without ports (ICMP), as AWS writes them.
 */
export function hitValues(hit: InterfaceHit, context: RecordContext): RecordValues {
  return {
    'account-id': hit.ownerId,
    'interface-id': hit.networkInterfaceId,
    srcaddr: hit.sourceAddress,
    dstaddr: hit.destinationAddress,
    srcport: hit.sourcePort ?? 0,
    dstport: hit.destinationPort ?? 0,
    protocol: context.protocol,
    packets: context.packets,
    bytes: context.bytes,
    start: context.start,
    end: context.end,
    action: hit.action,
    'log-status': 'OK',
    'vpc-id': hit.vpcId,
    'subnet-id': hit.subnetId,
    'instance-id': context.instanceId,
    'tcp-flags': context.protocol === TCP ? TCP_FLAGS[hit.reply ? 'reply' : 'request'] : 0,
    type: hit.sourceAddress.includes(':') ? 'IPv6' : 'IPv4',
    'pkt-srcaddr': hit.sourceAddress,
    'pkt-dstaddr': hit.destinationAddress,
    region: context.region,
    'az-id': context.availabilityZoneId,
    'flow-direction': hit.flowDirection,
    // Only egress records say which path the traffic took.
    'traffic-path': hit.flowDirection === 'egress' ? hit.trafficPath : undefined,
  }
}

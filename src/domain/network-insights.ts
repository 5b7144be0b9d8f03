import { parseAddress } from '../net/prefix.js'
import { errors } from './errors.js'

/**
 * Reachability Analyzer's path resource (spec §8): what to analyse, stored as given. The
 * analyses themselves are computed by the data plane, so their record lives with the use case.
 */

export interface FilterPortRange {
  readonly fromPort: number
  readonly toPort: number
}

/** Scopes the packet leaving the source (FilterAtSource) or arriving at the destination. */
export interface PathFilter {
  readonly sourceAddress?: string
  readonly sourcePortRange?: FilterPortRange
  readonly destinationAddress?: string
  readonly destinationPortRange?: FilterPortRange
}

export interface NetworkInsightsPath {
  readonly networkInsightsPathId: string
  readonly ownerId: string
  readonly region: string
  readonly createdDate: string
  /** Resource ids (an ARN given on create is stored as its id; the ARN is kept beside it). */
  readonly source: string
  readonly sourceArn: string
  readonly destination?: string
  readonly destinationArn?: string
  readonly sourceIp?: string
  readonly destinationIp?: string
  /** tcp, udp, icmp, icmpv6, or another IANA protocol number as a decimal string. */
  readonly protocol: string
  readonly destinationPort?: number
  readonly filterAtSource?: PathFilter
  readonly filterAtDestination?: PathFilter
  readonly clientToken?: string
}

/** arn:aws:ec2:<region>:<account>:<type>/<id>, the form every EC2 resource ARN takes. */
export const ec2Arn = (scope: { region: string; accountId: string }, type: string, id: string) =>
  `arn:aws:ec2:${scope.region}:${scope.accountId}:${type}/${id}`

/** The resource types a path may start or end at (AWS allows more: TGWs, endpoints, VGWs …). */
export const ENDPOINT_TYPES: ReadonlySet<string> = new Set([
  'network-interface',
  'instance',
  'internet-gateway',
  'vpc-peering-connection',
])

const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 }
const PROTOCOL_NAMES = new Map(Object.entries(PROTOCOL_NUMBERS).map(([name, number]) => [number, name]))

/**
 * AWS takes `tcp` or `udp`. vpcpeer also takes `icmp`, `icmpv6` and any IANA number 0–255, in
 * any case; a number with a name (6, 17, 1, 58) is stored by its name.
 */
export function parsePathProtocol(text: string): string {
  const lower = text.toLowerCase()
  if (Object.hasOwn(PROTOCOL_NUMBERS, lower)) return lower
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) {
    return PROTOCOL_NAMES.get(Number(lower)) ?? String(Number(lower))
  }
  throw errors.invalidValue(
    'Protocol',
    text,
    'Valid values: tcp, udp, icmp, icmpv6, or a protocol number 0-255.',
  )
}

export const protocolNumber = (protocol: string): number => PROTOCOL_NUMBERS[protocol] ?? Number(protocol)

/** Whether the protocol has ports (tcp and udp); for icmp/icmpv6 the destination port is the type. */
export const hasPorts = (protocol: string) => protocol === 'tcp' || protocol === 'udp'

const ARN_PATTERN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]+):(\d{12}):([a-z-]+)\/([a-z][a-z-]*-[0-9a-f]+)$/

export interface EndpointReference {
  readonly id: string
  /** The ARN the caller gave, to be checked against the resource's own. */
  readonly arn?: string
}

/** `Source` and `Destination` take an id or an ARN. */
export function parseEndpoint(parameter: 'Source' | 'Destination', text: string): EndpointReference {
  if (!text.startsWith('arn:')) return { id: text }
  const match = ARN_PATTERN.exec(text)
  if (!match)
    throw errors.invalidValue(parameter, text, 'It is neither a resource ID nor an EC2 resource ARN.')
  return { id: match[4]!, arn: text }
}

/** An IPv4 address, as AWS takes; unlike AWS, vpcpeer also takes an IPv6 address. */
export function checkAddress(parameter: string, text: string): string {
  if (!parseAddress(text)) throw errors.invalidValue(parameter, text, 'It is not an IP address.')
  return text
}

export interface PortRangeInput {
  readonly FromPort?: number
  readonly ToPort?: number
}

export interface PathFilterInput {
  readonly SourceAddress?: string
  readonly SourcePortRange?: PortRangeInput
  readonly DestinationAddress?: string
  readonly DestinationPortRange?: PortRangeInput
}

/** A missing end of a port range is open: 0 below, 65535 above. */
function portRange(parameter: string, input: PortRangeInput | undefined): FilterPortRange | undefined {
  if (!input) return undefined
  const range = { fromPort: input.FromPort ?? 0, toPort: input.ToPort ?? 65535 }
  if (range.fromPort > range.toPort) {
    throw errors.invalidParameterValue(
      `The port range ${range.fromPort}-${range.toPort} in ${parameter} is invalid: FromPort is greater than ToPort.`,
    )
  }
  return range
}

export function checkPathFilter(
  parameter: string,
  input: PathFilterInput | undefined,
): PathFilter | undefined {
  if (!input) return undefined
  const filter = {
    sourceAddress: input.SourceAddress && checkAddress(`${parameter}.SourceAddress`, input.SourceAddress),
    sourcePortRange: portRange(`${parameter}.SourcePortRange`, input.SourcePortRange),
    destinationAddress:
      input.DestinationAddress && checkAddress(`${parameter}.DestinationAddress`, input.DestinationAddress),
    destinationPortRange: portRange(`${parameter}.DestinationPortRange`, input.DestinationPortRange),
  }
  return Object.fromEntries(
    Object.entries(filter).filter(([, v]) => v !== undefined && v !== ''),
  ) as PathFilter
}

/**
 * AWS's combination rules: FilterAtSource replaces SourceIp and DestinationPort, and
 * FilterAtDestination replaces DestinationIp.
 */
export function checkPathCombination(input: {
  sourceIp?: string
  destinationIp?: string
  destinationPort?: number
  filterAtSource?: PathFilter
  filterAtDestination?: PathFilter
}) {
  if (input.filterAtSource && (input.sourceIp !== undefined || input.destinationPort !== undefined)) {
    throw errors.invalidParameterCombination(
      'FilterAtSource cannot be specified together with SourceIp or DestinationPort.',
    )
  }
  if (input.filterAtDestination && input.destinationIp !== undefined) {
    throw errors.invalidParameterCombination(
      'FilterAtDestination cannot be specified together with DestinationIp.',
    )
  }
}

/** The concrete packet a path describes, from its parameters and filters (first given wins). */
export function packetOf(
  path: Pick<
    NetworkInsightsPath,
    'sourceIp' | 'destinationIp' | 'destinationPort' | 'filterAtSource' | 'filterAtDestination'
  >,
) {
  const filters = [path.filterAtSource, path.filterAtDestination]
  const first = <T>(pick: (filter: PathFilter) => T | undefined) =>
    filters.map((f) => f && pick(f)).find((v) => v !== undefined)
  return {
    sourceAddress: path.sourceIp ?? first((f) => f.sourceAddress),
    destinationAddress: path.destinationIp ?? first((f) => f.destinationAddress),
    destinationPort: path.destinationPort ?? first((f) => f.destinationPortRange?.fromPort),
    sourcePort: first((f) => f.sourcePortRange?.fromPort),
  }
}

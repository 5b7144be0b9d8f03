/**
 * Network Access Analyzer's scope (reachability reference §1.5): which paths to find
 * (`matchPaths`) and which of those to leave out (`excludePaths`). A path names a source, a
 * destination (each a resource statement and/or a packet-header statement) and resources it
 * must pass through. Stored as given, validated; the data plane answers it.
 */
import { parsePrefix } from '../net/prefix.js'
import { errors } from './errors.js'

export interface ResourceStatement {
  /** Resource ids (an interface, instance, subnet, VPC, security group, gateway, peering) or 12-digit account ids. */
  readonly resources: readonly string[]
  /** `AWS::EC2::NetworkInterface` and the other types of RESOURCE_TYPES. */
  readonly resourceTypes: readonly string[]
}

export interface PacketHeaderStatement {
  readonly sourceAddresses: readonly string[]
  readonly destinationAddresses: readonly string[]
  /** Ports and ranges as given: `5432`, `1024-65535`. */
  readonly sourcePorts: readonly string[]
  readonly destinationPorts: readonly string[]
  readonly sourcePrefixLists: readonly string[]
  readonly destinationPrefixLists: readonly string[]
  /** `tcp`, `udp`; empty for both. */
  readonly protocols: readonly ('tcp' | 'udp')[]
}

export interface PathStatement {
  readonly packetHeaderStatement?: PacketHeaderStatement
  readonly resourceStatement?: ResourceStatement
}

export interface AccessScopePath {
  readonly source?: PathStatement
  readonly destination?: PathStatement
  readonly throughResources: readonly ResourceStatement[]
}

export interface NetworkInsightsAccessScope {
  readonly networkInsightsAccessScopeId: string
  readonly ownerId: string
  readonly region: string
  readonly createdDate: string
  readonly updatedDate: string
  readonly matchPaths: readonly AccessScopePath[]
  readonly excludePaths: readonly AccessScopePath[]
  readonly clientToken?: string
}

/** The resource types a statement may name, and the data plane's component kind for each. */
export const RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'AWS::EC2::NetworkInterface': 'network-interface',
  'AWS::EC2::Instance': 'instance',
  'AWS::EC2::Subnet': 'subnet',
  'AWS::EC2::VPC': 'vpc',
  'AWS::EC2::SecurityGroup': 'security-group',
  'AWS::EC2::NetworkAcl': 'network-acl',
  'AWS::EC2::RouteTable': 'route-table',
  'AWS::EC2::VPCPeeringConnection': 'vpc-peering-connection',
  'AWS::EC2::InternetGateway': 'internet-gateway',
  'AWS::EC2::EgressOnlyInternetGateway': 'egress-only-internet-gateway',
  'AWS::EC2::NatGateway': 'nat-gateway',
  'AWS::EC2::VPNGateway': 'vpn-gateway',
}

export interface PortRange {
  readonly from: number
  readonly to: number
}

const PORT_TEXT = /^(\d{1,5})(?:-(\d{1,5}))?$/

/** `5432` or `1024-65535` as a range; InvalidParameterValue for anything else. */
export function parsePortRange(parameter: string, text: string): PortRange {
  const match = PORT_TEXT.exec(text)
  const from = Number(match?.[1])
  const to = match?.[2] === undefined ? from : Number(match[2])
  if (!match || from > 65535 || to > 65535 || from > to) {
    throw errors.invalidValue(parameter, text, 'A port is a number 0-65535, or a range such as 1024-65535.')
  }
  return { from, to }
}

const ACCOUNT = /^\d{12}$/
const RESOURCE_ID = /^[a-z][a-z-]*-[0-9a-f]{8,17}$/

export type ResourceStatementInput = ResourceStatement

/** A packet-header statement as asked: protocols not yet checked. */
export type PacketHeaderStatementInput = Omit<PacketHeaderStatement, 'protocols'> & {
  readonly protocols: readonly string[]
}

export interface PathStatementInput {
  readonly packetHeaderStatement?: PacketHeaderStatementInput
  readonly resourceStatement?: ResourceStatementInput
}

export interface AccessScopePathInput {
  readonly source?: PathStatementInput
  readonly destination?: PathStatementInput
  readonly throughResources: readonly { readonly resourceStatement?: ResourceStatementInput }[]
}

function checkResourceStatement(parameter: string, input: ResourceStatementInput): ResourceStatement {
  for (const resource of input.resources) {
    const id = resource.startsWith('arn:') ? resource.slice(resource.lastIndexOf('/') + 1) : resource
    if (!ACCOUNT.test(id) && !RESOURCE_ID.test(id)) {
      throw errors.invalidValue(
        `${parameter}.Resources`,
        resource,
        'It is neither a resource id nor an account id.',
      )
    }
  }
  for (const type of input.resourceTypes) {
    if (!Object.hasOwn(RESOURCE_TYPES, type)) {
      throw errors.invalidValue(
        `${parameter}.ResourceTypes`,
        type,
        `Valid values: ${Object.keys(RESOURCE_TYPES).join(', ')}.`,
      )
    }
  }
  return {
    resources: input.resources.map((r) => (r.startsWith('arn:') ? r.slice(r.lastIndexOf('/') + 1) : r)),
    resourceTypes: [...input.resourceTypes],
  }
}

function checkCidrs(parameter: string, cidrs: readonly string[]) {
  for (const cidr of cidrs) {
    if (!parsePrefix(cidr)) throw errors.invalidValue(parameter, cidr, 'It is not a CIDR block.')
  }
  return [...cidrs]
}

function checkPacketHeader(parameter: string, input: PacketHeaderStatementInput): PacketHeaderStatement {
  for (const [name, ports] of [
    ['SourcePorts', input.sourcePorts],
    ['DestinationPorts', input.destinationPorts],
  ] as const) {
    for (const port of ports) parsePortRange(`${parameter}.${name}`, port)
  }
  const protocols = input.protocols.map((p) => {
    const lower = p.toLowerCase()
    if (lower !== 'tcp' && lower !== 'udp') {
      throw errors.invalidValue(`${parameter}.Protocols`, p, 'Valid values: tcp, udp.')
    }
    return lower
  })
  return {
    sourceAddresses: checkCidrs(`${parameter}.SourceAddresses`, input.sourceAddresses),
    destinationAddresses: checkCidrs(`${parameter}.DestinationAddresses`, input.destinationAddresses),
    sourcePorts: [...input.sourcePorts],
    destinationPorts: [...input.destinationPorts],
    sourcePrefixLists: [...input.sourcePrefixLists],
    destinationPrefixLists: [...input.destinationPrefixLists],
    protocols,
  }
}

function checkStatement(parameter: string, input: PathStatementInput | undefined): PathStatement | undefined {
  if (!input) return undefined
  return {
    ...(input.packetHeaderStatement
      ? {
          packetHeaderStatement: checkPacketHeader(
            `${parameter}.PacketHeaderStatement`,
            input.packetHeaderStatement,
          ),
        }
      : {}),
    ...(input.resourceStatement
      ? {
          resourceStatement: checkResourceStatement(
            `${parameter}.ResourceStatement`,
            input.resourceStatement,
          ),
        }
      : {}),
  }
}

/** A scope's paths, validated; `parameter` is `MatchPath` or `ExcludePath`. */
export function checkAccessScopePaths(
  parameter: 'MatchPath' | 'ExcludePath',
  paths: readonly AccessScopePathInput[],
): AccessScopePath[] {
  return paths.map((path, index) => {
    const where = `${parameter}.${index + 1}`
    const source = checkStatement(`${where}.Source`, path.source)
    const destination = checkStatement(`${where}.Destination`, path.destination)
    return {
      ...(source ? { source } : {}),
      ...(destination ? { destination } : {}),
      throughResources: path.throughResources.map((through, n) => {
        if (!through.resourceStatement)
          throw errors.missingParameter(`${where}.ThroughResource.${n + 1}.ResourceStatement`)
        return checkResourceStatement(
          `${where}.ThroughResource.${n + 1}.ResourceStatement`,
          through.resourceStatement,
        )
      }),
    }
  })
}

/**
 * The JSON the console's routes answer (src/app/console.ts builds it, web/ reads it).
 * Types only, importing nothing with a runtime, so the browser build can share them.
 */
import type { PeeringStatusCode } from '../domain/peering.js'
import type { RouteState } from '../domain/route-table.js'

export interface TagView {
  readonly key: string
  readonly value: string
}

/** Who the signature names, and the regions the caller may switch to. */
export interface WhoAmI {
  readonly accountId: string
  readonly region: string
  readonly accessKeyId: string
  readonly regions: readonly string[]
}

export interface SubnetView {
  readonly subnetId: string
  readonly vpcId: string
  readonly name?: string
  readonly cidrBlock?: string
  readonly ipv6CidrBlocks: readonly string[]
  readonly availabilityZone: string
  readonly availableAddresses: number
}

export interface InterfaceView {
  readonly networkInterfaceId: string
  readonly vpcId: string
  readonly subnetId: string
  readonly name?: string
  readonly description: string
  readonly privateIpAddress: string
  readonly secondaryPrivateIpAddresses: readonly string[]
  readonly ipv6Addresses: readonly string[]
  readonly groupIds: readonly string[]
  readonly instanceId?: string
}

/**
 * A VPC on the graph. The caller's own VPCs in its region come with tags, subnets and
 * interfaces; a VPC known only as the other side of a peering carries what the peering shows.
 */
export interface VpcNode {
  readonly vpcId: string
  readonly accountId: string
  readonly region: string
  readonly owned: boolean
  readonly name?: string
  readonly tags: readonly TagView[]
  readonly cidrBlocks: readonly string[]
  readonly ipv6CidrBlocks: readonly string[]
  readonly subnets: readonly SubnetView[]
  /** Routes in this VPC's tables whose target cannot carry traffic. */
  readonly blackholeRoutes: number
}

export interface PeeringSideView {
  readonly vpcId: string
  readonly accountId: string
  readonly region: string
  /** Empty for an accepter whose connection was never active: AWS does not show them yet. */
  readonly cidrBlocks: readonly string[]
  readonly ipv6CidrBlocks: readonly string[]
}

export interface BlackholeRoute {
  readonly routeTableId: string
  readonly vpcId: string
  readonly destination: string
}

export interface PeeringEdge {
  readonly peeringId: string
  readonly name?: string
  readonly tags: readonly TagView[]
  readonly status: { readonly code: PeeringStatusCode; readonly message: string }
  readonly requester: PeeringSideView
  readonly accepter: PeeringSideView
  readonly crossAccount: boolean
  readonly crossRegion: boolean
  /** The caller's side: `both` for a connection within one account and region. */
  readonly role: 'requester' | 'accepter' | 'both'
  /** Pending acceptance by the caller's account in the caller's region: it may accept or reject. */
  readonly awaitingCaller: boolean
  /** The caller's routes through this connection that are blackholes. */
  readonly blackholeRoutes: readonly BlackholeRoute[]
  readonly createdAt: string
  readonly statusChangedAt: string
  /** While the request is outstanding. */
  readonly expirationTime?: string
}

export interface Topology {
  readonly accountId: string
  readonly region: string
  readonly vpcs: readonly VpcNode[]
  readonly peerings: readonly PeeringEdge[]
  readonly interfaces: readonly InterfaceView[]
}

export interface RouteView {
  readonly destination: string
  /** `local`, or the id of the gateway, connection or interface the route sends to. */
  readonly target: string
  readonly state: RouteState
  readonly origin: string
}

export interface RouteTableView {
  readonly routeTableId: string
  readonly name?: string
  readonly main: boolean
  readonly subnetIds: readonly string[]
  readonly routes: readonly RouteView[]
}

export interface RuleView {
  readonly ruleId: string
  /** `-1` for all, else tcp, udp, icmp, icmpv6 or a protocol number. */
  readonly protocol: string
  readonly fromPort?: number
  readonly toPort?: number
  /** A CIDR, a prefix list, or a group (`sg-…`, with its account and VPC when across a peering). */
  readonly peer: string
  readonly description?: string
  /** A group across a peering that is no longer active, or that no longer exists. */
  readonly stale: boolean
  /** For a stale rule: the status of the peering it went through. */
  readonly peeringStatus?: string
}

export interface SecurityGroupView {
  readonly groupId: string
  readonly groupName: string
  readonly description: string
  readonly name?: string
  readonly ingress: readonly RuleView[]
  readonly egress: readonly RuleView[]
}

export interface AclEntryView {
  readonly ruleNumber: number
  readonly egress: boolean
  readonly protocol: string
  readonly ruleAction: 'allow' | 'deny'
  readonly cidr: string
  readonly portRange?: { readonly from: number; readonly to: number }
  readonly icmpTypeCode?: { readonly type: number; readonly code: number }
}

export interface NetworkAclView {
  readonly networkAclId: string
  readonly name?: string
  readonly isDefault: boolean
  readonly subnetIds: readonly string[]
  readonly entries: readonly AclEntryView[]
}

export interface FlowLogView {
  readonly flowLogId: string
  readonly resourceId: string
  readonly trafficType: string
  readonly destinationType: string
  readonly destination: string
  readonly logFormat: string
}

export interface VpcDetail {
  readonly vpcId: string
  readonly accountId: string
  readonly region: string
  readonly name?: string
  readonly tags: readonly TagView[]
  readonly cidrBlocks: readonly { readonly associationId: string; readonly cidrBlock: string }[]
  readonly ipv6CidrBlocks: readonly { readonly associationId: string; readonly ipv6CidrBlock: string }[]
  readonly subnets: readonly SubnetView[]
  readonly routeTables: readonly RouteTableView[]
  readonly securityGroups: readonly SecurityGroupView[]
  readonly networkAcls: readonly NetworkAclView[]
  readonly networkInterfaces: readonly InterfaceView[]
  readonly flowLogs: readonly FlowLogView[]
}

/** What the console sends to request a peering connection. */
export interface PeeringRequestBody {
  readonly vpcId: string
  readonly peerVpcId: string
  readonly peerOwnerId?: string
  readonly peerRegion?: string
  readonly name?: string
}

/** Every error the JSON API answers: the AWS code and message. */
export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string }
}

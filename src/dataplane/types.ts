/**
 * The data plane's contract. The engine (evaluate.ts) is pure: it reads an immutable Snapshot
 * built from an Estate (every resource of every account and region, peerings settled to one
 * instant) and answers, for one flow, whether it is delivered, the components crossed each way,
 * and every blocker with its AWS Reachability Analyzer explanation code.
 */
import type {
  EgressOnlyInternetGateway,
  InternetGateway,
  NatGateway,
  VpnGateway,
} from '../domain/gateways.js'
import type { NetworkAcl } from '../domain/network-acl.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import type { PeeringConnection } from '../domain/peering.js'
import type { RouteTable } from '../domain/route-table.js'
import type { SecurityGroup } from '../domain/security-group.js'
import type { Subnet } from '../domain/subnet.js'
import type { Vpc } from '../domain/vpc.js'

/** Everything the engine looks at. Peerings are already settled (their status as of `at`). */
export interface Estate {
  readonly at: Date
  readonly vpcs: readonly Vpc[]
  readonly subnets: readonly Subnet[]
  readonly routeTables: readonly RouteTable[]
  readonly securityGroups: readonly SecurityGroup[]
  readonly networkAcls: readonly NetworkAcl[]
  readonly peerings: readonly PeeringConnection[]
  readonly internetGateways: readonly InternetGateway[]
  readonly egressOnlyInternetGateways: readonly EgressOnlyInternetGateway[]
  readonly natGateways: readonly NatGateway[]
  readonly vpnGateways: readonly VpnGateway[]
  readonly networkInterfaces: readonly NetworkInterface[]
  /** The region of resources whose records do not name one (gateways), by id, for their ARNs. */
  readonly regions?: ReadonlyMap<string, string>
}

/** IANA protocol numbers the engine names: 6 tcp, 17 udp, 1 icmp, 58 icmpv6; any other 0–255 too. */
export type ProtocolNumber = number

export const PROTOCOLS = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 } as const

/** The source port a concrete flow uses when none is given: the start of Linux's ephemeral range. */
export const DEFAULT_SOURCE_PORT = 49152

export interface Flow {
  /** The sending interface (eni-…), or an address that one interface holds. */
  readonly source: { readonly networkInterfaceId: string } | { readonly address: string }
  /** The destination address (IPv4 or IPv6): an interface's, or any other (the internet, on-premises). */
  readonly destination: string
  readonly protocol: ProtocolNumber
  /** Destination port for tcp/udp; for icmp/icmpv6 the type (and `icmpCode` the code). */
  readonly port?: number
  readonly icmpCode?: number
  readonly sourcePort?: number
}

/** A component the path crosses, named as Reachability Analyzer names it. */
export type ComponentKind =
  | 'network-interface'
  | 'instance'
  | 'security-group'
  | 'network-acl'
  | 'subnet'
  | 'vpc'
  | 'route-table'
  | 'vpc-peering-connection'
  | 'internet-gateway'
  | 'egress-only-internet-gateway'
  | 'nat-gateway'
  | 'vpn-gateway'

export interface ComponentRef {
  readonly kind: ComponentKind
  readonly id: string
  /** arn:aws:ec2:<region>:<account>:<type>/<id>, as AWS's AnalysisComponent carries. */
  readonly arn: string
  /** The Name tag is not known to the engine; callers may fill it in. */
  readonly name?: string
}

export interface MatchedRoute {
  readonly destinationCidr: string
  /** One of: local, pcx-, igw-, eigw-, nat-, vgw-, eni- ids (what AWS's AnalysisRouteTableRoute names). */
  readonly target: string
  readonly state: 'active' | 'blackhole'
  readonly origin: string
}

export interface MatchedSecurityGroupRule {
  readonly groupId: string
  readonly ruleId: string
  readonly direction: 'ingress' | 'egress'
  readonly protocol: string
  readonly portRange?: { readonly from: number; readonly to: number }
  readonly cidr?: string
  readonly referencedGroupId?: string
  readonly prefixListId?: string
}

export interface MatchedAclRule {
  readonly networkAclId: string
  readonly ruleNumber: number
  readonly ruleAction: 'allow' | 'deny'
  readonly egress: boolean
  readonly protocol: string
  readonly cidr: string
  readonly portRange?: { readonly from: number; readonly to: number }
}

/** The packet as it stands at a hop (AWS's AnalysisPacketHeader, for one concrete flow). */
export interface PacketHeader {
  readonly sourceAddress: string
  readonly destinationAddress: string
  readonly protocol: ProtocolNumber
  readonly sourcePort?: number
  readonly destinationPort?: number
}

export interface PathComponent {
  /** 1, 2, 3 … along this direction. */
  readonly sequenceNumber: number
  readonly component: ComponentRef
  readonly vpc?: ComponentRef
  readonly subnet?: ComponentRef
  readonly sourceVpc?: ComponentRef
  readonly destinationVpc?: ComponentRef
  /** What decided at this hop, when something did. */
  readonly routeTableRoute?: MatchedRoute
  readonly securityGroupRule?: MatchedSecurityGroupRule
  readonly aclRule?: MatchedAclRule
  readonly inboundHeader?: PacketHeader
  readonly outboundHeader?: PacketHeader
  /** Blockers found at this component (empty when it let the packet through). */
  readonly explanations: readonly Explanation[]
}

/**
 * AWS explanation codes the engine emits: ENI_SG_RULES_MISMATCH, SG_HAS_NO_RULES,
 * SUBNET_ACL_RESTRICTION, NO_ROUTE_TO_DESTINATION, BAD_STATE_ROUTE, BAD_STATE,
 * PCX_REQUIRES_ADDRESS_IN_VPC_CIDR, NGW_REQUIRES_SOURCE_IN_VPC, DISCONNECTED_VPCS,
 * IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS, UNKNOWN_DESTINATION, NO_SOURCE_OR_DESTINATION,
 * SG_REFERENCES_NOT_PRESERVED, ENI_SOURCE_DEST_CHECK_RESTRICTION, IGW_DESTINATION_ADDRESS_IN_VPC_CIDRS,
 * UNSUPPORTED_COMPONENT.
 */
export type ExplanationCode = string

export interface Explanation {
  readonly explanationCode: ExplanationCode
  /** The component that blocks. */
  readonly component: ComponentRef
  /** `egress` or `ingress` for SG and ACL explanations. */
  readonly direction?: 'ingress' | 'egress'
  /** Which leg of the flow: the request, or the reply. */
  readonly leg: 'forward' | 'return'
  readonly vpc?: ComponentRef
  readonly subnet?: ComponentRef
  readonly routeTable?: ComponentRef
  readonly routeTableRoute?: MatchedRoute
  readonly vpcPeeringConnection?: ComponentRef
  /** The internet, egress-only, NAT or VPN gateway the finding is about. */
  readonly gateway?: ComponentRef
  /** For DISCONNECTED_VPCS: the two VPCs that nothing joins. */
  readonly sourceVpc?: ComponentRef
  readonly destinationVpc?: ComponentRef
  readonly securityGroups?: readonly ComponentRef[]
  readonly acl?: ComponentRef
  readonly aclRule?: MatchedAclRule
  readonly state?: string
  readonly cidrs?: readonly string[]
  readonly address?: string
  readonly port?: number
  readonly protocol?: string
  /** The same finding in plain words, for the CLI and the console. */
  readonly message: string
}

/** One interface the flow touched, with what a flow log records there. */
export interface InterfaceHit {
  readonly networkInterfaceId: string
  readonly ownerId: string
  readonly vpcId: string
  readonly subnetId: string
  /** `egress` at the sender, `ingress` at the receiver. */
  readonly flowDirection: 'ingress' | 'egress'
  readonly action: 'ACCEPT' | 'REJECT'
  /** Addresses as this interface sees them (no NAT across peering: the true private addresses). */
  readonly sourceAddress: string
  readonly destinationAddress: string
  readonly sourcePort?: number
  readonly destinationPort?: number
  /** Flow-log traffic-path for egress records: 1 same VPC, 2 IGW, 3 VGW, 4 intra-region peering, 5 inter-region peering. */
  readonly trafficPath?: number
  /** Whether this record is the reply leg (the return packet), for NACL-dropped replies. */
  readonly reply: boolean
}

export interface FlowResult {
  readonly reachable: boolean
  readonly forwardPath: readonly PathComponent[]
  /** Empty when the forward path did not get through or the destination is outside AWS. */
  readonly returnPath: readonly PathComponent[]
  /** Every blocker found, on both legs, in path order. */
  readonly explanations: readonly Explanation[]
  readonly touched: readonly InterfaceHit[]
}

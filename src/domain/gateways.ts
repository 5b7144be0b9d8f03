/**
 * The gateways a route can point at besides a peering: internet gateways, egress-only internet
 * gateways, NAT gateways and virtual private gateways. Each lives in (or is attached to) at most
 * one VPC; routes to a gateway that is gone or detached stay in place as blackholes.
 */

/** An internet gateway's attachment; AWS reports an attached IGW as `available`. */
export interface GatewayAttachment {
  readonly vpcId: string
  readonly state: 'available' | 'attached' | 'detached'
}

export interface InternetGateway {
  readonly internetGatewayId: string
  readonly ownerId: string
  readonly attachments: readonly GatewayAttachment[]
}

/** Created in one VPC and never moved; carries IPv6 traffic outwards only. */
export interface EgressOnlyInternetGateway {
  readonly egressOnlyInternetGatewayId: string
  readonly ownerId: string
  readonly vpcId: string
  readonly clientToken?: string
}

export type NatGatewayState = 'pending' | 'available' | 'deleting' | 'deleted' | 'failed'

export interface NatGateway {
  readonly natGatewayId: string
  readonly ownerId: string
  /** Kept after deletion so the deleted gateway still describes fully. */
  readonly vpcId: string
  readonly subnetId: string
  readonly connectivityType: 'public' | 'private'
  readonly state: NatGatewayState
  readonly privateIp: string
  readonly allocationId?: string
  readonly createTime: string
  readonly deleteTime?: string
  readonly clientToken?: string
}

export type VpnGatewayState = 'pending' | 'available' | 'deleting' | 'deleted'

export interface VpnGateway {
  readonly vpnGatewayId: string
  readonly ownerId: string
  readonly type: 'ipsec.1'
  readonly amazonSideAsn: number
  readonly availabilityZone?: string
  readonly state: VpnGatewayState
  /** The current attachment, or the last one as `detached`. */
  readonly attachments: readonly GatewayAttachment[]
  readonly deleteTime?: string
}

/** Deleted NAT and VPN gateways stay listed for about an hour, as in AWS, then vanish. */
export const DELETED_GATEWAY_VISIBLE_MS = 3600 * 1000

export const isStillListed = (gateway: { deleteTime?: string }, now: Date) =>
  gateway.deleteTime === undefined ||
  now.getTime() - Date.parse(gateway.deleteTime) < DELETED_GATEWAY_VISIBLE_MS

/** AWS's default ASN for the Amazon side of a VPN gateway, and the private ranges it accepts. */
export const DEFAULT_AMAZON_SIDE_ASN = 64512

export const isPrivateAsn = (asn: number) =>
  (asn >= 64512 && asn <= 65534) || (asn >= 4_200_000_000 && asn <= 4_294_967_294)

/** The VPC an IGW or VGW is attached to right now, if any. */
export const attachedVpcOf = (gateway: { attachments: readonly GatewayAttachment[] }) =>
  gateway.attachments.find((a) => a.state !== 'detached')?.vpcId

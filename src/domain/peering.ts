/**
 * A VPC peering connection: one record that two parties see, the requester's owner and the
 * accepter's owner, possibly in two regions. Its lifecycle is in ../app/peering.ts.
 */
export type PeeringStatusCode =
  | 'initiating-request'
  | 'pending-acceptance'
  | 'provisioning'
  | 'active'
  | 'deleting'
  | 'deleted'
  | 'rejected'
  | 'failed'
  | 'expired'

export interface PeeringOptions {
  readonly allowDnsResolutionFromRemoteVpc: boolean
  readonly allowEgressFromLocalClassicLinkToRemoteVpc: boolean
  readonly allowEgressFromLocalVpcToRemoteClassicLink: boolean
}

export const NO_OPTIONS: PeeringOptions = {
  allowDnsResolutionFromRemoteVpc: false,
  allowEgressFromLocalClassicLinkToRemoteVpc: false,
  allowEgressFromLocalVpcToRemoteClassicLink: false,
}

export interface PeeringSide {
  readonly ownerId: string
  readonly vpcId: string
  readonly region: string
  /** The VPC's blocks as last seen (kept after the VPC is gone, for describes in the window). */
  readonly cidrBlocks: readonly string[]
  readonly ipv6CidrBlocks: readonly string[]
  readonly options: PeeringOptions
}

export interface PeeringConnection {
  readonly vpcPeeringConnectionId: string
  readonly requester: PeeringSide
  readonly accepter: PeeringSide
  readonly status: { readonly code: PeeringStatusCode; readonly message: string }
  /** ISO times: creation, and the last change of status (visibility windows run from it). */
  readonly createdAt: string
  readonly statusChangedAt: string
  readonly expirationTime: string
  /** The account that deleted it, for the per-side visibility windows. */
  readonly deletedBy?: string
}

export const PEERING_KIND = 'vpc-peering-connection'

/** A route through a peering carries traffic only while the peering is active; else blackhole. */
export const routeStateThrough = (peering: PeeringConnection | undefined): 'active' | 'blackhole' =>
  peering?.status.code === 'active' ? 'active' : 'blackhole'

/** The side of the connection that holds `vpcId`, and the other side. */
export function sidesOf(
  peering: PeeringConnection,
  vpcId: string,
): { local: PeeringSide; remote: PeeringSide } | undefined {
  if (peering.requester.vpcId === vpcId) return { local: peering.requester, remote: peering.accepter }
  if (peering.accepter.vpcId === vpcId) return { local: peering.accepter, remote: peering.requester }
  return undefined
}

/** Whether the connection joins these two VPCs (in either direction). */
export const joins = (peering: PeeringConnection, a: string, b: string) =>
  (peering.requester.vpcId === a && peering.accepter.vpcId === b) ||
  (peering.requester.vpcId === b && peering.accepter.vpcId === a)

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
  /** A short transitional state's successor and when it is reached (on the server clock). */
  readonly next?: { readonly code: PeeringStatusCode; readonly at: string }
  /** The account that rejected or deleted it: named in the message and deciding visibility. */
  readonly actor?: string
  /** When it first became active; the accepter's blocks are shown from then on. */
  readonly activatedAt?: string
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

/** Pending requests expire after 168 hours; AWS does not let this be changed. */
export const EXPIRY_MS = 7 * 24 * 3600 * 1000

/**
 * Status messages. Initiating, pending, provisioning, active and failed are AWS's observed
 * wording; the rejected, deleted, expired and deleting wording is unconfirmed (spec §9.1).
 */
export function statusMessage(
  code: PeeringStatusCode,
  peering: Pick<PeeringConnection, 'requester' | 'accepter' | 'actor'>,
): string {
  switch (code) {
    case 'initiating-request':
      return `Initiating Request to ${peering.accepter.ownerId}`
    case 'pending-acceptance':
      return `Pending Acceptance by ${peering.accepter.ownerId}`
    case 'provisioning':
      return 'Provisioning'
    case 'active':
      return 'Active'
    case 'failed':
      return 'Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range'
    case 'rejected':
      return `Rejected by ${peering.actor ?? peering.accepter.ownerId}`
    case 'deleting':
      return 'Deleting'
    case 'deleted':
      return `Deleted by ${peering.actor ?? peering.requester.ownerId}`
    case 'expired':
      return 'Expired'
  }
}

/** The connection in `code` from `at`; a transition into active records when that happened. */
export function withStatus(
  peering: PeeringConnection,
  code: PeeringStatusCode,
  at: string,
  changes: Partial<Pick<PeeringConnection, 'next' | 'actor'>> = {},
): PeeringConnection {
  const { next: _done, ...rest } = peering
  const updated: PeeringConnection = { ...rest, ...changes, statusChangedAt: at }
  return {
    ...updated,
    status: { code, message: statusMessage(code, updated) },
    ...(code === 'active' && !peering.activatedAt ? { activatedAt: at } : {}),
  }
}

const isOutstanding = (code: PeeringStatusCode) =>
  code === 'initiating-request' || code === 'pending-acceptance'

/**
 * The connection as it stands at `now`: a transitional state whose time has come moves on, and
 * an outstanding request past its expiration time is expired. Pure, so every read can apply it
 * and no background sweeper is needed.
 */
export function settle(peering: PeeringConnection, now: Date): PeeringConnection {
  let current = peering
  if (current.next && Date.parse(current.next.at) <= now.getTime()) {
    current = withStatus(current, current.next.code, current.next.at)
  }
  if (isOutstanding(current.status.code) && Date.parse(current.expirationTime) <= now.getTime()) {
    current = withStatus(current, 'expired', current.expirationTime)
  }
  return current
}

export const isOutstandingRequest = (peering: PeeringConnection) => isOutstanding(peering.status.code)

/** States in which the connection still ties its VPCs together. */
export const isLive = (peering: PeeringConnection) =>
  isOutstanding(peering.status.code) ||
  peering.status.code === 'provisioning' ||
  peering.status.code === 'active'

export type Viewer = 'requester' | 'accepter'

const HOUR = 3600 * 1000
const DAY = 24 * HOUR

/**
 * How long a viewer still sees the connection once it reached its current state (spec §3.3):
 * failed 2 h (never for the accepter), expired 2 days, rejected 2 days for the requester and 2 h
 * for the accepter, deleted 2 h for whoever deleted it and 2 days for the other; a connection
 * within one account uses the shorter window. The accepter never sees a request still initiating.
 */
export function visibilityWindowMs(peering: PeeringConnection, viewer: Viewer): number {
  const sameAccount = peering.requester.ownerId === peering.accepter.ownerId
  switch (peering.status.code) {
    case 'initiating-request':
      return viewer === 'accepter' && !sameAccount ? 0 : Number.POSITIVE_INFINITY
    case 'failed':
      return viewer === 'accepter' && !sameAccount ? 0 : 2 * HOUR
    case 'expired':
      return 2 * DAY
    case 'rejected':
      return sameAccount || viewer === 'accepter' ? 2 * HOUR : 2 * DAY
    case 'deleted': {
      const viewerAccount = viewer === 'requester' ? peering.requester.ownerId : peering.accepter.ownerId
      return sameAccount || peering.actor === viewerAccount ? 2 * HOUR : 2 * DAY
    }
    default:
      return Number.POSITIVE_INFINITY
  }
}

export const isVisibleTo = (peering: PeeringConnection, viewer: Viewer, now: Date) =>
  now.getTime() - Date.parse(peering.statusChangedAt) < visibilityWindowMs(peering, viewer)

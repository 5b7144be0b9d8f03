import { errors } from '../domain/errors.js'
import { checkId } from '../domain/ids.js'
import {
  EXPIRY_MS,
  isLive,
  isOutstandingRequest,
  isVisibleTo,
  joins,
  NO_OPTIONS,
  PEERING_KIND,
  type PeeringConnection,
  type PeeringOptions,
  type PeeringSide,
  type PeeringStatusCode,
  settle,
  type Viewer,
  withStatus,
} from '../domain/peering.js'
import { isRegionName } from '../domain/regions.js'
import type { Vpc } from '../domain/vpc.js'
import { overlaps, type Prefix, parsePrefix } from '../net/prefix.js'
import type { Stored } from '../ports/store.js'
import { type Context, sameScope } from './context.js'
import {
  checkIdsWithoutMaxResults,
  compileFilters,
  type Filter,
  type PageRequest,
  paginate,
  storedPosition,
} from './describe.js'
import { kinds } from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/**
 * The life of a VPC peering connection (spec §2–§4): request, acceptance or rejection,
 * activation, options and deletion, with AWS's states, messages, permissions and quotas.
 * Timed transitions are applied by `settle` whenever a connection is read, so no sweeper runs.
 */

const kind = kinds.peering
type StoredPeering = Stored<PeeringConnection>

/** Which side the caller stands on; a connection within one account and region has both. */
function viewerOf(ctx: Context, stored: StoredPeering): Viewer | undefined {
  if (sameScope(stored.owner, ctx.caller)) return 'requester'
  if (stored.peer && sameScope(stored.peer, ctx.caller)) return 'accepter'
  return undefined
}

/** The connection as the caller sees it now, or undefined when it is not (or no longer) visible. */
function view(
  ctx: Context,
  stored: StoredPeering,
): { peering: PeeringConnection; viewer: Viewer } | undefined {
  const viewer = viewerOf(ctx, stored)
  if (!viewer) return undefined
  const peering = settle(stored.body, ctx.now)
  return isVisibleTo(peering, viewer, ctx.now) ? { peering, viewer } : undefined
}

/** A connection the caller sees now (settled), or the NotFound/Malformed error AWS gives. */
export async function findPeering(ctx: Context, id: string) {
  checkId(kind.id, id)
  const stored = await ctx.tx.get<PeeringConnection>(kind.type, id)
  const seen = stored && view(ctx, stored)
  if (!stored || !seen) throw errors.notFound(kind.id, id)
  return { stored, ...seen }
}

const cidrsOf = (vpc: Vpc) => ({
  cidrBlocks: vpc.cidrBlockAssociations.map((a) => a.cidrBlock),
  ipv6CidrBlocks: vpc.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
})

const sideOf = (vpc: Vpc): PeeringSide => ({
  ownerId: vpc.ownerId,
  vpcId: vpc.vpcId,
  region: vpc.region,
  ...cidrsOf(vpc),
  options: NO_OPTIONS,
})

const blocksOverlap = (a: readonly string[], b: readonly string[]) =>
  a.some((x) => b.some((y) => overlaps(parsePrefix(x)!, parsePrefix(y)!)))

/** Every IPv4 block and every IPv6 block counts; one overlap is enough to fail (spec §4.1). */
const sidesOverlap = (a: Pick<PeeringSide, 'cidrBlocks' | 'ipv6CidrBlocks'>, b: typeof a) =>
  blocksOverlap(a.cidrBlocks, b.cidrBlocks) || blocksOverlap(a.ipv6CidrBlocks, b.ipv6CidrBlocks)

/** Every connection the caller's account has stored in any region, settled to now. */
async function connectionsOf(ctx: Context, where: (p: PeeringConnection) => boolean) {
  const all = await ctx.tx.list<PeeringConnection>(kind.type)
  return all
    .map((s) => ({ stored: s, peering: settle(s.body, ctx.now) }))
    .filter(({ peering }) => where(peering))
}

async function findVpcAt(ctx: Context, vpcId: string, owner: { accountId: string; region: string }) {
  const vpc = await ctx.tx.get<Vpc>(kinds.vpc.type, vpcId)
  return vpc && sameScope(vpc.owner, owner) ? vpc : undefined
}

export interface CreatePeeringInput {
  readonly vpcId: string
  readonly peerVpcId?: string
  readonly peerOwnerId?: string
  readonly peerRegion?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

export async function createPeering(ctx: Context, input: CreatePeeringInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, kind.type)
  if (input.peerVpcId === undefined) throw errors.missingParameter('PeerVpcId')
  const peerOwnerId = input.peerOwnerId ?? ctx.caller.accountId
  const peerRegion = input.peerRegion ?? ctx.caller.region
  if (!isRegionName(peerRegion))
    throw errors.invalidValue('PeerRegion', peerRegion, 'This is not a valid region name.')
  const requesterVpc = await findVpcAt(ctx, input.vpcId, ctx.caller)
  if (!requesterVpc) throw errors.notFound(kinds.vpc.id, input.vpcId)
  const sameAccount = peerOwnerId === ctx.caller.accountId
  const sameRegion = peerRegion === ctx.caller.region
  // The requester can see its own VPCs in its own region, so there AWS can answer at once;
  // another account's or region's VPC is only checked asynchronously (the request fails).
  const peerScope = { accountId: peerOwnerId, region: peerRegion }
  const accepterVpc = await findVpcAt(ctx, input.peerVpcId, peerScope)
  if (sameAccount && sameRegion) {
    if (!accepterVpc) throw errors.notFound(kinds.vpc.id, input.peerVpcId)
    if (accepterVpc.id === requesterVpc.id) throw errors.peeringWithItself(input.vpcId)
  }

  // The same request again returns the existing connection rather than a second one.
  const [duplicate] = await connectionsOf(
    ctx,
    (p) =>
      (isOutstandingRequest(p) || p.status.code === 'provisioning' || p.status.code === 'active') &&
      p.requester.vpcId === requesterVpc.id &&
      p.accepter.vpcId === input.peerVpcId &&
      p.accepter.ownerId === peerOwnerId &&
      p.accepter.region === peerRegion,
  )
  if (duplicate) return { peering: duplicate.peering, tags: await tagsOf(ctx, duplicate.stored.id) }

  const outstanding = await connectionsOf(
    ctx,
    (p) => isOutstandingRequest(p) && p.requester.ownerId === ctx.caller.accountId,
  )
  if (outstanding.length >= ctx.settings.outstandingPeeringsPerAccount) {
    throw errors.outstandingPeeringLimit(ctx.settings.outstandingPeeringsPerAccount)
  }

  const requester = sideOf(requesterVpc.body)
  const accepter: PeeringSide = accepterVpc
    ? sideOf(accepterVpc.body)
    : {
        ownerId: peerOwnerId,
        vpcId: input.peerVpcId,
        region: peerRegion,
        cidrBlocks: [],
        ipv6CidrBlocks: [],
        options: NO_OPTIONS,
      }
  const valid =
    accepterVpc !== undefined && accepterVpc.id !== requesterVpc.id && !sidesOverlap(requester, accepter)
  const outcome: PeeringStatusCode = valid ? 'pending-acceptance' : 'failed'
  const now = ctx.now.toISOString()
  const id = ctx.newId('pcx')
  const draft: PeeringConnection = {
    vpcPeeringConnectionId: id,
    requester,
    accepter,
    status: { code: 'initiating-request', message: '' },
    createdAt: now,
    statusChangedAt: now,
    expirationTime: new Date(ctx.now.getTime() + EXPIRY_MS).toISOString(),
  }
  // Within one account and region the request is validated at once; otherwise the response
  // shows initiating-request and the outcome follows after the transition delay.
  const peering =
    sameAccount && sameRegion
      ? withStatus(draft, outcome, now)
      : withStatus(draft, 'initiating-request', now, { next: { code: outcome, at: later(ctx) } })
  await ctx.tx.insert<PeeringConnection>({
    id,
    kind: kind.type,
    owner: ctx.caller,
    peer: peerScope,
    body: peering,
  })
  await applyTags(ctx, id, tags)
  return { peering, tags }
}

const later = (ctx: Context) => new Date(ctx.now.getTime() + ctx.settings.peeringTransitionMs).toISOString()

/** Refuses a caller acting from the wrong account or region for this side of the connection. */
function checkActsFor(ctx: Context, peering: PeeringConnection, side: 'accepter', verb: 'accept' | 'reject') {
  const expected = peering[side]
  if (ctx.caller.accountId !== expected.ownerId) {
    throw errors.operationNotPermitted(
      `User ${ctx.caller.accountId} cannot ${verb} peering ${peering.vpcPeeringConnectionId}`,
    )
  }
  if (ctx.caller.region !== expected.region) {
    const where = verb === 'accept' ? 'accepted' : 'accepted or rejected'
    throw errors.operationNotPermitted(
      `Incorrect region (${ctx.caller.region}) specified for this request. VPC peering connection ${peering.vpcPeeringConnectionId} must be ${where} in region ${expected.region}`,
    )
  }
}

function checkState(
  peering: PeeringConnection,
  allowed: readonly PeeringStatusCode[],
  target: PeeringStatusCode,
) {
  if (!allowed.includes(peering.status.code)) {
    throw errors.invalidStateTransition(peering.vpcPeeringConnectionId, peering.status.code, target)
  }
}

async function activeCount(ctx: Context, vpcId: string) {
  const active = await connectionsOf(
    ctx,
    (p) =>
      (p.status.code === 'active' || p.status.code === 'provisioning') &&
      (p.requester.vpcId === vpcId || p.accepter.vpcId === vpcId),
  )
  return active.length
}

export async function acceptPeering(ctx: Context, id: string) {
  const { stored, peering } = await findPeering(ctx, id)
  checkActsFor(ctx, peering, 'accepter', 'accept')
  checkState(peering, ['pending-acceptance'], 'active')
  const [existing] = await connectionsOf(
    ctx,
    (p) =>
      p.vpcPeeringConnectionId !== id &&
      (p.status.code === 'active' || p.status.code === 'provisioning') &&
      joins(p, peering.requester.vpcId, peering.accepter.vpcId),
  )
  if (existing) throw errors.peeringAlreadyExists(id)
  const limit = ctx.settings.activePeeringsPerVpc
  for (const vpcId of [peering.requester.vpcId, peering.accepter.vpcId]) {
    if ((await activeCount(ctx, vpcId)) >= limit) throw errors.activePeeringLimit(vpcId, limit)
  }
  const accepted = withStatus(await withCurrentBlocks(ctx, peering), 'provisioning', ctx.now.toISOString(), {
    next: { code: 'active', at: later(ctx) },
  })
  await ctx.tx.update(stored, accepted)
  return { peering: accepted, tags: await tagsOf(ctx, id) }
}

/** Refreshes both sides' blocks from their VPCs (they may have gained blocks since the request). */
async function withCurrentBlocks(ctx: Context, peering: PeeringConnection): Promise<PeeringConnection> {
  const refresh = async (side: PeeringSide) => {
    const vpc = await ctx.tx.get<Vpc>(kinds.vpc.type, side.vpcId)
    return vpc ? { ...side, ...cidrsOf(vpc.body) } : side
  }
  return {
    ...peering,
    requester: await refresh(peering.requester),
    accepter: await refresh(peering.accepter),
  }
}

export async function rejectPeering(ctx: Context, id: string) {
  const { stored, peering } = await findPeering(ctx, id)
  checkActsFor(ctx, peering, 'accepter', 'reject')
  checkState(peering, ['pending-acceptance'], 'rejected')
  await ctx.tx.update(
    stored,
    withStatus(peering, 'rejected', ctx.now.toISOString(), { actor: ctx.caller.accountId }),
  )
}

/**
 * Either owner deletes an active connection; only the requester withdraws a pending request
 * (the accepter rejects instead). Inter-region connections pass through `deleting`.
 */
export async function deletePeering(ctx: Context, id: string) {
  const { stored, peering, viewer } = await findPeering(ctx, id)
  checkState(peering, ['active', 'pending-acceptance'], 'deleting')
  const isRequester = viewer === 'requester' || ctx.caller.accountId === peering.requester.ownerId
  if (peering.status.code === 'pending-acceptance' && !isRequester) {
    throw errors.operationNotPermitted(`User ${ctx.caller.accountId} cannot delete peering ${id}`)
  }
  await ctx.tx.update(stored, deleted(ctx, peering))
}

function deleted(ctx: Context, peering: PeeringConnection): PeeringConnection {
  const now = ctx.now.toISOString()
  const actor = { actor: ctx.caller.accountId }
  return peering.requester.region === peering.accepter.region
    ? withStatus(peering, 'deleted', now, actor)
    : withStatus(peering, 'deleting', now, { ...actor, next: { code: 'deleted', at: later(ctx) } })
}

export interface OptionsChange {
  readonly allowDnsResolutionFromRemoteVpc?: boolean
  readonly allowEgressFromLocalClassicLinkToRemoteVpc?: boolean
  readonly allowEgressFromLocalVpcToRemoteClassicLink?: boolean
}

/** Each owner changes its own side's options, in its own region, while the connection is active. */
export async function modifyPeeringOptions(
  ctx: Context,
  id: string,
  changes: { requester?: OptionsChange; accepter?: OptionsChange },
) {
  const { stored, peering } = await findPeering(ctx, id)
  if (!changes.requester && !changes.accepter) {
    throw errors.missingParameter('RequesterPeeringConnectionOptions or AccepterPeeringConnectionOptions')
  }
  if (peering.status.code !== 'active') {
    throw errors.operationNotPermitted(
      `Peering ${id} is not active. Peering options can be added only to active peerings.`,
    )
  }
  let updated = peering
  for (const side of ['requester', 'accepter'] as const) {
    const change = changes[side]
    if (!change) continue
    const current = peering[side]
    if (ctx.caller.accountId !== current.ownerId) {
      throw errors.operationNotPermitted(
        `User ${ctx.caller.accountId} does not have permission to modify the ${side} side peering options`,
      )
    }
    if (ctx.caller.region !== current.region) {
      throw errors.operationNotPermitted(
        `Incorrect region (${ctx.caller.region}) specified for this request. The ${side} side peering options of ${id} must be modified in region ${current.region}`,
      )
    }
    if (
      change.allowEgressFromLocalClassicLinkToRemoteVpc ||
      change.allowEgressFromLocalVpcToRemoteClassicLink
    ) {
      throw errors.invalidParameterValue(
        'ClassicLink has been retired; its peering options can only be false.',
      )
    }
    if (change.allowDnsResolutionFromRemoteVpc) await checkDnsAttributes(ctx, peering)
    const options: PeeringOptions = {
      ...current.options,
      ...Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)),
    }
    updated = { ...updated, [side]: { ...updated[side], options } }
  }
  await ctx.tx.update(stored, updated)
  return {
    ...(changes.requester ? { requester: updated.requester.options } : {}),
    ...(changes.accepter ? { accepter: updated.accepter.options } : {}),
  }
}

/** DNS resolution across a peering needs DNS support and DNS hostnames on in both VPCs. */
async function checkDnsAttributes(ctx: Context, peering: PeeringConnection) {
  for (const side of [peering.requester, peering.accepter]) {
    const vpc = await ctx.tx.get<Vpc>(kinds.vpc.type, side.vpcId)
    if (!vpc?.body.enableDnsHostnames || !vpc.body.enableDnsSupport) {
      throw errors.dnsHostnamesDisabled(peering.vpcPeeringConnectionId, side.vpcId)
    }
  }
}

async function tagsOf(ctx: Context, id: string) {
  return (await ctx.tx.tagsOf(ctx.caller, [id])).get(id) ?? []
}

export interface PeeringView {
  readonly peering: PeeringConnection
  readonly tags: readonly { key: string; value: string }[]
}

/** Describes the connections the caller's account sees in its region, each settled to now. */
export async function describePeerings(
  ctx: Context,
  request: { ids: readonly string[]; filters: readonly Filter[] } & PageRequest,
) {
  checkIdsWithoutMaxResults(request.ids, request.maxResults, 'VpcPeeringConnectionId')
  for (const id of request.ids) checkId(kind.id, id)
  const wanted = request.ids.length > 0 ? [...new Set(request.ids)] : undefined
  const stored = await ctx.tx.list<PeeringConnection>(kind.type, {
    visibleTo: ctx.caller,
    ...(wanted ? { ids: wanted } : {}),
  })
  const seen = stored.flatMap((s) => {
    const v = view(ctx, s)
    return v ? [{ stored: s, peering: v.peering }] : []
  })
  if (wanted) {
    const found = new Set(seen.map((s) => s.stored.id))
    const missing = wanted.find((id) => !found.has(id))
    if (missing) throw errors.notFound(kind.id, missing)
  }
  const tags = await ctx.tx.tagsOf(
    ctx.caller,
    seen.map((s) => s.stored.id),
  )
  const items = seen.map((s) => ({ ...s, tags: tags.get(s.stored.id) ?? [] }))
  type Item = (typeof items)[number]
  const accepterShown = (p: PeeringConnection) => p.activatedAt !== undefined
  const matches = compileFilters<Item>(
    request.filters,
    {
      'accepter-vpc-info.cidr-block': ({ peering: p }) => (accepterShown(p) ? p.accepter.cidrBlocks : []),
      'accepter-vpc-info.owner-id': ({ peering: p }) => p.accepter.ownerId,
      'accepter-vpc-info.vpc-id': ({ peering: p }) => p.accepter.vpcId,
      'expiration-time': ({ peering: p }) => (isOutstandingRequest(p) ? p.expirationTime : undefined),
      'requester-vpc-info.cidr-block': ({ peering: p }) => p.requester.cidrBlocks,
      'requester-vpc-info.owner-id': ({ peering: p }) => p.requester.ownerId,
      'requester-vpc-info.vpc-id': ({ peering: p }) => p.requester.vpcId,
      'status-code': ({ peering: p }) => p.status.code,
      'status-message': ({ peering: p }) => p.status.message,
      'vpc-peering-connection-id': ({ peering: p }) => p.vpcPeeringConnectionId,
    },
    (item) => item.tags,
  )
  const page = paginate(items.filter(matches), request, (item) => storedPosition(item.stored))
  return {
    items: page.items.map(({ peering, tags }) => ({ peering, tags })) as PeeringView[],
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  }
}

/**
 * The peering rules of AssociateVpcCidrBlock (spec §4.1): the requester of a pending request
 * may add no block at all; a block overlapping an active peer is refused; a block on the
 * accepter that overlaps a pending requester fails that request.
 */
export async function checkNewVpcBlock(ctx: Context, vpc: Stored<Vpc>, block: Prefix, text: string) {
  const involved = await connectionsOf(
    ctx,
    (p) => isLive(p) && (p.requester.vpcId === vpc.id || p.accepter.vpcId === vpc.id),
  )
  for (const { peering } of involved) {
    const isRequester = peering.requester.vpcId === vpc.id
    const remote = isRequester ? peering.accepter : peering.requester
    const overlapsRemote = [...remote.cidrBlocks, ...remote.ipv6CidrBlocks].some((cidr) =>
      overlaps(parsePrefix(cidr)!, block),
    )
    if (isOutstandingRequest(peering) && isRequester) {
      throw errors.cidrBlockedByPendingPeering(text, peering.vpcPeeringConnectionId)
    }
    if (!isOutstandingRequest(peering) && overlapsRemote) {
      throw errors.cidrOverlapsPeer(text, remote.vpcId, peering.vpcPeeringConnectionId)
    }
  }
}

/** After the accepter gains a block, pending requests it overlaps can no longer be accepted. */
export async function failOverlappedRequests(ctx: Context, vpc: Stored<Vpc>, block: Prefix) {
  const pending = await connectionsOf(ctx, (p) => isOutstandingRequest(p) && p.accepter.vpcId === vpc.id)
  for (const { stored, peering } of pending) {
    const requesterBlocks = [...peering.requester.cidrBlocks, ...peering.requester.ipv6CidrBlocks]
    if (requesterBlocks.some((cidr) => overlaps(parsePrefix(cidr)!, block))) {
      await ctx.tx.update(stored, withStatus(peering, 'failed', ctx.now.toISOString()))
    }
  }
}

/**
 * What DeleteVpc must respect (spec §4.11): an active connection, or a request pending on the
 * VPC as accepter, blocks the deletion; the VPC's own outstanding requests go with it.
 */
export async function releasePeeringsOfVpc(ctx: Context, vpcId: string) {
  const involved = await connectionsOf(
    ctx,
    (p) => isLive(p) && (p.requester.vpcId === vpcId || p.accepter.vpcId === vpcId),
  )
  const blocking = involved.find(
    ({ peering }) => !(isOutstandingRequest(peering) && peering.requester.vpcId === vpcId),
  )
  if (blocking) throw errors.dependencyViolation('vpc', vpcId)
  for (const { stored, peering } of involved) await ctx.tx.update(stored, deleted(ctx, peering))
}

/** The connection with this id if it is active, for routes and the data plane. */
export async function activePeering(ctx: Context, id: string): Promise<PeeringConnection | undefined> {
  const stored = await ctx.tx.get<PeeringConnection>(PEERING_KIND, id)
  const peering = stored && settle(stored.body, ctx.now)
  return peering?.status.code === 'active' ? peering : undefined
}

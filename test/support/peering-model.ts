/**
 * A small model of the peering lifecycle written from the spec (§2.8 permissions, §3 states and
 * visibility windows, §2.5 quotas), independently of src/: what AWS answers to each request and
 * which state follows. The model-based test checks random sequences against it; the race suite
 * checks that concurrent histories on two servers have a serial order it accepts.
 */

export const HOUR = 3600_000
export const DAY = 24 * HOUR

export type ModelState = 'pending-acceptance' | 'active' | 'rejected' | 'deleted' | 'failed' | 'expired'
export type Verb = 'accept' | 'reject' | 'delete' | 'modify'

export interface ModelVpc {
  readonly owner: string
  /** An IPv4 block, a.b.c.d/n. */
  readonly cidr: string
}

export interface ModelPeering {
  id: string
  requesterVpc: number
  accepterVpc: number
  state: ModelState
  createdAt: number
  changedAt: number
  actor?: string
}

export interface ModelLimits {
  /** Outstanding requests an account may have made. */
  readonly outstandingPerAccount: number
  /** Active connections per VPC. */
  readonly activePerVpc: number
}

/** AWS's default quotas. */
export const AWS_LIMITS: ModelLimits = { outstandingPerAccount: 25, activePerVpc: 50 }

export interface PeeringModel {
  now: number
  readonly vpcs: readonly ModelVpc[]
  peerings: ModelPeering[]
  readonly limits: ModelLimits
}

export const newModel = (vpcs: readonly ModelVpc[], now: number, limits = AWS_LIMITS): PeeringModel => ({
  now,
  vpcs,
  peerings: [],
  limits,
})

export const cloneModel = (model: PeeringModel): PeeringModel => ({
  ...model,
  peerings: model.peerings.map((p) => ({ ...p })),
})

const ownerOf = (model: PeeringModel, vpc: number) => model.vpcs[vpc]!.owner

function rangeOf(cidr: string): [number, number] {
  const [address, bits] = cidr.split('/') as [string, string]
  const start = address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0)
  return [start, start + 2 ** (32 - Number(bits)) - 1]
}

const overlapping = (model: PeeringModel, x: number, y: number) => {
  const [a, b] = [rangeOf(model.vpcs[x]!.cidr), rangeOf(model.vpcs[y]!.cidr)]
  return a[0] <= b[1] && b[0] <= a[1]
}

/** The state at the model's time: unanswered requests expire after seven days. */
export function stateAt(model: PeeringModel, p: ModelPeering): { state: ModelState; since: number } {
  if (p.state === 'pending-acceptance' && model.now >= p.createdAt + 7 * DAY) {
    return { state: 'expired', since: p.createdAt + 7 * DAY }
  }
  return { state: p.state, since: p.changedAt }
}

/** Whether `account` still sees the connection (spec §3.3). */
export function visible(model: PeeringModel, p: ModelPeering, account: string): boolean {
  const requester = ownerOf(model, p.requesterVpc)
  const accepter = ownerOf(model, p.accepterVpc)
  if (account !== requester && account !== accepter) return false
  const same = requester === accepter
  const isAccepter = account === accepter && !same
  const { state, since } = stateAt(model, p)
  const age = model.now - since
  switch (state) {
    case 'failed':
      return !isAccepter && age < 2 * HOUR
    case 'expired':
      return age < 2 * DAY
    case 'rejected':
      return age < (same || isAccepter ? 2 * HOUR : 2 * DAY)
    case 'deleted':
      return age < (same || p.actor === account ? 2 * HOUR : 2 * DAY)
    default:
      return true
  }
}

/** Each connection `account` sees, with its state: what DescribeVpcPeeringConnections must list. */
export const visibleStates = (model: PeeringModel, account: string): Record<string, ModelState> =>
  Object.fromEntries(
    model.peerings.filter((p) => visible(model, p, account)).map((p) => [p.id, stateAt(model, p).state]),
  )

/** Connections no account sees any more: what the sweeper forgets. */
export const forgottenIds = (model: PeeringModel): string[] =>
  model.peerings
    .filter((p) => ![p.requesterVpc, p.accepterVpc].some((vpc) => visible(model, p, ownerOf(model, vpc))))
    .map((p) => p.id)

export type CreateOutcome =
  | { readonly code: 'ok'; readonly duplicateOf?: string }
  | { readonly code: 'InvalidParameterValue' | 'OutstandingVpcPeeringConnectionLimitExceeded' }

/** What CreateVpcPeeringConnection answers the requester VPC's owner. */
export function expectedCreate(
  model: PeeringModel,
  requesterVpc: number,
  accepterVpc: number,
): CreateOutcome {
  if (requesterVpc === accepterVpc) return { code: 'InvalidParameterValue' }
  // The same request again answers with the connection it made.
  const duplicate = model.peerings.find(
    (p) =>
      p.requesterVpc === requesterVpc &&
      p.accepterVpc === accepterVpc &&
      ['pending-acceptance', 'active'].includes(stateAt(model, p).state),
  )
  if (duplicate) return { code: 'ok', duplicateOf: duplicate.id }
  const requester = ownerOf(model, requesterVpc)
  const outstanding = model.peerings.filter(
    (p) => ownerOf(model, p.requesterVpc) === requester && stateAt(model, p).state === 'pending-acceptance',
  )
  if (outstanding.length >= model.limits.outstandingPerAccount) {
    return { code: 'OutstandingVpcPeeringConnectionLimitExceeded' }
  }
  return { code: 'ok' }
}

/** Records a connection CreateVpcPeeringConnection made (overlapping blocks fail at once). */
export function recordCreate(model: PeeringModel, id: string, requesterVpc: number, accepterVpc: number) {
  model.peerings.push({
    id,
    requesterVpc,
    accepterVpc,
    state: overlapping(model, requesterVpc, accepterVpc) ? 'failed' : 'pending-acceptance',
    createdAt: model.now,
    changedAt: model.now,
  })
}

const pairOf = (p: ModelPeering) => [p.requesterVpc, p.accepterVpc].sort((a, b) => a - b).join()

/** What AWS answers `caller` for `verb` on the connection, by the permission matrix of spec §2.8. */
export function expectedAct(
  model: PeeringModel,
  p: ModelPeering,
  verb: Verb,
  caller: string,
): { code: string; next?: ModelState } {
  if (!visible(model, p, caller)) return { code: 'InvalidVpcPeeringConnectionID.NotFound' }
  const { state } = stateAt(model, p)
  const isRequester = caller === ownerOf(model, p.requesterVpc)
  const isAccepter = caller === ownerOf(model, p.accepterVpc)
  const active = (o: ModelPeering) => stateAt(model, o).state === 'active'
  switch (verb) {
    case 'accept':
    case 'reject':
      if (!isAccepter) return { code: 'OperationNotPermitted' }
      if (state !== 'pending-acceptance') return { code: 'InvalidStateTransition' }
      if (verb === 'reject') return { code: 'ok', next: 'rejected' }
      if (model.peerings.some((o) => o !== p && active(o) && pairOf(o) === pairOf(p))) {
        return { code: 'VpcPeeringConnectionAlreadyExists' }
      }
      for (const vpc of [p.requesterVpc, p.accepterVpc]) {
        const count = model.peerings.filter(
          (o) => active(o) && (o.requesterVpc === vpc || o.accepterVpc === vpc),
        ).length
        if (count >= model.limits.activePerVpc)
          return { code: 'ActiveVpcPeeringConnectionPerVpcLimitExceeded' }
      }
      return { code: 'ok', next: 'active' }
    case 'delete':
      if (state !== 'active' && state !== 'pending-acceptance') return { code: 'InvalidStateTransition' }
      if (state === 'pending-acceptance' && !isRequester) return { code: 'OperationNotPermitted' }
      return { code: 'ok', next: 'deleted' }
    case 'modify':
      if (state !== 'active' || !isRequester) return { code: 'OperationNotPermitted' }
      return { code: 'ok' }
  }
}

/** Applies an answered request's transition to the model. */
export function applyAct(model: PeeringModel, p: ModelPeering, next: ModelState, caller: string) {
  const current = stateAt(model, p)
  if (current.state !== p.state) Object.assign(p, { state: current.state, changedAt: current.since })
  Object.assign(p, { state: next, changedAt: model.now, actor: caller })
}

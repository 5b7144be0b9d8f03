import { readAddress } from '../dataplane/address.js'
import { compileSnapshot, holdersOf, type Snapshot } from '../dataplane/snapshot.js'
import type { Estate, Flow } from '../dataplane/types.js'
import type {
  EgressOnlyInternetGateway,
  InternetGateway,
  NatGateway,
  VpnGateway,
} from '../domain/gateways.js'
import type { NetworkAcl } from '../domain/network-acl.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import { isOutstandingRequest, type PeeringConnection, settle } from '../domain/peering.js'
import type { RouteTable } from '../domain/route-table.js'
import type { SecurityGroup } from '../domain/security-group.js'
import type { Subnet } from '../domain/subnet.js'
import type { Vpc } from '../domain/vpc.js'
import type { Stored } from '../ports/store.js'
import type { Context } from './context.js'
import { kinds } from './resources.js'

/** Every resource the data plane looks at, of every account and region, peerings settled to `ctx.now`. */
export async function loadEstate(ctx: Context): Promise<Estate> {
  const list = <T>(kind: { type: string }) => ctx.tx.list<T>(kind.type)
  const [
    vpcs,
    subnets,
    routeTables,
    securityGroups,
    networkAcls,
    peerings,
    internetGateways,
    egressOnlyInternetGateways,
    natGateways,
    vpnGateways,
    networkInterfaces,
  ] = await Promise.all([
    list<Vpc>(kinds.vpc),
    list<Subnet>(kinds.subnet),
    list<RouteTable>(kinds.routeTable),
    list<SecurityGroup>(kinds.securityGroup),
    list<NetworkAcl>(kinds.networkAcl),
    list<PeeringConnection>(kinds.peering),
    list<InternetGateway>(kinds.internetGateway),
    list<EgressOnlyInternetGateway>(kinds.egressOnlyInternetGateway),
    list<NatGateway>(kinds.natGateway),
    list<VpnGateway>(kinds.vpnGateway),
    list<NetworkInterface>(kinds.networkInterface),
  ])
  const bodies = <T>(stored: readonly Stored<T>[]) => stored.map((s) => s.body)
  const gateways: readonly Stored<unknown>[] = [
    ...internetGateways,
    ...egressOnlyInternetGateways,
    ...natGateways,
    ...vpnGateways,
  ]
  return {
    at: ctx.now,
    vpcs: bodies(vpcs),
    subnets: bodies(subnets),
    routeTables: bodies(routeTables),
    securityGroups: bodies(securityGroups),
    networkAcls: bodies(networkAcls),
    peerings: peerings.map((p) => settle(p.body, ctx.now)),
    internetGateways: bodies(internetGateways),
    egressOnlyInternetGateways: bodies(egressOnlyInternetGateways),
    natGateways: bodies(natGateways),
    vpnGateways: bodies(vpnGateways),
    networkInterfaces: bodies(networkInterfaces),
    regions: new Map(gateways.map((g) => [g.id, g.owner.region])),
  }
}

/**
 * The next instant a peering changes state without a write: a short transitional state ending,
 * or an outstanding request expiring. Undefined when none is pending.
 */
export function nextPeeringChange(peerings: readonly PeeringConnection[], now: Date): number | undefined {
  let earliest: number | undefined
  for (const peering of peerings) {
    const times = [
      ...(peering.next ? [Date.parse(peering.next.at)] : []),
      ...(isOutstandingRequest(peering) ? [Date.parse(peering.expirationTime)] : []),
    ]
    for (const time of times) {
      if (time > now.getTime() && (earliest === undefined || time < earliest)) earliest = time
    }
  }
  return earliest
}

interface Built {
  readonly snapshot: Snapshot
  /** The snapshot is stale from this instant (ms): a peering settles into another state then. */
  readonly validUntil: number
}

interface CachedSnapshot {
  readonly revision: number
  readonly built: Promise<Built>
}

const MEMO_KEY = 'dataplane.snapshot'

async function build(ctx: Context): Promise<Built> {
  const estate = await loadEstate(ctx)
  return {
    snapshot: compileSnapshot(estate),
    validUntil: nextPeeringChange(estate.peerings, ctx.now) ?? Number.POSITIVE_INFINITY,
  }
}

/**
 * The compiled snapshot of the store as this transaction sees it. It is cached per server by the
 * committed revision the transaction sees, and rebuilt when that moves, or when the clock passes
 * a pending peering change.
 * Concurrent callers at one revision share one build.
 */
export async function currentSnapshot(ctx: Context): Promise<Snapshot> {
  const revision = ctx.tx.stateRevision
  // A transaction that has changed resources sees a state no other caller sees: never cache it.
  if (revision === undefined) return (await build(ctx)).snapshot
  const cached = ctx.memo.get(MEMO_KEY) as CachedSnapshot | undefined
  if (cached?.revision === revision) {
    const built = await cached.built
    if (ctx.now.getTime() < built.validUntil) return built.snapshot
  }
  const entry: CachedSnapshot = { revision, built: build(ctx) }
  ctx.memo.set(MEMO_KEY, entry)
  try {
    return (await entry.built).snapshot
  } catch (error) {
    if (ctx.memo.get(MEMO_KEY) === entry) ctx.memo.delete(MEMO_KEY)
    throw error
  }
}

/**
 * What a caller names as a flow's source: an interface (`eni-…`), an instance (`i-…`, its
 * primary interface) or an address one interface holds. Undefined when nothing matches.
 */
export function resolveSource(snapshot: Snapshot, text: string): Flow['source'] | undefined {
  if (text.startsWith('eni-')) {
    return snapshot.interfaces.has(text) ? { networkInterfaceId: text } : undefined
  }
  if (text.startsWith('i-')) {
    const primary = snapshot.instances.get(text)
    return primary ? { networkInterfaceId: primary.eni.networkInterfaceId } : undefined
  }
  const address = readAddress(text)
  return address && holdersOf(snapshot, address).length > 0 ? { address: text } : undefined
}

import { allocateBlocks, splitBits, splitPrefix } from '../net/allocate.js'
import { formatPrefix, type Prefix, parsePrefix } from '../net/prefix.js'
import type { PlanFile, PortRange } from './input.js'

/**
 * From a checked plan file to a design: a CIDR block per VPC (clear of reserved ranges and of the
 * VPCs that already exist), a block per tier and a subnet per availability zone inside it, and
 * per connection or group a topology: a mesh of peerings when the quotas allow it (it is always
 * the cheaper of the two, having no hourly or processing charges), otherwise a transit gateway
 * hub. A mesh routes each tier only to the tiers it must reach (a hub sends the pools to the
 * gateway), and security-group rules admit exactly the named ports from exactly those tiers.
 */

/** Hours in the average month the monthly costs are computed for (8,760 / 12). */
export const HOURS_PER_MONTH = 730

export interface ExistingVpc {
  readonly vpcId: string
  readonly cidrBlocks: readonly string[]
}

export interface PlannedSubnet {
  readonly availabilityZone: string
  readonly cidr: string
}

export interface PlannedTier {
  readonly name: string
  /** The tier's block: its subnets, and the destination of every route that reaches it. */
  readonly cidr: string
  readonly subnets: readonly PlannedSubnet[]
}

export interface PlannedVpc {
  readonly name: string
  readonly account: string
  readonly region: string
  readonly environment: string
  readonly cidr: string
  /** The block kept for this VPC: its CIDR and the room it may grow into. */
  readonly reserve: string
  readonly tiers: readonly PlannedTier[]
}

export interface PlannedPeering {
  /** `requester--accepter`, by VPC name. */
  readonly name: string
  readonly requester: string
  readonly accepter: string
  readonly crossAccount: boolean
  readonly crossRegion: boolean
}

export type RouteTarget = { readonly peering: string } | { readonly transitGateway: string }

export interface PlannedRoute {
  readonly vpc: string
  readonly tier: string
  readonly destination: string
  readonly target: RouteTarget
}

export interface PlannedRule {
  readonly vpc: string
  readonly tier: string
  readonly direction: 'ingress' | 'egress'
  readonly protocol: 'tcp' | 'udp'
  readonly fromPort: number
  readonly toPort: number
  readonly cidr: string
  /** The tier on the other side, `vpc.tier`. */
  readonly peer: string
}

export interface Cost {
  readonly mesh: number
  readonly hub: number
}

export interface Decision {
  /** `connections[0]` or the group's name. */
  readonly name: string
  readonly members: readonly string[]
  /** Who talks with whom: `a -> b, c` for a connection, `a, b, c` for a group. */
  readonly between: string
  readonly topology: 'mesh' | 'hub'
  readonly reason: string
  /** Monthly estimate of each design, in USD. */
  readonly cost: Cost
  /** Whether `--apply` and vpcpeer can build it: transit gateways are not emulated yet. */
  readonly applicable: boolean
}

export interface PlannedTransitGateway {
  readonly region: string
  /** The account that owns it and shares it with the others (AWS RAM). */
  readonly account: string
  readonly attachments: readonly string[]
  /** Regions whose transit gateways this one peers with. */
  readonly peerRegions: readonly string[]
}

export interface Plan {
  readonly vpcs: readonly PlannedVpc[]
  readonly peerings: readonly PlannedPeering[]
  readonly routes: readonly PlannedRoute[]
  readonly rules: readonly PlannedRule[]
  readonly decisions: readonly Decision[]
  readonly transitGateways: readonly PlannedTransitGateway[]
  readonly flowLogBucket?: string
  /** Monthly estimate of the chosen designs, in USD. */
  readonly monthlyCost: number
  readonly warnings: readonly string[]
}

export class PlanError extends Error {
  override name = 'PlanError'
}

interface Endpoint {
  readonly vpc: string
  readonly tiers: readonly string[]
}

/** One connection or group: who talks to whom, on what, and which way the rules admit it. */
interface Unit {
  readonly name: string
  readonly members: readonly string[]
  readonly between: string
  readonly pairs: readonly (readonly [Endpoint, Endpoint])[]
  /** A connection admits traffic from `from` to `to` only; a group, both ways. */
  readonly bothWays: boolean
  readonly ports: readonly PortRange[]
  readonly gbPerMonth: number
  readonly topology: 'auto' | 'mesh' | 'hub'
}

const tableKey = (vpc: string, tier: string) => `${vpc}.${tier}`

function endpointOf(file: PlanFile, reference: string): Endpoint {
  const [vpc, tier] = reference.split('.') as [string, string | undefined]
  return { vpc, tiers: tier ? [tier] : file.vpcs[vpc]!.tiers }
}

function unitsOf(file: PlanFile): Unit[] {
  const connections = file.connections.map<Unit>((c, i) => ({
    name: `connections[${i}]`,
    members: [...c.from, ...c.to],
    between: `${c.from.join(', ')} -> ${c.to.join(', ')}`,
    pairs: c.from.flatMap((f) => c.to.map((t) => [endpointOf(file, f), endpointOf(file, t)] as const)),
    bothWays: false,
    ports: c.ports,
    gbPerMonth: c.gbPerMonth,
    topology: c.topology,
  }))
  const groups = file.groups.map<Unit>((g) => {
    const endpoints = g.members.map((m) => endpointOf(file, m))
    const pairs: [Endpoint, Endpoint][] = []
    for (let i = 0; i < endpoints.length; i++)
      for (let j = i + 1; j < endpoints.length; j++) pairs.push([endpoints[i]!, endpoints[j]!])
    return {
      name: g.name,
      members: g.members,
      between: g.members.join(', '),
      pairs,
      bothWays: true,
      ports: g.ports,
      gbPerMonth: g.gbPerMonth,
      topology: g.topology,
    }
  })
  return [...connections, ...groups]
}

/** Allocates every VPC's block (clustered by region and environment, larger first) and carves its tiers. */
function allocate(file: PlanFile, existing: readonly ExistingVpc[]): PlannedVpc[] {
  const order = Object.keys(file.vpcs)
  const sorted = [...order].sort((a, b) => {
    const x = file.vpcs[a]!
    const y = file.vpcs[b]!
    return (
      x.region.localeCompare(y.region) ||
      x.environment.localeCompare(y.environment) ||
      x.size - y.size ||
      order.indexOf(a) - order.indexOf(b)
    )
  })
  const taken = [...file.reserved, ...existing.flatMap((v) => v.cidrBlocks)]
    .map((text) => parsePrefix(text))
    .filter((p): p is Prefix => p !== undefined)
  const result = allocateBlocks(
    file.pools.map((text) => parsePrefix(text)!),
    taken,
    sorted.map((name) => ({ name, length: file.vpcs[name]!.size, growthBits: file.growth })),
  )
  if (result.unplaced.length > 0) {
    throw new PlanError(
      `no room in the pools (${file.pools.join(', ')}) for ${result.unplaced.map((n) => `${n} (/${file.vpcs[n]!.size})`).join(', ')}, around the reserved ranges and existing VPCs; add a pool or use smaller sizes`,
    )
  }
  const byName = new Map(result.allocations.map((a) => [a.name, a]))
  return order.map((name) => {
    const spec = file.vpcs[name]!
    const allocation = byName.get(name)!
    const zones = spec.availabilityZones ?? file.availabilityZones
    const subnetLength = spec.size + splitBits(spec.tiers.length) + splitBits(zones)
    if (subnetLength > 28) {
      throw new PlanError(
        `vpcs.${name}: a /${spec.size} split into ${spec.tiers.length} tiers of ${zones} subnets gives /${subnetLength} subnets, smaller than AWS's /28; choose a larger size or fewer tiers or zones`,
      )
    }
    const tierBlocks = splitPrefix(allocation.prefix, spec.tiers.length)
    return {
      name,
      account: spec.account,
      region: spec.region,
      environment: spec.environment,
      cidr: formatPrefix(allocation.prefix),
      reserve: formatPrefix(allocation.reserve),
      tiers: spec.tiers.map((tier, i) => ({
        name: tier,
        cidr: formatPrefix(tierBlocks[i]!),
        subnets: splitPrefix(tierBlocks[i]!, zones).map((subnet, z) => ({
          availabilityZone: `${spec.region}${'abc'[z]}`,
          cidr: formatPrefix(subnet),
        })),
      })),
    }
  })
}

const round = (usd: number) => Math.round(usd * 100) / 100

function costOf(unit: Unit, vpcs: ReadonlyMap<string, PlannedVpc>, rates: PlanFile['rates']): Cost {
  let transfer = 0
  for (const [a, b] of unit.pairs) {
    const crossRegion = vpcs.get(a.vpc)!.region !== vpcs.get(b.vpc)!.region
    // Across regions the sender pays once per GB; across zones, both sides pay per GB.
    transfer += crossRegion
      ? unit.gbPerMonth * rates.interRegionPerGb
      : unit.gbPerMonth * rates.crossAzShare * rates.interAzPerGb * 2
  }
  const members = new Set(unit.members.map((m) => m.split('.')[0]!))
  const regions = new Set([...members].map((m) => vpcs.get(m)!.region))
  const regionPairs = (regions.size * (regions.size - 1)) / 2
  // A VPC attachment per member, and a peering attachment per region pair, billed on both sides.
  const attachments = members.size + regionPairs * 2
  const hub =
    transfer +
    unit.pairs.length * unit.gbPerMonth * rates.transitGatewayPerGb +
    attachments * HOURS_PER_MONTH * rates.transitGatewayAttachmentHour
  return { mesh: round(transfer), hub: round(hub) }
}

/** Designs the estate; throws PlanError when the blocks do not fit or a forced mesh breaks a quota. */
export function designPlan(file: PlanFile, existing: readonly ExistingVpc[] = []): Plan {
  const vpcList = allocate(file, existing)
  const vpcs = new Map(vpcList.map((v) => [v.name, v]))
  const tierCidr = (vpc: string, tier: string) => vpcs.get(vpc)!.tiers.find((t) => t.name === tier)!.cidr
  const order = Object.keys(file.vpcs)
  const { activePeeringsPerVpc, routesPerRouteTable } = file.quotas

  const peersOf = new Map<string, Set<string>>(order.map((n) => [n, new Set()]))
  /** Destinations in each tier's route table, with their target. */
  const routesOf = new Map<string, Map<string, RouteTarget>>()
  const peerings = new Map<string, PlannedPeering>()
  const rules = new Map<string, PlannedRule>()
  const decisions: Decision[] = []
  const hubMembers = new Map<string, Set<string>>()
  const hubRegionPairs = new Set<string>()
  const warnings: string[] = []

  const peeringOf = (a: string, b: string): PlannedPeering => {
    const [requester, accepter] = order.indexOf(a) < order.indexOf(b) ? [a, b] : [b, a]
    const name = `${requester}--${accepter}`
    return (
      peerings.get(name) ?? {
        name,
        requester,
        accepter,
        crossAccount: vpcs.get(requester)!.account !== vpcs.get(accepter)!.account,
        crossRegion: vpcs.get(requester)!.region !== vpcs.get(accepter)!.region,
      }
    )
  }

  /** The routes a mesh needs: each tier to each tier it talks with, both ways (replies come back). */
  const meshRoutes = (unit: Unit) => {
    const wanted: PlannedRoute[] = []
    for (const [a, b] of unit.pairs) {
      const peering = peeringOf(a.vpc, b.vpc).name
      for (const ta of a.tiers)
        for (const tb of b.tiers) {
          wanted.push({ vpc: a.vpc, tier: ta, destination: tierCidr(b.vpc, tb), target: { peering } })
          wanted.push({ vpc: b.vpc, tier: tb, destination: tierCidr(a.vpc, ta), target: { peering } })
        }
    }
    return wanted
  }

  /** What a mesh would break: peerings per VPC and routes per table, counting what is already planned. */
  const meshOverflow = (unit: Unit): string | undefined => {
    const peers = new Map([...peersOf].map(([k, v]) => [k, new Set(v)]))
    for (const [a, b] of unit.pairs) {
      peers.get(a.vpc)!.add(b.vpc)
      peers.get(b.vpc)!.add(a.vpc)
    }
    for (const [vpc, set] of peers) {
      if (set.size > activePeeringsPerVpc)
        return `VPC ${vpc} would have ${set.size} active peerings (quota ${activePeeringsPerVpc})`
    }
    const counts = new Map([...routesOf].map(([k, v]) => [k, new Set(v.keys())]))
    for (const route of meshRoutes(unit)) {
      const key = tableKey(route.vpc, route.tier)
      const set = counts.get(key) ?? new Set<string>()
      set.add(route.destination)
      counts.set(key, set)
      // The local route counts too, as it does on vpcpeer (AWS does not say).
      if (set.size + 1 > routesPerRouteTable)
        return `route table of ${key} would hold ${set.size + 1} routes with the local one (quota ${routesPerRouteTable})`
    }
    return undefined
  }

  const addRoute = (route: PlannedRoute) => {
    const key = tableKey(route.vpc, route.tier)
    const table = routesOf.get(key) ?? new Map<string, RouteTarget>()
    const present = table.get(route.destination)
    if (present && JSON.stringify(present) !== JSON.stringify(route.target)) {
      warnings.push(
        `${key}: ${route.destination} is already routed to ${JSON.stringify(present)}; kept that route`,
      )
      return
    }
    table.set(route.destination, route.target)
    routesOf.set(key, table)
  }

  const addRules = (unit: Unit) => {
    const admit = (source: Endpoint, destination: Endpoint) => {
      for (const port of unit.ports)
        for (const ts of source.tiers)
          for (const td of destination.tiers) {
            const base = { protocol: port.protocol, fromPort: port.from, toPort: port.to }
            const ingress: PlannedRule = {
              vpc: destination.vpc,
              tier: td,
              direction: 'ingress',
              ...base,
              cidr: tierCidr(source.vpc, ts),
              peer: `${source.vpc}.${ts}`,
            }
            const egress: PlannedRule = {
              vpc: source.vpc,
              tier: ts,
              direction: 'egress',
              ...base,
              cidr: tierCidr(destination.vpc, td),
              peer: `${destination.vpc}.${td}`,
            }
            for (const rule of [ingress, egress]) rules.set(JSON.stringify(rule), rule)
          }
    }
    for (const [a, b] of unit.pairs) {
      admit(a, b)
      if (unit.bothWays) admit(b, a)
    }
  }

  for (const unit of unitsOf(file)) {
    const cost = costOf(unit, vpcs, file.rates)
    const overflow = meshOverflow(unit)
    if (unit.topology === 'mesh' && overflow)
      throw new PlanError(`${unit.name}: topology mesh, but ${overflow}`)
    const mesh = unit.topology === 'mesh' || (unit.topology === 'auto' && !overflow)
    const fresh = unit.pairs.filter(([a, b]) => !peerings.has(peeringOf(a.vpc, b.vpc).name)).length
    const shared = unit.pairs.length - fresh
    const costs = `mesh $${cost.mesh.toFixed(2)}/month vs hub $${cost.hub.toFixed(2)}`
    const reason = mesh
      ? `${fresh} new peering${fresh === 1 ? '' : 's'}${shared ? ` (+${shared} already planned)` : ''} within quotas; ${costs}`
      : unit.topology === 'hub'
        ? `hub asked for in the file; ${costs}`
        : `a mesh would break a quota: ${overflow}; ${costs}`
    decisions.push({
      name: unit.name,
      members: unit.members,
      between: unit.between,
      topology: mesh ? 'mesh' : 'hub',
      reason,
      cost,
      applicable: mesh,
    })
    addRules(unit)
    if (mesh) {
      for (const [a, b] of unit.pairs) {
        const peering = peeringOf(a.vpc, b.vpc)
        peerings.set(peering.name, peering)
        peersOf.get(a.vpc)!.add(b.vpc)
        peersOf.get(b.vpc)!.add(a.vpc)
      }
      for (const route of meshRoutes(unit)) addRoute(route)
      continue
    }
    // A hub: every member attaches to its region's transit gateway; each tier that talks sends
    // the pools there (peerings, being more specific, still win); rules keep it to the ports.
    const regions = new Set<string>()
    for (const member of unit.members) {
      const endpoint = endpointOf(file, member)
      const region = vpcs.get(endpoint.vpc)!.region
      regions.add(region)
      const attached = hubMembers.get(region) ?? new Set<string>()
      attached.add(endpoint.vpc)
      hubMembers.set(region, attached)
      for (const tier of endpoint.tiers)
        for (const pool of file.pools)
          addRoute({ vpc: endpoint.vpc, tier, destination: pool, target: { transitGateway: region } })
    }
    const sortedRegions = [...regions].sort()
    for (let i = 0; i < sortedRegions.length; i++)
      for (let j = i + 1; j < sortedRegions.length; j++)
        hubRegionPairs.add(`${sortedRegions[i]} ${sortedRegions[j]}`)
  }

  for (const [key, table] of routesOf) {
    if (table.size + 1 > routesPerRouteTable)
      warnings.push(
        `route table of ${key} holds ${table.size + 1} routes with the local one (quota ${routesPerRouteTable})`,
      )
  }
  const rulesPerGroupAndDirection = new Map<string, number>()
  for (const rule of rules.values()) {
    const key = `${tableKey(rule.vpc, rule.tier)} ${rule.direction}`
    rulesPerGroupAndDirection.set(key, (rulesPerGroupAndDirection.get(key) ?? 0) + 1)
  }
  for (const [key, count] of rulesPerGroupAndDirection) {
    if (count > 60) warnings.push(`security group ${key} needs ${count} rules (AWS allows 60 per direction)`)
  }

  const transitGateways = [...hubMembers]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([region, members]) => {
      const attachments = order.filter((n) => members.has(n))
      return {
        region,
        account: vpcs.get(attachments[0]!)!.account,
        attachments,
        peerRegions: [...hubRegionPairs]
          .map((pair) => pair.split(' ') as [string, string])
          .filter((pair) => pair.includes(region))
          .map(([a, b]) => (a === region ? b : a)),
      }
    })

  const routes: PlannedRoute[] = []
  for (const [key, table] of routesOf) {
    const [vpc, tier] = key.split('.') as [string, string]
    for (const [destination, target] of table) routes.push({ vpc, tier, destination, target })
  }
  const monthlyCost = round(
    decisions.reduce((sum, d) => sum + (d.topology === 'mesh' ? d.cost.mesh : d.cost.hub), 0),
  )
  return {
    vpcs: vpcList,
    peerings: order.flatMap((a) => [...peerings.values()].filter((p) => p.requester === a)),
    routes,
    rules: [...rules.values()],
    decisions,
    transitGateways,
    ...(file.flowLogs ? { flowLogBucket: file.flowLogs.bucket } : {}),
    monthlyCost,
    warnings,
  }
}

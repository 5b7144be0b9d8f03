import { createServer } from 'node:net'
import {
  AcceptVpcPeeringConnectionCommand,
  CreateRouteCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteRouteCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeNetworkAclsCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2'
import { Random } from '../../bench/estate.js'
import { ec2Client } from './server.js'
import { type ServerProcess, spawnServer } from './server-process.js'

/**
 * Crash under load: writers, one account each, create and delete VPCs, subnets, peerings and
 * routes through peerings against a spawned server; the server is killed with SIGKILL at a
 * random moment, restarted on the same database, and each account's state is compared with
 * what its writer was told. Each writer has at most one request in flight, so after a crash
 * the state must be exactly what was acknowledged, with that one request either wholly applied
 * or not at all. The suite and `npm run soak` both run it; only the number of rounds differs.
 */

export interface CrashOptions {
  /** `--data-dir DIR` or `--database-url URL`: the database every round's server opens. */
  readonly database: readonly string[]
  readonly seed: number
  readonly writers?: number
}

export interface RoundReport {
  readonly round: number
  readonly killedAfterMs: number
  /** Writes acknowledged in this round. */
  readonly acknowledged: number
  /** Writes in flight at the kill, and how many of them took effect. */
  readonly inFlight: number
  readonly applied: number
  /** What the ledger holds (a resource, a state) that the restarted server lacks. */
  readonly lost: number
  /** Everything that broke a promise: lost writes, half actions, broken invariants, 5xx, … */
  readonly violations: readonly string[]
}

export interface CrashFigures {
  readonly rounds: number
  readonly acknowledged: number
  readonly inFlight: number
  readonly applied: number
  /** Acknowledged writes missing after a restart. */
  readonly lost: number
  readonly violations: readonly string[]
}

// ---------------------------------------------------------------------------------------------
// What each writer was told (its ledger), and what a restarted server shows

interface VpcRecord {
  readonly cidr: string
  readonly name: string
  readonly octet: number
  /** Subnet id → CIDR. */
  readonly subnets: Record<string, string>
  nextSubnet: number
}

type PeeringState = 'pending-acceptance' | 'active' | 'deleted'

interface PeeringRecord {
  readonly requesterVpc: string
  readonly accepterVpc: string
  state: PeeringState
}

/** A route through a peering in a VPC's main route table. */
interface RouteRecord {
  readonly vpcId: string
  readonly destination: string
  readonly peeringId: string
}

interface Ledger {
  readonly vpcs: Record<string, VpcRecord>
  readonly peerings: Record<string, PeeringRecord>
  /** Keyed by `vpcId destination`. */
  readonly routes: Record<string, RouteRecord>
  /** Learnt from Describe; the route calls need it. */
  readonly mainTables: Record<string, string>
  createdVpcs: number
}

const emptyLedger = (): Ledger => ({ vpcs: {}, peerings: {}, routes: {}, mainTables: {}, createdVpcs: 0 })

interface Observed {
  readonly vpcs: { id: string; cidr: string; name: string | undefined }[]
  readonly subnets: { id: string; vpcId: string; cidr: string }[]
  readonly peerings: { id: string; requesterVpc: string; accepterVpc: string; state: string }[]
  readonly routes: { vpcId: string; tableId: string; destination: string; peeringId: string; state: string }[]
  readonly mainTables: Record<string, string[]>
  readonly defaultGroups: Record<string, number>
  readonly defaultAcls: Record<string, number>
  /** Route tables, groups and ACLs whose VPC is not listed: the remains of half a DeleteVpc. */
  readonly orphans: string[]
}

const count = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1
}

/** Everything the account has, read through the API of the restarted server. */
async function observe(client: EC2Client): Promise<Observed> {
  const [vpcs, subnets, tables, groups, acls, peerings] = await Promise.all([
    client.send(new DescribeVpcsCommand({})),
    client.send(new DescribeSubnetsCommand({})),
    client.send(new DescribeRouteTablesCommand({})),
    client.send(new DescribeSecurityGroupsCommand({})),
    client.send(new DescribeNetworkAclsCommand({})),
    client.send(new DescribeVpcPeeringConnectionsCommand({})),
  ])
  const vpcIds = new Set((vpcs.Vpcs ?? []).map((vpc) => vpc.VpcId!))
  const orphans: string[] = []
  const inKnownVpc = (id: string | undefined, vpcId: string | undefined) => {
    if (!vpcIds.has(vpcId!)) orphans.push(`${id} in missing ${vpcId}`)
    return vpcIds.has(vpcId!)
  }
  const observed: Observed = {
    vpcs: (vpcs.Vpcs ?? []).map((vpc) => ({
      id: vpc.VpcId!,
      cidr: vpc.CidrBlock!,
      name: vpc.Tags?.find((tag) => tag.Key === 'Name')?.Value,
    })),
    subnets: (subnets.Subnets ?? [])
      .filter((subnet) => inKnownVpc(subnet.SubnetId, subnet.VpcId))
      .map((subnet) => ({ id: subnet.SubnetId!, vpcId: subnet.VpcId!, cidr: subnet.CidrBlock! })),
    peerings: (peerings.VpcPeeringConnections ?? []).map((p) => ({
      id: p.VpcPeeringConnectionId!,
      requesterVpc: p.RequesterVpcInfo!.VpcId!,
      accepterVpc: p.AccepterVpcInfo!.VpcId!,
      state: p.Status!.Code!,
    })),
    routes: [],
    mainTables: {},
    defaultGroups: {},
    defaultAcls: {},
    orphans,
  }
  for (const table of tables.RouteTables ?? []) {
    if (!inKnownVpc(table.RouteTableId, table.VpcId)) continue
    if (table.Associations?.some((a) => a.Main)) {
      observed.mainTables[table.VpcId!] = [...(observed.mainTables[table.VpcId!] ?? []), table.RouteTableId!]
    }
    for (const route of table.Routes ?? []) {
      if (!route.VpcPeeringConnectionId) continue
      observed.routes.push({
        vpcId: table.VpcId!,
        tableId: table.RouteTableId!,
        destination: route.DestinationCidrBlock!,
        peeringId: route.VpcPeeringConnectionId,
        state: route.State!,
      })
    }
  }
  for (const group of groups.SecurityGroups ?? []) {
    if (inKnownVpc(group.GroupId, group.VpcId) && group.GroupName === 'default')
      count(observed.defaultGroups, group.VpcId!)
  }
  for (const acl of acls.NetworkAcls ?? []) {
    if (inKnownVpc(acl.NetworkAclId, acl.VpcId) && acl.IsDefault) count(observed.defaultAcls, acl.VpcId!)
  }
  return observed
}

/** The invariants every restarted server must show, whatever was in flight. */
function invariantBreaches(observed: Observed): string[] {
  const breaches = [...observed.orphans.map((orphan) => `orphan: ${orphan}`)]
  for (const vpc of observed.vpcs) {
    const main = observed.mainTables[vpc.id] ?? []
    if (main.length !== 1) breaches.push(`${vpc.id} has ${main.length} main route tables`)
    if (observed.defaultGroups[vpc.id] !== 1)
      breaches.push(`${vpc.id} has ${observed.defaultGroups[vpc.id] ?? 0} default groups`)
    if (observed.defaultAcls[vpc.id] !== 1)
      breaches.push(`${vpc.id} has ${observed.defaultAcls[vpc.id] ?? 0} default ACLs`)
  }
  const states = new Map(observed.peerings.map((p) => [p.id, p.state]))
  for (const route of observed.routes) {
    const wanted = states.get(route.peeringId) === 'active' ? 'active' : 'blackhole'
    if (route.state !== wanted) {
      breaches.push(
        `route to ${route.destination} in ${route.tableId} via ${route.peeringId} (${states.get(route.peeringId) ?? 'gone'}) is ${route.state}`,
      )
    }
  }
  return breaches
}

const byText = (a: string, b: string) => a.localeCompare(b)

/** The ledger and the observed state in one comparable form. */
function canonicalLedger(ledger: Ledger) {
  return {
    vpcs: Object.entries(ledger.vpcs)
      .map(([id, vpc]) => `${id} ${vpc.cidr} ${vpc.name}`)
      .sort(byText),
    subnets: Object.entries(ledger.vpcs)
      .flatMap(([vpcId, vpc]) => Object.entries(vpc.subnets).map(([id, cidr]) => `${id} ${vpcId} ${cidr}`))
      .sort(byText),
    peerings: Object.entries(ledger.peerings)
      .map(([id, p]) => `${id} ${p.requesterVpc} ${p.accepterVpc} ${p.state}`)
      .sort(byText),
    routes: Object.values(ledger.routes)
      .map((r) => `${r.vpcId} ${r.destination} ${r.peeringId}`)
      .sort(byText),
  }
}

function canonicalObserved(observed: Observed): ReturnType<typeof canonicalLedger> {
  return {
    vpcs: observed.vpcs.map((vpc) => `${vpc.id} ${vpc.cidr} ${vpc.name}`).sort(byText),
    subnets: observed.subnets.map((s) => `${s.id} ${s.vpcId} ${s.cidr}`).sort(byText),
    peerings: observed.peerings
      .map((p) => `${p.id} ${p.requesterVpc} ${p.accepterVpc} ${p.state}`)
      .sort(byText),
    routes: observed.routes.map((r) => `${r.vpcId} ${r.destination} ${r.peeringId}`).sort(byText),
  }
}

/** Lines of `expected` that `actual` lacks: acknowledged writes the server lost. */
function missing(expected: ReturnType<typeof canonicalLedger>, actual: ReturnType<typeof canonicalLedger>) {
  return (Object.keys(expected) as (keyof typeof expected)[]).flatMap((part) =>
    expected[part].filter((line) => !actual[part].includes(line)).map((line) => `${part}: ${line}`),
  )
}

// ---------------------------------------------------------------------------------------------
// The writes

/** One write: the request, what its answer changes in the ledger, and how to find it after a crash. */
interface Write {
  readonly label: string
  send(client: EC2Client, ledger: Ledger): Promise<string | undefined>
  /** Records the write, given the id it created (if it creates one). */
  apply(ledger: Ledger, createdId: string | undefined): void
  /**
   * After a crash with this write in flight: the id it would have created, read off the
   * observed state (null when it created nothing there). Writes that create nothing return
   * undefined and are checked by applying them to the ledger.
   */
  locate(ledger: Ledger, observed: Observed): string | null | undefined
}

const livePeerings = (ledger: Ledger) =>
  Object.entries(ledger.peerings).filter(([, p]) => p.state !== 'deleted')

const involves = (p: PeeringRecord, vpcId: string) => p.requesterVpc === vpcId || p.accepterVpc === vpcId

/** The writes possible from this ledger, each with a weight. */
function candidates(ledger: Ledger, writer: number, rng: Random): [number, () => Write][] {
  const vpcIds = Object.keys(ledger.vpcs)
  const options: [number, () => Write][] = []
  if (vpcIds.length < 4) {
    options.push([
      3,
      () => {
        const used = new Set(Object.values(ledger.vpcs).map((vpc) => vpc.octet))
        let octet = ledger.createdVpcs % 250
        while (used.has(octet)) octet = (octet + 1) % 250
        const cidr = `10.${octet}.0.0/16`
        const name = `crash-w${writer}-${ledger.createdVpcs}`
        ledger.createdVpcs++
        return {
          label: `CreateVpc ${cidr} ${name}`,
          send: async (client) =>
            (
              await client.send(
                new CreateVpcCommand({
                  CidrBlock: cidr,
                  TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: name }] }],
                }),
              )
            ).Vpc!.VpcId,
          apply: (l, id) => {
            l.vpcs[id!] = { cidr, name, octet, subnets: {}, nextSubnet: 0 }
          },
          locate: (l, observed) =>
            observed.vpcs.find((vpc) => vpc.cidr === cidr && !l.vpcs[vpc.id])?.id ?? null,
        }
      },
    ])
  }
  const roomy = vpcIds.filter((id) => Object.keys(ledger.vpcs[id]!.subnets).length < 2)
  if (roomy.length > 0) {
    options.push([
      3,
      () => {
        const vpcId = rng.pick(roomy)
        const vpc = ledger.vpcs[vpcId]!
        const used = new Set(Object.values(vpc.subnets))
        let cidr: string
        do cidr = `10.${vpc.octet}.${vpc.nextSubnet++ % 256}.0/24`
        while (used.has(cidr))
        return {
          label: `CreateSubnet ${cidr} in ${vpcId}`,
          send: async (client) =>
            (await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId,
          apply: (l, id) => {
            l.vpcs[vpcId]!.subnets[id!] = cidr
          },
          locate: (l, observed) =>
            observed.subnets.find(
              (s) => s.vpcId === vpcId && s.cidr === cidr && !l.vpcs[vpcId]!.subnets[s.id],
            )?.id ?? null,
        }
      },
    ])
  }
  const subnets = vpcIds.flatMap((vpcId) => Object.keys(ledger.vpcs[vpcId]!.subnets).map((id) => [vpcId, id]))
  if (subnets.length > 0) {
    options.push([
      2,
      () => {
        const [vpcId, subnetId] = rng.pick(subnets) as [string, string]
        return {
          label: `DeleteSubnet ${subnetId}`,
          send: async (client) => {
            await client.send(new DeleteSubnetCommand({ SubnetId: subnetId }))
            return undefined
          },
          apply: (l) => {
            delete l.vpcs[vpcId]!.subnets[subnetId]
          },
          locate: () => undefined,
        }
      },
    ])
  }
  const live = livePeerings(ledger)
  const unpaired = vpcIds.flatMap((a) =>
    vpcIds
      .filter((b) => a !== b && !live.some(([, p]) => involves(p, a) && involves(p, b)))
      .map((b) => [a, b] as const),
  )
  if (unpaired.length > 0) {
    options.push([
      3,
      () => {
        const [requesterVpc, accepterVpc] = rng.pick(unpaired)
        return {
          label: `CreateVpcPeeringConnection ${requesterVpc} → ${accepterVpc}`,
          send: async (client) =>
            (
              await client.send(
                new CreateVpcPeeringConnectionCommand({ VpcId: requesterVpc, PeerVpcId: accepterVpc }),
              )
            ).VpcPeeringConnection!.VpcPeeringConnectionId,
          apply: (l, id) => {
            l.peerings[id!] = { requesterVpc, accepterVpc, state: 'pending-acceptance' }
          },
          locate: (l, observed) =>
            observed.peerings.find(
              (p) => p.requesterVpc === requesterVpc && p.accepterVpc === accepterVpc && !l.peerings[p.id],
            )?.id ?? null,
        }
      },
    ])
  }
  const pending = live.filter(([, p]) => p.state === 'pending-acceptance').map(([id]) => id)
  if (pending.length > 0) {
    options.push([
      3,
      () => {
        const id = rng.pick(pending)
        return {
          label: `AcceptVpcPeeringConnection ${id}`,
          send: async (client) => {
            await client.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))
            return undefined
          },
          apply: (l) => {
            l.peerings[id]!.state = 'active'
          },
          locate: () => undefined,
        }
      },
    ])
  }
  if (live.length > 0) {
    options.push([
      2,
      () => {
        const [id] = rng.pick(live)
        return {
          label: `DeleteVpcPeeringConnection ${id}`,
          send: async (client) => {
            await client.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))
            return undefined
          },
          apply: (l) => {
            l.peerings[id]!.state = 'deleted'
          },
          locate: () => undefined,
        }
      },
    ])
  }
  const routable = live
    .filter(([, p]) => p.state === 'active')
    .flatMap(([id, p]) => [
      { vpcId: p.requesterVpc, destination: ledger.vpcs[p.accepterVpc]!.cidr, peeringId: id },
      { vpcId: p.accepterVpc, destination: ledger.vpcs[p.requesterVpc]!.cidr, peeringId: id },
    ])
    .filter((route) => !ledger.routes[`${route.vpcId} ${route.destination}`])
  if (routable.length > 0) {
    options.push([
      3,
      () => {
        const route = rng.pick(routable)
        const key = `${route.vpcId} ${route.destination}`
        return {
          label: `CreateRoute ${route.destination} via ${route.peeringId} in ${route.vpcId}`,
          send: async (client, l) => {
            await client.send(
              new CreateRouteCommand({
                RouteTableId: await mainTableOf(client, l, route.vpcId),
                DestinationCidrBlock: route.destination,
                VpcPeeringConnectionId: route.peeringId,
              }),
            )
            return undefined
          },
          apply: (l) => {
            l.routes[key] = route
          },
          locate: () => undefined,
        }
      },
    ])
  }
  const routes = Object.entries(ledger.routes)
  if (routes.length > 0) {
    options.push([
      2,
      () => {
        const [key, route] = rng.pick(routes)
        return {
          label: `DeleteRoute ${route.destination} in ${route.vpcId}`,
          send: async (client, l) => {
            await client.send(
              new DeleteRouteCommand({
                RouteTableId: await mainTableOf(client, l, route.vpcId),
                DestinationCidrBlock: route.destination,
              }),
            )
            return undefined
          },
          apply: (l) => {
            delete l.routes[key]
          },
          locate: () => undefined,
        }
      },
    ])
  }
  const deletable = vpcIds.filter(
    (id) => Object.keys(ledger.vpcs[id]!.subnets).length === 0 && !live.some(([, p]) => involves(p, id)),
  )
  if (deletable.length > 0) {
    options.push([
      2,
      () => {
        const vpcId = rng.pick(deletable)
        return {
          label: `DeleteVpc ${vpcId}`,
          send: async (client) => {
            await client.send(new DeleteVpcCommand({ VpcId: vpcId }))
            return undefined
          },
          apply: (l) => {
            delete l.vpcs[vpcId]
            delete l.mainTables[vpcId]
            for (const [key, route] of Object.entries(l.routes))
              if (route.vpcId === vpcId) delete l.routes[key]
          },
          locate: () => undefined,
        }
      },
    ])
  }
  return options
}

async function mainTableOf(client: EC2Client, ledger: Ledger, vpcId: string) {
  const known = ledger.mainTables[vpcId]
  if (known) return known
  const { RouteTables = [] } = await client.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  )
  ledger.mainTables[vpcId] = RouteTables[0]!.RouteTableId!
  return ledger.mainTables[vpcId]
}

function nextWrite(ledger: Ledger, writer: number, rng: Random): Write {
  const options = candidates(ledger, writer, rng)
  let roll = rng.next() * options.reduce((sum, [weight]) => sum + weight, 0)
  for (const [weight, make] of options) {
    roll -= weight
    if (roll < 0) return make()
  }
  return options[options.length - 1]![1]()
}

/** An answer from the server (an AWS error), as opposed to a request the kill cut off. */
const answered = (error: unknown) => {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  return status !== undefined && status >= 400
}

interface WriterState {
  readonly account: string
  readonly ledger: Ledger
  inFlight?: Write
}

/** Writes until the server is gone; leaves the write the kill cut off in `inFlight`. */
async function write(
  state: WriterState,
  client: EC2Client,
  writer: number,
  rng: Random,
  figures: { acknowledged: number; violations: string[] },
) {
  for (;;) {
    const next = nextWrite(state.ledger, writer, rng)
    state.inFlight = next
    let createdId: string | undefined
    try {
      createdId = await next.send(client, state.ledger)
    } catch (error) {
      if (!answered(error)) return
      // Every write is valid for the account's own state, which only this writer changes.
      figures.violations.push(`${next.label} answered ${(error as Error).name}: ${(error as Error).message}`)
      state.inFlight = undefined
      continue
    }
    next.apply(state.ledger, createdId)
    state.inFlight = undefined
    figures.acknowledged++
  }
}

/**
 * Checks one account after a restart: exactly the acknowledged state, plus the write in flight
 * wholly or not at all, and the invariants. Brings the ledger up to what the server holds.
 */
async function reconcile(
  state: WriterState,
  client: EC2Client,
  figures: { lost: number; applied: number; violations: string[] },
) {
  const observed = await observe(client)
  const actual = canonicalObserved(observed)
  const before = canonicalLedger(state.ledger)
  for (const breach of invariantBreaches(observed)) figures.violations.push(`${state.account}: ${breach}`)
  for (const [vpcId, tables] of Object.entries(observed.mainTables))
    state.ledger.mainTables[vpcId] = tables[0]!

  const same = (a: typeof actual) => JSON.stringify(a) === JSON.stringify(actual)
  let after: Ledger | undefined
  const write = state.inFlight
  state.inFlight = undefined
  if (write) {
    const createdId = write.locate(state.ledger, observed)
    if (createdId !== null) {
      after = structuredClone(state.ledger)
      write.apply(after, createdId)
    }
  }
  if (same(before)) return
  if (after && same(canonicalLedger(after))) {
    Object.assign(state.ledger, after)
    figures.applied++
    return
  }
  const lost = missing(after ? canonicalLedger(after) : before, actual)
  figures.lost += lost.length
  figures.violations.push(
    `${state.account} after a crash with ${write?.label ?? 'nothing'} in flight:\n` +
      `  expected ${JSON.stringify(after ? canonicalLedger(after) : before)}\n` +
      `  found    ${JSON.stringify(actual)}`,
  )
  // Carry on from what the server holds, so one breach is reported once.
  Object.assign(state.ledger, emptyLedger(), { createdVpcs: state.ledger.createdVpcs })
  for (const vpc of observed.vpcs) {
    const octet = Number(vpc.cidr.split('.')[1])
    state.ledger.vpcs[vpc.id] = { cidr: vpc.cidr, name: vpc.name ?? '', octet, subnets: {}, nextSubnet: 100 }
  }
  for (const subnet of observed.subnets) state.ledger.vpcs[subnet.vpcId]!.subnets[subnet.id] = subnet.cidr
  for (const p of observed.peerings) {
    state.ledger.peerings[p.id] = { ...p, state: p.state as PeeringState }
  }
  for (const r of observed.routes) state.ledger.routes[`${r.vpcId} ${r.destination}`] = r
}

// ---------------------------------------------------------------------------------------------
// The rounds

/** A port free on 127.0.0.1 now; the server takes it at log level warn, so no per-request log. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  if (!address || typeof address === 'string') throw new Error('no free port')
  return address.port
}

async function revisionOf(url: string): Promise<number> {
  const response = await fetch(`${url}/_vpcpeer/health`)
  return ((await response.json()) as { revision: number }).revision
}

/** Starts a server on the database; a port another process took in the meantime is tried again. */
async function startServer(database: readonly string[]): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnServer(['--log-level', 'warn', ...database], {
        port: await freePort(),
        bundled: true,
      })
    } catch (error) {
      if (attempt === 3 || !String(error).includes('EADDRINUSE')) throw error
    }
  }
}

/**
 * One database through many crashes. `start` spawns the first server; each `round` puts it
 * under load, kills it, restarts it and checks every account; `stop` kills the last one.
 * A broken promise never throws: it is counted in the figures and listed in the round report.
 */
export class CrashRun {
  private readonly rng: Random
  private readonly writers: WriterState[]
  private server: ServerProcess | undefined
  /** The revision counts committed writes: it only grows, by one for each write that took effect. */
  private revision = 0
  private rounds = 0
  private readonly totals = { acknowledged: 0, inFlight: 0, applied: 0, lost: 0, violations: [] as string[] }

  constructor(private readonly options: CrashOptions) {
    this.rng = new Random(options.seed)
    this.writers = Array.from({ length: options.writers ?? 8 }, (_, i) => ({
      account: `9${String(options.seed % 1e6).padStart(6, '0')}${String(i).padStart(5, '0')}`,
      ledger: emptyLedger(),
    }))
  }

  get figures(): CrashFigures {
    return { rounds: this.rounds, ...this.totals, violations: [...this.totals.violations] }
  }

  async start() {
    this.server = await startServer(this.options.database)
    this.revision = await revisionOf(this.server.url)
  }

  async stop() {
    await this.server?.stop('SIGKILL')
    this.server = undefined
  }

  async round(): Promise<RoundReport> {
    const round = ++this.rounds
    const server = this.server
    if (!server) throw new Error('start the run first')
    const figures = { acknowledged: 0, applied: 0, lost: 0, violations: [] as string[] }
    const clients = this.writers.map((w) => ec2Client(server.url, { accountId: w.account }))
    let highest = this.revision
    // Polls until the kill ends it.
    const poll = (async () => {
      for (;;) {
        const seen = await revisionOf(server.url).catch(() => undefined)
        if (seen === undefined) return
        if (seen < highest) figures.violations.push(`revision went back from ${highest} to ${seen}`)
        highest = Math.max(highest, seen)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
    })()
    const load = this.writers.map((state, i) =>
      write(state, clients[i]!, i, new Random(this.rng.int(0, 2 ** 31)), figures),
    )
    const killedAfterMs = this.rng.int(100, 700)
    await new Promise((resolve) => setTimeout(resolve, killedAfterMs))
    await server.stop('SIGKILL')
    this.server = undefined
    await Promise.all([...load, poll])
    for (const client of clients) client.destroy()
    const inFlight = this.writers.filter((w) => w.inFlight).length

    const restarted = await startServer(this.options.database)
    this.server = restarted
    for (const state of this.writers) {
      const client = ec2Client(restarted.url, { accountId: state.account })
      await reconcile(state, client, figures)
      client.destroy()
    }
    const now = await revisionOf(restarted.url)
    const expected = this.revision + figures.acknowledged + figures.applied
    if (now !== expected) {
      figures.violations.push(
        `revision ${now} after the restart, expected ${this.revision} + ${figures.acknowledged} acknowledged + ${figures.applied} in flight applied`,
      )
    }
    if (now < highest) figures.violations.push(`revision ${now} after the restart, ${highest} before`)
    this.revision = now
    this.totals.acknowledged += figures.acknowledged
    this.totals.inFlight += inFlight
    this.totals.applied += figures.applied
    this.totals.lost += figures.lost
    this.totals.violations.push(...figures.violations.map((v) => `round ${round}: ${v}`))
    return { round, killedAfterMs, inFlight, ...figures }
  }
}

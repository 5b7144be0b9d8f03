import { readAddress } from '../dataplane/address.js'
import { evaluateFlow } from '../dataplane/evaluate.js'
import { representativeAddress, subnetMatrix, vpcMatrix } from '../dataplane/matrix.js'
import { holdersOf, type InterfaceEntry, type Snapshot } from '../dataplane/snapshot.js'
import { DEFAULT_SOURCE_PORT, type Flow, PROTOCOLS } from '../dataplane/types.js'
import { errors } from '../domain/errors.js'
import { checkId } from '../domain/ids.js'
import type { Context } from './context.js'
import { currentSnapshot } from './dataplane.js'
import { kinds } from './resources.js'
import { protocolNumber } from './traffic.js'

/**
 * Reachability over JSON: POST /trace explains one flow hop by hop, POST /matrix computes the
 * VPC or subnet matrix. Sources are the caller's own (interfaces, instances, VPCs in its account
 * and region); the analysis itself sees the whole estate, so destinations may be in any account.
 * Component names are the Name tags the caller has set, so another account's names never show.
 */

export interface TraceRequest {
  /** An interface (`eni-…`), an instance (`i-…`) or an address one of the caller's interfaces holds. */
  readonly from: string
  /** Any address, or one of the caller's interfaces or instances. */
  readonly to: string
  /** `tcp`, `udp`, `icmp`, `icmpv6` or an IANA number. */
  readonly protocol: string
  readonly port?: number
  readonly icmpCode?: number
  readonly sourcePort?: number
}

export interface MatrixRequest {
  readonly level: 'vpc' | 'subnet'
  readonly protocol: string
  readonly port?: number
  readonly sourcePort?: number
  /** Only these of the caller's VPCs as sources (all of them when absent). */
  readonly vpcIds?: readonly string[]
}

const ownedBy = (ctx: Context, owner: { ownerId: string; region: string }) =>
  owner.ownerId === ctx.caller.accountId && owner.region === ctx.caller.region

/** The caller's interface named by `eni-…`, by an instance `i-…` (its primary interface), or by an address. */
function ownInterface(ctx: Context, snapshot: Snapshot, name: string, parameter: string): InterfaceEntry {
  if (name.startsWith('eni-')) {
    checkId(kinds.networkInterface.id, name)
    const found = snapshot.interfaces.get(name)
    if (!found || !ownedBy(ctx, found.eni)) throw errors.notFound(kinds.networkInterface.id, name)
    return found
  }
  if (name.startsWith('i-')) {
    checkId(kinds.instance.id, name)
    const found = snapshot.instances.get(name)
    if (!found || !ownedBy(ctx, found.eni)) throw errors.notFound(kinds.instance.id, name)
    return found
  }
  const address = readAddress(name)
  if (!address) {
    throw errors.invalidValue(
      parameter,
      name,
      'Expected a network interface id (eni-…), an instance id (i-…) or an IP address.',
    )
  }
  const own = holdersOf(snapshot, address).filter((holder) => ownedBy(ctx, holder.eni))
  if (own.length === 0) {
    throw errors.invalidValue(parameter, name, 'None of your network interfaces in this region holds it.')
  }
  if (own.length > 1) {
    throw errors.invalidValue(
      parameter,
      name,
      `Several of your network interfaces hold it (${own.map((o) => o.eni.networkInterfaceId).join(', ')}); name one.`,
    )
  }
  return own[0]!
}

/** The destination: any address, or one of the caller's interfaces or instances (its primary address). */
function destinationOf(ctx: Context, snapshot: Snapshot, to: string): string {
  if (readAddress(to)) return to
  const eni = ownInterface(ctx, snapshot, to, 'to').eni
  return eni.privateIpAddress || eni.ipv6Addresses[0] || to
}

/** Every component id in a result: objects carrying `kind`, `id` and `arn`. */
function componentIds(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) componentIds(item, into)
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (typeof record.id === 'string' && typeof record.arn === 'string') into.add(record.id)
    for (const child of Object.values(record)) componentIds(child, into)
  }
  return into
}

/** A copy of `value` with `name` set on each component the caller has named. */
function withNames<T>(value: T, names: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) return value.map((item) => withNames(item, names)) as T
  if (!value || typeof value !== 'object') return value
  const record = value as Record<string, unknown>
  const copy = Object.fromEntries(
    Object.entries(record).map(([key, child]) => [key, withNames(child, names)]),
  )
  const name =
    typeof record.id === 'string' && typeof record.arn === 'string' ? names.get(record.id) : undefined
  return (name === undefined ? copy : { ...copy, name }) as T
}

/** The Name tags the caller has set on these resources. */
async function namesOf(ctx: Context, ids: Iterable<string>): Promise<Map<string, string>> {
  const tags = await ctx.tx.tagsOf(ctx.caller, [...ids])
  const names = new Map<string, string>()
  for (const [id, list] of tags) {
    const name = list.find((tag) => tag.key === 'Name')?.value
    if (name !== undefined) names.set(id, name)
  }
  return names
}

/** One flow explained hop by hop, components named by the caller's Name tags. */
export async function traceFlow(ctx: Context, request: TraceRequest) {
  const snapshot = await currentSnapshot(ctx)
  const sender = ownInterface(ctx, snapshot, request.from, 'from')
  const number = protocolNumber(request.protocol)
  const hasPorts = number === PROTOCOLS.tcp || number === PROTOCOLS.udp
  if (hasPorts && request.port === undefined) throw errors.missingParameter('port')
  const destination = destinationOf(ctx, snapshot, request.to)
  // An address the sender holds besides its primary one sends from that address; otherwise the
  // interface does (by id, so an address other VPCs also use stays unambiguous).
  const given = readAddress(request.from)
  const primary = readAddress(destination)?.family === 6 ? sender.ipv6 : sender.ipv4
  const sourceAddress = given ?? primary
  const flow: Flow = {
    source:
      given && given.value !== primary?.value
        ? { address: request.from }
        : { networkInterfaceId: sender.eni.networkInterfaceId },
    destination,
    protocol: number,
    ...(request.port !== undefined ? { port: request.port } : {}),
    ...(request.icmpCode !== undefined ? { icmpCode: request.icmpCode } : {}),
    ...(request.sourcePort !== undefined ? { sourcePort: request.sourcePort } : {}),
  }
  const result = evaluateFlow(snapshot, flow)
  const names = await namesOf(ctx, componentIds(result, new Set([sender.eni.networkInterfaceId])))
  return {
    flow: {
      ...flow,
      sourceInterfaceId: sender.eni.networkInterfaceId,
      ...(sourceAddress ? { sourceAddress: sourceAddress.text } : {}),
      ...(names.has(sender.eni.networkInterfaceId)
        ? { sourceName: names.get(sender.eni.networkInterfaceId) }
        : {}),
    },
    ...withNames(result, names),
  }
}

/** The caller's VPCs in this region, or those of them named in `vpcIds`. */
function sourceVpcs(ctx: Context, snapshot: Snapshot, vpcIds: readonly string[] | undefined): string[] {
  const own = [...snapshot.vpcs.values()].filter((entry) => ownedBy(ctx, entry.vpc)).map((e) => e.vpc.vpcId)
  if (vpcIds === undefined) return own
  const owned = new Set(own)
  for (const id of vpcIds) {
    checkId(kinds.vpc.id, id)
    if (!owned.has(id)) throw errors.notFound(kinds.vpc.id, id)
  }
  return [...new Set(vpcIds)]
}

/** The VPC or subnet reachability matrix from the caller's VPCs. */
export async function reachMatrix(ctx: Context, request: MatrixRequest) {
  const snapshot = await currentSnapshot(ctx)
  const sources = sourceVpcs(ctx, snapshot, request.vpcIds)
  const own = new Set(sources)
  if (request.level === 'vpc') {
    const pairs = vpcMatrix(snapshot, sources)
    const vpcIds = [...new Set(pairs.flatMap((p) => [p.source, p.destination]))]
    const names = await namesOf(ctx, vpcIds)
    const vpcs = vpcIds.map((id) => {
      const { vpc, blocks } = snapshot.vpcs.get(id)!
      return {
        vpcId: id,
        ownerId: vpc.ownerId,
        region: vpc.region,
        cidrBlocks: blocks,
        own: own.has(id),
        ...(names.has(id) ? { name: names.get(id) } : {}),
      }
    })
    const reachable = pairs.filter((p) => p.reachable).length
    return { level: 'vpc', vpcs, pairs, summary: { sources: sources.length, pairs: pairs.length, reachable } }
  }
  const number = protocolNumber(request.protocol)
  if (number !== PROTOCOLS.tcp && number !== PROTOCOLS.udp) {
    throw errors.invalidValue('protocol', request.protocol, 'The subnet matrix answers for tcp and udp.')
  }
  if (request.port === undefined) throw errors.missingParameter('port')
  const pairs = subnetMatrix(snapshot, sources, {
    protocol: number,
    port: request.port,
    ...(request.sourcePort !== undefined ? { sourcePort: request.sourcePort } : {}),
  })
  const subnetIds = [...new Set(pairs.flatMap((p) => [p.source, p.destination]))]
  const names = await namesOf(ctx, subnetIds)
  const subnets = subnetIds.map((id) => {
    const entry = snapshot.subnets.get(id)!
    return {
      subnetId: id,
      vpcId: entry.subnet.vpcId,
      ownerId: entry.subnet.ownerId,
      cidrBlock: entry.subnet.cidrBlock,
      address: representativeAddress(entry)?.text,
      availabilityZone: entry.subnet.availabilityZone,
      own: own.has(entry.subnet.vpcId),
      ...(names.has(id) ? { name: names.get(id) } : {}),
    }
  })
  const reachable = pairs.filter((p) => p.reachable).length
  return {
    level: 'subnet',
    protocol: number,
    port: request.port,
    sourcePort: request.sourcePort ?? DEFAULT_SOURCE_PORT,
    subnets,
    pairs,
    summary: { sources: sources.length, pairs: pairs.length, reachable },
  }
}

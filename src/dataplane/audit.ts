/**
 * The estate checked against the security practice of VPC peering (docs/audit.md): each finding
 * names a severity, the resource, what is wrong, why it matters and the AWS CLI command that
 * fixes it. Pure: one compiled snapshot and the flow logs in, findings out; the only engine runs
 * are the few flows that confirm a plaintext service is reachable (never one per rule).
 */
import type { FlowLog } from '../domain/flow-log.js'
import type { PeeringConnection, PeeringSide } from '../domain/peering.js'
import type { SecurityGroup, SecurityGroupRule } from '../domain/security-group.js'
import { type Address, type Range, readRange } from './address.js'
import { evaluateFlow } from './evaluate.js'
import { type CompiledGroupRule, checkGroups } from './filters.js'
import { componentRef } from './refs.js'
import {
  activePeeringBetween,
  type InterfaceEntry,
  type PeeringEntry,
  type RouteTableEntry,
  type Snapshot,
  type SubnetEntry,
  type VpcEntry,
  vpcPairKey,
} from './snapshot.js'
import type { ComponentRef } from './types.js'

export type Severity = 'high' | 'medium' | 'low'

/** Most severe first; `--fail-on low` fails on any finding. */
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low']

export const atLeast = (severity: Severity, threshold: Severity) =>
  SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold)

export interface AuditRule {
  readonly id: string
  /** One line, for SARIF's shortDescription and the docs. */
  readonly title: string
  /** Why the practice matters, for SARIF's fullDescription. */
  readonly description: string
}

export const AUDIT_RULES = {
  openSecurityGroupRule: {
    id: 'security-group-open-to-peer',
    title: "A security-group rule admits a peer VPC's whole CIDR, or 0.0.0.0/0, on all ports",
    description:
      'Peering joins two networks; a rule that admits every port from the whole peer (or from anywhere) lets any workload there, or anything that reaches it, talk to every service here. Admit only the ports and the subnets that must cross.',
  },
  broadPeeringRoute: {
    id: 'peering-route-too-broad',
    title: 'A route into a peering is broader than the subnets that use it',
    description:
      "A route should send into a peering only the peer subnets that route back to this table's subnets: a wider route opens paths nothing needs, and a block beyond the peer VPC's CIDRs is dropped at the peering.",
  },
  unusedPeering: {
    id: 'peering-unused',
    title: 'An active peering has no route in either VPC',
    description:
      'A peering that nothing routes through carries no traffic, but one route added later opens it. Delete peerings that are not used.',
  },
  missingFlowLogs: {
    id: 'peering-without-flow-logs',
    title: 'A peered VPC has no flow log',
    description:
      'Without flow logs nothing records what crosses the peering, so neither an attack nor a misrouted service can be seen or investigated afterwards.',
  },
  staleSecurityGroupRule: {
    id: 'stale-security-group-rule',
    title: "A security-group rule refers to a peer VPC's group through a peering that is gone",
    description:
      'A stale rule admits nothing, but it outlives the peering it was written for and admits again if a new peering joins the same VPCs. Remove it.',
  },
  expiringRequest: {
    id: 'peering-request-expiring',
    title: 'A pending peering request is about to expire',
    description:
      'A request that is not accepted within 7 days expires and must be made again; whatever waits on the peering waits longer.',
  },
  dnsResolutionOff: {
    id: 'peering-dns-resolution-off',
    title: 'DNS resolution over the peering is off while the VPCs use private hostnames',
    description:
      "With it off, the peer resolves this VPC's public DNS names to public addresses, so traffic meant for the peering leaves through the internet gateway (or fails) instead.",
  },
  plaintextService: {
    id: 'plaintext-service-across-peering',
    title: 'A plaintext service port is reachable across a peering',
    description:
      'HTTP, PostgreSQL, MySQL and Redis on their usual ports usually speak plaintext. AWS encrypts inter-region peering traffic and traffic between Nitro instances, but not end to end: use TLS for what crosses a peering or a region boundary.',
  },
  overlappingCidrs: {
    id: 'overlapping-cidr-blocks',
    title: 'Two VPCs that are not peered have overlapping CIDR blocks',
    description:
      'AWS refuses to peer VPCs whose blocks overlap, so these two can never be peered (nor reach each other through one router) without re-addressing one of them.',
  },
} as const satisfies Record<string, AuditRule>

export type AuditRuleId = (typeof AUDIT_RULES)[keyof typeof AUDIT_RULES]['id']

export interface AuditFinding {
  readonly ruleId: AuditRuleId
  readonly severity: Severity
  /** The resource that is wrong (and the caller's to change). */
  readonly resource: ComponentRef
  readonly region: string
  readonly vpcId?: string
  /** What is wrong, with the ids and blocks involved. */
  readonly problem: string
  /** Why it matters. */
  readonly impact: string
  /** The AWS CLI command that fixes it (in the resource's region). */
  readonly fix: string
  /** Other resources involved: the peering, the rule, the other VPC. */
  readonly related: readonly string[]
}

/** What `GET /_vpcpeer/api/audit` answers and `vpcpeer audit -o json` prints. */
export interface AuditReport {
  readonly accountId: string
  /** The server-clock instant the estate was read at. */
  readonly at: string
  readonly findings: readonly AuditFinding[]
  readonly summary: Record<Severity, number> & { readonly total: number }
}

export interface AuditInput {
  readonly snapshot: Snapshot
  /** Every flow log of the estate (those of other accounts never cover the caller's VPCs). */
  readonly flowLogs: readonly FlowLog[]
  /** Whose resources are audited: this account, in every region. */
  readonly accountId: string
  /** A pending request expiring within this many ms is reported. */
  readonly expiryWindowMs?: number
}

export const DEFAULT_EXPIRY_WINDOW_MS = 48 * 3600 * 1000

/** Ports whose usual service speaks plaintext, and the service's name. */
export const PLAINTEXT_PORTS: readonly { readonly port: number; readonly service: string }[] = [
  { port: 80, service: 'HTTP' },
  { port: 8080, service: 'HTTP' },
  { port: 5432, service: 'PostgreSQL' },
  { port: 3306, service: 'MySQL' },
  { port: 6379, service: 'Redis' },
]

const TCP = 6

// ---------------------------------------------------------------------------------------------
// What the rules share: the snapshot indexed by VPC and subnet, computed once.

interface AuditIndex {
  readonly snapshot: Snapshot
  readonly accountId: string
  readonly peeringsOfVpc: ReadonlyMap<string, readonly PeeringEntry[]>
  readonly subnetsOfVpc: ReadonlyMap<string, readonly SubnetEntry[]>
  readonly tablesOfVpc: ReadonlyMap<string, readonly RouteTableEntry[]>
  readonly subnetsOfTable: ReadonlyMap<string, readonly SubnetEntry[]>
  readonly interfacesOfVpc: ReadonlyMap<string, readonly InterfaceEntry[]>
  readonly interfacesOfSubnet: ReadonlyMap<string, readonly InterfaceEntry[]>
  /** Peering ids that some route of some table targets. */
  readonly routedPeerings: ReadonlySet<string>
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function indexFor(snapshot: Snapshot, accountId: string): AuditIndex {
  const peeringsOfVpc = new Map<string, PeeringEntry[]>()
  for (const entry of snapshot.peerings.values()) {
    push(peeringsOfVpc, entry.peering.requester.vpcId, entry)
    if (entry.peering.accepter.vpcId !== entry.peering.requester.vpcId)
      push(peeringsOfVpc, entry.peering.accepter.vpcId, entry)
  }
  const subnetsOfVpc = new Map<string, SubnetEntry[]>()
  const subnetsOfTable = new Map<string, SubnetEntry[]>()
  for (const entry of snapshot.subnets.values()) {
    push(subnetsOfVpc, entry.subnet.vpcId, entry)
    if (entry.routeTable) push(subnetsOfTable, entry.routeTable.table.routeTableId, entry)
  }
  const tablesOfVpc = new Map<string, RouteTableEntry[]>()
  const routedPeerings = new Set<string>()
  for (const entry of snapshot.routeTables.values()) {
    push(tablesOfVpc, entry.table.vpcId, entry)
    for (const route of entry.table.routes)
      if (route.vpcPeeringConnectionId) routedPeerings.add(route.vpcPeeringConnectionId)
  }
  const interfacesOfVpc = new Map<string, InterfaceEntry[]>()
  const interfacesOfSubnet = new Map<string, InterfaceEntry[]>()
  for (const entry of snapshot.interfaces.values()) {
    push(interfacesOfVpc, entry.eni.vpcId, entry)
    push(interfacesOfSubnet, entry.eni.subnetId, entry)
  }
  return {
    snapshot,
    accountId,
    peeringsOfVpc,
    subnetsOfVpc,
    tablesOfVpc,
    subnetsOfTable,
    interfacesOfVpc,
    interfacesOfSubnet,
    routedPeerings,
  }
}

const activePeeringsOf = (index: AuditIndex, vpcId: string) =>
  (index.peeringsOfVpc.get(vpcId) ?? []).filter((p) => p.active)

/** The side of a peering in `vpcId` and the other side. */
function sides(entry: PeeringEntry, vpcId: string): { local: PeeringSide; remote: PeeringSide } {
  const { requester, accepter } = entry.peering
  return requester.vpcId === vpcId
    ? { local: requester, remote: accepter }
    : { local: accepter, remote: requester }
}

const ownedSides = (index: AuditIndex, peering: PeeringConnection) =>
  [peering.requester, peering.accepter].filter((side) => side.ownerId === index.accountId)

const contains = (outer: Range, inner: Range) =>
  outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end
const overlaps = (a: Range, b: Range) => a.family === b.family && a.start <= b.end && b.start <= a.end
const wholeSpace = (range: Range) =>
  range.family === 4
    ? range.start === 0 && range.end === 2 ** 32 - 1
    : range.start === 0n && range.end === 2n ** 128n - 1n

const subnetRanges = (subnet: SubnetEntry): Range[] =>
  [subnet.subnet.cidrBlock, ...subnet.subnet.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock)].flatMap(
    (cidr) => (cidr === undefined ? [] : (readRange(cidr) ?? [])),
  )

const subnetCidrs = (subnet: SubnetEntry): string[] => [
  ...(subnet.subnet.cidrBlock ? [subnet.subnet.cidrBlock] : []),
  ...subnet.subnet.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
]

const allPorts = (rule: CompiledGroupRule) =>
  rule.protocol === -1 ||
  ((rule.protocol === TCP || rule.protocol === 17) && rule.from <= 0 && rule.to >= 65535)

const groupRef = (group: SecurityGroup) =>
  componentRef('security-group', group.groupId, group.region, group.ownerId)

const cidrOfRule = (rule: SecurityGroupRule) => rule.cidrIpv4 ?? rule.cidrIpv6 ?? ''

const cidrFlag = (cidr: string) =>
  cidr.includes(':') ? '--destination-ipv6-cidr-block' : '--destination-cidr-block'

const regionFlag = (region: string) => `--region ${region}`

// ---------------------------------------------------------------------------------------------
// The rules

function openSecurityGroupRules(index: AuditIndex): AuditFinding[] {
  const findings: AuditFinding[] = []
  for (const entry of index.snapshot.securityGroups.values()) {
    const { group } = entry
    if (group.ownerId !== index.accountId) continue
    const peerings = activePeeringsOf(index, group.vpcId)
    if (peerings.length === 0) continue
    for (const rule of entry.ingress) {
      if (!rule.range || !allPorts(rule)) continue
      const cidr = cidrOfRule(rule.rule)
      const anywhere = wholeSpace(rule.range)
      const peersCovered = peerings.flatMap((p) => {
        const remote = sides(p, group.vpcId).remote
        const vpc = index.snapshot.vpcs.get(remote.vpcId)
        return vpc?.ranges.some((range) => contains(rule.range!, range))
          ? [{ peering: p.peering.vpcPeeringConnectionId, vpcId: remote.vpcId }]
          : []
      })
      if (!anywhere && peersCovered.length === 0) continue
      const across = anywhere
        ? peerings.map((p) => ({
            peering: p.peering.vpcPeeringConnectionId,
            vpcId: sides(p, group.vpcId).remote.vpcId,
          }))
        : peersCovered
      const peerText = across.map((a) => `${a.vpcId} (${a.peering})`).join(', ')
      const cidrKey = rule.rule.cidrIpv6 !== undefined ? 'CidrIpv6' : 'CidrIpv4'
      findings.push({
        ruleId: AUDIT_RULES.openSecurityGroupRule.id,
        severity: anywhere ? 'high' : 'medium',
        resource: groupRef(group),
        region: group.region,
        vpcId: group.vpcId,
        problem: anywhere
          ? `Rule ${rule.rule.ruleId} of ${group.groupId} admits all traffic from ${cidr}, which includes every peered VPC: ${peerText}.`
          : `Rule ${rule.rule.ruleId} of ${group.groupId} admits all ports from ${cidr}, the whole of peered VPC ${peerText}.`,
        impact:
          'Any workload in the peer VPC (or anything that compromises one) can reach every port of every interface in this group. Admit only the ports that must cross, from the subnets that need them.',
        fix: `aws ec2 modify-security-group-rules ${regionFlag(group.region)} --group-id ${group.groupId} --security-group-rules 'SecurityGroupRuleId=${rule.rule.ruleId},SecurityGroupRule={IpProtocol=tcp,FromPort=<port>,ToPort=<port>,${cidrKey}=<peer subnet CIDR>}'`,
        related: [rule.rule.ruleId, ...across.flatMap((a) => [a.peering, a.vpcId])],
      })
    }
  }
  return findings
}

function broadPeeringRoutes(index: AuditIndex): AuditFinding[] {
  const findings: AuditFinding[] = []
  for (const table of index.snapshot.routeTables.values()) {
    if (table.table.ownerId !== index.accountId || !table.vpc) continue
    const users = index.subnetsOfTable.get(table.table.routeTableId) ?? []
    const userRanges = users.flatMap(subnetRanges)
    const region = table.vpc.vpc.region
    for (const compiled of table.routes) {
      const target = compiled.target
      if (target.kind !== 'peering' || !target.peering?.active) continue
      const destination = readRange(compiled.destination)
      if (!destination) continue
      const pcx = target.peering.peering.vpcPeeringConnectionId
      const remote = sides(target.peering, table.table.vpcId).remote
      const peerVpc = index.snapshot.vpcs.get(remote.vpcId)
      if (!peerVpc) continue
      // The peer subnets this route reaches, and of those the ones that route back into the
      // peering to a subnet on this table: the subnets that use the route.
      const reached = (index.subnetsOfVpc.get(remote.vpcId) ?? []).filter((s) =>
        subnetRanges(s).some((r) => overlaps(r, destination)),
      )
      const using = reached.filter((s) =>
        s.routeTable?.routes.some(
          (back) =>
            back.target.kind === 'peering' &&
            back.target.peering?.peering.vpcPeeringConnectionId === pcx &&
            userRanges.some((mine) => {
              const range = readRange(back.destination)
              return range !== undefined && overlaps(range, mine)
            }),
        ),
      )
      const beyondPeer = !peerVpc.ranges.some((r) => contains(r, destination))
      const unused = reached.filter((s) => !using.includes(s))
      if (!beyondPeer && unused.length === 0) continue
      if (users.length === 0 && !beyondPeer) continue
      const base = `aws ec2 delete-route ${regionFlag(region)} --route-table-id ${table.table.routeTableId} ${cidrFlag(compiled.destination)} ${compiled.destination}`
      const narrowed = using
        .flatMap(subnetCidrs)
        .filter((cidr) => cidr.includes(':') === compiled.destination.includes(':'))
        .map(
          (cidr) =>
            `aws ec2 create-route ${regionFlag(region)} --route-table-id ${table.table.routeTableId} ${cidrFlag(cidr)} ${cidr} --vpc-peering-connection-id ${pcx}`,
        )
      findings.push({
        ruleId: AUDIT_RULES.broadPeeringRoute.id,
        severity: beyondPeer ? 'medium' : 'low',
        resource: table.ref,
        region,
        vpcId: table.table.vpcId,
        problem: beyondPeer
          ? `Route ${compiled.destination} -> ${pcx} in ${table.table.routeTableId} is broader than peer VPC ${remote.vpcId} (${peerVpc.blocks.join(', ')}).`
          : `Route ${compiled.destination} -> ${pcx} in ${table.table.routeTableId} covers peer subnets with no route back to this table's subnets: ${unused.map((s) => `${s.subnet.subnetId} (${subnetCidrs(s).join(', ')})`).join(', ')}.`,
        impact: beyondPeer
          ? 'Traffic to the addresses beyond the peer VPC is dropped at the peering, and the route shadows any other path to them. Route only the peer subnets that must be reached.'
          : 'The route opens paths to subnets that cannot answer over this peering and that nothing here needs; narrow it to the subnets that route back.',
        fix: [base, ...narrowed].join(' && '),
        related: [pcx, remote.vpcId, ...unused.map((s) => s.subnet.subnetId)],
      })
    }
  }
  return findings
}

function unusedPeerings(index: AuditIndex): AuditFinding[] {
  const findings: AuditFinding[] = []
  for (const entry of index.snapshot.peerings.values()) {
    const pcx = entry.peering.vpcPeeringConnectionId
    if (!entry.active || index.routedPeerings.has(pcx)) continue
    for (const side of ownedSides(index, entry.peering)) {
      const other = side === entry.peering.requester ? entry.peering.accepter : entry.peering.requester
      findings.push({
        ruleId: AUDIT_RULES.unusedPeering.id,
        severity: 'low',
        resource: componentRef('vpc-peering-connection', pcx, side.region, side.ownerId),
        region: side.region,
        vpcId: side.vpcId,
        problem: `Peering ${pcx} between ${side.vpcId} and ${other.vpcId} is active but no route table of either VPC routes into it.`,
        impact: AUDIT_RULES.unusedPeering.description,
        fix: `aws ec2 delete-vpc-peering-connection ${regionFlag(side.region)} --vpc-peering-connection-id ${pcx}`,
        related: [side.vpcId, other.vpcId],
      })
      // One finding per peering: the requester's view if both sides are the caller's.
      break
    }
  }
  return findings
}

function missingFlowLogs(index: AuditIndex, flowLogs: readonly FlowLog[]): AuditFinding[] {
  const watched = new Set(
    flowLogs.filter((f) => f.resourceType !== 'NetworkInterface').map((f) => f.resourceId),
  )
  const findings: AuditFinding[] = []
  for (const vpc of index.snapshot.vpcs.values()) {
    if (vpc.vpc.ownerId !== index.accountId) continue
    const peerings = activePeeringsOf(index, vpc.vpc.vpcId)
    if (peerings.length === 0 || watched.has(vpc.vpc.vpcId)) continue
    const subnets = index.subnetsOfVpc.get(vpc.vpc.vpcId) ?? []
    if (subnets.length > 0 && subnets.every((s) => watched.has(s.subnet.subnetId))) continue
    const { vpcId, region, ownerId } = vpc.vpc
    const ids = peerings.map((p) => p.peering.vpcPeeringConnectionId)
    findings.push({
      ruleId: AUDIT_RULES.missingFlowLogs.id,
      severity: 'medium',
      resource: vpc.ref,
      region,
      vpcId,
      problem: `${vpcId} is peered (${ids.join(', ')}) but no flow log watches it or all of its subnets.`,
      impact: AUDIT_RULES.missingFlowLogs.description,
      fix: `aws ec2 create-flow-logs ${regionFlag(region)} --resource-type VPC --resource-ids ${vpcId} --traffic-type ALL --log-destination-type cloud-watch-logs --log-group-name vpc-flow-logs/${vpcId} --deliver-logs-permission-arn arn:aws:iam::${ownerId}:role/vpc-flow-logs`,
      related: ids,
    })
  }
  return findings
}

function staleSecurityGroupRules(index: AuditIndex): AuditFinding[] {
  const findings: AuditFinding[] = []
  for (const { group } of index.snapshot.securityGroups.values()) {
    if (group.ownerId !== index.accountId) continue
    for (const [direction, rules] of [
      ['ingress', group.ingress],
      ['egress', group.egress],
    ] as const) {
      for (const rule of rules) {
        const ref = rule.referencedGroup
        if (!ref?.vpcId || ref.vpcId === group.vpcId) continue
        const peering = activePeeringBetween(index.snapshot, group.vpcId, ref.vpcId)
        const target = index.snapshot.securityGroups.get(ref.groupId)
        const live = peering?.sameRegion === true && target?.vpcId === ref.vpcId
        if (live) continue
        const why = !peering
          ? `no active peering joins ${group.vpcId} and ${ref.vpcId} any more`
          : !peering.sameRegion
            ? `the peering joining it to ${ref.vpcId} crosses regions, where groups cannot be referenced`
            : `${ref.groupId} no longer exists in ${ref.vpcId}`
        findings.push({
          ruleId: AUDIT_RULES.staleSecurityGroupRule.id,
          severity: 'low',
          resource: groupRef(group),
          region: group.region,
          vpcId: group.vpcId,
          problem: `${direction === 'ingress' ? 'Inbound' : 'Outbound'} rule ${rule.ruleId} of ${group.groupId} refers to ${ref.groupId} in ${ref.vpcId}, but ${why}.`,
          impact: AUDIT_RULES.staleSecurityGroupRule.description,
          fix: `aws ec2 revoke-security-group-${direction} ${regionFlag(group.region)} --group-id ${group.groupId} --security-group-rule-ids ${rule.ruleId}`,
          related: [
            rule.ruleId,
            ref.groupId,
            ref.vpcId,
            ...(ref.vpcPeeringConnectionId ? [ref.vpcPeeringConnectionId] : []),
          ],
        })
      }
    }
  }
  return findings
}

const HOUR_MS = 3600 * 1000

function expiringRequests(index: AuditIndex, windowMs: number): AuditFinding[] {
  const now = index.snapshot.at.getTime()
  const findings: AuditFinding[] = []
  for (const { peering } of index.snapshot.peerings.values()) {
    if (peering.status.code !== 'pending-acceptance') continue
    const left = Date.parse(peering.expirationTime) - now
    if (left > windowMs || left <= 0) continue
    const pcx = peering.vpcPeeringConnectionId
    const { requester, accepter } = peering
    const hours = Math.max(1, Math.round(left / HOUR_MS))
    for (const side of ownedSides(index, peering)) {
      const mine = side === accepter
      findings.push({
        ruleId: AUDIT_RULES.expiringRequest.id,
        severity: 'medium',
        resource: componentRef('vpc-peering-connection', pcx, side.region, side.ownerId),
        region: side.region,
        vpcId: side.vpcId,
        problem: `Request ${pcx} from ${requester.vpcId} (${requester.ownerId}) to ${accepter.vpcId} (${accepter.ownerId}) expires at ${peering.expirationTime}, in about ${hours} h, unless ${mine ? 'you accept' : `account ${accepter.ownerId} accepts`} it.`,
        impact: AUDIT_RULES.expiringRequest.description,
        fix: `aws ec2 accept-vpc-peering-connection ${regionFlag(accepter.region)} --vpc-peering-connection-id ${pcx}${mine ? '' : `  # as account ${accepter.ownerId}`}`,
        related: [requester.vpcId, accepter.vpcId],
      })
      if (requester.ownerId === accepter.ownerId) break
    }
  }
  return findings
}

const usesPrivateHostnames = (vpc: VpcEntry | undefined) =>
  vpc?.vpc.enableDnsSupport === true && vpc.vpc.enableDnsHostnames

function dnsResolutionOff(index: AuditIndex): AuditFinding[] {
  const findings: AuditFinding[] = []
  for (const entry of index.snapshot.peerings.values()) {
    if (!entry.active) continue
    const { requester, accepter } = entry.peering
    const local = index.snapshot.vpcs.get(requester.vpcId)
    const remote = index.snapshot.vpcs.get(accepter.vpcId)
    if (!usesPrivateHostnames(local) || !usesPrivateHostnames(remote)) continue
    for (const side of ownedSides(index, entry.peering)) {
      if (side.options.allowDnsResolutionFromRemoteVpc) continue
      const other = side === requester ? accepter : requester
      const pcx = entry.peering.vpcPeeringConnectionId
      const which = side === requester ? 'requester' : 'accepter'
      findings.push({
        ruleId: AUDIT_RULES.dnsResolutionOff.id,
        severity: 'medium',
        resource: componentRef('vpc-peering-connection', pcx, side.region, side.ownerId),
        region: side.region,
        vpcId: side.vpcId,
        problem: `Peering ${pcx}: ${other.vpcId} cannot resolve ${side.vpcId}'s DNS names to private addresses (the ${which} option AllowDnsResolutionFromRemoteVpc is off), though both VPCs use private hostnames.`,
        impact: AUDIT_RULES.dnsResolutionOff.description,
        fix: `aws ec2 modify-vpc-peering-connection-options ${regionFlag(side.region)} --vpc-peering-connection-id ${pcx} --${which}-peering-connection-options AllowDnsResolutionFromRemoteVpc=true`,
        related: [side.vpcId, other.vpcId],
      })
    }
  }
  return findings
}

/** The ingress rules of the groups that could admit `port` from somewhere in `ranges`, as `group|rule`. */
function mayAdmit(groups: InterfaceEntry['groups'], port: number, ranges: readonly Range[]): string[] {
  const keys: string[] = []
  for (const group of groups) {
    for (const rule of group.ingress) {
      if (rule.never) continue
      if (rule.protocol !== -1 && !(rule.protocol === TCP && rule.from <= port && port <= rule.to)) continue
      if (rule.range !== undefined && !ranges.some((r) => overlaps(r, rule.range!))) continue
      keys.push(`${group.group.groupId}|${rule.rule.ruleId}`)
    }
  }
  return keys
}

interface Sender {
  readonly subnet: SubnetEntry
  readonly eni: InterfaceEntry
}

/**
 * For each of the caller's interfaces in a peered VPC (interfaces alike in subnet and groups
 * counted once) and each plaintext port its groups may admit from the peer: the peer subnets
 * whose route to it goes into the peering, and one engine flow from an interface there. A
 * reachable flow is one finding per admitting rule and port, with the first peering found as
 * the example (the fix, TLS and a narrower rule, is the rule's either way). Engine runs are saved
 * twice: once every rule that could admit is reported, and once a subnet pair is known to fail
 * before the receiver's groups (routes, ACLs, the sender's groups) for that port.
 */
function plaintextServices(index: AuditIndex): AuditFinding[] {
  const found = new Map<string, AuditFinding>()
  const failing = new Set<string>()
  for (const entry of index.snapshot.peerings.values()) {
    if (!entry.active) continue
    const pcx = entry.peering.vpcPeeringConnectionId
    for (const [destination, source] of [
      [entry.peering.accepter, entry.peering.requester],
      [entry.peering.requester, entry.peering.accepter],
    ] as const) {
      if (destination.ownerId !== index.accountId) continue
      const sourceVpc = index.snapshot.vpcs.get(source.vpcId)
      if (!sourceVpc) continue
      const senders = (index.subnetsOfVpc.get(source.vpcId) ?? []).flatMap((subnet): Sender[] => {
        const eni = index.interfacesOfSubnet.get(subnet.subnet.subnetId)?.[0]
        return eni ? [{ subnet, eni }] : []
      })
      if (senders.length === 0) continue
      const alike = new Set<string>()
      for (const receiver of index.interfacesOfVpc.get(destination.vpcId) ?? []) {
        const address = receiver.ipv4
        if (!address) continue
        const key = `${receiver.eni.subnetId}|${receiver.eni.groupIds.join(',')}`
        if (alike.has(key)) continue
        alike.add(key)
        // The peer subnets whose route to the receiver goes into this peering (the same for every port).
        const routed = senders.filter(({ subnet }) => {
          const route = subnet.routeTable?.lookup(address)
          return (
            route?.target.kind === 'peering' && route.target.peering?.peering.vpcPeeringConnectionId === pcx
          )
        })
        if (routed.length === 0) continue
        for (const { port, service } of PLAINTEXT_PORTS) {
          const candidates = mayAdmit(receiver.groups, port, sourceVpc.ranges)
          if (candidates.every((c) => found.has(`${c}|${port}`))) continue
          const flow = firstReachable(index, routed, receiver, address, port, failing, found)
          if (!flow) continue
          const rule = flow.rule
          const id = `${rule.groupId}|${rule.ruleId}|${port}`
          const group = index.snapshot.securityGroups.get(rule.groupId)?.group
          if (found.has(id) || !group) continue
          const crossRegion = destination.region !== source.region
          found.set(id, {
            ruleId: AUDIT_RULES.plaintextService.id,
            severity: 'low',
            resource: groupRef(group),
            region: group.region,
            vpcId: group.vpcId,
            problem: `${service} (tcp ${port}) on ${receiver.eni.networkInterfaceId} (${address.text}) is reachable from ${source.vpcId} (${flow.from}) across ${crossRegion ? 'inter-region ' : ''}peering ${pcx}, admitted by rule ${rule.ruleId} of ${group.groupId}.`,
            impact: `${AUDIT_RULES.plaintextService.description} Serve it over TLS and admit only the TLS port.`,
            fix: `aws ec2 revoke-security-group-ingress ${regionFlag(group.region)} --group-id ${group.groupId} --security-group-rule-ids ${rule.ruleId}`,
            related: [pcx, source.vpcId, receiver.eni.networkInterfaceId, rule.ruleId],
          })
        }
      }
    }
  }
  return [...found.values()]
}

function firstReachable(
  index: AuditIndex,
  senders: readonly Sender[],
  receiver: InterfaceEntry,
  address: Address,
  port: number,
  failing: Set<string>,
  found: ReadonlyMap<string, unknown>,
): { from: string; rule: { groupId: string; ruleId: string } } | undefined {
  const receiverParts = new Set([receiver.eni.networkInterfaceId, ...receiver.eni.groupIds])
  for (const { subnet, eni } of senders) {
    const pair = `${subnet.subnet.subnetId}|${receiver.eni.subnetId}|${port}`
    if (failing.has(pair) || !eni.ipv4) continue
    // The receiver's groups decide on the sender's address alone; check them before the engine.
    const admits = checkGroups(receiver.groups, 'ingress', eni.ipv4, { protocol: TCP, port }, (groupId) =>
      eni.eni.groupIds.includes(groupId),
    )
    // A rule already reported for this port would only be reported again.
    if (!admits.allowed || found.has(`${admits.group.groupId}|${admits.rule.rule.ruleId}|${port}`)) continue
    const result = evaluateFlow(index.snapshot, {
      source: { networkInterfaceId: eni.eni.networkInterfaceId },
      destination: address.text,
      protocol: TCP,
      port,
    })
    if (!result.reachable) {
      if (result.explanations.every((e) => !receiverParts.has(e.component.id))) failing.add(pair)
      continue
    }
    const decided = result.forwardPath.findLast((s) => s.securityGroupRule?.direction === 'ingress')
    if (!decided?.securityGroupRule) continue
    return { from: eni.ipv4.text, rule: decided.securityGroupRule }
  }
  return undefined
}

function overlappingCidrs(index: AuditIndex): AuditFinding[] {
  const { snapshot, accountId } = index
  // The caller's VPCs, and the VPCs it knows through its peerings.
  const own = [...snapshot.vpcs.values()].filter((v) => v.vpc.ownerId === accountId)
  const known = new Map(own.map((v) => [v.vpc.vpcId, v]))
  for (const vpc of own) {
    for (const p of index.peeringsOfVpc.get(vpc.vpc.vpcId) ?? []) {
      const remote = snapshot.vpcs.get(sides(p, vpc.vpc.vpcId).remote.vpcId)
      if (remote) known.set(remote.vpc.vpcId, remote)
    }
  }
  const others = [...known.values()]
  const findings: AuditFinding[] = []
  const reported = new Set<string>()
  for (const mine of own) {
    for (const other of others) {
      if (other === mine || activePeeringBetween(snapshot, mine.vpc.vpcId, other.vpc.vpcId)) continue
      const pair = vpcPairKey(mine.vpc.vpcId, other.vpc.vpcId)
      if (reported.has(pair)) continue
      const shared = mine.blocks.flatMap((block) => {
        const range = readRange(block)
        const theirs = other.blocks.filter((b) => {
          const r = readRange(b)
          return range !== undefined && r !== undefined && overlaps(range, r)
        })
        return theirs.map((t) => [block, t] as const)
      })
      if (shared.length === 0) continue
      reported.add(pair)
      const [block, theirs] = shared[0]!
      const secondary = mine.vpc.cidrBlockAssociations.find(
        (a) => a.cidrBlock === block && block !== mine.vpc.cidrBlock,
      )
      const { vpcId, region } = mine.vpc
      findings.push({
        ruleId: AUDIT_RULES.overlappingCidrs.id,
        severity: 'medium',
        resource: mine.ref,
        region,
        vpcId,
        problem: `${vpcId} (${block}) overlaps ${other.vpc.vpcId} (${theirs}) of account ${other.vpc.ownerId} in ${other.vpc.region}; a peering between them would fail.`,
        impact: AUDIT_RULES.overlappingCidrs.description,
        fix: secondary
          ? `aws ec2 disassociate-vpc-cidr-block ${regionFlag(region)} --association-id ${secondary.associationId}`
          : `aws ec2 create-vpc ${regionFlag(region)} --cidr-block <a block no other VPC uses>  # and move ${vpcId}'s workloads there`,
        related: [other.vpc.vpcId],
      })
    }
  }
  return findings
}

// ---------------------------------------------------------------------------------------------

const byImportance = (a: AuditFinding, b: AuditFinding) =>
  SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
  a.ruleId.localeCompare(b.ruleId) ||
  a.resource.id.localeCompare(b.resource.id) ||
  a.problem.localeCompare(b.problem)

/** Every finding about the account's resources, most severe first. */
export function auditEstate(input: AuditInput): AuditFinding[] {
  const index = indexFor(input.snapshot, input.accountId)
  return [
    ...openSecurityGroupRules(index),
    ...broadPeeringRoutes(index),
    ...unusedPeerings(index),
    ...missingFlowLogs(index, input.flowLogs),
    ...staleSecurityGroupRules(index),
    ...expiringRequests(index, input.expiryWindowMs ?? DEFAULT_EXPIRY_WINDOW_MS),
    ...dnsResolutionOff(index),
    ...plaintextServices(index),
    ...overlappingCidrs(index),
  ].sort(byImportance)
}

/** How many findings of each severity. */
export function countBySeverity(findings: readonly AuditFinding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 }
  for (const finding of findings) counts[finding.severity]++
  return counts
}

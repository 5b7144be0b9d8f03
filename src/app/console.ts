import { errors } from '../domain/errors.js'
import { checkId, ids } from '../domain/ids.js'
import { hasPorts, parsePathProtocol } from '../domain/network-insights.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import { isOutstandingRequest, type PeeringConnection, type PeeringSide } from '../domain/peering.js'
import { routeDestination, routeTargetId } from '../domain/route-table.js'
import { peerOf } from '../domain/security-group.js'
import type { Subnet } from '../domain/subnet.js'
import type { Tag } from '../ports/store.js'
import { describeRegions } from './account.js'
import type {
  BlackholeRoute,
  FlowLogView,
  InterfaceView,
  PeeringEdge,
  PeeringSideView,
  RuleView,
  SubnetView,
  Topology,
  VpcDetail,
  VpcNode,
  WhoAmI,
} from './console-views.js'
import type { Context } from './context.js'
import { describeFlowLogs } from './flow-logs.js'
import { describeNetworkAcls } from './network-acls.js'
import { createNetworkInsightsPath, startNetworkInsightsAnalysis } from './network-insights.js'
import { describeNetworkInterfaces } from './network-interfaces.js'
import { acceptPeering, createPeering, deletePeering, describePeerings, rejectPeering } from './peering.js'
import type { DescribeRequest } from './resources.js'
import { describeRouteTables } from './route-tables.js'
import { describeSecurityGroups, type RuleView as GroupRuleView } from './security-groups.js'
import { availableAddresses, describeSubnets } from './subnets.js'
import { describeVpcs } from './vpcs.js'

/**
 * The console's own reads and actions (JSON under /_vpcpeer/api). Each is built from the same
 * use cases as the EC2 Query API, as the signing caller, so the console sees exactly what that
 * account may see there.
 */

const EVERYTHING: DescribeRequest = { ids: [], filters: [] }
const inVpc = (vpcId: string): DescribeRequest => ({
  ids: [],
  filters: [{ name: 'vpc-id', values: [vpcId] }],
})

const nameOf = (tags: readonly Tag[]) => tags.find((tag) => tag.key === 'Name')?.value
const named = (tags: readonly Tag[]) => {
  const name = nameOf(tags)
  return name === undefined ? {} : { name }
}

function subnetView(subnet: Subnet, tags: readonly Tag[]): SubnetView {
  return {
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    ...named(tags),
    ...(subnet.cidrBlock ? { cidrBlock: subnet.cidrBlock } : {}),
    ipv6CidrBlocks: subnet.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
    availabilityZone: subnet.availabilityZone,
    availableAddresses: availableAddresses(subnet),
  }
}

function interfaceView(eni: NetworkInterface, tags: readonly Tag[]): InterfaceView {
  return {
    networkInterfaceId: eni.networkInterfaceId,
    vpcId: eni.vpcId,
    subnetId: eni.subnetId,
    ...named(tags),
    description: eni.description,
    privateIpAddress: eni.privateIpAddress,
    secondaryPrivateIpAddresses: eni.secondaryPrivateIpAddresses,
    ipv6Addresses: eni.ipv6Addresses,
    groupIds: eni.groupIds,
    ...(eni.attachment ? { instanceId: eni.attachment.instanceId } : {}),
  }
}

/** The accepter's blocks are shown only once the connection has been active, as in DescribeVpcPeeringConnections. */
function sideView(side: PeeringSide, blocksShown: boolean): PeeringSideView {
  return {
    vpcId: side.vpcId,
    accountId: side.ownerId,
    region: side.region,
    cidrBlocks: blocksShown ? side.cidrBlocks : [],
    ipv6CidrBlocks: blocksShown ? side.ipv6CidrBlocks : [],
  }
}

/** Every route of the caller's tables that is a blackhole, with the id it targets. */
async function blackholeRoutes(ctx: Context, request: DescribeRequest) {
  const { items, stateOf } = await describeRouteTables(ctx, request)
  return items.flatMap(({ resource: { body: table } }) =>
    table.routes
      .filter((route) => stateOf(table, route) === 'blackhole')
      .map((route) => ({
        routeTableId: table.routeTableId,
        vpcId: table.vpcId,
        destination: routeDestination(route),
        target: routeTargetId(route),
      })),
  )
}

function peeringEdge(
  ctx: Context,
  peering: PeeringConnection,
  tags: readonly Tag[],
  blackholes: readonly BlackholeRoute[],
): PeeringEdge {
  const { requester, accepter, status } = peering
  const me = ctx.caller
  const isRequester = requester.ownerId === me.accountId && requester.region === me.region
  const isAccepter = accepter.ownerId === me.accountId && accepter.region === me.region
  return {
    peeringId: peering.vpcPeeringConnectionId,
    ...named(tags),
    tags,
    status: { code: status.code, message: status.message },
    requester: sideView(requester, true),
    accepter: sideView(accepter, peering.activatedAt !== undefined),
    crossAccount: requester.ownerId !== accepter.ownerId,
    crossRegion: requester.region !== accepter.region,
    role: isRequester && isAccepter ? 'both' : isRequester ? 'requester' : 'accepter',
    awaitingCaller: status.code === 'pending-acceptance' && isAccepter,
    blackholeRoutes: blackholes,
    createdAt: peering.createdAt,
    statusChangedAt: peering.statusChangedAt,
    ...(isOutstandingRequest(peering) ? { expirationTime: peering.expirationTime } : {}),
  }
}

export async function topology(ctx: Context): Promise<Topology> {
  const vpcs = (await describeVpcs(ctx, EVERYTHING)).items
  const subnets = (await describeSubnets(ctx, EVERYTHING)).items
  const interfaces = (await describeNetworkInterfaces(ctx, EVERYTHING)).items
  const peerings = (await describePeerings(ctx, EVERYTHING)).items
  const blackholes = await blackholeRoutes(ctx, EVERYTHING)

  const nodes = new Map<string, VpcNode>()
  for (const { resource, tags } of vpcs) {
    const vpc = resource.body
    nodes.set(vpc.vpcId, {
      vpcId: vpc.vpcId,
      accountId: vpc.ownerId,
      region: vpc.region,
      owned: true,
      ...named(tags),
      tags,
      cidrBlocks: vpc.cidrBlockAssociations.map((a) => a.cidrBlock),
      ipv6CidrBlocks: vpc.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
      subnets: subnets
        .filter((s) => s.resource.body.vpcId === vpc.vpcId)
        .map((s) => subnetView(s.resource.body, s.tags)),
      blackholeRoutes: blackholes.filter((route) => route.vpcId === vpc.vpcId).length,
    })
  }
  const edges = peerings.map(({ peering, tags }) =>
    peeringEdge(
      ctx,
      peering,
      tags,
      blackholes
        .filter((route) => route.target === peering.vpcPeeringConnectionId)
        .map(({ target: _target, ...route }) => route),
    ),
  )
  // The other side of a connection is known only by what the connection shows of it.
  for (const edge of edges) {
    for (const side of [edge.requester, edge.accepter]) {
      const known = nodes.get(side.vpcId)
      if (known && (known.owned || known.cidrBlocks.length >= side.cidrBlocks.length)) continue
      nodes.set(side.vpcId, {
        vpcId: side.vpcId,
        accountId: side.accountId,
        region: side.region,
        owned: false,
        tags: [],
        cidrBlocks: side.cidrBlocks,
        ipv6CidrBlocks: side.ipv6CidrBlocks,
        subnets: [],
        blackholeRoutes: 0,
      })
    }
  }
  return {
    accountId: ctx.caller.accountId,
    region: ctx.caller.region,
    vpcs: [...nodes.values()],
    peerings: edges,
    interfaces: interfaces.map(({ resource, tags }) => interfaceView(resource.body, tags)),
  }
}

function ruleView({ referencedGroup, ...rule }: GroupRuleView): RuleView {
  const reference = referencedGroup
  const peer = reference
    ? [reference.userId, reference.vpcId, reference.groupId].filter((part) => part !== undefined).join('/')
    : peerOf(rule)
  return {
    ruleId: rule.ruleId,
    protocol: rule.ipProtocol,
    ...(rule.fromPort !== undefined ? { fromPort: rule.fromPort } : {}),
    ...(rule.toPort !== undefined ? { toPort: rule.toPort } : {}),
    peer: reference?.groupName ? `${peer} (${reference.groupName})` : peer,
    ...(rule.description !== undefined ? { description: rule.description } : {}),
    stale: reference?.stale ?? false,
    ...(reference?.stale && reference.peeringStatus ? { peeringStatus: reference.peeringStatus } : {}),
  }
}

export async function vpcDetail(ctx: Context, vpcId: string): Promise<VpcDetail> {
  // An empty id would list every VPC rather than name one.
  checkId(ids.vpc, vpcId)
  const [described] = (await describeVpcs(ctx, { ids: [vpcId], filters: [] })).items
  if (!described) throw errors.notFound(ids.vpc, vpcId)
  const vpc = described.resource.body
  const scoped = inVpc(vpcId)
  const tables = await describeRouteTables(ctx, scoped)
  const groups = await describeSecurityGroups(ctx, scoped, [])
  const acls = await describeNetworkAcls(ctx, scoped)
  const interfaces = await describeNetworkInterfaces(ctx, scoped)
  const vpcSubnets = (await describeSubnets(ctx, scoped)).items.map((s) =>
    subnetView(s.resource.body, s.tags),
  )
  return {
    vpcId,
    accountId: vpc.ownerId,
    region: vpc.region,
    ...named(described.tags),
    tags: described.tags,
    cidrBlocks: vpc.cidrBlockAssociations,
    ipv6CidrBlocks: vpc.ipv6CidrBlockAssociations.map(({ associationId, ipv6CidrBlock }) => ({
      associationId,
      ipv6CidrBlock,
    })),
    subnets: vpcSubnets,
    routeTables: tables.items.map(({ resource: { body: table }, tags }) => ({
      routeTableId: table.routeTableId,
      ...named(tags),
      main: table.associations.some((a) => a.main),
      subnetIds: table.associations.flatMap((a) => (a.subnetId ? [a.subnetId] : [])),
      routes: table.routes.map((route) => ({
        destination: routeDestination(route),
        target: routeTargetId(route),
        state: tables.stateOf(table, route),
        origin: route.origin,
      })),
    })),
    securityGroups: groups.items.map(({ view, tags }) => ({
      groupId: view.group.groupId,
      groupName: view.group.groupName,
      description: view.group.description,
      ...named(tags),
      ingress: view.ingress.map(ruleView),
      egress: view.egress.map(ruleView),
    })),
    networkAcls: acls.items.map(({ resource: { body: acl }, tags }) => ({
      networkAclId: acl.networkAclId,
      ...named(tags),
      isDefault: acl.isDefault,
      subnetIds: acl.associations.map((a) => a.subnetId),
      entries: acl.entries.map((entry) => ({
        ruleNumber: entry.ruleNumber,
        egress: entry.egress,
        protocol: entry.protocol,
        ruleAction: entry.ruleAction,
        cidr: entry.cidrBlock ?? entry.ipv6CidrBlock ?? '',
        ...(entry.portRange ? { portRange: entry.portRange } : {}),
        ...(entry.icmpTypeCode ? { icmpTypeCode: entry.icmpTypeCode } : {}),
      })),
    })),
    networkInterfaces: interfaces.items.map(({ resource, tags }) => interfaceView(resource.body, tags)),
    flowLogs: await flowLogsOf(ctx, [
      vpcId,
      ...vpcSubnets.map((s) => s.subnetId),
      ...interfaces.items.map((i) => i.resource.id),
    ]),
  }
}

/** The caller's flow logs of these resources (a VPC, its subnets and its interfaces). */
async function flowLogsOf(ctx: Context, resourceIds: readonly string[]): Promise<FlowLogView[]> {
  const watched = new Set(resourceIds)
  const { items } = await describeFlowLogs(ctx, EVERYTHING)
  return items
    .map(({ resource: { body } }) => body)
    .filter((log) => watched.has(log.resourceId))
    .map((log) => ({
      flowLogId: log.flowLogId,
      resourceId: log.resourceId,
      trafficType: log.trafficType,
      destinationType: log.logDestinationType,
      destination: log.logGroupName ?? log.logDestination,
      logFormat: log.logFormat,
    }))
}

/** Who the signature names, and the regions the caller may switch to. */
export const whoAmI = (ctx: Context): WhoAmI => ({
  accountId: ctx.caller.accountId,
  region: ctx.caller.region,
  accessKeyId: ctx.caller.accessKeyId,
  regions: describeRegions(ctx, { regionNames: [], filters: [] }).map((r) => r.regionName),
})

export interface PeeringRequest {
  readonly vpcId: string
  readonly peerVpcId: string
  readonly peerOwnerId?: string
  readonly peerRegion?: string
  /** Set as the connection's Name tag, in the requester's view. */
  readonly name?: string
}

/** Requests a peering connection, as CreateVpcPeeringConnection does. */
export async function requestPeering(ctx: Context, { name, ...request }: PeeringRequest) {
  const tags = name ? [{ resourceType: 'vpc-peering-connection', tags: [{ key: 'Name', value: name }] }] : []
  const { peering } = await createPeering(ctx, { ...request, tagSpecifications: tags })
  return { peeringId: peering.vpcPeeringConnectionId, status: peering.status }
}

export async function acceptPeeringRequest(ctx: Context, peeringId: string) {
  const { peering } = await acceptPeering(ctx, peeringId)
  return { peeringId: peering.vpcPeeringConnectionId, status: peering.status }
}

export async function rejectPeeringRequest(ctx: Context, peeringId: string) {
  await rejectPeering(ctx, peeringId)
  return { peeringId, rejected: true }
}

export async function removePeering(ctx: Context, peeringId: string) {
  await deletePeering(ctx, peeringId)
  return { peeringId, deleted: true }
}

export interface AnalysisRequest {
  /** An interface or instance id: the trace answer's `flow.sourceInterfaceId`. */
  readonly source: string
  readonly sourceIp?: string
  readonly destinationIp: string
  readonly protocol: string
  readonly port?: number
}

/** Saves a traced flow as a Network Insights path and runs an analysis of it, as the EC2 actions do. */
export async function saveAnalysis(ctx: Context, request: AnalysisRequest) {
  const protocol = parsePathProtocol(request.protocol)
  const { path } = await createNetworkInsightsPath(ctx, {
    source: request.source,
    ...(request.sourceIp !== undefined ? { sourceIp: request.sourceIp } : {}),
    destinationIp: request.destinationIp,
    protocol,
    ...(request.port !== undefined && hasPorts(protocol) ? { destinationPort: request.port } : {}),
    tagSpecifications: [],
  })
  const { analysis } = await startNetworkInsightsAnalysis(ctx, {
    networkInsightsPathId: path.networkInsightsPathId,
    additionalAccounts: [],
    filterInArns: [],
    filterOutArns: [],
    tagSpecifications: [],
  })
  return {
    networkInsightsPathId: path.networkInsightsPathId,
    networkInsightsAnalysisId: analysis.networkInsightsAnalysisId,
    status: analysis.status,
    ...(analysis.networkPathFound !== undefined ? { networkPathFound: analysis.networkPathFound } : {}),
  }
}

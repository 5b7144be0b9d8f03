import { errors, type IdKind } from '../domain/errors.js'
import { checkId, ids } from '../domain/ids.js'
import type { SecurityGroup } from '../domain/security-group.js'
import type { Vpc } from '../domain/vpc.js'
import type { Stored, Tag } from '../ports/store.js'
import { type Context, sameScope } from './context.js'
import {
  checkIdsWithoutMaxResults,
  compileFilters,
  type Filter,
  type FilterFields,
  type PageRequest,
  paginate,
  storedPosition,
} from './describe.js'

/** A kind of resource: its stored kind (AWS's resource type name, as DescribeTags shows it) and id rules. */
export interface ResourceKind {
  readonly type: string
  readonly id: IdKind
}

export const kinds = {
  vpc: { type: 'vpc', id: ids.vpc },
  subnet: { type: 'subnet', id: ids.subnet },
  routeTable: { type: 'route-table', id: ids.routeTable },
  securityGroup: { type: 'security-group', id: ids.securityGroup },
  securityGroupRule: { type: 'security-group-rule', id: ids.securityGroupRule },
  networkAcl: { type: 'network-acl', id: ids.networkAcl },
  peering: { type: 'vpc-peering-connection', id: ids.peering },
  internetGateway: { type: 'internet-gateway', id: ids.internetGateway },
  egressOnlyInternetGateway: { type: 'egress-only-internet-gateway', id: ids.egressOnlyInternetGateway },
  natGateway: { type: 'natgateway', id: ids.natGateway },
  vpnGateway: { type: 'vpn-gateway', id: ids.vpnGateway },
  networkInterface: { type: 'network-interface', id: ids.networkInterface },
  instance: { type: 'instance', id: ids.instance },
  flowLog: { type: 'vpc-flow-log', id: ids.flowLog },
  networkInsightsPath: { type: 'network-insights-path', id: ids.networkInsightsPath },
  networkInsightsAnalysis: { type: 'network-insights-analysis', id: ids.networkInsightsAnalysis },
  networkInsightsAccessScope: { type: 'network-insights-access-scope', id: ids.networkInsightsAccessScope },
  networkInsightsAccessScopeAnalysis: {
    type: 'network-insights-access-scope-analysis',
    id: ids.networkInsightsAccessScopeAnalysis,
  },
} as const satisfies Record<string, ResourceKind>

const byPrefix = new Map<string, ResourceKind>(Object.values(kinds).map((kind) => [kind.id.prefix, kind]))

/** The kind an id names by its prefix, if vpcpeer knows it. */
export const kindOfId = (id: string): ResourceKind | undefined =>
  byPrefix.get(id.slice(0, id.lastIndexOf('-')))

/** Whether the caller sees this resource: it owns it, or it is the other party (a peering's accepter). */
export const isVisible = (ctx: Context, resource: Stored<unknown>) =>
  sameScope(resource.owner, ctx.caller) ||
  (resource.peer !== undefined && sameScope(resource.peer, ctx.caller))

/**
 * Loads a resource the caller owns. A malformed id answers the kind's Malformed error, an
 * unknown one (or another account's) its NotFound error.
 */
export async function findOwned<T>(ctx: Context, kind: ResourceKind, id: string): Promise<Stored<T>> {
  checkId(kind.id, id)
  const resource = await ctx.tx.get<T>(kind.type, id)
  if (!resource || !sameScope(resource.owner, ctx.caller)) throw errors.notFound(kind.id, id)
  return resource
}

/** Like findOwned, for a resource the caller may see as either party. */
export async function findVisible<T>(ctx: Context, kind: ResourceKind, id: string): Promise<Stored<T>> {
  checkId(kind.id, id)
  const resource = await ctx.tx.get<T>(kind.type, id)
  if (!resource || !isVisible(ctx, resource)) throw errors.notFound(kind.id, id)
  return resource
}

/**
 * The caller's VPC for an action that creates something in it (a subnet, group, route table,
 * ACL, gateway or peering). Like AWS (spec §1.8), an id of any shape that is not found answers
 * NotFound rather than Malformed here.
 */
export async function findVpcForCreate(ctx: Context, vpcId: string): Promise<Stored<Vpc>> {
  const vpc = await ctx.tx.get<Vpc>(kinds.vpc.type, vpcId)
  if (!vpc || !sameScope(vpc.owner, ctx.caller)) throw errors.notFound(kinds.vpc.id, vpcId)
  return vpc
}

/** Whether the caller sees something with this id: a stored resource, or a rule inside one of its groups. */
export async function isVisibleId(ctx: Context, kind: ResourceKind, id: string): Promise<boolean> {
  if (kind.type === kinds.securityGroupRule.type) {
    const groups = await ctx.tx.list<SecurityGroup>(kinds.securityGroup.type, { visibleTo: ctx.caller })
    return groups.some((g) => [...g.body.ingress, ...g.body.egress].some((rule) => rule.ruleId === id))
  }
  const resource = await ctx.tx.get(kind.type, id)
  return resource !== undefined && isVisible(ctx, resource)
}

export interface DescribeRequest extends PageRequest {
  readonly ids: readonly string[]
  readonly filters: readonly Filter[]
}

export interface Described<T> {
  readonly resource: Stored<T>
  readonly tags: readonly Tag[]
}

export interface DescribeOptions<T> {
  readonly fields: FilterFields<Described<T>>
  /** The id list's wire name, for InvalidParameterCombination. */
  readonly idParameter: string
  /** Extra visibility rule on top of scope (a peering's time window). */
  readonly visible?: (resource: Stored<T>) => boolean
  /** Answer an id of any shape NotFound, not Malformed, as AWS does in DescribeVpcs (spec §1.8). */
  readonly malformedIdsAreNotFound?: boolean
}

/**
 * A `tag:<key>` filter whose values have no wildcards, which the store can apply in its query
 * so a describe by tag over thousands of resources reads only the few it returns. The filter
 * still runs in full afterwards; this only narrows what is read.
 */
function exactTagFilter(filters: readonly Filter[]) {
  const filter = filters.find((f) => f.name.startsWith('tag:') && f.values.every((v) => !/[*?\\]/.test(v)))
  return filter && { key: filter.name.slice(4), values: filter.values }
}

/** Lists the resources of a kind the caller sees, by id and filters, one page at a time. */
export async function describe<T>(
  ctx: Context,
  kind: ResourceKind,
  request: DescribeRequest,
  options: DescribeOptions<T>,
): Promise<{ items: Described<T>[]; nextToken?: string }> {
  checkIdsWithoutMaxResults(request.ids, request.maxResults, options.idParameter)
  if (!options.malformedIdsAreNotFound) for (const id of request.ids) checkId(kind.id, id)
  const wanted = request.ids.length > 0 ? [...new Set(request.ids)] : undefined
  const tagged = exactTagFilter(request.filters)
  let resources = await ctx.tx.list<T>(kind.type, {
    visibleTo: ctx.caller,
    ...(wanted ? { ids: wanted } : {}),
    ...(tagged ? { tagged } : {}),
  })
  if (options.visible) resources = resources.filter(options.visible)
  if (wanted) {
    const found = new Set(resources.map((r) => r.id))
    const missing = wanted.find((id) => !found.has(id))
    if (missing) throw errors.notFound(kind.id, missing)
  }
  const tags = await ctx.tx.tagsOf(
    ctx.caller,
    resources.map((r) => r.id),
  )
  const described = resources.map((resource) => ({ resource, tags: tags.get(resource.id) ?? [] }))
  const matches = compileFilters(request.filters, options.fields, (item: Described<T>) => item.tags)
  const page = paginate(described.filter(matches), request, (item) => storedPosition(item.resource))
  return { items: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

/** Tags of one resource as the caller sees them. */
export async function tagsOf(ctx: Context, id: string): Promise<Tag[]> {
  return (await ctx.tx.tagsOf(ctx.caller, [id])).get(id) ?? []
}

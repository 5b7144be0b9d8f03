import { errors } from '../domain/errors.js'
import { checkId, ids } from '../domain/ids.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import {
  joins,
  PEERING_KIND,
  type PeeringConnection,
  type PeeringStatusCode,
  settle,
} from '../domain/peering.js'
import {
  checkGroupText,
  checkRuleDescription,
  DEFAULT_GROUP_NAME,
  type Direction,
  type GroupReference,
  newGroupEgress,
  normalizeTraffic,
  type RuleSpec,
  ruleKey,
  ruleText,
  SECURITY_GROUP_LIMITS,
  type SecurityGroup,
  type SecurityGroupRule,
  shownPorts,
  withinRuleLimit,
  withRules,
} from '../domain/security-group.js'
import type { Vpc } from '../domain/vpc.js'
import { formatPrefix, parsePrefix } from '../net/prefix.js'
import type { Stored, Tag } from '../ports/store.js'
import type { Context } from './context.js'
import {
  checkIdsWithoutMaxResults,
  compileFilters,
  type PageRequest,
  paginate,
  storedPosition,
} from './describe.js'
import {
  type Described,
  type DescribeRequest,
  describe,
  findOwned,
  findVpcForCreate,
  kinds,
} from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/**
 * Security groups and their rules (spec §4.5, §6), including rules that name a group in a peer
 * VPC: allowed only through an active same-region peering, and stale once that peering or the
 * group is gone. Staleness is worked out when rules are read, so a new peering between the same
 * two VPCs revives them without anyone touching the rules.
 */

const groupKind = kinds.securityGroup
const DIRECTIONS: readonly Direction[] = ['ingress', 'egress']

// Names address groups in the default VPC only (EC2-Classic's way), and vpcpeer accounts have none.
const NAMES_NEED_DEFAULT_VPC = 'GroupName is only supported for EC2-Classic and default VPC.'
const MISSING_SOURCE = 'Missing source specification: include source security group or CIDR information'

// Inputs mirror the API's structures (IpPermissions.N.Groups.M …) in camelCase; any member may be
// missing, and the use cases answer that with AWS's errors.

export interface GroupPairInput {
  readonly groupId?: string
  readonly groupName?: string
  readonly userId?: string
  readonly vpcId?: string
  readonly vpcPeeringConnectionId?: string
  readonly peeringStatus?: string
  readonly description?: string
}

export interface IpPermissionInput {
  readonly ipProtocol?: string
  readonly fromPort?: number
  readonly toPort?: number
  readonly groups: readonly GroupPairInput[]
  readonly ipRanges: readonly { readonly cidrIp?: string; readonly description?: string }[]
  readonly ipv6Ranges: readonly { readonly cidrIpv6?: string; readonly description?: string }[]
  readonly prefixListIds: readonly { readonly prefixListId?: string; readonly description?: string }[]
}

/** The flat form of one ingress permission that older tools still send; egress does not accept it. */
export interface FlatIngressInput {
  readonly cidrIp?: string
  readonly ipProtocol?: string
  readonly fromPort?: number
  readonly toPort?: number
  readonly sourceSecurityGroupName?: string
  readonly sourceSecurityGroupOwnerId?: string
}

export interface GroupTarget {
  readonly groupId?: string
  readonly groupName?: string
}

export interface RuleChangeInput extends GroupTarget {
  readonly ipPermissions: readonly IpPermissionInput[]
  readonly flat?: FlatIngressInput
}

// Views: rules as the caller sees them now, with what their referenced groups have become.

export interface ReferenceView extends GroupReference {
  /** Left out once a group in another VPC is gone. */
  readonly groupName?: string
  /** For a group in another VPC: the status of the peering the rule goes through. */
  readonly peeringStatus?: PeeringStatusCode
  /** A group in another VPC that no active peering, or no longer any group, stands behind. */
  readonly stale: boolean
}

export interface RuleView extends Omit<SecurityGroupRule, 'referencedGroup'> {
  readonly referencedGroup?: ReferenceView
}

export interface GroupView {
  readonly group: SecurityGroup
  readonly ingress: readonly RuleView[]
  readonly egress: readonly RuleView[]
}

const rulesOf = (group: SecurityGroup) => [...group.ingress, ...group.egress]

/** The peering connections the caller sees, settled to now. */
async function connectionsOf(ctx: Context): Promise<PeeringConnection[]> {
  const stored = await ctx.tx.list<PeeringConnection>(PEERING_KIND, { visibleTo: ctx.caller })
  return stored.map((s) => settle(s.body, ctx.now))
}

/** Groups may be referenced across a peering only while it is active and within one region. */
const activeBetween = (connections: readonly PeeringConnection[], a: string, b: string) =>
  connections.find(
    (p) => p.status.code === 'active' && p.requester.region === p.accepter.region && joins(p, a, b),
  )

interface ReferenceIndex {
  rule(group: SecurityGroup, rule: SecurityGroupRule): RuleView
  group(group: SecurityGroup): GroupView
}

/** Loads, once per request, every group and peering the rules of these groups refer to. */
async function indexReferences(
  ctx: Context,
  groups: readonly SecurityGroup[],
  known?: readonly PeeringConnection[],
): Promise<ReferenceIndex> {
  const connections = known ?? (await connectionsOf(ctx))
  const references = groups.flatMap(rulesOf).flatMap((r) => (r.referencedGroup ? [r.referencedGroup] : []))
  const referenced = new Map<string, SecurityGroup | undefined>()
  for (const id of new Set(references.map((r) => r.groupId))) {
    referenced.set(id, (await ctx.tx.get<SecurityGroup>(groupKind.type, id))?.body)
  }
  const statuses = new Map<string, PeeringStatusCode>()
  for (const id of new Set(references.flatMap((r) => r.vpcPeeringConnectionId ?? []))) {
    const seen =
      connections.find((p) => p.vpcPeeringConnectionId === id) ??
      (await ctx.tx.get<PeeringConnection>(PEERING_KIND, id))?.body
    // A connection that is no longer stored at all can only have been deleted.
    statuses.set(id, seen ? settle(seen, ctx.now).status.code : 'deleted')
  }

  const referenceView = (group: SecurityGroup, ref: GroupReference): ReferenceView => {
    const inOtherVpc = ref.vpcId !== undefined && ref.vpcId !== group.vpcId
    const target = referenced.get(ref.groupId)
    const exists = target?.vpcId === (inOtherVpc ? ref.vpcId : group.vpcId)
    const named = { ...ref, ...(exists ? { groupName: target!.groupName } : {}) }
    if (!inOtherVpc) return { ...named, stale: false }
    const active = activeBetween(connections, group.vpcId, ref.vpcId!)
    return {
      ...named,
      vpcPeeringConnectionId: active?.vpcPeeringConnectionId ?? ref.vpcPeeringConnectionId,
      peeringStatus: active ? 'active' : (statuses.get(ref.vpcPeeringConnectionId ?? '') ?? 'deleted'),
      stale: !active || !exists,
    }
  }
  const rule = (group: SecurityGroup, { referencedGroup, ...r }: SecurityGroupRule): RuleView =>
    referencedGroup ? { ...r, referencedGroup: referenceView(group, referencedGroup) } : r
  return {
    rule,
    group: (group) => ({
      group,
      ingress: group.ingress.map((r) => rule(group, r)),
      egress: group.egress.map((r) => rule(group, r)),
    }),
  }
}

const isStale = (rule: RuleView) => rule.referencedGroup?.stale === true

/** The group an action works on, by id; a name would address the default VPC. */
async function targetGroup(ctx: Context, target: GroupTarget): Promise<Stored<SecurityGroup>> {
  if (target.groupName !== undefined) throw errors.noDefaultVpc(NAMES_NEED_DEFAULT_VPC)
  if (target.groupId === undefined) throw errors.missingParameter('GroupId')
  return findOwned<SecurityGroup>(ctx, groupKind, target.groupId)
}

/** A peer group by id; it must belong to the account the pair names (the caller's by default). */
async function groupById(ctx: Context, groupId: string, userId: string): Promise<Stored<SecurityGroup>> {
  checkId(groupKind.id, groupId)
  const group = await ctx.tx.get<SecurityGroup>(groupKind.type, groupId)
  if (!group || group.owner.accountId !== userId) throw errors.notFound(groupKind.id, groupId)
  return group
}

/** A source group named by name is looked up in the target group's own VPC [INF]. */
async function groupByName(ctx: Context, vpcId: string, name: string, userId: string) {
  const inVpc = await ctx.tx.list<SecurityGroup>(groupKind.type, { vpcId })
  const group = inVpc.find((g) => g.body.groupName === name && g.owner.accountId === userId)
  if (!group) throw errors.groupNameNotFound(name, vpcId)
  return group
}

async function pairedGroup(ctx: Context, target: SecurityGroup, pair: GroupPairInput) {
  const userId = pair.userId ?? ctx.caller.accountId
  if (pair.groupId !== undefined) return groupById(ctx, pair.groupId, userId)
  if (pair.groupName !== undefined) return groupByName(ctx, target.vpcId, pair.groupName, userId)
  throw errors.missingSpecification('Source group ID missing.')
}

type ResolveReference = (pair: GroupPairInput) => Promise<GroupReference>

/**
 * For a new rule: the group must be in the target's VPC, or in a VPC joined to it by an active
 * peering in the same region (spec §4.5); anything else belongs to a different network.
 */
function referencesForNewRules(
  ctx: Context,
  target: SecurityGroup,
  connections: readonly PeeringConnection[],
): ResolveReference {
  return async (pair) => {
    const { body: group } = await pairedGroup(ctx, target, pair)
    const reference = { groupId: group.groupId, userId: group.ownerId }
    if (group.vpcId === target.vpcId) return reference
    const peering = activeBetween(connections, target.vpcId, group.vpcId)
    if (!peering) throw errors.groupInDifferentNetwork()
    return { ...reference, vpcId: group.vpcId, vpcPeeringConnectionId: peering.vpcPeeringConnectionId }
  }
}

/** For a revoke: an id is enough, so rules whose group or peering is gone can still be removed. */
function referencesForRevoke(ctx: Context, target: SecurityGroup): ResolveReference {
  return async (pair) => {
    if (pair.groupId === undefined) {
      const { body: group } = await pairedGroup(ctx, target, pair)
      return { groupId: group.groupId, userId: group.ownerId }
    }
    return { groupId: checkId(groupKind.id, pair.groupId), userId: pair.userId ?? ctx.caller.accountId }
  }
}

function cidrOf(text: string | undefined, family: 4 | 6, parameter: string): string {
  if (text === undefined) throw errors.missingParameter(parameter)
  const prefix = parsePrefix(text)
  if (prefix?.family !== family) throw errors.invalidParameterValue(`CIDR block ${text} is malformed`)
  return formatPrefix(prefix)
}

const describedAs = (description: string | undefined) => {
  checkRuleDescription(description)
  return description === undefined ? {} : { description }
}

/** One rule per source of the permission, all with its protocol and ports. */
async function rulesFrom(permission: IpPermissionInput, resolve: ResolveReference): Promise<RuleSpec[]> {
  if (permission.ipProtocol === undefined) throw errors.missingParameter('IpProtocol')
  const traffic = normalizeTraffic(permission.ipProtocol, permission.fromPort, permission.toPort)
  const sources: Omit<RuleSpec, keyof typeof traffic>[] = [
    ...permission.ipRanges.map((r) => ({
      cidrIpv4: cidrOf(r.cidrIp, 4, 'CidrIp'),
      ...describedAs(r.description),
    })),
    ...permission.ipv6Ranges.map((r) => ({
      cidrIpv6: cidrOf(r.cidrIpv6, 6, 'CidrIpv6'),
      ...describedAs(r.description),
    })),
    ...permission.prefixListIds.map((p) => ({
      prefixListId: checkId(ids.prefixList, p.prefixListId ?? ''),
      ...describedAs(p.description),
    })),
  ]
  for (const pair of permission.groups) {
    sources.push({ referencedGroup: await resolve(pair), ...describedAs(pair.description) })
  }
  if (sources.length === 0) throw errors.missingSpecification(MISSING_SOURCE)
  return sources.map((source) => ({ ...traffic, ...source }))
}

const NO_SOURCES = { groups: [], ipRanges: [], ipv6Ranges: [], prefixListIds: [] }

/** The flat ingress parameters as permissions; a source group named there gets all ICMP, TCP and UDP. */
function flatPermissions(flat: FlatIngressInput): IpPermissionInput[] {
  const { sourceSecurityGroupName: name, sourceSecurityGroupOwnerId: ownerId, cidrIp, ...traffic } = flat
  const trafficGiven = cidrIp !== undefined || Object.values(traffic).some((v) => v !== undefined)
  if (name !== undefined) {
    if (trafficGiven) {
      throw errors.invalidParameterCombination(
        'SourceSecurityGroupName cannot be used with CidrIp, IpProtocol, FromPort or ToPort.',
      )
    }
    const source = { ...NO_SOURCES, groups: [{ groupName: name, ...(ownerId ? { userId: ownerId } : {}) }] }
    return [
      { ipProtocol: 'icmp', fromPort: -1, toPort: -1, ...source },
      { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, ...source },
      { ipProtocol: 'udp', fromPort: 0, toPort: 65535, ...source },
    ]
  }
  if (ownerId !== undefined) throw errors.missingSpecification('Source group ID missing.')
  if (!trafficGiven) return []
  if (cidrIp === undefined) throw errors.missingSpecification(MISSING_SOURCE)
  return [{ ...traffic, ...NO_SOURCES, ipRanges: [{ cidrIp }] }]
}

async function requestedRules(input: RuleChangeInput, resolve: ResolveReference): Promise<RuleSpec[]> {
  const flat = input.flat ? flatPermissions(input.flat) : []
  if (flat.length > 0 && input.ipPermissions.length > 0) {
    throw errors.invalidParameterCombination(
      'IpPermissions cannot be used with CidrIp, IpProtocol, FromPort, ToPort or SourceSecurityGroupName.',
    )
  }
  const specs: RuleSpec[] = []
  for (const permission of [...input.ipPermissions, ...flat])
    specs.push(...(await rulesFrom(permission, resolve)))
  return specs
}

async function removeRuleTags(ctx: Context, rules: readonly SecurityGroupRule[]) {
  for (const rule of rules) await ctx.tx.removeTags(ctx.caller, rule.ruleId)
}

/** Rules are tagged by their own ids; a group that goes takes its rules' tags with it. */
export const removeGroupRuleTags = (ctx: Context, group: SecurityGroup) =>
  removeRuleTags(ctx, [...group.ingress, ...group.egress])

export interface CreateGroupInput {
  readonly groupName: string
  readonly description: string
  readonly vpcId?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

export async function createSecurityGroup(ctx: Context, input: CreateGroupInput) {
  checkGroupText('GroupName', input.groupName)
  checkGroupText('GroupDescription', input.description)
  const tags = checkTagSpecifications(input.tagSpecifications, groupKind.type)
  if (input.vpcId === undefined) throw errors.noDefaultVpc()
  const vpc = await findVpcForCreate(ctx, input.vpcId)
  if (input.groupName === DEFAULT_GROUP_NAME) throw errors.groupReserved(input.groupName)
  const siblings = await ctx.tx.list<SecurityGroup>(groupKind.type, { vpcId: vpc.id })
  if (siblings.some((g) => g.body.groupName === input.groupName)) {
    throw errors.groupDuplicate(input.groupName, vpc.id)
  }
  const inRegion = await ctx.tx.list<SecurityGroup>(groupKind.type, { visibleTo: ctx.caller })
  if (inRegion.length >= SECURITY_GROUP_LIMITS.groupsPerRegion) {
    throw errors.limitExceeded(
      'SecurityGroupLimitExceeded',
      `The maximum number of security groups (${SECURITY_GROUP_LIMITS.groupsPerRegion}) for this region has been reached.`,
    )
  }
  const groupId = ctx.newId('sg')
  const group: SecurityGroup = {
    groupId,
    groupName: input.groupName,
    description: input.description,
    vpcId: vpc.id,
    ownerId: ctx.caller.accountId,
    region: ctx.caller.region,
    ingress: [],
    egress: [newGroupEgress(ctx.newId('sgr'))],
  }
  await ctx.tx.insert<SecurityGroup>({
    id: groupId,
    kind: groupKind.type,
    owner: ctx.caller,
    vpcId: vpc.id,
    body: group,
  })
  await applyTags(ctx, groupId, tags)
  return { group, tags }
}

/**
 * A network interface using the group, or a rule of another group in the same VPC naming it,
 * blocks the deletion; a rule in a peer VPC does not, and goes stale instead (spec §4.5).
 */
export async function deleteSecurityGroup(ctx: Context, target: GroupTarget): Promise<string> {
  const group = await targetGroup(ctx, target)
  if (group.body.groupName === DEFAULT_GROUP_NAME) throw errors.cannotDeleteDefaultGroup(group.id)
  const neighbours = await ctx.tx.list<SecurityGroup>(groupKind.type, { vpcId: group.body.vpcId })
  const referenced = neighbours.some(
    (n) => n.id !== group.id && rulesOf(n.body).some((r) => r.referencedGroup?.groupId === group.id),
  )
  const interfaces = await ctx.tx.list<NetworkInterface>(kinds.networkInterface.type, {
    visibleTo: ctx.caller,
  })
  const attached = interfaces.some((eni) => eni.body.groupIds.includes(group.id))
  if (referenced || attached) throw errors.groupInUse(group.id)
  await removeRuleTags(ctx, rulesOf(group.body))
  await ctx.tx.remove(group)
  return group.id
}

function permissionFields(prefix: string, direction: Direction, viewOf: (g: SecurityGroup) => GroupView) {
  const rules = (item: Described<SecurityGroup>) => viewOf(item.resource.body)[direction]
  const field = (pick: (rule: RuleView) => string | number | undefined) => (item: Described<SecurityGroup>) =>
    rules(item).map(pick)
  return {
    [`${prefix}ip-permission.cidr`]: field((r) => r.cidrIpv4),
    [`${prefix}ip-permission.from-port`]: field((r) => shownPorts(r).fromPort),
    [`${prefix}ip-permission.group-id`]: field((r) => r.referencedGroup?.groupId),
    [`${prefix}ip-permission.group-name`]: field((r) => r.referencedGroup?.groupName),
    [`${prefix}ip-permission.ipv6-cidr`]: field((r) => r.cidrIpv6),
    [`${prefix}ip-permission.prefix-list-id`]: field((r) => r.prefixListId),
    [`${prefix}ip-permission.protocol`]: field((r) => r.ipProtocol),
    [`${prefix}ip-permission.to-port`]: field((r) => shownPorts(r).toPort),
    [`${prefix}ip-permission.user-id`]: field((r) => r.referencedGroup?.userId),
  }
}

export async function describeSecurityGroups(
  ctx: Context,
  request: DescribeRequest,
  groupNames: readonly string[],
) {
  if (groupNames.length > 0) throw errors.noDefaultVpc(NAMES_NEED_DEFAULT_VPC)
  const owned = await ctx.tx.list<SecurityGroup>(groupKind.type, { visibleTo: ctx.caller })
  const index = await indexReferences(
    ctx,
    owned.map((g) => g.body),
  )
  const views = new Map<string, GroupView>()
  const viewOf = (group: SecurityGroup) => {
    const view = views.get(group.groupId) ?? index.group(group)
    views.set(group.groupId, view)
    return view
  }
  const page = await describe<SecurityGroup>(ctx, groupKind, request, {
    idParameter: 'GroupId',
    fields: {
      description: ({ resource }) => resource.body.description,
      'group-id': ({ resource }) => resource.id,
      'group-name': ({ resource }) => resource.body.groupName,
      'owner-id': ({ resource }) => resource.body.ownerId,
      'vpc-id': ({ resource }) => resource.body.vpcId,
      ...permissionFields('', 'ingress', viewOf),
      ...permissionFields('egress.', 'egress', viewOf),
    },
  })
  return {
    items: page.items.map(({ resource, tags }) => ({ view: viewOf(resource.body), tags })),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  }
}

export async function authorizeRules(
  ctx: Context,
  direction: Direction,
  input: RuleChangeInput & { readonly tagSpecifications: readonly TagSpecification[] },
) {
  const tags = checkTagSpecifications(input.tagSpecifications, kinds.securityGroupRule.type)
  const group = await targetGroup(ctx, input)
  const connections = await connectionsOf(ctx)
  const specs = await requestedRules(input, referencesForNewRules(ctx, group.body, connections))
  if (specs.length === 0) throw errors.missingParameter('IpPermissions')
  const requested = new Set<string>()
  for (const spec of specs) {
    if (requested.has(ruleKey(spec))) throw errors.permissionRepeated()
    requested.add(ruleKey(spec))
  }
  const existing = new Set(group.body[direction].map(ruleKey))
  const duplicate = specs.find((spec) => existing.has(ruleKey(spec)))
  if (duplicate) throw errors.permissionDuplicate(ruleText(duplicate))
  const created = specs.map((spec): SecurityGroupRule => ({ ruleId: ctx.newId('sgr'), ...spec }))
  const rules = [...group.body[direction], ...created]
  if (!withinRuleLimit(rules)) {
    throw errors.limitExceeded(
      'RulesPerSecurityGroupLimitExceeded',
      'The maximum number of rules per security group has been reached.',
    )
  }
  const updated = await ctx.tx.update(group, withRules(group.body, direction, rules))
  for (const rule of created) await applyTags(ctx, rule.ruleId, tags)
  const index = await indexReferences(ctx, [updated.body], connections)
  return { group: updated.body, rules: created.map((rule) => index.rule(updated.body, rule)), tags }
}

/**
 * Removes rules named by id or matched by protocol, ports and peer. Every VPC in vpcpeer is a
 * nondefault one, where a permission that matches no rule fails the whole request.
 */
export async function revokeRules(
  ctx: Context,
  direction: Direction,
  input: RuleChangeInput & { readonly ruleIds: readonly string[] },
) {
  const group = await targetGroup(ctx, input)
  const current = group.body[direction]
  const revoked = new Map<string, SecurityGroupRule>()
  for (const id of input.ruleIds) {
    checkId(ids.securityGroupRule, id)
    const rule = current.find((r) => r.ruleId === id)
    if (!rule) throw errors.notFound(ids.securityGroupRule, id)
    revoked.set(id, rule)
  }
  const byKey = new Map(current.map((r) => [ruleKey(r), r]))
  for (const spec of await requestedRules(input, referencesForRevoke(ctx, group.body))) {
    const rule = byKey.get(ruleKey(spec))
    if (!rule) throw errors.permissionNotFound()
    revoked.set(rule.ruleId, rule)
  }
  if (revoked.size === 0) throw errors.missingParameter('IpPermissions')
  await ctx.tx.update(
    group,
    withRules(
      group.body,
      direction,
      current.filter((r) => !revoked.has(r.ruleId)),
    ),
  )
  await removeRuleTags(ctx, [...revoked.values()])
  return { group: group.body, revoked: [...revoked.values()] }
}

export interface RuleItem {
  readonly group: SecurityGroup
  readonly direction: Direction
  readonly rule: RuleView
  readonly tags: readonly Tag[]
}

export async function describeSecurityGroupRules(ctx: Context, request: DescribeRequest) {
  checkIdsWithoutMaxResults(request.ids, request.maxResults, 'SecurityGroupRuleId')
  for (const id of request.ids) checkId(ids.securityGroupRule, id)
  const groups = await ctx.tx.list<SecurityGroup>(groupKind.type, { visibleTo: ctx.caller })
  const index = await indexReferences(
    ctx,
    groups.map((g) => g.body),
  )
  // Within a group, rules go by id, so a page token stays right when rules come and go.
  const all = groups.flatMap((stored) =>
    DIRECTIONS.flatMap((direction) => stored.body[direction].map((rule) => ({ stored, direction, rule })))
      .sort((a, b) => (a.rule.ruleId < b.rule.ruleId ? -1 : 1))
      .map((item) => ({ ...item, rule: index.rule(stored.body, item.rule) })),
  )
  const wanted = new Set(request.ids)
  const missing = request.ids.find((id) => !all.some((item) => item.rule.ruleId === id))
  if (missing) throw errors.notFound(ids.securityGroupRule, missing)
  const selected = wanted.size > 0 ? all.filter((item) => wanted.has(item.rule.ruleId)) : all
  const tags = await ctx.tx.tagsOf(
    ctx.caller,
    selected.map((item) => item.rule.ruleId),
  )
  const described = selected.map((item) => ({ ...item, tags: tags.get(item.rule.ruleId) ?? [] }))
  const matches = compileFilters<(typeof described)[number]>(
    request.filters,
    {
      'group-id': (item) => item.stored.id,
      'security-group-rule-id': (item) => item.rule.ruleId,
    },
    (item) => item.tags,
  )
  const page = paginate(described.filter(matches), request, (item) => [
    item.stored.createdRevision,
    `${item.stored.id}/${item.rule.ruleId}`,
  ])
  return {
    items: page.items.map(
      ({ stored, direction, rule, tags }): RuleItem => ({ group: stored.body, direction, rule, tags }),
    ),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  }
}

export interface RuleUpdateInput {
  readonly securityGroupRuleId?: string
  readonly securityGroupRule?: {
    readonly ipProtocol?: string
    readonly fromPort?: number
    readonly toPort?: number
    readonly cidrIpv4?: string
    readonly cidrIpv6?: string
    readonly prefixListId?: string
    readonly referencedGroupId?: string
    readonly description?: string
  }
}

/** A rule keeps what kind of peer it has: a CIDR stays a CIDR of its family, and so on. */
const PEER_KINDS = [
  { field: 'cidrIpv4', parameter: 'CidrIpv4', noun: 'IPv4 CIDR' },
  { field: 'cidrIpv6', parameter: 'CidrIpv6', noun: 'IPv6 CIDR' },
  { field: 'prefixListId', parameter: 'PrefixListId', noun: 'prefix list' },
  { field: 'referencedGroup', parameter: 'a referenced group id', noun: 'referenced group' },
] as const

const peerKindOf = (rule: RuleSpec) => PEER_KINDS.find((k) => rule[k.field] !== undefined)!

/** An update as the one permission it describes; a peer group keeps the account it had. */
function permissionOfUpdate(
  update: NonNullable<RuleUpdateInput['securityGroupRule']>,
  current: SecurityGroupRule,
): IpPermissionInput {
  const { description } = update
  const sameGroup = current.referencedGroup?.groupId === update.referencedGroupId
  return {
    ...(update.ipProtocol !== undefined ? { ipProtocol: update.ipProtocol } : {}),
    ...(update.fromPort !== undefined ? { fromPort: update.fromPort } : {}),
    ...(update.toPort !== undefined ? { toPort: update.toPort } : {}),
    ipRanges: update.cidrIpv4 !== undefined ? [{ cidrIp: update.cidrIpv4, description }] : [],
    ipv6Ranges: update.cidrIpv6 !== undefined ? [{ cidrIpv6: update.cidrIpv6, description }] : [],
    prefixListIds:
      update.prefixListId !== undefined ? [{ prefixListId: update.prefixListId, description }] : [],
    groups:
      update.referencedGroupId !== undefined
        ? [
            {
              groupId: update.referencedGroupId,
              description,
              ...(sameGroup ? { userId: current.referencedGroup!.userId } : {}),
            },
          ]
        : [],
  }
}

/** Replaces rules in place: same id, same direction, same kind of peer, new everything else. */
export async function modifySecurityGroupRules(
  ctx: Context,
  groupId: string,
  updates: readonly RuleUpdateInput[],
) {
  if (updates.length === 0) throw errors.missingParameter('SecurityGroupRule')
  const group = await findOwned<SecurityGroup>(ctx, groupKind, groupId)
  const resolve = referencesForNewRules(ctx, group.body, await connectionsOf(ctx))
  let body = group.body
  for (const update of updates) {
    if (update.securityGroupRuleId === undefined) throw errors.missingParameter('SecurityGroupRuleId')
    const id = checkId(ids.securityGroupRule, update.securityGroupRuleId)
    const direction = DIRECTIONS.find((d) => body[d].some((r) => r.ruleId === id))
    if (!direction) throw errors.notFound(ids.securityGroupRule, id)
    if (update.securityGroupRule === undefined) throw errors.missingParameter('SecurityGroupRule')
    const current = body[direction].find((r) => r.ruleId === id)!
    const specs = await rulesFrom(permissionOfUpdate(update.securityGroupRule, current), resolve)
    if (specs.length > 1) {
      throw errors.invalidParameterCombination(
        'Only one of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId may be specified.',
      )
    }
    const replacement: SecurityGroupRule = { ruleId: id, ...specs[0]! }
    const wanted = peerKindOf(replacement)
    const had = peerKindOf(current)
    if (wanted !== had) {
      throw errors.invalidParameterValue(
        `Invalid rule type for security group rule '${id}'. You may not specify ${wanted.parameter} for an existing ${had.noun} rule.`,
      )
    }
    const others = body[direction].filter((r) => r.ruleId !== id)
    if (others.some((r) => ruleKey(r) === ruleKey(replacement))) {
      throw errors.permissionDuplicate(ruleText(replacement))
    }
    body = withRules(
      body,
      direction,
      body[direction].map((r) => (r.ruleId === id ? replacement : r)),
    )
  }
  await ctx.tx.update(group, body)
}

export interface SecurityGroupReference {
  readonly groupId: string
  readonly referencingVpcId: string
  readonly vpcPeeringConnectionId: string
}

/**
 * The VPCs across an active peering whose groups have rules naming the given groups. Those
 * groups may belong to other accounts, so every group is read, not only the caller's.
 */
export async function describeSecurityGroupReferences(ctx: Context, groupIds: readonly string[]) {
  const targets: Stored<SecurityGroup>[] = []
  for (const id of groupIds) targets.push(await findOwned<SecurityGroup>(ctx, groupKind, id))
  const connections = await connectionsOf(ctx)
  const everyGroup = await ctx.tx.list<SecurityGroup>(groupKind.type)
  const references: SecurityGroupReference[] = []
  for (const target of targets) {
    const referencing = new Set(
      everyGroup
        .filter(
          (g) =>
            g.body.vpcId !== target.body.vpcId &&
            rulesOf(g.body).some((r) => r.referencedGroup?.groupId === target.id),
        )
        .map((g) => g.body.vpcId),
    )
    for (const vpcId of referencing) {
      const peering = activeBetween(connections, target.body.vpcId, vpcId)
      if (peering) {
        references.push({
          groupId: target.id,
          referencingVpcId: vpcId,
          vpcPeeringConnectionId: peering.vpcPeeringConnectionId,
        })
      }
    }
  }
  return references
}

/** The groups of a VPC that have stale rules, each with only those rules. */
export async function describeStaleSecurityGroups(
  ctx: Context,
  request: PageRequest & { readonly vpcId: string },
) {
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, request.vpcId)
  const groups = await ctx.tx.list<SecurityGroup>(groupKind.type, { vpcId: vpc.id })
  const index = await indexReferences(
    ctx,
    groups.map((g) => g.body),
  )
  const stale = groups
    .map((stored) => {
      const view = index.group(stored.body)
      return {
        stored,
        view: { ...view, ingress: view.ingress.filter(isStale), egress: view.egress.filter(isStale) },
      }
    })
    .filter(({ view }) => view.ingress.length + view.egress.length > 0)
  const page = paginate(stale, request, ({ stored }) => storedPosition(stored))
  return {
    items: page.items.map(({ view }): GroupView => view),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  }
}

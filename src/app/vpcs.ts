import { errors } from '../domain/errors.js'
import { defaultAclEntries, defaultIpv6Entries, type NetworkAcl } from '../domain/network-acl.js'
import { localRoute, type RouteTable } from '../domain/route-table.js'
import { defaultSecurityGroup, type SecurityGroup } from '../domain/security-group.js'
import { type CidrAssociation, type Ipv6Association, VPC_LIMITS, type Vpc, vpcCidrs } from '../domain/vpc.js'
import { contains, formatPrefix, overlaps, type Prefix, parsePrefix, prefixAt } from '../net/prefix.js'
import { stableHex } from '../ports/ids.js'
import type { Context } from './context.js'
import { checkNewVpcBlock, failOverlappedRequests, releasePeeringsOfVpc } from './peering.js'
import { type DescribeRequest, describe, findOwned, kinds } from './resources.js'
import { removeGroupRuleTags } from './security-groups.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/** Each account has one default DHCP option set per region; its id is stable. */
export const dhcpOptionsId = (accountId: string, region: string) =>
  `dopt-${stableHex(`${accountId}/${region}`, 17)}`

export interface CreateVpcInput {
  readonly cidrBlock?: string
  readonly amazonProvidedIpv6CidrBlock?: boolean
  readonly instanceTenancy?: Vpc['instanceTenancy']
  readonly tagSpecifications: readonly TagSpecification[]
}

/** Parses an IPv4 block a VPC may hold: /16 to /28, host bits cleared. */
function vpcIpv4Block(name: string, text: string): Prefix {
  const prefix = parsePrefix(text)
  if (prefix?.family !== 4) throw errors.invalidCidr(name, text)
  if (prefix.length < 16 || prefix.length > 28) throw errors.invalidVpcRange(text)
  return prefix
}

// Amazon-provided IPv6 blocks are /56s carved from this pool; the random part keeps two
// vpcpeer estates from handing out the same blocks.
const IPV6_POOL = parsePrefix('2600:1f00::/24')!

async function allocateIpv6Block(ctx: Context): Promise<string> {
  const taken = new Set(
    (await ctx.tx.list<Vpc>(kinds.vpc.type)).flatMap((vpc) =>
      vpc.body.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
    ),
  )
  for (;;) {
    const offset = BigInt(Math.floor(Math.random() * 2 ** 32)) << 72n
    const block = formatPrefix(prefixAt(6, IPV6_POOL.start + offset, 56))
    if (!taken.has(block)) return block
  }
}

export async function createVpc(ctx: Context, input: CreateVpcInput) {
  if (input.cidrBlock === undefined) throw errors.missingParameter('CidrBlock')
  const primary = formatPrefix(vpcIpv4Block('cidrBlock', input.cidrBlock))
  const tags = checkTagSpecifications(input.tagSpecifications, kinds.vpc.type)
  const { accountId, region } = ctx.caller
  const vpcId = ctx.newId('vpc')
  const ipv6 = input.amazonProvidedIpv6CidrBlock ? await allocateIpv6Block(ctx) : undefined
  const vpc: Vpc = {
    vpcId,
    ownerId: accountId,
    region,
    cidrBlock: primary,
    cidrBlockAssociations: [{ associationId: ctx.newId('vpc-cidr-assoc'), cidrBlock: primary }],
    ipv6CidrBlockAssociations: ipv6
      ? [{ associationId: ctx.newId('vpc-cidr-assoc'), ipv6CidrBlock: ipv6, networkBorderGroup: region }]
      : [],
    instanceTenancy: input.instanceTenancy ?? 'default',
    enableDnsSupport: true,
    enableDnsHostnames: false,
    enableNetworkAddressUsageMetrics: false,
    mainRouteTableId: ctx.newId('rtb'),
    defaultNetworkAclId: ctx.newId('acl'),
    defaultSecurityGroupId: ctx.newId('sg'),
  }
  const inVpc = { owner: ctx.caller, vpcId }
  const stored = await ctx.tx.insert<Vpc>({ ...inVpc, id: vpcId, kind: kinds.vpc.type, body: vpc })
  await ctx.tx.insert<RouteTable>({
    ...inVpc,
    id: vpc.mainRouteTableId,
    kind: kinds.routeTable.type,
    body: {
      routeTableId: vpc.mainRouteTableId,
      vpcId,
      ownerId: accountId,
      routes: vpcCidrs(vpc).map(localRoute),
      associations: [{ routeTableAssociationId: ctx.newId('rtbassoc'), main: true }],
      propagatingVgws: [],
    },
  })
  await ctx.tx.insert<NetworkAcl>({
    ...inVpc,
    id: vpc.defaultNetworkAclId,
    kind: kinds.networkAcl.type,
    body: {
      networkAclId: vpc.defaultNetworkAclId,
      vpcId,
      ownerId: accountId,
      isDefault: true,
      entries: defaultAclEntries(ipv6 !== undefined),
      associations: [],
    },
  })
  await ctx.tx.insert<SecurityGroup>({
    ...inVpc,
    id: vpc.defaultSecurityGroupId,
    kind: kinds.securityGroup.type,
    body: defaultSecurityGroup(
      { groupId: vpc.defaultSecurityGroupId, vpcId, ownerId: accountId, region },
      () => ctx.newId('sgr'),
      ipv6 !== undefined,
    ),
  })
  await applyTags(ctx, vpcId, tags)
  return { vpc: stored.body, tags }
}

const defaultsOf = (vpc: Vpc) =>
  new Set([vpc.mainRouteTableId, vpc.defaultNetworkAclId, vpc.defaultSecurityGroupId])

/** Deletes a VPC with nothing left in it but what AWS created with it. */
export async function deleteVpc(ctx: Context, vpcId: string) {
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, vpcId)
  await releasePeeringsOfVpc(ctx, vpcId)
  const defaults = defaultsOf(vpc.body)
  const contents = (await ctx.tx.inVpc(vpcId)).filter((r) => r.id !== vpcId)
  if (contents.some((r) => !defaults.has(r.id))) throw errors.dependencyViolation('vpc', vpcId)
  for (const resource of contents) {
    if (resource.kind === kinds.securityGroup.type)
      await removeGroupRuleTags(ctx, resource.body as SecurityGroup)
    await ctx.tx.remove(resource)
  }
  await ctx.tx.remove(vpc)
}

export function describeVpcs(ctx: Context, request: DescribeRequest) {
  return describe<Vpc>(ctx, kinds.vpc, request, {
    idParameter: 'VpcId',
    malformedIdsAreNotFound: true,
    fields: {
      cidr: ({ resource }) => resource.body.cidrBlock,
      'cidr-block-association.cidr-block': ({ resource }) =>
        resource.body.cidrBlockAssociations.map((a) => a.cidrBlock),
      'cidr-block-association.association-id': ({ resource }) =>
        resource.body.cidrBlockAssociations.map((a) => a.associationId),
      'cidr-block-association.state': ({ resource }) =>
        resource.body.cidrBlockAssociations.map(() => 'associated'),
      'dhcp-options-id': ({ resource }) => dhcpOptionsId(resource.owner.accountId, resource.owner.region),
      'ipv6-cidr-block-association.ipv6-cidr-block': ({ resource }) =>
        resource.body.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
      'ipv6-cidr-block-association.ipv6-pool': ({ resource }) =>
        resource.body.ipv6CidrBlockAssociations.map(() => 'Amazon'),
      'ipv6-cidr-block-association.association-id': ({ resource }) =>
        resource.body.ipv6CidrBlockAssociations.map((a) => a.associationId),
      'ipv6-cidr-block-association.state': ({ resource }) =>
        resource.body.ipv6CidrBlockAssociations.map(() => 'associated'),
      'is-default': () => false,
      'owner-id': ({ resource }) => resource.body.ownerId,
      state: () => 'available',
      'vpc-id': ({ resource }) => resource.id,
    },
  })
}

export type VpcAttribute = 'enableDnsSupport' | 'enableDnsHostnames' | 'enableNetworkAddressUsageMetrics'

export async function modifyVpcAttribute(
  ctx: Context,
  vpcId: string,
  changes: Partial<Record<VpcAttribute, boolean>>,
) {
  const names = Object.keys(changes) as VpcAttribute[]
  if (names.length === 0) {
    throw errors.missingParameter('EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics')
  }
  if (names.length > 1) {
    throw errors.invalidParameterCombination(
      `Fields for multiple attribute types specified: ${names.join(', ')}`,
    )
  }
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, vpcId)
  await ctx.tx.update(vpc, { ...vpc.body, ...changes })
}

export async function describeVpcAttribute(ctx: Context, vpcId: string, attribute: VpcAttribute) {
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, vpcId)
  return { vpcId, attribute, value: vpc.body[attribute] }
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((text) => parsePrefix(text)!)
const rfc1918RangeOf = (prefix: Prefix) => RFC1918.find((range) => contains(range, prefix))

/**
 * AWS's mixing rules, simplified to their core: a VPC whose primary block is in one RFC 1918
 * range cannot add a block from another, and 198.19.0.0/16 cannot join an RFC 1918 VPC.
 */
function checkIpv4Addition(vpc: Vpc, prefix: Prefix, text: string) {
  const primary = parsePrefix(vpc.cidrBlock)!
  const primaryRange = rfc1918RangeOf(primary)
  const newRange = rfc1918RangeOf(prefix)
  const restricted =
    (primaryRange && newRange && primaryRange !== newRange) ||
    (primaryRange && overlaps(prefix, parsePrefix('198.19.0.0/16')!))
  if (restricted) throw errors.restrictedVpcCidr(text)
  if (vpcCidrs(vpc).some((existing) => overlaps(parsePrefix(existing)!, prefix)))
    throw errors.cidrConflict(text)
}

async function addLocalRoutes(ctx: Context, vpcId: string, cidr: string) {
  for (const table of await ctx.tx.list<RouteTable>(kinds.routeTable.type, { vpcId })) {
    await ctx.tx.update(table, { ...table.body, routes: [...table.body.routes, localRoute(cidr)] })
  }
}

export interface CidrAssociationResult {
  readonly vpcId: string
  readonly cidrBlockAssociation?: CidrAssociation
  readonly ipv6CidrBlockAssociation?: Ipv6Association
}

export async function associateVpcCidrBlock(
  ctx: Context,
  input: { vpcId: string; cidrBlock?: string; amazonProvidedIpv6CidrBlock?: boolean },
): Promise<CidrAssociationResult> {
  const wantsIpv6 = input.amazonProvidedIpv6CidrBlock === true
  if ((input.cidrBlock !== undefined) === wantsIpv6) {
    throw errors.invalidParameterCombination(
      'Exactly one of CidrBlock or AmazonProvidedIpv6CidrBlock must be specified.',
    )
  }
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, input.vpcId)
  if (input.cidrBlock !== undefined) {
    const prefix = vpcIpv4Block('cidrBlock', input.cidrBlock)
    const cidrBlock = formatPrefix(prefix)
    if (vpc.body.cidrBlockAssociations.length >= VPC_LIMITS.ipv4Blocks) {
      throw errors.cidrLimitExceeded(
        `This network '${vpc.id}' has met its maximum number of allowed CIDRs: ${VPC_LIMITS.ipv4Blocks}`,
      )
    }
    checkIpv4Addition(vpc.body, prefix, cidrBlock)
    await checkNewVpcBlock(ctx, vpc, prefix, cidrBlock)
    const association = { associationId: ctx.newId('vpc-cidr-assoc'), cidrBlock }
    await ctx.tx.update(vpc, {
      ...vpc.body,
      cidrBlockAssociations: [...vpc.body.cidrBlockAssociations, association],
    })
    await addLocalRoutes(ctx, vpc.id, cidrBlock)
    await failOverlappedRequests(ctx, vpc, prefix)
    return { vpcId: vpc.id, cidrBlockAssociation: association }
  }
  if (vpc.body.ipv6CidrBlockAssociations.length >= VPC_LIMITS.ipv6Blocks) {
    throw errors.cidrLimitExceeded(
      `This network '${vpc.id}' has met its maximum number of allowed IPv6 CIDRs: ${VPC_LIMITS.ipv6Blocks}`,
    )
  }
  const ipv6CidrBlock = await allocateIpv6Block(ctx)
  const ipv6Prefix = parsePrefix(ipv6CidrBlock)!
  await checkNewVpcBlock(ctx, vpc, ipv6Prefix, ipv6CidrBlock)
  const association = {
    associationId: ctx.newId('vpc-cidr-assoc'),
    ipv6CidrBlock,
    networkBorderGroup: vpc.owner.region,
  }
  await ctx.tx.update(vpc, {
    ...vpc.body,
    ipv6CidrBlockAssociations: [...vpc.body.ipv6CidrBlockAssociations, association],
  })
  await addLocalRoutes(ctx, vpc.id, ipv6CidrBlock)
  await failOverlappedRequests(ctx, vpc, ipv6Prefix)
  if (vpc.body.ipv6CidrBlockAssociations.length === 0) await addDefaultIpv6Rules(ctx, vpc.body)
  return { vpcId: vpc.id, ipv6CidrBlockAssociation: association }
}

/** A VPC's first IPv6 block opens the default ACL and default group to IPv6, as AWS does. */
async function addDefaultIpv6Rules(ctx: Context, vpc: Vpc) {
  const acl = await ctx.tx.get<NetworkAcl>(kinds.networkAcl.type, vpc.defaultNetworkAclId)
  if (acl && !acl.body.entries.some((e) => e.ipv6CidrBlock)) {
    await ctx.tx.update(acl, { ...acl.body, entries: [...acl.body.entries, ...defaultIpv6Entries()] })
  }
  const group = await ctx.tx.get<SecurityGroup>(kinds.securityGroup.type, vpc.defaultSecurityGroupId)
  if (group && !group.body.egress.some((r) => r.cidrIpv6)) {
    const rule = { ruleId: ctx.newId('sgr'), ipProtocol: '-1', cidrIpv6: '::/0' }
    await ctx.tx.update(group, { ...group.body, egress: [...group.body.egress, rule] })
  }
}

export async function disassociateVpcCidrBlock(
  ctx: Context,
  associationId: string,
): Promise<CidrAssociationResult> {
  const vpcs = await ctx.tx.list<Vpc>(kinds.vpc.type, { visibleTo: ctx.caller })
  for (const vpc of vpcs) {
    const ipv4 = vpc.body.cidrBlockAssociations.find((a) => a.associationId === associationId)
    const ipv6 = vpc.body.ipv6CidrBlockAssociations.find((a) => a.associationId === associationId)
    if (!ipv4 && !ipv6) continue
    const block = ipv4?.cidrBlock ?? ipv6!.ipv6CidrBlock
    if (ipv4 && ipv4.cidrBlock === vpc.body.cidrBlock) {
      throw errors.operationNotPermitted(
        `The vpc CIDR block with association ID ${associationId} may not be disassociated. It is the primary IPv4 CIDR block of the VPC`,
      )
    }
    const prefix = parsePrefix(block)!
    const subnets = await ctx.tx.list<{
      cidrBlock?: string
      ipv6CidrBlockAssociations: { ipv6CidrBlock: string }[]
    }>(kinds.subnet.type, { vpcId: vpc.id })
    const inUse = subnets.some((s) =>
      [s.body.cidrBlock, ...s.body.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock)].some(
        (cidr) => cidr !== undefined && overlaps(parsePrefix(cidr)!, prefix),
      ),
    )
    if (inUse) throw errors.cidrAssociationInUse(associationId)
    await ctx.tx.update(vpc, {
      ...vpc.body,
      cidrBlockAssociations: vpc.body.cidrBlockAssociations.filter((a) => a.associationId !== associationId),
      ipv6CidrBlockAssociations: vpc.body.ipv6CidrBlockAssociations.filter(
        (a) => a.associationId !== associationId,
      ),
    })
    for (const table of await ctx.tx.list<RouteTable>(kinds.routeTable.type, { vpcId: vpc.id })) {
      const routes = table.body.routes.filter(
        (r) => !(r.gatewayId === 'local' && (r.destinationCidrBlock ?? r.destinationIpv6CidrBlock) === block),
      )
      await ctx.tx.update(table, { ...table.body, routes })
    }
    return { vpcId: vpc.id, ...(ipv4 ? { cidrBlockAssociation: ipv4 } : { ipv6CidrBlockAssociation: ipv6! }) }
  }
  throw errors.invalidCidrAssociation(associationId)
}

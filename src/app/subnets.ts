import { errors } from '../domain/errors.js'
import type { NetworkAcl } from '../domain/network-acl.js'
import { availabilityZones } from '../domain/regions.js'
import type { RouteTable } from '../domain/route-table.js'
import { RESERVED_ADDRESSES_PER_SUBNET, type Subnet } from '../domain/subnet.js'
import { VPC_LIMITS } from '../domain/vpc.js'
import { contains, formatPrefix, overlaps, type Prefix, parsePrefix, size } from '../net/prefix.js'
import type { Stored } from '../ports/store.js'
import type { Context } from './context.js'
import { type DescribeRequest, describe, findOwned, findVpcForCreate, kinds } from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

export interface CreateSubnetInput {
  readonly vpcId: string
  readonly cidrBlock?: string
  readonly ipv6CidrBlock?: string
  readonly ipv6Native?: boolean
  readonly availabilityZone?: string
  readonly availabilityZoneId?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

function chooseZone(ctx: Context, input: CreateSubnetInput, subnetCount: number) {
  const zones = availabilityZones(ctx.caller.region)
  const wanted = input.availabilityZone ?? input.availabilityZoneId
  if (wanted === undefined) return zones[subnetCount % zones.length]!
  const zone = zones.find((z) => z.zoneName === wanted || z.zoneId === wanted)
  if (!zone) {
    const name = input.availabilityZone !== undefined ? 'availabilityZone' : 'availabilityZoneId'
    throw errors.invalidValue(
      name,
      wanted,
      `Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.zoneName).join(', ')}.`,
    )
  }
  return zone
}

/** Checks a subnet block: inside one of the VPC's blocks, and clear of its sibling subnets. */
function checkSubnetBlock(text: string, prefix: Prefix, vpcBlocks: string[], siblings: string[]) {
  if (!vpcBlocks.some((block) => contains(parsePrefix(block)!, prefix))) throw errors.invalidSubnetRange(text)
  if (siblings.some((block) => overlaps(parsePrefix(block)!, prefix))) throw errors.subnetConflict(text)
}

const subnetBlocks = (subnet: Subnet) => [
  ...(subnet.cidrBlock ? [subnet.cidrBlock] : []),
  ...subnet.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
]

export async function createSubnet(ctx: Context, input: CreateSubnetInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, kinds.subnet.type)
  if (input.cidrBlock === undefined && !input.ipv6Native) throw errors.missingParameter('CidrBlock')
  if (input.ipv6Native && input.ipv6CidrBlock === undefined) throw errors.missingParameter('Ipv6CidrBlock')
  if (input.ipv6Native && input.cidrBlock !== undefined) {
    throw errors.invalidParameterCombination('CidrBlock cannot be specified for an IPv6-only subnet.')
  }
  const vpc = await findVpcForCreate(ctx, input.vpcId)
  const siblings = await ctx.tx.list<Subnet>(kinds.subnet.type, { vpcId: vpc.id })
  if (siblings.length >= VPC_LIMITS.subnets) {
    throw errors.limitExceeded(
      'SubnetLimitExceeded',
      `The maximum number of subnets (${VPC_LIMITS.subnets}) has been reached.`,
    )
  }
  const siblingBlocks = siblings.flatMap((s) => subnetBlocks(s.body))

  let cidrBlock: string | undefined
  if (input.cidrBlock !== undefined) {
    const prefix = parsePrefix(input.cidrBlock)
    if (prefix?.family !== 4) throw errors.invalidCidr('cidrBlock', input.cidrBlock)
    if (prefix.length < 16 || prefix.length > 28) throw errors.invalidSubnetRange(input.cidrBlock)
    cidrBlock = formatPrefix(prefix)
    checkSubnetBlock(
      cidrBlock,
      prefix,
      vpc.body.cidrBlockAssociations.map((a) => a.cidrBlock),
      siblingBlocks,
    )
  }
  let ipv6CidrBlock: string | undefined
  if (input.ipv6CidrBlock !== undefined) {
    const prefix = parsePrefix(input.ipv6CidrBlock)
    if (prefix?.family !== 6) throw errors.invalidCidr('ipv6CidrBlock', input.ipv6CidrBlock)
    if (prefix.length !== 64) throw errors.invalidSubnetRange(input.ipv6CidrBlock)
    ipv6CidrBlock = formatPrefix(prefix)
    checkSubnetBlock(
      ipv6CidrBlock,
      prefix,
      vpc.body.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
      siblingBlocks,
    )
  }
  const zone = chooseZone(ctx, input, siblings.length)
  const subnetId = ctx.newId('subnet')
  const subnet: Subnet = {
    subnetId,
    vpcId: vpc.id,
    ownerId: ctx.caller.accountId,
    region: ctx.caller.region,
    ...(cidrBlock ? { cidrBlock } : {}),
    ipv6CidrBlockAssociations: ipv6CidrBlock
      ? [{ associationId: ctx.newId('subnet-cidr-assoc'), ipv6CidrBlock }]
      : [],
    availabilityZone: zone.zoneName,
    availabilityZoneId: zone.zoneId,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    enableDns64: false,
    ipv6Native: input.ipv6Native ?? false,
    hostnameType: 'ip-name',
    enableResourceNameDnsARecord: false,
    enableResourceNameDnsAAAARecord: false,
    usedAddresses: 0,
  }
  await ctx.tx.insert<Subnet>({
    id: subnetId,
    kind: kinds.subnet.type,
    owner: ctx.caller,
    vpcId: vpc.id,
    body: subnet,
  })
  // A new subnet joins the VPC's default network ACL, which lists it among its associations.
  const acl = await ctx.tx.get<NetworkAcl>(kinds.networkAcl.type, vpc.body.defaultNetworkAclId)
  if (acl) {
    const association = { networkAclAssociationId: ctx.newId('aclassoc'), subnetId }
    await ctx.tx.update(acl, { ...acl.body, associations: [...acl.body.associations, association] })
  }
  await applyTags(ctx, subnetId, tags)
  return { subnet, tags }
}

/** Kinds whose presence in a subnet blocks its deletion. */
const SUBNET_DEPENDENTS = new Set(['network-interface', 'natgateway', 'instance'])

export async function deleteSubnet(ctx: Context, subnetId: string) {
  const subnet = await findOwned<Subnet>(ctx, kinds.subnet, subnetId)
  const inVpc = await ctx.tx.inVpc(subnet.body.vpcId)
  const dependent = inVpc.some(
    (r) => SUBNET_DEPENDENTS.has(r.kind) && (r.body as { subnetId?: string }).subnetId === subnetId,
  )
  if (dependent) throw errors.dependencyViolation('subnet', subnetId)
  for (const acl of inVpc.filter((r) => r.kind === kinds.networkAcl.type) as Stored<NetworkAcl>[]) {
    if (acl.body.associations.some((a) => a.subnetId === subnetId)) {
      await ctx.tx.update(acl, {
        ...acl.body,
        associations: acl.body.associations.filter((a) => a.subnetId !== subnetId),
      })
    }
  }
  for (const table of inVpc.filter((r) => r.kind === kinds.routeTable.type) as Stored<RouteTable>[]) {
    if (table.body.associations.some((a) => a.subnetId === subnetId)) {
      await ctx.tx.update(table, {
        ...table.body,
        associations: table.body.associations.filter((a) => a.subnetId !== subnetId),
      })
    }
  }
  await ctx.tx.remove(subnet)
}

export const availableAddresses = (subnet: Subnet) =>
  subnet.cidrBlock
    ? Number(size(parsePrefix(subnet.cidrBlock)!)) - RESERVED_ADDRESSES_PER_SUBNET - subnet.usedAddresses
    : 0

export function describeSubnets(ctx: Context, request: DescribeRequest) {
  const boolField =
    (pick: (s: Subnet) => boolean) =>
    ({ resource }: { resource: Stored<Subnet> }) =>
      pick(resource.body)
  return describe<Subnet>(ctx, kinds.subnet, request, {
    idParameter: 'SubnetId',
    fields: {
      'availability-zone': ({ resource }) => resource.body.availabilityZone,
      'availability-zone-id': ({ resource }) => resource.body.availabilityZoneId,
      'available-ip-address-count': ({ resource }) => availableAddresses(resource.body),
      'cidr-block': ({ resource }) => resource.body.cidrBlock,
      // Outposts, customer-owned pools and LNI do not exist here: their model filters match nothing.
      'customer-owned-ipv4-pool': () => undefined,
      'default-for-az': () => false,
      'enable-dns64': boolField((s) => s.enableDns64),
      'enable-lni-at-device-index': () => undefined,
      'ipv6-cidr-block-association.ipv6-cidr-block': ({ resource }) =>
        resource.body.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
      'ipv6-cidr-block-association.association-id': ({ resource }) =>
        resource.body.ipv6CidrBlockAssociations.map((a) => a.associationId),
      'ipv6-cidr-block-association.state': ({ resource }) =>
        resource.body.ipv6CidrBlockAssociations.map(() => 'associated'),
      'ipv6-native': boolField((s) => s.ipv6Native),
      'map-customer-owned-ip-on-launch': () => false,
      'map-public-ip-on-launch': boolField((s) => s.mapPublicIpOnLaunch),
      'outpost-arn': () => undefined,
      'owner-id': ({ resource }) => resource.body.ownerId,
      'private-dns-name-options-on-launch.hostname-type': ({ resource }) => resource.body.hostnameType,
      'private-dns-name-options-on-launch.enable-resource-name-dns-a-record': boolField(
        (s) => s.enableResourceNameDnsARecord,
      ),
      'private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record': boolField(
        (s) => s.enableResourceNameDnsAAAARecord,
      ),
      state: () => 'available',
      'subnet-arn': ({ resource }) =>
        `arn:aws:ec2:${resource.owner.region}:${resource.owner.accountId}:subnet/${resource.id}`,
      'subnet-id': ({ resource }) => resource.id,
      'vpc-id': ({ resource }) => resource.body.vpcId,
    },
  })
}

export type SubnetAttributes = Partial<
  Pick<
    Subnet,
    | 'mapPublicIpOnLaunch'
    | 'assignIpv6AddressOnCreation'
    | 'enableDns64'
    | 'hostnameType'
    | 'enableResourceNameDnsARecord'
    | 'enableResourceNameDnsAAAARecord'
  >
>

export async function modifySubnetAttribute(ctx: Context, subnetId: string, changes: SubnetAttributes) {
  if (Object.keys(changes).length === 0) throw errors.missingParameter('an attribute to modify')
  const subnet = await findOwned<Subnet>(ctx, kinds.subnet, subnetId)
  if (changes.assignIpv6AddressOnCreation && subnet.body.ipv6CidrBlockAssociations.length === 0) {
    throw errors.invalidParameterValue(
      `Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set assignIpv6AddressOnCreation to true unless the subnet (${subnetId}) has an IPv6 CIDR block associated with it.`,
    )
  }
  await ctx.tx.update(subnet, { ...subnet.body, ...changes })
}

export async function associateSubnetCidrBlock(ctx: Context, subnetId: string, ipv6CidrBlock: string) {
  const subnet = await findOwned<Subnet>(ctx, kinds.subnet, subnetId)
  const prefix = parsePrefix(ipv6CidrBlock)
  if (prefix?.family !== 6) throw errors.invalidCidr('ipv6CidrBlock', ipv6CidrBlock)
  if (prefix.length !== 64) throw errors.invalidSubnetRange(ipv6CidrBlock)
  if (subnet.body.ipv6CidrBlockAssociations.length > 0) {
    throw errors.cidrLimitExceeded(`The subnet '${subnetId}' already has an IPv6 CIDR block.`)
  }
  const vpc = await findVpcForCreate(ctx, subnet.body.vpcId)
  const siblings = (await ctx.tx.list<Subnet>(kinds.subnet.type, { vpcId: vpc.id })).filter(
    (s) => s.id !== subnetId,
  )
  const block = formatPrefix(prefix)
  checkSubnetBlock(
    block,
    prefix,
    vpc.body.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
    siblings.flatMap((s) => subnetBlocks(s.body)),
  )
  const association = { associationId: ctx.newId('subnet-cidr-assoc'), ipv6CidrBlock: block }
  await ctx.tx.update(subnet, { ...subnet.body, ipv6CidrBlockAssociations: [association] })
  return { subnetId, association }
}

export async function disassociateSubnetCidrBlock(ctx: Context, associationId: string) {
  for (const subnet of await ctx.tx.list<Subnet>(kinds.subnet.type, { visibleTo: ctx.caller })) {
    const association = subnet.body.ipv6CidrBlockAssociations.find((a) => a.associationId === associationId)
    if (!association) continue
    await ctx.tx.update(subnet, {
      ...subnet.body,
      ipv6CidrBlockAssociations: [],
      assignIpv6AddressOnCreation: false,
    })
    return { subnetId: subnet.id, association }
  }
  throw errors.invalidSubnetCidrAssociation(associationId)
}

import { errors } from '../domain/errors.js'
import {
  attachedVpcOf,
  DEFAULT_AMAZON_SIDE_ASN,
  type EgressOnlyInternetGateway,
  type GatewayAttachment,
  type InternetGateway,
  isPrivateAsn,
  isStillListed,
  type NatGateway,
  type VpnGateway,
} from '../domain/gateways.js'
import { checkId } from '../domain/ids.js'
import { availabilityZones } from '../domain/regions.js'
import type { Subnet } from '../domain/subnet.js'
import type { Vpc } from '../domain/vpc.js'
import type { Stored } from '../ports/store.js'
import { earlierCreate } from './client-token.js'
import { type Context, sameScope } from './context.js'
import { syncUsedAddresses, takeSubnetAddress } from './network-interfaces.js'
import {
  type DescribeRequest,
  describe,
  findOwned,
  findVpcForCreate,
  kinds,
  type ResourceKind,
  tagsOf,
} from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/**
 * Internet, egress-only, NAT and virtual private gateways (spec §6). A gateway that is attached
 * to a VPC, or lives in one, is placed in it, so DeleteVpc sees it as a dependency.
 */

type Tags = readonly TagSpecification[]

/** Inserts a new gateway in the caller's scope and tags it. */
async function insertGateway<T>(
  ctx: Context,
  kind: ResourceKind,
  id: string,
  body: T,
  tags: ReturnType<typeof checkTagSpecifications>,
  vpcId?: string,
) {
  await ctx.tx.insert<T>({ id, kind: kind.type, owner: ctx.caller, ...(vpcId ? { vpcId } : {}), body })
  await applyTags(ctx, id, tags)
  return { gateway: body, tags }
}

/** Filters on an IGW's or VGW's attachments. */
function attachmentFields<T extends { attachments: readonly GatewayAttachment[] }>() {
  type Item = { resource: Stored<T> }
  return {
    'attachment.state': ({ resource }: Item) => resource.body.attachments.map((a) => a.state),
    'attachment.vpc-id': ({ resource }: Item) => resource.body.attachments.map((a) => a.vpcId),
  }
}

// Internet gateways

export async function createInternetGateway(ctx: Context, tagSpecifications: Tags) {
  const tags = checkTagSpecifications(tagSpecifications, kinds.internetGateway.type)
  const internetGatewayId = ctx.newId('igw')
  const gateway: InternetGateway = { internetGatewayId, ownerId: ctx.caller.accountId, attachments: [] }
  return insertGateway(ctx, kinds.internetGateway, internetGatewayId, gateway, tags)
}

/** One internet gateway per VPC, one VPC per internet gateway. */
export async function attachInternetGateway(ctx: Context, internetGatewayId: string, vpcId: string) {
  const gateway = await findOwned<InternetGateway>(ctx, kinds.internetGateway, internetGatewayId)
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, vpcId)
  const current = attachedVpcOf(gateway.body)
  if (current) throw errors.gatewayAlreadyAttached(gateway.id, current)
  if ((await ctx.tx.list(kinds.internetGateway.type, { vpcId: vpc.id })).length > 0) {
    throw errors.vpcHasInternetGateway(vpc.id)
  }
  await ctx.tx.update(
    gateway,
    { ...gateway.body, attachments: [{ vpcId: vpc.id, state: 'available' }] },
    { vpcId: vpc.id },
  )
}

export async function detachInternetGateway(ctx: Context, internetGatewayId: string, vpcId: string) {
  const gateway = await findOwned<InternetGateway>(ctx, kinds.internetGateway, internetGatewayId)
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, vpcId)
  if (attachedVpcOf(gateway.body) !== vpc.id) throw errors.gatewayNotAttached(gateway.id, vpc.id)
  await ctx.tx.update(gateway, { ...gateway.body, attachments: [] }, { vpcId: null })
}

export async function deleteInternetGateway(ctx: Context, internetGatewayId: string) {
  const gateway = await findOwned<InternetGateway>(ctx, kinds.internetGateway, internetGatewayId)
  if (attachedVpcOf(gateway.body)) throw errors.dependencyViolation('internetGateway', gateway.id)
  await ctx.tx.remove(gateway)
}

export function describeInternetGateways(ctx: Context, request: DescribeRequest) {
  return describe<InternetGateway>(ctx, kinds.internetGateway, request, {
    idParameter: 'InternetGatewayId',
    fields: {
      ...attachmentFields<InternetGateway>(),
      'internet-gateway-id': ({ resource }) => resource.id,
      'owner-id': ({ resource }) => resource.body.ownerId,
    },
  })
}

// Egress-only internet gateways

export async function createEgressOnlyInternetGateway(
  ctx: Context,
  input: { vpcId: string; clientToken?: string; tagSpecifications: Tags },
) {
  const kind = kinds.egressOnlyInternetGateway
  const tags = checkTagSpecifications(input.tagSpecifications, kind.type)
  const earlier = await earlierCreate<EgressOnlyInternetGateway>(
    ctx,
    kind,
    input.clientToken,
    (g) => g.vpcId === input.vpcId,
  )
  if (earlier) return { gateway: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const vpc = await findVpcForCreate(ctx, input.vpcId)
  const egressOnlyInternetGatewayId = ctx.newId('eigw')
  const gateway: EgressOnlyInternetGateway = {
    egressOnlyInternetGatewayId,
    ownerId: ctx.caller.accountId,
    vpcId: vpc.id,
    ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
  }
  return insertGateway(ctx, kind, egressOnlyInternetGatewayId, gateway, tags, vpc.id)
}

/** An unknown id answers InvalidGatewayID.NotFound here, which is what Terraform expects of AWS. */
export async function deleteEgressOnlyInternetGateway(ctx: Context, id: string) {
  checkId(kinds.egressOnlyInternetGateway.id, id)
  const gateway = await ctx.tx.get<EgressOnlyInternetGateway>(kinds.egressOnlyInternetGateway.type, id)
  if (!gateway || !sameScope(gateway.owner, ctx.caller)) throw errors.gatewayNotFound(id)
  await ctx.tx.remove(gateway)
}

export function describeEgressOnlyInternetGateways(ctx: Context, request: DescribeRequest) {
  // AWS documents only the tag filters for this action.
  return describe<EgressOnlyInternetGateway>(ctx, kinds.egressOnlyInternetGateway, request, {
    idParameter: 'EgressOnlyInternetGatewayId',
    fields: {},
  })
}

// NAT gateways

export interface CreateNatGatewayInput {
  readonly subnetId?: string
  readonly connectivityType?: 'public' | 'private'
  readonly allocationId?: string
  readonly privateIpAddress?: string
  readonly clientToken?: string
  readonly tagSpecifications: Tags
}

/** Created available at once (its create response still says pending, as AWS's does). */
export async function createNatGateway(ctx: Context, input: CreateNatGatewayInput) {
  const kind = kinds.natGateway
  const tags = checkTagSpecifications(input.tagSpecifications, kind.type)
  if (input.subnetId === undefined) throw errors.missingParameter('SubnetId')
  const connectivityType = input.connectivityType ?? 'public'
  const earlier = await earlierCreate<NatGateway>(
    ctx,
    kind,
    input.clientToken,
    (n) => n.subnetId === input.subnetId && n.connectivityType === connectivityType,
  )
  if (earlier) return { gateway: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  if (connectivityType === 'private' && input.allocationId !== undefined) {
    throw errors.invalidParameterCombination('AllocationId cannot be specified for a private NAT gateway.')
  }
  const subnet = await findOwned<Subnet>(ctx, kinds.subnet, input.subnetId)
  if (subnet.body.cidrBlock === undefined) {
    throw errors.invalidParameterValue(`Subnet ${subnet.id} has no IPv4 CIDR block for a NAT gateway.`)
  }
  const natGatewayId = ctx.newId('nat')
  const gateway: NatGateway = {
    natGatewayId,
    ownerId: ctx.caller.accountId,
    vpcId: subnet.body.vpcId,
    subnetId: subnet.id,
    connectivityType,
    state: 'available',
    privateIp: await takeSubnetAddress(ctx, subnet, input.privateIpAddress),
    ...(input.allocationId !== undefined ? { allocationId: input.allocationId } : {}),
    createTime: ctx.now.toISOString(),
    ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
  }
  const created = await insertGateway(ctx, kind, natGatewayId, gateway, tags, subnet.body.vpcId)
  await syncUsedAddresses(ctx, subnet.id)
  return created
}

/** A deleted gateway stays listed for an hour, out of its VPC; routes to it become blackholes. */
export async function deleteNatGateway(ctx: Context, natGatewayId: string) {
  const gateway = await findOwned<NatGateway>(ctx, kinds.natGateway, natGatewayId)
  if (gateway.body.state === 'deleted') throw errors.notFound(kinds.natGateway.id, natGatewayId)
  await ctx.tx.update(
    gateway,
    { ...gateway.body, state: 'deleted', deleteTime: ctx.now.toISOString() },
    { vpcId: null },
  )
  await syncUsedAddresses(ctx, gateway.body.subnetId)
  return { natGatewayId }
}

export function describeNatGateways(ctx: Context, request: DescribeRequest) {
  return describe<NatGateway>(ctx, kinds.natGateway, request, {
    idParameter: 'NatGatewayId',
    visible: (resource) => isStillListed(resource.body, ctx.now),
    fields: {
      'nat-gateway-id': ({ resource }) => resource.id,
      state: ({ resource }) => resource.body.state,
      'subnet-id': ({ resource }) => resource.body.subnetId,
      'vpc-id': ({ resource }) => resource.body.vpcId,
    },
  })
}

// Virtual private gateways

export interface CreateVpnGatewayInput {
  readonly type: 'ipsec.1'
  readonly amazonSideAsn?: number
  readonly availabilityZone?: string
  readonly tagSpecifications: Tags
}

export async function createVpnGateway(ctx: Context, input: CreateVpnGatewayInput) {
  const kind = kinds.vpnGateway
  const tags = checkTagSpecifications(input.tagSpecifications, kind.type)
  const amazonSideAsn = input.amazonSideAsn ?? DEFAULT_AMAZON_SIDE_ASN
  if (!isPrivateAsn(amazonSideAsn)) {
    throw errors.invalidValue(
      'AmazonSideAsn',
      String(amazonSideAsn),
      'It must be a private ASN: 64512-65534 or 4200000000-4294967294.',
    )
  }
  const zone = input.availabilityZone
  if (zone !== undefined && !availabilityZones(ctx.caller.region).some((z) => z.zoneName === zone)) {
    throw errors.invalidValue('AvailabilityZone', zone, `It is not a zone of ${ctx.caller.region}.`)
  }
  const vpnGatewayId = ctx.newId('vgw')
  const gateway: VpnGateway = {
    vpnGatewayId,
    ownerId: ctx.caller.accountId,
    type: input.type,
    amazonSideAsn,
    ...(zone !== undefined ? { availabilityZone: zone } : {}),
    state: 'available',
    attachments: [],
  }
  return insertGateway(ctx, kind, vpnGatewayId, gateway, tags)
}

/** One VGW per VPC and one VPC per VGW; the attachment is reported `attaching`, then `attached`. */
export async function attachVpnGateway(ctx: Context, vpnGatewayId: string, vpcId: string) {
  const gateway = await findOwned<VpnGateway>(ctx, kinds.vpnGateway, vpnGatewayId)
  if (gateway.body.state !== 'available') throw errors.vpnGatewayNotAvailable(gateway.id, gateway.body.state)
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, vpcId)
  const current = attachedVpcOf(gateway.body)
  if (current === vpc.id) throw errors.vpcHasVpnGateway(vpc.id)
  if (current) throw errors.vpnGatewayAttachmentLimit(gateway.id)
  if ((await ctx.tx.list(kinds.vpnGateway.type, { vpcId: vpc.id })).length > 0) {
    throw errors.vpcHasVpnGateway(vpc.id)
  }
  await ctx.tx.update(
    gateway,
    { ...gateway.body, attachments: [{ vpcId: vpc.id, state: 'attached' }] },
    { vpcId: vpc.id },
  )
  return { vpcId: vpc.id, state: 'attaching' as const }
}

export async function detachVpnGateway(ctx: Context, vpnGatewayId: string, vpcId: string) {
  const gateway = await findOwned<VpnGateway>(ctx, kinds.vpnGateway, vpnGatewayId)
  const vpc = await findOwned<Vpc>(ctx, kinds.vpc, vpcId)
  if (attachedVpcOf(gateway.body) !== vpc.id) throw errors.vpnGatewayAttachmentNotFound(gateway.id, vpc.id)
  await ctx.tx.update(
    gateway,
    { ...gateway.body, attachments: [{ vpcId: vpc.id, state: 'detached' }] },
    { vpcId: null },
  )
}

export async function deleteVpnGateway(ctx: Context, vpnGatewayId: string) {
  const gateway = await findOwned<VpnGateway>(ctx, kinds.vpnGateway, vpnGatewayId)
  if (gateway.body.state === 'deleted') throw errors.notFound(kinds.vpnGateway.id, vpnGatewayId)
  if (attachedVpcOf(gateway.body)) throw errors.vpnGatewayStillAttached(gateway.id)
  await ctx.tx.update(gateway, { ...gateway.body, state: 'deleted', deleteTime: ctx.now.toISOString() })
}

export function describeVpnGateways(ctx: Context, request: DescribeRequest) {
  return describe<VpnGateway>(ctx, kinds.vpnGateway, request, {
    idParameter: 'VpnGatewayId',
    visible: (resource) => isStillListed(resource.body, ctx.now),
    fields: {
      ...attachmentFields<VpnGateway>(),
      'amazon-side-asn': ({ resource }) => resource.body.amazonSideAsn,
      'availability-zone': ({ resource }) => resource.body.availabilityZone,
      state: ({ resource }) => resource.body.state,
      type: ({ resource }) => resource.body.type,
      'vpn-gateway-id': ({ resource }) => resource.id,
    },
  })
}

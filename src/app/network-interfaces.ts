import { errors } from '../domain/errors.js'
import type { NatGateway } from '../domain/gateways.js'
import {
  AddressPool,
  INTERFACE_LIMITS,
  type NetworkInterface,
  PUBLIC_ADDRESS_RANGE,
  privateDnsName,
  privateIpv4Addresses,
  publicDnsName,
} from '../domain/network-interface.js'
import type { SecurityGroup } from '../domain/security-group.js'
import type { Subnet } from '../domain/subnet.js'
import type { Vpc } from '../domain/vpc.js'
import { parseAddress, parsePrefix } from '../net/prefix.js'
import { stableHex } from '../ports/ids.js'
import type { Stored, Tag } from '../ports/store.js'
import { earlierCreate } from './client-token.js'
import type { Context } from './context.js'
import type { FieldValue } from './describe.js'
import { type DescribeRequest, describe, findOwned, kinds, tagsOf } from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/** A locally administered unicast MAC (`02:…`), derived from the id so it never changes. */
export const macAddressOf = (networkInterfaceId: string) =>
  ['02', ...(stableHex(networkInterfaceId, 10).match(/../g) ?? [])].join(':')

/**
 * Network interfaces: created on their own (CreateNetworkInterface) or as an instance's primary
 * interface (RunInstances). Both take addresses from the subnet the same way: the first four and
 * the last address are reserved, a requested address must be free, and otherwise the lowest free
 * one is given. The subnet's used-address count is recounted after every change.
 */

const kind = kinds.networkInterface

/** The names of the groups interfaces use, for the group-name filter and the groupSet output. */
export async function groupNames(ctx: Context, interfaces: readonly NetworkInterface[]) {
  const ids = [...new Set(interfaces.flatMap((eni) => eni.groupIds))]
  const groups = await ctx.tx.list<SecurityGroup>(kinds.securityGroup.type, { ids })
  return new Map(groups.map((g) => [g.id, g.body.groupName]))
}

/** What showing an interface needs besides its record. */
export interface InterfaceView {
  readonly groupNames: ReadonlyMap<string, string>
  /** VPCs with DNS hostnames on: only there does a public address get a public DNS name. */
  readonly dnsHostnameVpcs: ReadonlySet<string>
}

export async function interfaceView(
  ctx: Context,
  interfaces: readonly NetworkInterface[],
): Promise<InterfaceView> {
  const vpcIds = [...new Set(interfaces.map((eni) => eni.vpcId))]
  const vpcs = await ctx.tx.list<Vpc>(kinds.vpc.type, { ids: vpcIds })
  return {
    groupNames: await groupNames(ctx, interfaces),
    dnsHostnameVpcs: new Set(vpcs.filter((v) => v.body.enableDnsHostnames).map((v) => v.id)),
  }
}

export const publicDnsNameOf = (eni: NetworkInterface, view: InterfaceView) =>
  eni.publicIp !== undefined && view.dnsHostnameVpcs.has(eni.vpcId)
    ? publicDnsName(eni.publicIp, eni.region)
    : undefined

// Addresses

/** The addresses one interface asks for; anything not given is allocated. */
export interface AddressRequest {
  readonly privateIpAddress?: string
  readonly privateIpAddresses?: readonly { readonly privateIpAddress: string; readonly primary?: boolean }[]
  readonly secondaryPrivateIpAddressCount?: number
  readonly ipv6AddressCount?: number
  readonly ipv6Addresses?: readonly string[]
}

interface AddressPlan {
  readonly primary?: string
  readonly secondaries: readonly string[]
  readonly secondaryCount: number
  readonly ipv6: readonly string[]
  readonly ipv6Count: number
}

function planAddresses(request: AddressRequest, subnet: Stored<Subnet>): AddressPlan {
  if (subnet.body.cidrBlock === undefined) {
    throw errors.invalidParameterValue(
      `Subnet ${subnet.id} has no IPv4 CIDR block; vpcpeer models interfaces with a private IPv4 address.`,
    )
  }
  const entries = request.privateIpAddresses ?? []
  const primaries = entries.filter((e) => e.primary).map((e) => e.privateIpAddress)
  if (primaries.length > 1) {
    throw errors.invalidParameterValue('Only one private IPv4 address can be designated as primary.')
  }
  if (request.privateIpAddress !== undefined && primaries.length > 0) {
    throw errors.invalidParameterCombination(
      'The primary private IPv4 address cannot be given both as PrivateIpAddress and in PrivateIpAddresses.',
    )
  }
  const secondaries = entries.filter((e) => !e.primary).map((e) => e.privateIpAddress)
  if (request.secondaryPrivateIpAddressCount !== undefined && secondaries.length > 0) {
    throw errors.invalidParameterCombination(
      'A count of secondary private IPv4 addresses cannot be combined with specific secondary addresses.',
    )
  }
  const secondaryCount = request.secondaryPrivateIpAddressCount ?? 0
  if (1 + secondaries.length + secondaryCount > INTERFACE_LIMITS.addresses) {
    throw errors.privateAddressLimit(INTERFACE_LIMITS.addresses)
  }
  const ipv6 = request.ipv6Addresses ?? []
  if (request.ipv6AddressCount !== undefined && ipv6.length > 0) {
    throw errors.invalidParameterCombination(
      'Ipv6AddressCount and specific IPv6 addresses cannot be specified together.',
    )
  }
  // The subnet's assignIpv6AddressOnCreation gives one address unless the request says otherwise.
  const ipv6Count =
    request.ipv6AddressCount ?? (ipv6.length === 0 && subnet.body.assignIpv6AddressOnCreation ? 1 : 0)
  if (ipv6Count + ipv6.length > 0 && subnet.body.ipv6CidrBlockAssociations.length === 0) {
    throw errors.invalidParameterValue(`Subnet ${subnet.id} has no IPv6 CIDR block to assign addresses from.`)
  }
  return {
    ...(primaries[0] !== undefined || request.privateIpAddress !== undefined
      ? { primary: request.privateIpAddress ?? primaries[0]! }
      : {}),
    secondaries,
    secondaryCount,
    ipv6,
    ipv6Count,
  }
}

/** The addresses held in a subnet: by its interfaces, and by NAT gateways (which have no interface record). */
async function heldAddresses(ctx: Context, subnet: Stored<Subnet>) {
  const inVpc = { vpcId: subnet.body.vpcId }
  const interfaces = (await ctx.tx.list<NetworkInterface>(kind.type, inVpc)).filter(
    (eni) => eni.body.subnetId === subnet.id,
  )
  const nats = (await ctx.tx.list<NatGateway>(kinds.natGateway.type, inVpc)).filter(
    (n) => n.body.subnetId === subnet.id && n.body.state !== 'deleted',
  )
  return {
    v4: [
      ...interfaces.flatMap((eni) => privateIpv4Addresses(eni.body)),
      ...nats.map((n) => n.body.privateIp),
    ],
    v6: interfaces.flatMap((eni) => eni.body.ipv6Addresses),
  }
}

const takenSet = (addresses: readonly string[]) => new Set(addresses.map((a) => parseAddress(a)!.value))

interface SubnetPools {
  readonly v4: AddressPool
  readonly v6?: AddressPool
}

async function subnetPools(ctx: Context, subnet: Stored<Subnet>): Promise<SubnetPools> {
  const held = await heldAddresses(ctx, subnet)
  const v6Block = subnet.body.ipv6CidrBlockAssociations[0]?.ipv6CidrBlock
  return {
    v4: new AddressPool(subnet.id, parsePrefix(subnet.body.cidrBlock!)!, takenSet(held.v4)),
    ...(v6Block ? { v6: new AddressPool(subnet.id, parsePrefix(v6Block)!, takenSet(held.v6)) } : {}),
  }
}

/** Public addresses are unique across every account and region, like AWS's. */
async function publicPool(ctx: Context) {
  const holders = await ctx.tx.list<NetworkInterface>(kind.type)
  const taken = holders.flatMap((eni) => (eni.body.publicIp ? [eni.body.publicIp] : []))
  return new AddressPool('the public range', parsePrefix(PUBLIC_ADDRESS_RANGE)!, takenSet(taken))
}

/** Takes the addresses of one interface; undefined when the subnet has no room left for them. */
function takeAddresses(pools: SubnetPools, plan: AddressPlan) {
  // Requested addresses first, so the allocated ones go around them.
  const primary = plan.primary === undefined ? undefined : pools.v4.claim(plan.primary)
  const secondaries = plan.secondaries.map((a) => pools.v4.claim(a))
  const ipv6 = plan.ipv6.map((a) => pools.v6!.claim(a))
  const allocate = (pool: AddressPool | undefined, count: number) => {
    const addresses = Array.from({ length: count }, () => pool!.next())
    return addresses.every((a) => a !== undefined) ? (addresses as string[]) : undefined
  }
  const privateIpAddress = primary ?? pools.v4.next()
  const moreSecondaries = allocate(pools.v4, plan.secondaryCount)
  const moreIpv6 = allocate(pools.v6, plan.ipv6Count)
  if (privateIpAddress === undefined || !moreSecondaries || !moreIpv6) return undefined
  return {
    privateIpAddress,
    secondaryPrivateIpAddresses: [...secondaries, ...moreSecondaries],
    ipv6Addresses: [...ipv6, ...moreIpv6],
  }
}

/** One private IPv4 address for something that holds an address without an interface record (a NAT gateway). */
export async function takeSubnetAddress(
  ctx: Context,
  subnet: Stored<Subnet>,
  requested?: string,
): Promise<string> {
  const pool = (await subnetPools(ctx, subnet)).v4
  const address = requested !== undefined ? pool.claim(requested) : pool.next()
  if (!address) throw errors.insufficientFreeAddresses(subnet.id)
  return address
}

/** Sets the subnet's count of used IPv4 addresses (behind availableIpAddressCount) to what is held now. */
export async function syncUsedAddresses(ctx: Context, subnetId: string) {
  const subnet = await ctx.tx.get<Subnet>(kinds.subnet.type, subnetId)
  if (!subnet?.body.cidrBlock) return
  const used = (await heldAddresses(ctx, subnet)).v4.length
  if (used !== subnet.body.usedAddresses) await ctx.tx.update(subnet, { ...subnet.body, usedAddresses: used })
}

// Groups

/** An interface's groups: its VPC's default group when none is given, else up to five of its VPC's. */
async function interfaceGroups(
  ctx: Context,
  place: { readonly subnetId: string; readonly vpcId: string },
  groupIds: readonly string[],
): Promise<string[]> {
  if (groupIds.length === 0) {
    const vpc = await ctx.tx.get<Vpc>(kinds.vpc.type, place.vpcId)
    return vpc ? [vpc.body.defaultSecurityGroupId] : []
  }
  const unique = [...new Set(groupIds)]
  if (unique.length > INTERFACE_LIMITS.groups) throw errors.groupsPerInterfaceLimit(INTERFACE_LIMITS.groups)
  for (const groupId of unique) {
    const group = await findOwned<SecurityGroup>(ctx, kinds.securityGroup, groupId)
    if (group.body.vpcId !== place.vpcId)
      throw errors.groupAndSubnetInDifferentNetworks(groupId, place.subnetId)
  }
  return unique
}

// Creating and deleting

/** What the new interfaces of one request share; each still gets its own addresses. */
export interface InterfaceTemplate extends AddressRequest {
  readonly description?: string
  readonly groupIds: readonly string[]
  readonly associatePublicIp?: boolean
  readonly clientToken?: string
}

export type Attachment = NonNullable<NetworkInterface['attachment']>

/**
 * Checks a template once and returns a maker of interfaces in the subnet, each with its own
 * addresses. The maker answers undefined once the subnet has no room left for one more.
 */
export async function interfaceMaker(ctx: Context, subnet: Stored<Subnet>, template: InterfaceTemplate) {
  const plan = planAddresses(template, subnet)
  const groupIds = await interfaceGroups(ctx, subnet.body, template.groupIds)
  const pools = await subnetPools(ctx, subnet)
  const publicAddresses = template.associatePublicIp ? await publicPool(ctx) : undefined
  return (attachment?: Attachment): NetworkInterface | undefined => {
    const addresses = takeAddresses(pools, plan)
    if (!addresses) return undefined
    const networkInterfaceId = ctx.newId('eni')
    const publicIp = publicAddresses?.next()
    return {
      networkInterfaceId,
      subnetId: subnet.id,
      vpcId: subnet.body.vpcId,
      ownerId: ctx.caller.accountId,
      region: ctx.caller.region,
      availabilityZone: subnet.body.availabilityZone,
      availabilityZoneId: subnet.body.availabilityZoneId,
      description: template.description ?? '',
      ...addresses,
      groupIds,
      sourceDestCheck: true,
      ...(publicIp !== undefined ? { publicIp } : {}),
      macAddress: macAddressOf(networkInterfaceId),
      interfaceType: 'interface',
      ...(attachment ? { attachment } : {}),
      ...(template.clientToken !== undefined ? { clientToken: template.clientToken } : {}),
    }
  }
}

export async function saveInterface(ctx: Context, eni: NetworkInterface, tags: readonly Tag[]) {
  await ctx.tx.insert<NetworkInterface>({
    id: eni.networkInterfaceId,
    kind: kind.type,
    owner: ctx.caller,
    vpcId: eni.vpcId,
    body: eni,
  })
  await applyTags(ctx, eni.networkInterfaceId, tags)
}

export interface CreateNetworkInterfaceInput extends Omit<InterfaceTemplate, 'associatePublicIp'> {
  readonly subnetId: string
  readonly tagSpecifications: readonly TagSpecification[]
}

export async function createNetworkInterface(ctx: Context, input: CreateNetworkInterfaceInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, kind.type)
  const subnet = await findOwned<Subnet>(ctx, kinds.subnet, input.subnetId)
  const earlier = await earlierCreate<NetworkInterface>(
    ctx,
    kind,
    input.clientToken,
    (eni) => eni.subnetId === subnet.id && eni.description === (input.description ?? ''),
  )
  if (earlier) return { networkInterface: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const make = await interfaceMaker(ctx, subnet, input)
  const eni = make()
  if (!eni) throw errors.insufficientFreeAddresses(subnet.id)
  await saveInterface(ctx, eni, tags)
  await syncUsedAddresses(ctx, subnet.id)
  return { networkInterface: eni, tags }
}

/** An interface attached to an instance goes with it (or is detached from it), never on its own. */
export async function deleteNetworkInterface(ctx: Context, networkInterfaceId: string) {
  const eni = await findOwned<NetworkInterface>(ctx, kind, networkInterfaceId)
  if (eni.body.attachment || eni.body.interfaceType !== 'interface') {
    throw errors.interfaceInUse(networkInterfaceId)
  }
  await ctx.tx.remove(eni)
  await syncUsedAddresses(ctx, eni.body.subnetId)
}

// Attributes

export interface InterfaceChanges {
  readonly description?: string
  readonly sourceDestCheck?: boolean
  readonly groupIds?: readonly string[]
  readonly associatePublicIp?: boolean
}

/** The attribute names AWS uses when it refuses more than one in a call. */
const ATTRIBUTE_NAMES: Record<keyof InterfaceChanges, string> = {
  description: 'description',
  sourceDestCheck: 'sourceDestCheck',
  groupIds: 'groupSet',
  associatePublicIp: 'associatePublicIpAddress',
}

/** Changes one attribute per call, as AWS requires. */
export async function modifyNetworkInterfaceAttribute(
  ctx: Context,
  networkInterfaceId: string,
  changes: InterfaceChanges,
) {
  const given = (Object.keys(ATTRIBUTE_NAMES) as (keyof InterfaceChanges)[]).filter(
    (name) => changes[name] !== undefined,
  )
  if (given.length === 0) throw errors.missingParameter('an attribute to modify')
  if (given.length > 1) throw errors.multipleAttributes(given.map((name) => ATTRIBUTE_NAMES[name]))
  const eni = await findOwned<NetworkInterface>(ctx, kind, networkInterfaceId)
  const { publicIp, ...withoutPublicIp } = eni.body
  let body: NetworkInterface = eni.body
  if (changes.groupIds) body = { ...body, groupIds: await interfaceGroups(ctx, body, changes.groupIds) }
  if (changes.description !== undefined) body = { ...body, description: changes.description }
  if (changes.sourceDestCheck !== undefined) body = { ...body, sourceDestCheck: changes.sourceDestCheck }
  if (changes.associatePublicIp === false) body = withoutPublicIp
  if (changes.associatePublicIp && publicIp === undefined) {
    const next = (await publicPool(ctx)).next()
    if (next !== undefined) body = { ...body, publicIp: next }
  }
  await ctx.tx.update(eni, body)
}

// Describing

export const deletesOnTermination = (attachment: Attachment) =>
  attachment.deleteOnTermination ?? attachment.deviceIndex === 0

/** Filter fields of an interface, shared by DescribeNetworkInterfaces and (as `network-interface.*`) DescribeInstances. */
export function interfaceFields(view: InterfaceView): Record<string, (eni: NetworkInterface) => FieldValue> {
  const ifPublic = (value: (eni: NetworkInterface) => FieldValue) => (eni: NetworkInterface) =>
    eni.publicIp === undefined ? undefined : value(eni)
  const attached =
    (value: (attachment: Attachment, eni: NetworkInterface) => FieldValue) => (eni: NetworkInterface) =>
      eni.attachment && value(eni.attachment, eni)
  return {
    'addresses.private-ip-address': privateIpv4Addresses,
    'addresses.primary': (eni) => privateIpv4Addresses(eni).map((_, index) => index === 0),
    'addresses.association.public-ip': (eni) => eni.publicIp,
    'addresses.association.owner-id': ifPublic(() => 'amazon'),
    'association.public-ip': (eni) => eni.publicIp,
    'association.ip-owner-id': ifPublic(() => 'amazon'),
    'association.public-dns-name': (eni) => publicDnsNameOf(eni, view),
    'attachment.attachment-id': attached((a) => a.attachmentId),
    'attachment.attach-time': attached((a) => a.attachTime),
    'attachment.delete-on-termination': attached(deletesOnTermination),
    'attachment.device-index': attached((a) => a.deviceIndex),
    'attachment.instance-id': attached((a) => a.instanceId),
    'attachment.instance-owner-id': attached((_, eni) => eni.ownerId),
    'attachment.status': attached(() => 'attached'),
    'availability-zone': (eni) => eni.availabilityZone,
    description: (eni) => eni.description,
    'group-id': (eni) => eni.groupIds,
    'group-name': (eni) => eni.groupIds.map((id) => view.groupNames.get(id)),
    'interface-type': (eni) => eni.interfaceType,
    'ipv6-addresses.ipv6-address': (eni) => eni.ipv6Addresses,
    'mac-address': (eni) => eni.macAddress,
    'network-interface-id': (eni) => eni.networkInterfaceId,
    'owner-id': (eni) => eni.ownerId,
    'private-dns-name': (eni) => privateDnsName(eni.privateIpAddress, eni.region),
    'private-ip-address': (eni) => eni.privateIpAddress,
    'requester-managed': (eni) => eni.interfaceType !== 'interface',
    'source-dest-check': (eni) => eni.sourceDestCheck,
    status: (eni) => (eni.attachment ? 'in-use' : 'available'),
    'subnet-id': (eni) => eni.subnetId,
    'vpc-id': (eni) => eni.vpcId,
  }
}

export async function describeNetworkInterfaces(ctx: Context, request: DescribeRequest) {
  const all = await ctx.tx.list<NetworkInterface>(kind.type, { visibleTo: ctx.caller })
  const view = await interfaceView(
    ctx,
    all.map((s) => s.body),
  )
  const fields = Object.fromEntries(
    Object.entries(interfaceFields(view)).map(([name, field]) => [
      name,
      ({ resource }: { resource: Stored<NetworkInterface> }) => field(resource.body),
    ]),
  )
  const page = await describe<NetworkInterface>(ctx, kind, request, {
    idParameter: 'NetworkInterfaceId',
    fields,
  })
  return { ...page, view }
}

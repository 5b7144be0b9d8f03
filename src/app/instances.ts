import { errors } from '../domain/errors.js'
import { checkId, ids } from '../domain/ids.js'
import {
  DEFAULT_INSTANCE_TYPE,
  INSTANCE_STATE_CODES,
  type Instance,
  type InstanceStateName,
  isInstanceTypeName,
  isListed,
} from '../domain/instance.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import type { Subnet } from '../domain/subnet.js'
import type { Stored, Tag } from '../ports/store.js'
import { earlierCreate } from './client-token.js'
import type { Context } from './context.js'
import type { FieldValue } from './describe.js'
import {
  type Attachment,
  deletesOnTermination,
  type InterfaceView,
  interfaceFields,
  interfaceMaker,
  interfaceView,
  saveInterface,
  syncUsedAddresses,
} from './network-interfaces.js'
import { type DescribeRequest, describe, findOwned, kinds } from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/**
 * A small instance model: an instance is its primary network interface in a subnet. RunInstances
 * creates both (or attaches an interface that exists), TerminateInstances removes the interface
 * with the instance, and a terminated instance stays listed for an hour.
 */

const kind = kinds.instance

/**
 * One `NetworkInterface.N` of RunInstances, its members camelCased; only the primary interface
 * (device index 0) is modelled.
 */
export interface LaunchInterfaceInput {
  readonly associatePublicIpAddress?: boolean
  readonly deleteOnTermination?: boolean
  readonly description?: string
  readonly deviceIndex?: number
  readonly securityGroupId: readonly string[]
  readonly ipv6AddressCount?: number
  readonly ipv6Addresses: readonly string[]
  readonly networkInterfaceId?: string
  readonly privateIpAddress?: string
  readonly privateIpAddresses: readonly { readonly privateIpAddress: string; readonly primary?: boolean }[]
  readonly secondaryPrivateIpAddressCount?: number
  readonly subnetId?: string
}

export interface RunInstancesInput {
  readonly imageId?: string
  readonly instanceType?: string
  readonly minCount: number
  readonly maxCount: number
  readonly subnetId?: string
  readonly securityGroupIds: readonly string[]
  readonly securityGroupNames: readonly string[]
  readonly privateIpAddress?: string
  readonly ipv6AddressCount?: number
  readonly ipv6Addresses: readonly string[]
  readonly networkInterfaces: readonly LaunchInterfaceInput[]
  readonly tagSpecifications: readonly TagSpecification[]
  readonly clientToken?: string
}

/** An instance as the API shows it: its record, tags and (while it runs) its primary interface. */
export interface InstanceItem {
  readonly instance: Instance
  readonly tags: readonly Tag[]
  readonly primary?: NetworkInterface
}

export interface Reservation {
  readonly reservationId: string
  readonly ownerId: string
  readonly instances: readonly InstanceItem[]
}

/** The primary interface a launch asks for, from the instance-level parameters or `NetworkInterface.1`. */
function primaryInterfaceSpec(input: RunInstancesInput): LaunchInterfaceInput {
  if (input.networkInterfaces.length === 0) {
    if (input.securityGroupNames.length > 0) {
      // Group names address the default VPC (EC2-Classic's way), and vpcpeer accounts have none.
      throw input.subnetId !== undefined ? errors.groupNameWithSubnet() : errors.noDefaultVpc()
    }
    return {
      ...(input.subnetId !== undefined ? { subnetId: input.subnetId } : {}),
      securityGroupId: input.securityGroupIds,
      ...(input.privateIpAddress !== undefined ? { privateIpAddress: input.privateIpAddress } : {}),
      ...(input.ipv6AddressCount !== undefined ? { ipv6AddressCount: input.ipv6AddressCount } : {}),
      ipv6Addresses: input.ipv6Addresses,
      privateIpAddresses: [],
      deviceIndex: 0,
    }
  }
  const conflicts: [boolean, string][] = [
    [input.subnetId !== undefined, 'subnet ID'],
    [input.securityGroupIds.length > 0 || input.securityGroupNames.length > 0, 'security groups'],
    [input.privateIpAddress !== undefined, 'private IP address'],
    [input.ipv6AddressCount !== undefined || input.ipv6Addresses.length > 0, 'IPv6 address'],
  ]
  const conflict = conflicts.find(([given]) => given)
  if (conflict) throw errors.instanceLevelConflict(conflict[1])
  const [spec, ...others] = input.networkInterfaces
  if (spec!.deviceIndex === undefined) {
    throw errors.invalidParameterValue('Each network interface requires a device index.')
  }
  const extra = others[0] ?? (spec!.deviceIndex !== 0 ? spec : undefined)
  if (extra) throw errors.notModelled('NetworkInterface.N.DeviceIndex', String(extra.deviceIndex ?? ''))
  return spec!
}

/** Fields of `NetworkInterface.1` that describe a new interface, and so cannot go with an existing one. */
const NEW_INTERFACE_FIELDS = [
  'associatePublicIpAddress',
  'description',
  'ipv6AddressCount',
  'privateIpAddress',
  'secondaryPrivateIpAddressCount',
  'subnetId',
] as const

/** A member's wire name, for messages: `subnetId` is `SubnetId` on the wire. */
const wireName = (member: string) => member[0]!.toUpperCase() + member.slice(1)

/** An existing interface as an instance's primary one: it must be free, and it can serve one instance only. */
async function existingInterface(ctx: Context, spec: LaunchInterfaceInput, maxCount: number) {
  const named = NEW_INTERFACE_FIELDS.find((field) => spec[field] !== undefined)
  const listed = [spec.securityGroupId, spec.ipv6Addresses, spec.privateIpAddresses].some((l) => l.length > 0)
  if (named || listed) {
    throw errors.invalidParameterCombination(
      `NetworkInterface.1.NetworkInterfaceId cannot be combined with ${named ? wireName(named) : 'security groups or addresses'}.`,
    )
  }
  if (maxCount > 1) {
    throw errors.invalidParameterCombination(
      'An existing network interface can be attached to one instance only.',
    )
  }
  const eni = await findOwned<NetworkInterface>(ctx, kinds.networkInterface, spec.networkInterfaceId!)
  if (eni.body.attachment || eni.body.interfaceType !== 'interface') throw errors.interfaceAttached(eni.id)
  return eni
}

function checkLaunch(input: RunInstancesInput) {
  if (input.imageId === undefined) throw errors.missingParameter('ImageId')
  checkId(ids.image, input.imageId)
  const instanceType = input.instanceType ?? DEFAULT_INSTANCE_TYPE
  if (!isInstanceTypeName(instanceType)) {
    throw errors.invalidValue('InstanceType', instanceType, 'It is not an instance type name.')
  }
  if (input.minCount > input.maxCount) {
    throw errors.invalidParameterValue(
      `MinCount (${input.minCount}) must be less than or equal to MaxCount (${input.maxCount}).`,
    )
  }
  const interfaceSpecs = input.tagSpecifications.filter((s) => s.resourceType === kinds.networkInterface.type)
  return {
    imageId: input.imageId,
    instanceType,
    instanceTags: checkTagSpecifications(
      input.tagSpecifications.filter((s) => !interfaceSpecs.includes(s)),
      kind.type,
    ),
    interfaceTags: checkTagSpecifications(interfaceSpecs, kinds.networkInterface.type),
  }
}

async function reservationOf(ctx: Context, reservationId: string): Promise<Reservation> {
  const instances = (await ctx.tx.list<Instance>(kind.type, { visibleTo: ctx.caller })).filter(
    (i) => i.body.reservationId === reservationId && isListed(i.body, ctx.now),
  )
  const items = await itemsOf(ctx, instances)
  return { reservationId, ownerId: ctx.caller.accountId, instances: items }
}

/** The primary interface of a running instance (a terminated one has none). */
const primaryOf = (instance: Instance, interfaces: ReadonlyMap<string, NetworkInterface>) => {
  const eni = interfaces.get(instance.networkInterfaceId)
  return eni?.attachment?.instanceId === instance.instanceId ? eni : undefined
}

async function itemsOf(ctx: Context, instances: readonly Stored<Instance>[]): Promise<InstanceItem[]> {
  const interfaces = await interfacesById(
    ctx,
    instances.map((i) => i.body.networkInterfaceId),
  )
  const tags = await ctx.tx.tagsOf(
    ctx.caller,
    instances.map((i) => i.id),
  )
  return instances.map(({ id, body }) => {
    const primary = primaryOf(body, interfaces)
    return { instance: body, tags: tags.get(id) ?? [], ...(primary ? { primary } : {}) }
  })
}

async function interfacesById(ctx: Context, networkInterfaceIds?: readonly string[]) {
  const stored = await ctx.tx.list<NetworkInterface>(kinds.networkInterface.type, {
    visibleTo: ctx.caller,
    ...(networkInterfaceIds ? { ids: networkInterfaceIds } : {}),
  })
  return new Map(stored.map((s) => [s.id, s.body]))
}

/**
 * Launches between MinCount and MaxCount instances: as many as the subnet has addresses for,
 * and none at all when that is fewer than MinCount.
 */
export async function runInstances(ctx: Context, input: RunInstancesInput) {
  const launch = checkLaunch(input)
  const spec = primaryInterfaceSpec(input)
  const fixedAddress =
    spec.privateIpAddress !== undefined || spec.privateIpAddresses.length > 0 || spec.ipv6Addresses.length > 0
  if (fixedAddress && input.maxCount > 1) {
    throw errors.invalidParameterCombination(
      'Specific addresses can be given when launching one instance only.',
    )
  }
  const earlier = await earlierCreate<Instance>(
    ctx,
    kind,
    input.clientToken,
    (i) => i.imageId === launch.imageId && i.instanceType === launch.instanceType,
  )
  if (earlier) return { reservation: await reservationOf(ctx, earlier.body.reservationId) }

  const existing = spec.networkInterfaceId ? await existingInterface(ctx, spec, input.maxCount) : undefined
  const subnetId = existing?.body.subnetId ?? spec.subnetId
  if (subnetId === undefined) throw errors.noDefaultVpc()
  const subnet = await findOwned<Subnet>(ctx, kinds.subnet, subnetId)
  const make = existing
    ? undefined
    : await interfaceMaker(ctx, subnet, {
        groupIds: spec.securityGroupId,
        associatePublicIp: spec.associatePublicIpAddress ?? subnet.body.mapPublicIpOnLaunch,
        privateIpAddresses: spec.privateIpAddresses,
        ipv6Addresses: spec.ipv6Addresses,
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        ...(spec.privateIpAddress !== undefined ? { privateIpAddress: spec.privateIpAddress } : {}),
        ...(spec.secondaryPrivateIpAddressCount !== undefined
          ? { secondaryPrivateIpAddressCount: spec.secondaryPrivateIpAddressCount }
          : {}),
        ...(spec.ipv6AddressCount !== undefined ? { ipv6AddressCount: spec.ipv6AddressCount } : {}),
      })
  const reservationId = ctx.newId('r')
  const launchTime = ctx.now.toISOString()
  const launched: Stored<Instance>[] = []
  for (let index = 0; index < input.maxCount; index++) {
    const instanceId = ctx.newId('i')
    const attachment: Attachment = {
      attachmentId: ctx.newId('eni-attach'),
      instanceId,
      deviceIndex: 0,
      attachTime: launchTime,
      deleteOnTermination: spec.deleteOnTermination ?? !existing,
    }
    const eni = existing ? { ...existing.body, attachment } : make!(attachment)
    if (!eni) break
    if (existing) await ctx.tx.update(existing, eni)
    else await saveInterface(ctx, eni, launch.interfaceTags)
    const instance: Instance = {
      instanceId,
      reservationId,
      ownerId: ctx.caller.accountId,
      region: ctx.caller.region,
      imageId: launch.imageId,
      instanceType: launch.instanceType,
      amiLaunchIndex: index,
      subnetId: subnet.id,
      vpcId: subnet.body.vpcId,
      availabilityZone: subnet.body.availabilityZone,
      availabilityZoneId: subnet.body.availabilityZoneId,
      networkInterfaceId: eni.networkInterfaceId,
      state: 'running',
      launchTime,
      ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
    }
    launched.push(
      await ctx.tx.insert<Instance>({
        id: instanceId,
        kind: kind.type,
        owner: ctx.caller,
        vpcId: subnet.body.vpcId,
        body: instance,
      }),
    )
    await applyTags(ctx, instanceId, launch.instanceTags)
  }
  // Nothing is saved when the call fails: the transaction rolls back what the loop made.
  if (launched.length < input.minCount) throw errors.insufficientFreeAddresses(subnet.id)
  await syncUsedAddresses(ctx, subnet.id)
  return {
    reservation: {
      reservationId,
      ownerId: ctx.caller.accountId,
      instances: await itemsOf(ctx, launched),
    } satisfies Reservation,
  }
}

export interface StateChange {
  readonly instanceId: string
  readonly previousState: InstanceStateName
  readonly currentState: InstanceStateName
}

/** Terminates every instance named, or none when one is unknown. */
export async function terminateInstances(
  ctx: Context,
  instanceIds: readonly string[],
): Promise<StateChange[]> {
  if (instanceIds.length === 0) throw errors.missingParameter('InstanceId')
  const instances: Stored<Instance>[] = []
  for (const instanceId of new Set(instanceIds)) {
    const instance = await findOwned<Instance>(ctx, kind, instanceId)
    if (!isListed(instance.body, ctx.now)) throw errors.notFound(kind.id, instanceId)
    instances.push(instance)
  }
  const changes: StateChange[] = []
  const subnets = new Set<string>()
  for (const instance of instances) {
    if (instance.body.state === 'terminated') {
      changes.push({ instanceId: instance.id, previousState: 'terminated', currentState: 'terminated' })
      continue
    }
    await releaseInterface(ctx, instance.body)
    await ctx.tx.update(
      instance,
      { ...instance.body, state: 'terminated', terminateTime: ctx.now.toISOString() },
      { vpcId: null },
    )
    subnets.add(instance.body.subnetId)
    // AWS answers with the state the instance is passing through; it is terminated at once here.
    changes.push({ instanceId: instance.id, previousState: 'running', currentState: 'shutting-down' })
  }
  for (const subnetId of subnets) await syncUsedAddresses(ctx, subnetId)
  return changes
}

/** The primary interface goes with its instance, or stays (detached) when it was not to be deleted. */
async function releaseInterface(ctx: Context, instance: Instance) {
  const eni = await ctx.tx.get<NetworkInterface>(kinds.networkInterface.type, instance.networkInterfaceId)
  if (!eni || eni.body.attachment?.instanceId !== instance.instanceId) return
  const { attachment, ...detached } = eni.body
  if (deletesOnTermination(attachment)) await ctx.tx.remove(eni)
  else await ctx.tx.update(eni, detached)
}

export async function describeInstances(ctx: Context, request: DescribeRequest) {
  // Unlike most describes, AWS checks the shape of instance ids here.
  for (const id of request.ids) checkId(kind.id, id)
  const interfaces = await interfacesById(ctx)
  const view = await interfaceView(ctx, [...interfaces.values()])
  const eniFields = interfaceFields(view)
  type Item = { resource: Stored<Instance> }
  const onPrimary = (pick: (eni: NetworkInterface) => FieldValue) => (item: Item) => {
    const primary = primaryOf(item.resource.body, interfaces)
    return primary && pick(primary)
  }
  const field = (pick: (instance: Instance) => FieldValue) => (item: Item) => pick(item.resource.body)
  const page = await describe<Instance>(ctx, kind, request, {
    idParameter: 'InstanceId',
    visible: (resource) => isListed(resource.body, ctx.now),
    fields: {
      ...Object.fromEntries(
        Object.entries(eniFields).map(([name, pick]) => [`network-interface.${name}`, onPrimary(pick)]),
      ),
      'ami-launch-index': field((i) => i.amiLaunchIndex),
      architecture: () => 'x86_64',
      'availability-zone': field((i) => i.availabilityZone),
      'client-token': field((i) => i.clientToken),
      'dns-name': onPrimary(eniFields['association.public-dns-name']!),
      hypervisor: () => 'xen',
      'image-id': field((i) => i.imageId),
      'instance-id': field((i) => i.instanceId),
      'instance-state-code': field((i) => INSTANCE_STATE_CODES[i.state]),
      'instance-state-name': field((i) => i.state),
      'instance-type': field((i) => i.instanceType),
      'instance.group-id': onPrimary(eniFields['group-id']!),
      'instance.group-name': onPrimary(eniFields['group-name']!),
      'ip-address': onPrimary((eni) => eni.publicIp),
      'launch-time': field((i) => i.launchTime),
      'owner-id': field((i) => i.ownerId),
      'placement-group-name': () => undefined,
      'private-dns-name': onPrimary(eniFields['private-dns-name']!),
      'private-ip-address': onPrimary((eni) => eni.privateIpAddress),
      'reservation-id': field((i) => i.reservationId),
      'root-device-type': () => 'ebs',
      'source-dest-check': onPrimary((eni) => eni.sourceDestCheck),
      'subnet-id': onPrimary((eni) => eni.subnetId),
      tenancy: () => 'default',
      'virtualization-type': () => 'hvm',
      'vpc-id': onPrimary((eni) => eni.vpcId),
    },
  })
  return {
    items: page.items.map(({ resource, tags }) => {
      const primary = primaryOf(resource.body, interfaces)
      return { instance: resource.body, tags, ...(primary ? { primary } : {}) } satisfies InstanceItem
    }),
    view,
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  }
}

/** The interface view for instances' primary interfaces (group names, DNS hostnames). */
export const instanceInterfaceView = (ctx: Context, items: readonly InstanceItem[]): Promise<InterfaceView> =>
  interfaceView(
    ctx,
    items.flatMap((i) => (i.primary ? [i.primary] : [])),
  )

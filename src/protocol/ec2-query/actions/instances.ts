import type { InstanceItem } from '../../../app/instances.js'
import * as instances from '../../../app/instances.js'
import type { InterfaceView } from '../../../app/network-interfaces.js'
import { type InstanceStateName, instanceState } from '../../../domain/instance.js'
import { command, query } from '../action.js'
import { bool, camelCased, int, list, required, string, struct, tagSpecifications } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'
import {
  ipv6AddressCountParam,
  ipv6AddressesParam,
  networkInterfaceShape,
  privateIpAddressesParam,
  secondaryCountParam,
} from './network-interfaces.js'

/** How AWS words a termination in `reason`: `User initiated (2024-05-01 10:20:30 GMT)`. */
const terminationReason = (time: string) => `User initiated (${time.slice(0, 19).replace('T', ' ')} GMT)`

/** An instance's primary interface as the Instance shape nests it (InstanceNetworkInterface). */
function instanceInterfaceShape(...args: Parameters<typeof networkInterfaceShape>) {
  const {
    availabilityZone: _zone,
    availabilityZoneId: _zoneId,
    requesterManaged: _managed,
    tagSet: _tags,
    ipv6Native: _native,
    attachment,
    ...shown
  } = networkInterfaceShape(...args)
  const { instanceId: _instance, instanceOwnerId: _owner, ...attachedAs } = attachment ?? {}
  return { ...shown, attachment: attachment && attachedAs }
}

function instanceShape(item: InstanceItem, view: InterfaceView, shownState?: InstanceStateName) {
  const { instance, primary } = item
  const eni = primary && instanceInterfaceShape(primary, [], view)
  const terminated = instance.terminateTime
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: instanceState(shownState ?? instance.state),
    privateDnsName: eni?.privateDnsName ?? '',
    dnsName: eni?.association?.publicDnsName ?? '',
    reason: terminated ? terminationReason(terminated) : '',
    amiLaunchIndex: instance.amiLaunchIndex,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: new Date(instance.launchTime),
    placement: {
      availabilityZone: instance.availabilityZone,
      availabilityZoneId: instance.availabilityZoneId,
      groupName: '',
      tenancy: 'default',
    },
    monitoring: { state: 'disabled' },
    subnetId: primary?.subnetId,
    vpcId: primary?.vpcId,
    privateIpAddress: primary?.privateIpAddress,
    ipAddress: primary?.publicIp,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: eni?.groupSet ?? [],
    stateReason: terminated && {
      code: 'Client.UserInitiatedShutdown',
      message: 'Client.UserInitiatedShutdown: User initiated shutdown',
    },
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    clientToken: instance.clientToken ?? '',
    tagSet: tagSet(item.tags),
    hypervisor: 'xen',
    networkInterfaceSet: eni ? [eni] : [],
    ebsOptimized: false,
    enaSupport: true,
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
  }
}

/** Consecutive instances of one reservation make one `reservationSet` item, as AWS groups them. */
function reservationSet(items: readonly InstanceItem[], view: InterfaceView) {
  const reservations: { reservationId: string; ownerId: string; groupSet: []; instancesSet: unknown[] }[] = []
  for (const item of items) {
    const { reservationId, ownerId } = item.instance
    let last = reservations.at(-1)
    if (last?.reservationId !== reservationId) {
      last = { reservationId, ownerId, groupSet: [], instancesSet: [] }
      reservations.push(last)
    }
    last.instancesSet.push(instanceShape(item, view))
  }
  return reservations
}

const launchInterface = camelCased(
  struct({
    AssociatePublicIpAddress: bool(),
    DeleteOnTermination: bool(),
    Description: string(),
    DeviceIndex: int({ min: 0 }),
    SecurityGroupId: list(string()),
    Ipv6AddressCount: ipv6AddressCountParam,
    Ipv6Addresses: ipv6AddressesParam,
    NetworkInterfaceId: string(),
    PrivateIpAddress: string(),
    PrivateIpAddresses: privateIpAddressesParam,
    SecondaryPrivateIpAddressCount: secondaryCountParam,
    SubnetId: string(),
  }),
)

export const instanceActions = {
  RunInstances: command(
    {
      ImageId: string(),
      InstanceType: string(),
      MinCount: required(int({ min: 1 })),
      MaxCount: required(int({ min: 1 })),
      SubnetId: string(),
      SecurityGroupId: list(string()),
      SecurityGroup: list(string()),
      PrivateIpAddress: string(),
      Ipv6AddressCount: ipv6AddressCountParam,
      Ipv6Address: ipv6AddressesParam,
      NetworkInterface: list(launchInterface),
      ClientToken: string(),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { reservation } = await instances.runInstances(ctx, {
        minCount: input.MinCount,
        maxCount: input.MaxCount,
        securityGroupIds: input.SecurityGroupId,
        securityGroupNames: input.SecurityGroup,
        ipv6Addresses: input.Ipv6Address,
        networkInterfaces: input.NetworkInterface,
        tagSpecifications: input.TagSpecification,
        ...defined({
          imageId: input.ImageId,
          instanceType: input.InstanceType,
          subnetId: input.SubnetId,
          privateIpAddress: input.PrivateIpAddress,
          ipv6AddressCount: input.Ipv6AddressCount,
          clientToken: input.ClientToken,
        }),
      })
      const view = await instances.instanceInterfaceView(ctx, reservation.instances)
      return {
        reservationId: reservation.reservationId,
        ownerId: reservation.ownerId,
        groupSet: [],
        // A new instance is answered as pending; DescribeInstances shows it running.
        instancesSet: reservation.instances.map((item) =>
          instanceShape(item, view, item.instance.state === 'running' ? 'pending' : undefined),
        ),
      }
    },
  ),

  DescribeInstances: query(describeParams('InstanceId', { min: 5, max: 1000 }), async (ctx, input) => {
    const page = await instances.describeInstances(ctx, describeRequest(input.InstanceId, input, ctx))
    return { reservationSet: reservationSet(page.items, page.view), nextToken: page.nextToken }
  }),

  TerminateInstances: command({ InstanceId: list(string()) }, async (ctx, input) => {
    const changes = await instances.terminateInstances(ctx, input.InstanceId)
    return {
      instancesSet: changes.map((c) => ({
        instanceId: c.instanceId,
        currentState: instanceState(c.currentState),
        previousState: instanceState(c.previousState),
      })),
    }
  }),
}

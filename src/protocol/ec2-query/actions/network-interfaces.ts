import * as enis from '../../../app/network-interfaces.js'
import { deletesOnTermination, type InterfaceView, publicDnsNameOf } from '../../../app/network-interfaces.js'
import { INTERFACE_LIMITS, type NetworkInterface, privateDnsName } from '../../../domain/network-interface.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import {
  bool,
  booleanValue,
  camelCased,
  int,
  list,
  mapped,
  required,
  string,
  struct,
  tagSpecifications,
} from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'

// Address parameters, shared with RunInstances (`NetworkInterface.N.*`).

export const privateIpAddressesParam = camelCased(
  list(struct({ PrivateIpAddress: required(string()), Primary: bool() }), {
    max: INTERFACE_LIMITS.addresses,
  }),
)
/** `Ipv6Addresses.N.Ipv6Address`, as the addresses alone. */
export const ipv6AddressesParam = mapped(
  list(struct({ Ipv6Address: required(string()) }), { max: INTERFACE_LIMITS.addresses }),
  (entries) => entries.map((entry) => entry.Ipv6Address),
)
export const ipv6AddressCountParam = int({ min: 0, max: INTERFACE_LIMITS.addresses })
export const secondaryCountParam = int({ min: 0 })

/** The NetworkInterface shape of the model. */
export function networkInterfaceShape(eni: NetworkInterface, tags: readonly Tag[], view: InterfaceView) {
  const association =
    eni.publicIp === undefined
      ? undefined
      : { publicIp: eni.publicIp, publicDnsName: publicDnsNameOf(eni, view), ipOwnerId: 'amazon' }
  return {
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    availabilityZoneId: eni.availabilityZoneId,
    description: eni.description,
    ownerId: eni.ownerId,
    requesterManaged: eni.interfaceType !== 'interface',
    status: eni.attachment ? 'in-use' : 'available',
    macAddress: eni.macAddress,
    privateIpAddress: eni.privateIpAddress,
    privateDnsName: privateDnsName(eni.privateIpAddress, eni.region),
    sourceDestCheck: eni.sourceDestCheck,
    interfaceType: eni.interfaceType,
    groupSet: eni.groupIds.map((groupId) => ({ groupId, groupName: view.groupNames.get(groupId) })),
    association,
    attachment: eni.attachment && {
      attachmentId: eni.attachment.attachmentId,
      attachTime: eni.attachment.attachTime && new Date(eni.attachment.attachTime),
      instanceId: eni.attachment.instanceId,
      instanceOwnerId: eni.ownerId,
      deviceIndex: eni.attachment.deviceIndex,
      networkCardIndex: 0,
      status: 'attached',
      deleteOnTermination: deletesOnTermination(eni.attachment),
    },
    tagSet: tagSet(tags),
    privateIpAddressesSet: [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses].map(
      (address, index) => ({
        privateIpAddress: address,
        privateDnsName: privateDnsName(address, eni.region),
        primary: index === 0,
        association: index === 0 ? association : undefined,
      }),
    ),
    ipv6AddressesSet: eni.ipv6Addresses.map((ipv6Address) => ({ ipv6Address, isPrimaryIpv6: false })),
    ipv6Native: false,
  }
}

export const networkInterfaceActions = {
  CreateNetworkInterface: command(
    {
      SubnetId: required(string()),
      Description: string(),
      PrivateIpAddress: string(),
      PrivateIpAddresses: privateIpAddressesParam,
      SecondaryPrivateIpAddressCount: secondaryCountParam,
      Ipv6AddressCount: ipv6AddressCountParam,
      Ipv6Addresses: ipv6AddressesParam,
      SecurityGroupId: list(string()),
      ClientToken: string(),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { networkInterface, tags } = await enis.createNetworkInterface(ctx, {
        subnetId: input.SubnetId,
        groupIds: input.SecurityGroupId,
        privateIpAddresses: input.PrivateIpAddresses,
        ipv6Addresses: input.Ipv6Addresses,
        tagSpecifications: input.TagSpecification,
        ...defined({
          description: input.Description,
          privateIpAddress: input.PrivateIpAddress,
          secondaryPrivateIpAddressCount: input.SecondaryPrivateIpAddressCount,
          ipv6AddressCount: input.Ipv6AddressCount,
          clientToken: input.ClientToken,
        }),
      })
      const view = await enis.interfaceView(ctx, [networkInterface])
      return {
        networkInterface: networkInterfaceShape(networkInterface, tags, view),
        clientToken: input.ClientToken,
      }
    },
  ),

  DeleteNetworkInterface: command({ NetworkInterfaceId: required(string()) }, async (ctx, input) => {
    await enis.deleteNetworkInterface(ctx, input.NetworkInterfaceId)
    return {}
  }),

  ModifyNetworkInterfaceAttribute: command(
    {
      NetworkInterfaceId: required(string()),
      Description: struct({ Value: string() }),
      SourceDestCheck: booleanValue,
      SecurityGroupId: list(string()),
      AssociatePublicIpAddress: bool(),
    },
    async (ctx, input) => {
      await enis.modifyNetworkInterfaceAttribute(
        ctx,
        input.NetworkInterfaceId,
        defined({
          description: input.Description?.Value,
          sourceDestCheck: input.SourceDestCheck?.Value,
          groupIds: input.SecurityGroupId.length > 0 ? input.SecurityGroupId : undefined,
          associatePublicIp: input.AssociatePublicIpAddress,
        }),
      )
      return {}
    },
  ),

  DescribeNetworkInterfaces: query(
    describeParams('NetworkInterfaceId', { min: 5, max: 1000 }),
    async (ctx, input) => {
      const page = await enis.describeNetworkInterfaces(
        ctx,
        describeRequest(input.NetworkInterfaceId, input, ctx),
      )
      return {
        networkInterfaceSet: page.items.map((i) => networkInterfaceShape(i.resource.body, i.tags, page.view)),
        nextToken: page.nextToken,
      }
    },
  ),
}

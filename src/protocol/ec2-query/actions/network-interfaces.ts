import { describeNetworkInterfaces } from '../../../app/network-interfaces.js'
import type { NetworkInterface } from '../../../domain/network-interface.js'
import type { Tag } from '../../../ports/store.js'
import { query } from '../action.js'
import { describeParams, describeRequest, tagSet } from '../shapes.js'

export function networkInterfaceShape(
  eni: NetworkInterface,
  tags: readonly Tag[],
  groupNames: ReadonlyMap<string, string>,
) {
  return {
    networkInterfaceId: eni.networkInterfaceId,
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
    availabilityZone: eni.availabilityZone,
    description: eni.description,
    ownerId: eni.ownerId,
    requesterManaged: eni.interfaceType !== 'interface',
    status: eni.attachment ? 'in-use' : 'available',
    macAddress: eni.macAddress,
    privateIpAddress: eni.privateIpAddress,
    sourceDestCheck: eni.sourceDestCheck,
    interfaceType: eni.interfaceType,
    groupSet: eni.groupIds.map((groupId) => ({ groupId, groupName: groupNames.get(groupId) })),
    attachment: eni.attachment && {
      attachmentId: eni.attachment.attachmentId,
      instanceId: eni.attachment.instanceId,
      instanceOwnerId: eni.ownerId,
      deviceIndex: eni.attachment.deviceIndex,
      status: 'attached',
      deleteOnTermination: eni.attachment.deviceIndex === 0,
    },
    tagSet: tagSet(tags),
    privateIpAddressesSet: [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses].map(
      (address, index) => ({
        privateIpAddress: address,
        primary: index === 0,
      }),
    ),
    ipv6AddressesSet: eni.ipv6Addresses.map((ipv6Address) => ({ ipv6Address })),
  }
}

export const networkInterfaceActions = {
  DescribeNetworkInterfaces: query(
    describeParams('NetworkInterfaceId', { min: 5, max: 1000 }),
    async (ctx, input) => {
      const page = await describeNetworkInterfaces(ctx, describeRequest(input.NetworkInterfaceId, input))
      return {
        networkInterfaceSet: page.items.map((i) =>
          networkInterfaceShape(i.resource.body, i.tags, page.groupNames),
        ),
        nextToken: page.nextToken,
      }
    },
  ),
}

import type { NetworkInterface } from '../domain/network-interface.js'
import type { SecurityGroup } from '../domain/security-group.js'
import type { Context } from './context.js'
import { type DescribeRequest, describe, kinds } from './resources.js'

/** The names of the groups interfaces use, for the group-name filter and the groupSet output. */
export async function groupNames(ctx: Context, interfaces: readonly NetworkInterface[]) {
  const ids = [...new Set(interfaces.flatMap((eni) => eni.groupIds))]
  const groups = await ctx.tx.list<SecurityGroup>(kinds.securityGroup.type, { ids })
  return new Map(groups.map((g) => [g.id, g.body.groupName]))
}

export async function describeNetworkInterfaces(ctx: Context, request: DescribeRequest) {
  const all = await ctx.tx.list<NetworkInterface>(kinds.networkInterface.type, { visibleTo: ctx.caller })
  const names = await groupNames(
    ctx,
    all.map((s) => s.body),
  )
  const page = await describe<NetworkInterface>(ctx, kinds.networkInterface, request, {
    idParameter: 'NetworkInterfaceId',
    fields: {
      'addresses.private-ip-address': ({ resource: { body } }) => [
        body.privateIpAddress,
        ...body.secondaryPrivateIpAddresses,
      ],
      'attachment.attachment-id': ({ resource: { body } }) => body.attachment?.attachmentId,
      'attachment.instance-id': ({ resource: { body } }) => body.attachment?.instanceId,
      'attachment.device-index': ({ resource: { body } }) => body.attachment?.deviceIndex,
      'attachment.status': ({ resource: { body } }) => (body.attachment ? 'attached' : undefined),
      'availability-zone': ({ resource: { body } }) => body.availabilityZone,
      description: ({ resource: { body } }) => body.description,
      'group-id': ({ resource: { body } }) => body.groupIds,
      'group-name': ({ resource: { body } }) => body.groupIds.map((id) => names.get(id)),
      'interface-type': ({ resource: { body } }) => body.interfaceType,
      'ipv6-addresses.ipv6-address': ({ resource: { body } }) => body.ipv6Addresses,
      'mac-address': ({ resource: { body } }) => body.macAddress,
      'network-interface-id': ({ resource }) => resource.id,
      'owner-id': ({ resource: { body } }) => body.ownerId,
      'private-ip-address': ({ resource: { body } }) => body.privateIpAddress,
      'requester-managed': ({ resource: { body } }) => body.interfaceType !== 'interface',
      'source-dest-check': ({ resource: { body } }) => body.sourceDestCheck,
      status: ({ resource: { body } }) => (body.attachment ? 'in-use' : 'available'),
      'subnet-id': ({ resource: { body } }) => body.subnetId,
      'vpc-id': ({ resource: { body } }) => body.vpcId,
    },
  })
  return { ...page, groupNames: names }
}

import * as gateways from '../../../app/gateways.js'
import type {
  EgressOnlyInternetGateway,
  GatewayAttachment,
  InternetGateway,
  NatGateway,
  VpnGateway,
} from '../../../domain/gateways.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { filters, int, list, oneOf, required, string, tagSpecifications } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'

// Shapes (the model's element names, Appendix A).

const attachmentShape = (a: GatewayAttachment) => ({ vpcId: a.vpcId, state: a.state })

const internetGatewayShape = (gateway: InternetGateway, tags: readonly Tag[]) => ({
  attachmentSet: gateway.attachments.map(attachmentShape),
  internetGatewayId: gateway.internetGatewayId,
  ownerId: gateway.ownerId,
  tagSet: tagSet(tags),
})

const egressOnlyInternetGatewayShape = (gateway: EgressOnlyInternetGateway, tags: readonly Tag[]) => ({
  attachmentSet: [{ state: 'attached', vpcId: gateway.vpcId }],
  egressOnlyInternetGatewayId: gateway.egressOnlyInternetGatewayId,
  tagSet: tagSet(tags),
})

const natGatewayShape = (gateway: NatGateway, tags: readonly Tag[], state = gateway.state) => ({
  createTime: new Date(gateway.createTime),
  deleteTime: gateway.deleteTime ? new Date(gateway.deleteTime) : undefined,
  natGatewayAddressSet: [
    {
      allocationId: gateway.allocationId,
      privateIp: gateway.privateIp,
      isPrimary: true,
      status: 'succeeded',
    },
  ],
  natGatewayId: gateway.natGatewayId,
  state,
  subnetId: gateway.subnetId,
  vpcId: gateway.vpcId,
  tagSet: tagSet(tags),
  connectivityType: gateway.connectivityType,
  availabilityMode: 'zonal',
})

const vpnGatewayShape = (gateway: VpnGateway, tags: readonly Tag[], state = gateway.state) => ({
  amazonSideAsn: gateway.amazonSideAsn,
  tagSet: tagSet(tags),
  vpnGatewayId: gateway.vpnGatewayId,
  state,
  type: gateway.type,
  availabilityZone: gateway.availabilityZone,
  attachments: gateway.attachments.map(attachmentShape),
})

const attachParams = { InternetGatewayId: required(string()), VpcId: required(string()) }
const vpnAttachParams = { VpnGatewayId: required(string()), VpcId: required(string()) }

export const gatewayActions = {
  CreateInternetGateway: command({ TagSpecification: tagSpecifications }, async (ctx, input) => {
    const { gateway, tags } = await gateways.createInternetGateway(ctx, input.TagSpecification)
    return { internetGateway: internetGatewayShape(gateway, tags) }
  }),

  AttachInternetGateway: command(attachParams, async (ctx, input) => {
    await gateways.attachInternetGateway(ctx, input.InternetGatewayId, input.VpcId)
    return {}
  }),

  DetachInternetGateway: command(attachParams, async (ctx, input) => {
    await gateways.detachInternetGateway(ctx, input.InternetGatewayId, input.VpcId)
    return {}
  }),

  DeleteInternetGateway: command({ InternetGatewayId: required(string()) }, async (ctx, input) => {
    await gateways.deleteInternetGateway(ctx, input.InternetGatewayId)
    return {}
  }),

  DescribeInternetGateways: query(
    describeParams('InternetGatewayId', { min: 5, max: 1000 }),
    async (ctx, input) => {
      const page = await gateways.describeInternetGateways(
        ctx,
        describeRequest(input.InternetGatewayId, input, ctx),
      )
      return {
        internetGatewaySet: page.items.map((i) => internetGatewayShape(i.resource.body, i.tags)),
        nextToken: page.nextToken,
      }
    },
  ),

  CreateEgressOnlyInternetGateway: command(
    { VpcId: required(string()), ClientToken: string(), TagSpecification: tagSpecifications },
    async (ctx, input) => {
      const { gateway, tags } = await gateways.createEgressOnlyInternetGateway(ctx, {
        vpcId: input.VpcId,
        tagSpecifications: input.TagSpecification,
        ...defined({ clientToken: input.ClientToken }),
      })
      return {
        clientToken: input.ClientToken,
        egressOnlyInternetGateway: egressOnlyInternetGatewayShape(gateway, tags),
      }
    },
  ),

  // This action answers `returnCode`, not `return` (API reference sample).
  DeleteEgressOnlyInternetGateway: command(
    { EgressOnlyInternetGatewayId: required(string()) },
    async (ctx, input) => {
      await gateways.deleteEgressOnlyInternetGateway(ctx, input.EgressOnlyInternetGatewayId)
      return { returnCode: true }
    },
  ),

  DescribeEgressOnlyInternetGateways: query(
    describeParams('EgressOnlyInternetGatewayId', { min: 5, max: 255 }),
    async (ctx, input) => {
      const page = await gateways.describeEgressOnlyInternetGateways(
        ctx,
        describeRequest(input.EgressOnlyInternetGatewayId, input, ctx),
      )
      return {
        egressOnlyInternetGatewaySet: page.items.map((i) =>
          egressOnlyInternetGatewayShape(i.resource.body, i.tags),
        ),
        nextToken: page.nextToken,
      }
    },
  ),

  CreateNatGateway: command(
    {
      SubnetId: string(),
      ConnectivityType: oneOf(['public', 'private']),
      AllocationId: string(),
      PrivateIpAddress: string(),
      ClientToken: string(),
      // vpcpeer models zonal NAT gateways only; the regional mode and its members are refused by name.
      AvailabilityMode: oneOf(['zonal']),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { gateway, tags } = await gateways.createNatGateway(ctx, {
        tagSpecifications: input.TagSpecification,
        ...defined({
          subnetId: input.SubnetId,
          connectivityType: input.ConnectivityType,
          allocationId: input.AllocationId,
          privateIpAddress: input.PrivateIpAddress,
          clientToken: input.ClientToken,
        }),
      })
      return { clientToken: input.ClientToken, natGateway: natGatewayShape(gateway, tags, 'pending') }
    },
  ),

  DeleteNatGateway: command({ NatGatewayId: required(string()) }, async (ctx, input) =>
    gateways.deleteNatGateway(ctx, input.NatGatewayId),
  ),

  DescribeNatGateways: query(describeParams('NatGatewayId', { min: 5, max: 1000 }), async (ctx, input) => {
    const page = await gateways.describeNatGateways(ctx, describeRequest(input.NatGatewayId, input, ctx))
    return {
      natGatewaySet: page.items.map((i) => natGatewayShape(i.resource.body, i.tags)),
      nextToken: page.nextToken,
    }
  }),

  CreateVpnGateway: command(
    {
      Type: required(oneOf(['ipsec.1'])),
      AmazonSideAsn: int({ min: 1, max: 4_294_967_295 }),
      AvailabilityZone: string(),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { gateway, tags } = await gateways.createVpnGateway(ctx, {
        type: input.Type,
        tagSpecifications: input.TagSpecification,
        ...defined({ amazonSideAsn: input.AmazonSideAsn, availabilityZone: input.AvailabilityZone }),
      })
      return { vpnGateway: vpnGatewayShape(gateway, tags, 'pending') }
    },
  ),

  AttachVpnGateway: command(vpnAttachParams, async (ctx, input) => ({
    attachment: await gateways.attachVpnGateway(ctx, input.VpnGatewayId, input.VpcId),
  })),

  DetachVpnGateway: command(vpnAttachParams, async (ctx, input) => {
    await gateways.detachVpnGateway(ctx, input.VpnGatewayId, input.VpcId)
    return {}
  }),

  DeleteVpnGateway: command({ VpnGatewayId: required(string()) }, async (ctx, input) => {
    await gateways.deleteVpnGateway(ctx, input.VpnGatewayId)
    return {}
  }),

  // No pagination for this action in the model.
  DescribeVpnGateways: query({ VpnGatewayId: list(string()), Filter: filters }, async (ctx, input) => {
    const page = await gateways.describeVpnGateways(ctx, { ids: input.VpnGatewayId, filters: input.Filter })
    return { vpnGatewaySet: page.items.map((i) => vpnGatewayShape(i.resource.body, i.tags)) }
  }),
}

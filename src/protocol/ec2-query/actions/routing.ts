import * as routeTables from '../../../app/route-tables.js'
import { command, query } from '../action.js'
import { bool, required, type StructOf, string, tagSpecifications } from '../params.js'
import { routeTableShape } from '../routing-shapes.js'
import { defined, describeParams, describeRequest } from '../shapes.js'
import { gatewayActions } from './gateways.js'

const associated = { state: 'associated' }

/** Destination and target parameters CreateRoute and ReplaceRoute share (DeleteRoute: the destination). */
const destinationParams = {
  RouteTableId: required(string()),
  DestinationCidrBlock: string(),
  DestinationIpv6CidrBlock: string(),
  DestinationPrefixListId: string(),
}

const targetParams = {
  GatewayId: string(),
  NatGatewayId: string(),
  VpcPeeringConnectionId: string(),
  EgressOnlyInternetGatewayId: string(),
  NetworkInterfaceId: string(),
  InstanceId: string(),
  TransitGatewayId: string(),
  LocalGatewayId: string(),
  CarrierGatewayId: string(),
  VpcEndpointId: string(),
  CoreNetworkArn: string(),
  OdbNetworkArn: string(),
}

const routeParams = { ...destinationParams, ...targetParams }

type RouteWire = StructOf<typeof destinationParams> &
  Partial<StructOf<typeof targetParams>> & { LocalTarget?: boolean }

const routeInput = (input: RouteWire): routeTables.RouteInput => ({
  routeTableId: input.RouteTableId,
  ...defined({
    destinationCidrBlock: input.DestinationCidrBlock,
    destinationIpv6CidrBlock: input.DestinationIpv6CidrBlock,
    destinationPrefixListId: input.DestinationPrefixListId,
    gatewayId: input.GatewayId,
    natGatewayId: input.NatGatewayId,
    vpcPeeringConnectionId: input.VpcPeeringConnectionId,
    egressOnlyInternetGatewayId: input.EgressOnlyInternetGatewayId,
    networkInterfaceId: input.NetworkInterfaceId,
    instanceId: input.InstanceId,
    transitGatewayId: input.TransitGatewayId,
    localGatewayId: input.LocalGatewayId,
    carrierGatewayId: input.CarrierGatewayId,
    vpcEndpointId: input.VpcEndpointId,
    coreNetworkArn: input.CoreNetworkArn,
    odbNetworkArn: input.OdbNetworkArn,
    localTarget: input.LocalTarget,
  }),
})

const propagationParams = { GatewayId: required(string()), RouteTableId: required(string()) }

const routeTableActions = {
  CreateRouteTable: command(
    { VpcId: required(string()), ClientToken: string(), TagSpecification: tagSpecifications },
    async (ctx, input) => {
      const { table, tags } = await routeTables.createRouteTable(ctx, {
        vpcId: input.VpcId,
        tagSpecifications: input.TagSpecification,
        ...defined({ clientToken: input.ClientToken }),
      })
      const stateOf = await routeTables.routeStates(ctx, [table])
      return { routeTable: routeTableShape(table, tags, stateOf), clientToken: input.ClientToken }
    },
  ),

  DeleteRouteTable: command({ RouteTableId: required(string()) }, async (ctx, input) => {
    await routeTables.deleteRouteTable(ctx, input.RouteTableId)
    return {}
  }),

  DescribeRouteTables: query(describeParams('RouteTableId', { min: 5, max: 100 }), async (ctx, input) => {
    const page = await routeTables.describeRouteTables(ctx, describeRequest(input.RouteTableId, input))
    return {
      routeTableSet: page.items.map((i) => routeTableShape(i.resource.body, i.tags, page.stateOf)),
      nextToken: page.nextToken,
    }
  }),

  AssociateRouteTable: command(
    { RouteTableId: required(string()), SubnetId: string(), GatewayId: string(), PublicIpv4Pool: string() },
    async (ctx, input) => {
      const { associationId } = await routeTables.associateRouteTable(ctx, {
        routeTableId: input.RouteTableId,
        ...defined({
          subnetId: input.SubnetId,
          gatewayId: input.GatewayId,
          publicIpv4Pool: input.PublicIpv4Pool,
        }),
      })
      return { associationId, associationState: associated }
    },
  ),

  DisassociateRouteTable: command({ AssociationId: required(string()) }, async (ctx, input) => {
    await routeTables.disassociateRouteTable(ctx, input.AssociationId)
    return {}
  }),

  ReplaceRouteTableAssociation: command(
    { AssociationId: required(string()), RouteTableId: required(string()) },
    async (ctx, input) => {
      const { newAssociationId } = await routeTables.replaceRouteTableAssociation(
        ctx,
        input.AssociationId,
        input.RouteTableId,
      )
      return { newAssociationId, associationState: associated }
    },
  ),

  CreateRoute: command(routeParams, async (ctx, input) => {
    await routeTables.createRoute(ctx, routeInput(input))
    return {}
  }),

  ReplaceRoute: command({ ...routeParams, LocalTarget: bool() }, async (ctx, input) => {
    await routeTables.replaceRoute(ctx, routeInput(input))
    return {}
  }),

  DeleteRoute: command(destinationParams, async (ctx, input) => {
    await routeTables.deleteRoute(ctx, routeInput(input))
    return {}
  }),

  EnableVgwRoutePropagation: command(propagationParams, async (ctx, input) => {
    await routeTables.setVgwRoutePropagation(ctx, {
      routeTableId: input.RouteTableId,
      gatewayId: input.GatewayId,
      enabled: true,
    })
    return {}
  }),

  DisableVgwRoutePropagation: command(propagationParams, async (ctx, input) => {
    await routeTables.setVgwRoutePropagation(ctx, {
      routeTableId: input.RouteTableId,
      gatewayId: input.GatewayId,
      enabled: false,
    })
    return {}
  }),
}

/** Route tables, routes and the gateways they point at. */
export const routingActions = { ...routeTableActions, ...gatewayActions }

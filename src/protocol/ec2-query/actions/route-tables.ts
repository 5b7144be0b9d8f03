import * as routeTables from '../../../app/route-tables.js'
import type { Route, RouteState, RouteTable, RouteTableAssociation } from '../../../domain/route-table.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { bool, required, type StructOf, string, tagSpecifications } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'

const associated = { state: 'associated' }

// Shapes (the model's element names, Appendix A).

const routeShape = (route: Route, state: RouteState) => ({
  destinationCidrBlock: route.destinationCidrBlock,
  destinationIpv6CidrBlock: route.destinationIpv6CidrBlock,
  destinationPrefixListId: route.destinationPrefixListId,
  egressOnlyInternetGatewayId: route.egressOnlyInternetGatewayId,
  gatewayId: route.gatewayId,
  instanceId: route.instanceId,
  natGatewayId: route.natGatewayId,
  transitGatewayId: route.transitGatewayId,
  networkInterfaceId: route.networkInterfaceId,
  origin: route.origin,
  state,
  vpcPeeringConnectionId: route.vpcPeeringConnectionId,
})

const associationShape = (routeTableId: string, association: RouteTableAssociation) => ({
  main: association.main,
  routeTableAssociationId: association.routeTableAssociationId,
  routeTableId,
  subnetId: association.subnetId,
  gatewayId: association.gatewayId,
  associationState: { state: 'associated' },
})

const routeTableShape = (
  table: RouteTable,
  tags: readonly Tag[],
  stateOf: (table: RouteTable, route: Route) => RouteState,
) => ({
  associationSet: table.associations.map((a) => associationShape(table.routeTableId, a)),
  propagatingVgwSet: table.propagatingVgws.map((gatewayId) => ({ gatewayId })),
  routeTableId: table.routeTableId,
  routeSet: table.routes.map((r) => routeShape(r, stateOf(table, r))),
  tagSet: tagSet(tags),
  vpcId: table.vpcId,
  ownerId: table.ownerId,
})

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

export const routeTableActions = {
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
    const page = await routeTables.describeRouteTables(ctx, describeRequest(input.RouteTableId, input, ctx))
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

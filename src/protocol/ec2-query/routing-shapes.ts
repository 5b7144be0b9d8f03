import type {
  EgressOnlyInternetGateway,
  GatewayAttachment,
  InternetGateway,
  NatGateway,
  VpnGateway,
} from '../../domain/gateways.js'
import type { Route, RouteState, RouteTable, RouteTableAssociation } from '../../domain/route-table.js'
import type { Tag } from '../../ports/store.js'
import { tagSet } from './shapes.js'

/** Route tables and gateways rendered with the model's element names (Appendix A). */

export const routeShape = (route: Route, state: RouteState) => ({
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

export const associationShape = (routeTableId: string, association: RouteTableAssociation) => ({
  main: association.main,
  routeTableAssociationId: association.routeTableAssociationId,
  routeTableId,
  subnetId: association.subnetId,
  gatewayId: association.gatewayId,
  associationState: { state: 'associated' },
})

export const routeTableShape = (
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

const attachmentShape = (a: GatewayAttachment) => ({ vpcId: a.vpcId, state: a.state })

export const internetGatewayShape = (gateway: InternetGateway, tags: readonly Tag[]) => ({
  attachmentSet: gateway.attachments.map(attachmentShape),
  internetGatewayId: gateway.internetGatewayId,
  ownerId: gateway.ownerId,
  tagSet: tagSet(tags),
})

export const egressOnlyInternetGatewayShape = (gateway: EgressOnlyInternetGateway, tags: readonly Tag[]) => ({
  attachmentSet: [{ state: 'attached', vpcId: gateway.vpcId }],
  egressOnlyInternetGatewayId: gateway.egressOnlyInternetGatewayId,
  tagSet: tagSet(tags),
})

export const natGatewayShape = (gateway: NatGateway, tags: readonly Tag[], state = gateway.state) => ({
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

export const vpnGatewayShape = (gateway: VpnGateway, tags: readonly Tag[], state = gateway.state) => ({
  amazonSideAsn: gateway.amazonSideAsn,
  tagSet: tagSet(tags),
  vpnGatewayId: gateway.vpnGatewayId,
  state,
  type: gateway.type,
  availabilityZone: gateway.availabilityZone,
  attachments: gateway.attachments.map(attachmentShape),
})

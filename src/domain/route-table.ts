export type RouteOrigin = 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation'

export interface Route {
  readonly destinationCidrBlock?: string
  readonly destinationIpv6CidrBlock?: string
  readonly destinationPrefixListId?: string
  /** `local` for the VPC's own blocks, or an igw-/vgw- id. */
  readonly gatewayId?: string
  readonly natGatewayId?: string
  readonly vpcPeeringConnectionId?: string
  readonly networkInterfaceId?: string
  readonly instanceId?: string
  readonly egressOnlyInternetGatewayId?: string
  readonly transitGatewayId?: string
  readonly origin: RouteOrigin
}

export interface RouteTableAssociation {
  readonly routeTableAssociationId: string
  readonly main: boolean
  readonly subnetId?: string
  readonly gatewayId?: string
}

export interface RouteTable {
  readonly routeTableId: string
  readonly vpcId: string
  readonly ownerId: string
  readonly routes: readonly Route[]
  readonly associations: readonly RouteTableAssociation[]
  readonly propagatingVgws: readonly string[]
  /** The ClientToken of the CreateRouteTable call that made it, for idempotent retries. */
  readonly clientToken?: string
}

/** The local route AWS adds for each of the VPC's blocks. */
export function localRoute(cidr: string): Route {
  return cidr.includes(':')
    ? { destinationIpv6CidrBlock: cidr, gatewayId: 'local', origin: 'CreateRouteTable' }
    : { destinationCidrBlock: cidr, gatewayId: 'local', origin: 'CreateRouteTable' }
}

export const routeDestination = (route: Route) =>
  route.destinationCidrBlock ?? route.destinationIpv6CidrBlock ?? route.destinationPrefixListId ?? ''

/** `active` while the target can carry traffic; `blackhole` once it is gone, detached or not active. */
export type RouteState = 'active' | 'blackhole'

/** Quotas per route table and per VPC (UG-quotas); routes count per address family. */
export const ROUTE_TABLE_LIMITS = { routesPerFamily: 50, tablesPerVpc: 200 } as const

/** Destinations AWS keeps for itself: no route may point into these. */
export const RESERVED_DESTINATIONS = ['169.254.168.0/22', 'fd00:ec2::/32'] as const

export const isIpv6Route = (route: Route) => route.destinationIpv6CidrBlock !== undefined

/** Which id a route sends its traffic to: a pcx-, nat-, eigw-, eni-, i-, tgw-, igw- or vgw- id, or `local`. */
export const routeTargetId = (route: Route) =>
  route.vpcPeeringConnectionId ??
  route.natGatewayId ??
  route.egressOnlyInternetGatewayId ??
  route.networkInterfaceId ??
  route.instanceId ??
  route.transitGatewayId ??
  route.gatewayId ??
  ''

import { errors, type IdKind } from './errors.js'

const kind = (prefix: string, noun: string, notFound: string, malformed: string): IdKind => ({
  prefix,
  noun,
  notFound,
  malformed,
})

/** Id kinds with AWS's codes and nouns; note the ID/Id spellings differ between codes. */
export const ids = {
  vpc: kind('vpc', 'vpc', 'InvalidVpcID.NotFound', 'InvalidVpcID.Malformed'),
  subnet: kind('subnet', 'subnet', 'InvalidSubnetID.NotFound', 'InvalidSubnetID.Malformed'),
  routeTable: kind('rtb', 'routeTable', 'InvalidRouteTableID.NotFound', 'InvalidRouteTableId.Malformed'),
  securityGroup: {
    ...kind('sg', 'security group', 'InvalidGroup.NotFound', 'InvalidGroupId.Malformed'),
    notFoundMessage: (id: string) => `The security group '${id}' does not exist`,
  },
  securityGroupRule: kind(
    'sgr',
    'security group rule',
    'InvalidSecurityGroupRuleId.NotFound',
    'InvalidSecurityGroupRuleId.Malformed',
  ),
  prefixList: kind('pl', 'prefix list', 'InvalidPrefixListID.NotFound', 'InvalidPrefixListId.Malformed'),
  networkAcl: kind('acl', 'networkAcl', 'InvalidNetworkAclID.NotFound', 'InvalidNetworkAclId.Malformed'),
  peering: kind(
    'pcx',
    'vpcPeeringConnection',
    'InvalidVpcPeeringConnectionID.NotFound',
    'InvalidVpcPeeringConnectionId.Malformed',
  ),
  internetGateway: kind(
    'igw',
    'internetGateway',
    'InvalidInternetGatewayID.NotFound',
    'InvalidInternetGatewayId.Malformed',
  ),
  egressOnlyInternetGateway: kind(
    'eigw',
    'egressOnlyInternetGateway',
    'InvalidEgressOnlyInternetGatewayId.NotFound',
    'InvalidEgressOnlyInternetGatewayId.Malformed',
  ),
  natGateway: {
    ...kind('nat', 'natGateway', 'NatGatewayNotFound', 'NatGatewayMalformed'),
    notFoundMessage: (id: string) => `NAT gateway ${id} was not found`,
  },
  vpnGateway: kind('vgw', 'vpnGateway', 'InvalidVpnGatewayID.NotFound', 'InvalidVpnGatewayID.Malformed'),
  networkInterface: kind(
    'eni',
    'networkInterface',
    'InvalidNetworkInterfaceID.NotFound',
    'InvalidNetworkInterfaceId.Malformed',
  ),
  instance: kind('i', 'instance', 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'),
  // Images are not modelled: any well-formed AMI id is accepted, a malformed one refused.
  image: kind('ami', 'image', 'InvalidAMIID.NotFound', 'InvalidAMIID.Malformed'),
  flowLog: {
    ...kind('fl', 'flowLog', 'InvalidFlowLogId.NotFound', 'InvalidFlowLogId.Malformed'),
    notFoundMessage: (id: string) =>
      `These flow log ids in the input list are not found: [TotalCount: 1] ${id}`,
  },
  networkInsightsPath: kind(
    'nip',
    'networkInsightsPath',
    'InvalidNetworkInsightsPathId.NotFound',
    'InvalidNetworkInsightsPathId.Malformed',
  ),
  networkInsightsAnalysis: kind(
    'nia',
    'networkInsightsAnalysis',
    'InvalidNetworkInsightsAnalysisId.NotFound',
    'InvalidNetworkInsightsAnalysisId.Malformed',
  ),
  networkInsightsAccessScope: kind(
    'nis',
    'networkInsightsAccessScope',
    'InvalidNetworkInsightsAccessScopeId.NotFound',
    'InvalidNetworkInsightsAccessScopeId.Malformed',
  ),
  networkInsightsAccessScopeAnalysis: kind(
    'nisa',
    'networkInsightsAccessScopeAnalysis',
    'InvalidNetworkInsightsAccessScopeAnalysisId.NotFound',
    'InvalidNetworkInsightsAccessScopeAnalysisId.Malformed',
  ),
} as const

const ID_PATTERN = /^[a-z][a-z-]*-(?:[0-9a-f]{8}|[0-9a-f]{17})$/

/** Whether `id` has the shape `<prefix>-<8 or 17 hex>` for this kind. */
export function isWellFormed(kind: IdKind, id: string): boolean {
  return id.startsWith(`${kind.prefix}-`) && ID_PATTERN.test(id) && id.lastIndexOf('-') === kind.prefix.length
}

/** Throws the kind's Malformed error unless the id is well formed. */
export function checkId(kind: IdKind, id: string): string {
  if (!isWellFormed(kind, id)) throw errors.malformed(kind, id)
  return id
}

/**
 * The error catalogue: every AWS error code vpcpeer answers, with its HTTP status and message.
 * Codes are case-sensitive and keep AWS's own inconsistent spellings (`…ID.NotFound` next to
 * `…Id.Malformed`). docs/errors.md lists the same catalogue for users.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError

const fail = (code: string, message: string, status = 400) => new ApiError(code, message, status)

/** How each kind of id is named in NotFound and Malformed errors. */
export interface IdKind {
  readonly prefix: string
  /** The noun AWS uses in `The <noun> ID '<id>' does not exist`. */
  readonly noun: string
  readonly notFound: string
  /** A NotFound message that does not follow the usual pattern (NAT gateways). */
  readonly notFoundMessage?: (id: string) => string
  readonly malformed: string
}

export const errors = {
  // protocol
  invalidAction: (action: string) =>
    fail('InvalidAction', `The action ${action} is not valid for this web service.`),
  unknownParameter: (name: string) => fail('UnknownParameter', `The parameter ${name} is not recognized`),
  missingParameter: (name: string) =>
    fail('MissingParameter', `The request must contain the parameter ${name}`),
  missingAction: () => fail('MissingAction', 'The request must contain the parameter Action'),
  invalidParameterValue: (message: string) => fail('InvalidParameterValue', message),
  invalidValue: (name: string, value: string, reason = '') =>
    fail(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${name} is invalid.${reason ? ` ${reason}` : ''}`,
    ),
  invalidParameter: (message: string) => fail('InvalidParameter', message),
  invalidParameterCombination: (message: string) => fail('InvalidParameterCombination', message),
  invalidFilter: (name: string) => fail('InvalidParameterValue', `The filter '${name}' is invalid`),
  filterLimitExceeded: (message: string) => fail('FilterLimitExceeded', message),
  invalidNextToken: (token: string) => fail('InvalidNextToken', `The token '${token}' is invalid.`),
  dryRun: () => fail('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412),
  requestEntityTooLarge: () => fail('RequestEntityTooLarge', 'Request body is too large.', 413),
  requestTimeout: (seconds: number) =>
    fail('RequestTimeout', `The request was not received in full within ${seconds} seconds.`, 408),
  internal: () => fail('InternalError', 'An internal error has occurred', 500),
  unsupportedProtocol: (message: string) => fail('UnsupportedProtocol', message),
  invalidRequest: (message: string, status = 400) => fail('InvalidRequest', message, status),
  requestHeaderSectionTooLarge: (limit: number) =>
    fail(
      'RequestHeaderSectionTooLarge',
      `The request line and headers exceed ${limit} bytes; send long parameters in a POST body instead.`,
      431,
    ),

  noSuchEntity: (message: string) => fail('NoSuchEntity', message, 404),

  // authentication
  authFailure: () => fail('AuthFailure', 'AWS was not able to validate the provided access credentials', 401),
  signatureDoesNotMatch: () =>
    fail(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      403,
    ),
  requestExpired: () => fail('RequestExpired', 'Request has expired.', 400),
  missingAuthenticationToken: () =>
    fail('MissingAuthenticationToken', 'Request is missing Authentication Token', 401),
  incompleteSignature: (message: string) => fail('IncompleteSignature', message, 400),
  unauthorizedOperation: (message: string) => fail('UnauthorizedOperation', message, 403),

  // resources by id
  notFound: (kind: IdKind, id: string) =>
    fail(kind.notFound, kind.notFoundMessage?.(id) ?? `The ${kind.noun} ID '${id}' does not exist`),
  malformed: (kind: IdKind, id: string) =>
    fail(kind.malformed, `Invalid id: "${id}" (expecting "${kind.prefix}-...")`),
  invalidId: (id: string) => fail('InvalidID', `The ID '${id}' is not valid`),
  dependencyViolation: (noun: string, id: string) =>
    fail('DependencyViolation', `The ${noun} '${id}' has dependencies and cannot be deleted.`),

  // CIDRs
  invalidCidr: (name: string, value: string) =>
    fail(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${name} is invalid. This is not a valid CIDR block.`,
    ),
  invalidVpcRange: (cidr: string) => fail('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`),
  invalidSubnetRange: (cidr: string) => fail('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`),
  subnetConflict: (cidr: string) =>
    fail('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`),
  restrictedVpcCidr: (cidr: string) =>
    fail(
      'InvalidVpc.Range',
      `The CIDR '${cidr}' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR.`,
    ),
  cidrConflict: (cidr: string) =>
    fail('CidrConflict', `The CIDR '${cidr}' conflicts with a CIDR block of this VPC.`),
  cidrAssociationInUse: (associationId: string) =>
    fail(
      'DependencyViolation',
      `The vpc CIDR block association '${associationId}' has dependencies and cannot be disassociated.`,
    ),
  cidrLimitExceeded: (message: string) => fail('CidrLimitExceeded', message),
  invalidCidrAssociation: (id: string) =>
    fail(
      'InvalidVpcCidrBlockAssociationID.NotFound',
      `The vpc CIDR block association ID '${id}' does not exist`,
    ),
  invalidSubnetCidrAssociation: (id: string) =>
    fail(
      'InvalidSubnetCidrBlockAssociationID.NotFound',
      `The subnet CIDR block association ID '${id}' does not exist`,
    ),
  operationNotPermitted: (message: string) => fail('OperationNotPermitted', message),
  invalidAvailabilityZone: (zone: string) =>
    fail(
      'InvalidParameterValue',
      `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: `,
    ),

  // peering (spec §2 and §5)
  invalidStateTransition: (id: string, from: string, to: string) =>
    fail(
      'InvalidStateTransition',
      `Invalid state transition for ${id}, attempted to transition from ${from} to ${to}`,
    ),
  peeringAlreadyExists: (id: string) =>
    fail(
      'VpcPeeringConnectionAlreadyExists',
      `The vpc peering connection identified by ${id} already exists.`,
    ),
  peeringWithItself: (vpcId: string) =>
    fail('InvalidParameterValue', `A VPC peering connection cannot be created between ${vpcId} and itself.`),
  activePeeringLimit: (vpcId: string, limit: number) =>
    fail(
      'ActiveVpcPeeringConnectionPerVpcLimitExceeded',
      `The maximum number of active VPC peering connections per VPC (${limit}) has been reached for ${vpcId}.`,
    ),
  outstandingPeeringLimit: (limit: number) =>
    fail(
      'OutstandingVpcPeeringConnectionLimitExceeded',
      `You have reached the maximum number of outstanding VPC peering connection requests (${limit}).`,
    ),
  dnsHostnamesDisabled: (id: string, vpcId: string) =>
    fail(
      'InvalidVpcPeeringConnectionState.DnsHostnamesDisabled',
      `DNS resolution for ${id} needs enableDnsHostnames and enableDnsSupport on ${vpcId}.`,
    ),
  cidrBlockedByPendingPeering: (cidr: string, id: string) =>
    fail(
      'OperationNotPermitted',
      `The CIDR '${cidr}' cannot be associated while the VPC is the requester of the pending VPC peering connection ${id}.`,
    ),
  cidrOverlapsPeer: (cidr: string, peerVpcId: string, id: string) =>
    fail(
      'InvalidVpc.Range',
      `The CIDR '${cidr}' overlaps with a CIDR of ${peerVpcId}, peered through the active VPC peering connection ${id}.`,
    ),

  // route tables and routes (spec §4.4, §6)
  routeAlreadyExists: (destination: string) =>
    fail('RouteAlreadyExists', `The route identified by ${destination} already exists.`),
  routeNotFound: (destination: string, routeTableId: string) =>
    fail(
      'InvalidRoute.NotFound',
      `no route with destination-cidr-block ${destination} in route table ${routeTableId}`,
    ),
  noRouteToReplace: (destination: string) =>
    fail(
      'InvalidParameterValue',
      `There is no route defined for '${destination}' in the route table. Use CreateRoute instead.`,
    ),
  localRouteUndeletable: (destination: string, routeTableId: string) =>
    fail('InvalidParameterValue', `cannot remove local route ${destination} in route table ${routeTableId}`),
  routeTargetNotSupported: () =>
    fail(
      'InvalidParameterValue',
      'Route target is not supported. This route only supports interface and instance targets.',
    ),
  differentNetworks: (routeTableId: string, gatewayId: string) =>
    fail(
      'InvalidParameterValue',
      `route table ${routeTableId} and network gateway ${gatewayId} belong to different networks`,
    ),
  routeLimitExceeded: (routeTableId: string, limit: number) =>
    fail(
      'RouteLimitExceeded',
      `The maximum number of routes (${limit}) has been reached for ${routeTableId}.`,
    ),
  gatewayNotFound: (id: string) => fail('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`),
  natGatewayTargetNotFound: (id: string) =>
    fail('InvalidNatGatewayID.NotFound', `The natGateway ID '${id}' does not exist`),
  prefixListNotFound: (id: string) =>
    fail('InvalidPrefixListID.NotFound', `The prefix list ID '${id}' does not exist`),
  associationNotFound: (id: string) =>
    fail('InvalidAssociationID.NotFound', `The association ID '${id}' does not exist`),
  associationConflict: (routeTableId: string) =>
    fail(
      'Resource.AlreadyAssociated',
      `the specified association for route table ${routeTableId} conflicts with an existing association`,
    ),
  idempotentParameterMismatch: (token: string) =>
    fail(
      'IdempotentParameterMismatch',
      `The client token '${token}' has already been used with different parameters.`,
    ),

  routeTargetMissing: (names: string) =>
    fail('MissingParameter', `The request must contain exactly one route target: ${names}`),
  routeTargetsConflict: (names: string) =>
    fail('InvalidParameterCombination', `Only one route target may be specified; got ${names}`),
  notModelled: (name: string, value: string) =>
    fail(
      'InvalidParameterValue',
      `Value (${value}) for parameter ${name} is invalid. vpcpeer does not model what it refers to.`,
    ),

  // gateways
  gatewayAlreadyAttached: (gatewayId: string, vpcId: string) =>
    fail('Resource.AlreadyAssociated', `resource ${gatewayId} is already attached to network ${vpcId}`),
  vpcHasInternetGateway: (vpcId: string) =>
    fail('Resource.AlreadyAssociated', `Network ${vpcId} already has an internet gateway attached`),
  gatewayNotAttached: (gatewayId: string, vpcId: string) =>
    fail('Gateway.NotAttached', `resource ${gatewayId} is not attached to network ${vpcId}`),
  vpcHasVpnGateway: (vpcId: string) =>
    fail('InvalidVpcState', `The VPC ${vpcId} already has a virtual private gateway attached to it.`),
  vpnGatewayAttachmentLimit: (vpnGatewayId: string) =>
    fail(
      'VpnGatewayAttachmentLimitExceeded',
      `The virtual private gateway ${vpnGatewayId} is already attached to a VPC.`,
    ),
  vpnGatewayAttachmentNotFound: (vpnGatewayId: string, vpcId: string) =>
    fail(
      'InvalidVpnGatewayAttachment.NotFound',
      `The attachment with vpn gateway ID '${vpnGatewayId}' and vpc ID '${vpcId}' does not exist`,
    ),
  vpnGatewayNotAvailable: (vpnGatewayId: string, state: string) =>
    fail('InvalidVpnGatewayState', `The virtual private gateway ${vpnGatewayId} is ${state}.`),
  vpnGatewayStillAttached: (vpnGatewayId: string) =>
    fail(
      'IncorrectState',
      `The virtual private gateway ${vpnGatewayId} is attached to a VPC; detach it first.`,
    ),

  // network ACLs (spec §4.6)
  networkAclEntryExists: (ruleNumber: number) =>
    fail('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${ruleNumber} already exists.`),
  networkAclEntryNotFound: (egress: boolean, ruleNumber: number) =>
    fail(
      'InvalidNetworkAclEntry.NotFound',
      `no ${egress ? 'egress' : 'ingress'} entry with number ${ruleNumber}`,
    ),

  // security groups (spec §4.5, §6)
  noDefaultVpc: (detail = '') =>
    fail('VPCIdNotSpecified', `No default VPC for this user${detail ? `. ${detail}` : ''}`),
  groupReserved: (name: string) => fail('InvalidGroup.Reserved', `The security group '${name}' is reserved`),
  groupDuplicate: (name: string, vpcId: string) =>
    fail('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`),
  groupNameNotFound: (name: string, vpcId: string) =>
    fail('InvalidGroup.NotFound', `The security group '${name}' does not exist in VPC '${vpcId}'`),
  groupInDifferentNetwork: () =>
    fail('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.'),
  cannotDeleteDefaultGroup: (groupId: string) =>
    fail('CannotDelete', `the specified group: "${groupId}" name: "default" cannot be deleted by a user`),
  groupInUse: (groupId: string) => fail('DependencyViolation', `resource ${groupId} has a dependent object`),
  permissionDuplicate: (rule: string) =>
    fail('InvalidPermission.Duplicate', `the specified rule "${rule}" already exists`),
  permissionRepeated: () =>
    fail('InvalidParameterValue', 'The same permission must not appear multiple times'),
  permissionNotFound: () =>
    fail('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.'),
  permissionMalformed: (message: string) => fail('InvalidPermission.Malformed', message),
  /** MissingParameter with AWS's own wording where it names no single parameter. */
  missingSpecification: (message: string) => fail('MissingParameter', message),

  // tags
  tagLimitExceeded: (message = 'The maximum number of Tags for a resource has been reached.') =>
    fail('TagLimitExceeded', message),
  invalidTagKey: (key: string) =>
    fail(
      'InvalidTagKey.Malformed',
      key === ''
        ? 'Tag keys cannot be empty.'
        : `Tag keys starting with 'aws:' are reserved for internal use`,
    ),

  // Reachability Analyzer (spec §8)
  // Literal codes, not built from `end`: the catalogue's test reads codes from the source.
  networkInsightsEndpointNotFound: (end: 'Source' | 'Destination', id: string) =>
    end === 'Source'
      ? fail('NetworkInsightsSource.NotFound', `The source '${id}' does not exist`)
      : fail('NetworkInsightsDestination.NotFound', `The destination '${id}' does not exist`),
  analysisExistsForPath: (pathId: string) =>
    fail(
      'AnalysisExistsForNetworkInsightsPath',
      `The network insights path ${pathId} has analyses; delete them before the path.`,
    ),

  // flow logs (spec §7)
  flowLogAlreadyExists: () =>
    fail(
      'FlowLogAlreadyExists',
      'Error. There is an existing Flow Log with the same configuration and log destination.',
    ),
  flowLogResourceMismatch: (id: string, resourceType: string) =>
    fail('InvalidParameter', `Invalid Resource id ${id} for resource-type ${resourceType}`),
  flowLogParameterRequired: (name: string, parameter: string, value: string) =>
    fail('InvalidParameter', `${name} can't be empty if ${parameter} is ${value}.`),
  flowLogParameterNeedsCloudWatch: (name: string) =>
    fail('InvalidParameter', `LogDestination type must be cloud-watch-logs if ${name} is provided.`),
  flowLogAggregationInterval: () => fail('InvalidParameter', 'Invalid Flow Log Max Aggregation Interval'),

  // network interfaces and instances
  invalidAddress: (text: string) =>
    fail('InvalidParameterValue', `invalid value for parameter address: ${text}`),
  addressOutsideSubnet: (address: string) =>
    fail('InvalidParameterValue', `Address ${address} does not fall within the subnet's address range`),
  addressReserved: (address: string, subnetId: string) =>
    fail(
      'InvalidParameterValue',
      `Address ${address} is reserved in ${subnetId}: AWS keeps the first four and the last address of a subnet.`,
    ),
  addressInUse: (address: string) => fail('InvalidIPAddress.InUse', `Address ${address} is in use.`),
  insufficientFreeAddresses: (subnetId: string) =>
    fail(
      'InsufficientFreeAddressesInSubnet',
      `There are not enough free addresses in subnet '${subnetId}' to satisfy the request.`,
    ),
  privateAddressLimit: (limit: number) =>
    fail(
      'PrivateIpAddressLimitExceeded',
      `A network interface can have at most ${limit} private IPv4 addresses.`,
    ),
  groupsPerInterfaceLimit: (limit: number) =>
    fail(
      'SecurityGroupsPerInterfaceLimitExceeded',
      `The maximum number of security groups per interface (${limit}) has been reached.`,
    ),
  groupAndSubnetInDifferentNetworks: (groupId: string, subnetId: string) =>
    fail(
      'InvalidParameter',
      `Security group ${groupId} and subnet ${subnetId} belong to different networks.`,
    ),
  interfaceInUse: (networkInterfaceId: string) =>
    fail('InvalidParameterValue', `Network interface '${networkInterfaceId}' is currently in use.`),
  interfaceAttached: (networkInterfaceId: string) =>
    fail('InvalidNetworkInterface.InUse', `Interface: [${networkInterfaceId}] in use.`),
  instanceLevelConflict: (what: string) =>
    fail(
      'InvalidParameterCombination',
      `Network interfaces and an instance-level ${what} may not be specified on the same request`,
    ),
  groupNameWithSubnet: () =>
    fail('InvalidParameterCombination', 'The parameter groupName cannot be used with the parameter subnet'),
  multipleAttributes: (names: readonly string[]) =>
    fail('InvalidParameterCombination', `Fields for multiple attribute types specified: ${names.join(', ')}`),

  // quotas
  limitExceeded: (code: string, message: string) => fail(code, message),
} as const

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
  internal: () => fail('InternalError', 'An internal error has occurred', 500),
  unsupportedProtocol: (message: string) => fail('UnsupportedProtocol', message),

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

  // resources by id
  notFound: (kind: IdKind, id: string) => fail(kind.notFound, `The ${kind.noun} ID '${id}' does not exist`),
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

  // quotas
  limitExceeded: (code: string, message: string) => fail(code, message),
} as const

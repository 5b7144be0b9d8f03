import type { Caller } from '../../app/context.js'
import { type ApiError, errors } from '../../domain/errors.js'
import type { QueryResponse } from '../ec2-query/handler.js'
import { escapeXml, XML_DECLARATION } from '../ec2-query/xml.js'

/**
 * The two identity calls tools make before anything else: STS GetCallerIdentity and IAM
 * GetUser (Terraform's provider asks IAM, then STS). Both answer for the signing account.
 * These services use the plain Query protocol: a `…Result` wrapper and `ErrorResponse`.
 */
const SERVICES = {
  sts: { namespace: 'https://sts.amazonaws.com/doc/2011-06-15/', version: '2011-06-15' },
  iam: { namespace: 'https://iam.amazonaws.com/doc/2010-05-08/', version: '2010-05-08' },
} as const

export type IdentityService = keyof typeof SERVICES

/** Which identity service a request is for: its credential scope, else its Version. */
export function identityService(
  scopeService: string | undefined,
  version: string | null,
): IdentityService | undefined {
  if (scopeService === 'sts' || scopeService === 'iam') return scopeService
  if (scopeService === undefined || scopeService === 'ec2') {
    if (version === SERVICES.sts.version) return 'sts'
    if (version === SERVICES.iam.version) return 'iam'
  }
  return undefined
}

const USER_NAME = 'vpcpeer'

// Stable, AWS-shaped ids derived from the account, so repeated calls agree.
const userId = (accountId: string) => `AIDA${accountId}VPCPEER`

const respond = (
  service: IdentityService,
  action: string,
  result: string,
  requestId: string,
): QueryResponse => ({
  status: 200,
  action,
  body:
    `${XML_DECLARATION}<${action}Response xmlns="${SERVICES[service].namespace}"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
})

export function identityError(
  service: IdentityService,
  error: ApiError,
  requestId: string,
  action: string,
): QueryResponse {
  return {
    status: error.status,
    action,
    errorCode: error.code,
    body:
      `${XML_DECLARATION}<ErrorResponse xmlns="${SERVICES[service].namespace}"><Error><Type>Sender</Type>` +
      `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`,
  }
}

export function handleIdentity(
  service: IdentityService,
  params: URLSearchParams,
  caller: Caller,
  requestId: string,
  started: Date,
): QueryResponse {
  const action = params.get('Action') ?? ''
  const arn = `arn:aws:iam::${caller.accountId}:user/${USER_NAME}`
  if (service === 'sts' && action === 'GetCallerIdentity') {
    const result = `<Arn>${arn}</Arn><UserId>${userId(caller.accountId)}</UserId><Account>${caller.accountId}</Account>`
    return respond(service, action, result, requestId)
  }
  if (service === 'iam' && action === 'GetUser') {
    const requested = params.get('UserName')
    if (requested !== null && requested !== USER_NAME) {
      return identityError(
        service,
        errors.noSuchEntity(`The user with name ${requested} cannot be found.`),
        requestId,
        action,
      )
    }
    const result =
      `<User><Path>/</Path><UserName>${USER_NAME}</UserName><UserId>${userId(caller.accountId)}</UserId>` +
      `<Arn>${arn}</Arn><CreateDate>${escapeXml(started.toISOString())}</CreateDate></User>`
    return respond(service, action, result, requestId)
  }
  return identityError(service, errors.invalidAction(action), requestId, action || 'unknown')
}

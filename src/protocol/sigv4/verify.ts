import { timingSafeEqual } from 'node:crypto'
import { errors } from '../../domain/errors.js'
import { isRegionName } from '../../domain/regions.js'
import type { CredentialLookup } from '../../ports/credentials.js'
import {
  ALGORITHM,
  canonicalRequest,
  parseAmzDate,
  queryPairs,
  type Scope,
  sha256Hex,
  signature,
} from './canonical.js'

/** An incoming HTTP request as the verifier needs it: the raw query and the exact body bytes. */
export interface IncomingRequest {
  readonly method: string
  readonly path: string
  readonly rawQuery: string
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: Buffer
}

export interface Identity {
  readonly accessKeyId: string
  readonly accountId: string
  readonly region: string
  /** The service the request was signed for (`ec2`, `sts`, `iam`); undefined when unsigned. */
  readonly service?: string
  /** Whether the key may call the admin routes that change the whole server (strict mode). */
  readonly admin?: boolean
}

export type AuthMode =
  /** Signatures are read, not checked: the key id names the account, the scope the region. */
  | { readonly kind: 'open'; readonly defaultRegion: string }
  /** Every request must be signed by a key in the credential store, within 15 minutes. */
  | { readonly kind: 'strict'; readonly lookup: CredentialLookup }

export const DEFAULT_ACCOUNT = '000000000000'
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000
/** Presigned URLs live at most a week, as in AWS. */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 60 * 60

/** In open mode a 12-digit access key id is that account; any other key is the default account. */
export const accountOfKey = (accessKeyId: string) =>
  /^\d{12}$/.test(accessKeyId) ? accessKeyId : DEFAULT_ACCOUNT

interface SignatureParts {
  readonly accessKeyId: string
  readonly scope: Scope
  readonly signedHeaders: string[]
  readonly signature: string
  readonly amzDate: string
  /** Query parameters that are part of the signature (presigned requests drop X-Amz-Signature). */
  readonly query: [string, string][]
  readonly expiresSeconds?: number
}

const header = (request: IncomingRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

function parseCredential(credential: string): { accessKeyId: string; scope: Scope } {
  const parts = credential.split('/')
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw errors.incompleteSignature(
      `Credential should be scoped to a valid region, not '${parts[2] ?? ''}'. Credential=${credential}`,
    )
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string]
  if (terminator !== 'aws4_request') {
    throw errors.incompleteSignature(
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
    )
  }
  if (!/^\d{8}$/.test(date))
    throw errors.incompleteSignature(`Credential date '${date}' is not in the form YYYYMMDD.`)
  // The scope's region is where the caller acts: a name that is no region is refused, not stored.
  if (!isRegionName(region)) {
    throw errors.incompleteSignature(
      `Credential should be scoped to a valid region, not '${region}'. Credential=${credential}`,
    )
  }
  return { accessKeyId, scope: { date, region, service } }
}

/** Reads the signature from the Authorization header or, for presigned URLs, the query string. */
function signatureParts(request: IncomingRequest): SignatureParts | undefined {
  const query = queryPairs(request.rawQuery)
  const authorization = header(request, 'authorization')
  if (authorization !== undefined) {
    if (!authorization.startsWith(`${ALGORITHM} `)) {
      throw errors.incompleteSignature(`Unsupported authorization type. Only ${ALGORITHM} is accepted.`)
    }
    const fields = new Map<string, string>()
    for (const part of authorization.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=')
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
    }
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => !fields.get(name))
    if (missing.length > 0) {
      throw errors.incompleteSignature(
        `${missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ')} Authorization=${authorization}`,
      )
    }
    const amzDate = header(request, 'x-amz-date')
    if (amzDate === undefined) {
      throw errors.incompleteSignature(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      )
    }
    return {
      ...parseCredential(fields.get('Credential')!),
      signedHeaders: fields.get('SignedHeaders')!.split(';'),
      signature: fields.get('Signature')!,
      amzDate,
      query,
    }
  }
  const params = new Map(query)
  const credential = params.get('X-Amz-Credential')
  if (credential === undefined) return undefined
  const required = ['X-Amz-Algorithm', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature']
  const missing = required.filter((name) => !params.get(name))
  if (missing.length > 0)
    throw errors.incompleteSignature(`The query string is missing ${missing.join(', ')}.`)
  if (params.get('X-Amz-Algorithm') !== ALGORITHM) {
    throw errors.incompleteSignature(`Unsupported algorithm. Only ${ALGORITHM} is accepted.`)
  }
  const expires = params.get('X-Amz-Expires')
  // Checked here because NaN would compare false with every skew and never expire.
  if (expires !== undefined && !(/^\d+$/.test(expires) && Number(expires) <= MAX_PRESIGNED_SECONDS)) {
    throw errors.incompleteSignature(
      `X-Amz-Expires must be a whole number of seconds from 0 to ${MAX_PRESIGNED_SECONDS}, not '${expires}'.`,
    )
  }
  return {
    ...parseCredential(credential),
    signedHeaders: params.get('X-Amz-SignedHeaders')!.split(';'),
    signature: params.get('X-Amz-Signature')!,
    amzDate: params.get('X-Amz-Date')!,
    query: query.filter(([key]) => key !== 'X-Amz-Signature'),
    ...(expires !== undefined ? { expiresSeconds: Number(expires) } : {}),
  }
}

function checkSignature(request: IncomingRequest, parts: SignatureParts, secret: string, now: Date) {
  const date = parseAmzDate(parts.amzDate)
  if (!date || !parts.amzDate.startsWith(parts.scope.date)) {
    throw errors.incompleteSignature(`Date must be in ISO-8601 'basic format'. Got '${parts.amzDate}'.`)
  }
  const skew = now.getTime() - date.getTime()
  const lifetime = parts.expiresSeconds !== undefined ? parts.expiresSeconds * 1000 : MAX_CLOCK_SKEW_MS
  if (skew > lifetime || -skew > MAX_CLOCK_SKEW_MS) throw errors.requestExpired()
  if (!parts.signedHeaders.includes('host')) throw errors.signatureDoesNotMatch()
  const headers: Record<string, string> = {}
  for (const name of parts.signedHeaders) headers[name] = header(request, name) ?? ''
  const declaredHash = header(request, 'x-amz-content-sha256')
  const payloadHash = declaredHash === 'UNSIGNED-PAYLOAD' ? declaredHash : sha256Hex(request.body)
  if (declaredHash !== undefined && declaredHash !== payloadHash) throw errors.signatureDoesNotMatch()
  const canonical = canonicalRequest({
    method: request.method,
    path: request.path,
    query: parts.query,
    headers,
    signedHeaders: parts.signedHeaders,
    payloadHash,
  })
  const expected = Buffer.from(signature(secret, parts.scope, parts.amzDate, canonical))
  const given = Buffer.from(parts.signature)
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    throw errors.signatureDoesNotMatch()
}

/**
 * Who sent this request. Throws AWS's errors: MissingAuthenticationToken, IncompleteSignature,
 * AuthFailure (unknown key), RequestExpired (over 15 minutes off), SignatureDoesNotMatch.
 */
export function authenticate(request: IncomingRequest, mode: AuthMode, now: Date = new Date()): Identity {
  const parts = signatureParts(request)
  if (mode.kind === 'open') {
    if (!parts) return { accessKeyId: '', accountId: DEFAULT_ACCOUNT, region: mode.defaultRegion }
    return {
      accessKeyId: parts.accessKeyId,
      accountId: accountOfKey(parts.accessKeyId),
      region: parts.scope.region,
      service: parts.scope.service,
    }
  }
  if (!parts) throw errors.missingAuthenticationToken()
  const credential = mode.lookup(parts.accessKeyId)
  if (!credential) throw errors.authFailure()
  checkSignature(request, parts, credential.secretAccessKey, now)
  return {
    accessKeyId: parts.accessKeyId,
    accountId: credential.accountId,
    region: parts.scope.region,
    service: parts.scope.service,
    ...(credential.admin ? { admin: true } : {}),
  }
}

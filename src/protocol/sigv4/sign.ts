import {
  ALGORITHM,
  amzDate,
  canonicalRequest,
  queryPairs,
  type Scope,
  scopeString,
  sha256Hex,
  signature,
} from './canonical.js'

export interface SigningCredentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
}

export interface RequestToSign {
  readonly method: string
  /** The full URL as it goes on the wire; its path and query are signed as they stand. */
  readonly url: string | URL
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Buffer
  readonly credentials: SigningCredentials
  readonly region: string
  readonly service: string
  readonly date: Date
}

// Headers that proxies and HTTP stacks may add, drop or rewrite, so signing them would be fragile.
// The same list as the AWS SDKs' signer, so both sign the same set for the same request.
const UNSIGNABLE_HEADERS = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
])
const isSignable = (name: string) =>
  !UNSIGNABLE_HEADERS.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-')

/**
 * Signs a request with SigV4 (header form), for the CLI's own calls. Returns every header to
 * send: the given ones (names lower-cased) plus `host`, `x-amz-date`, `x-amz-content-sha256`,
 * `authorization` and, with a session token, `x-amz-security-token`. It shares canonical.ts
 * with the server's verifier, so the two cannot canonicalise differently.
 */
export function signRequest(request: RequestToSign): Record<string, string> {
  const url = typeof request.url === 'string' ? new URL(request.url) : request.url
  const timestamp = amzDate(request.date)
  const payloadHash = sha256Hex(request.body ?? '')
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value
  headers.host = url.host
  headers['x-amz-date'] = timestamp
  headers['x-amz-content-sha256'] = payloadHash
  if (request.credentials.sessionToken) headers['x-amz-security-token'] = request.credentials.sessionToken
  delete headers.authorization

  const signedHeaders = Object.keys(headers)
    .filter(isSignable)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const scope: Scope = { date: timestamp.slice(0, 8), region: request.region, service: request.service }
  const canonical = canonicalRequest({
    method: request.method,
    path: url.pathname,
    query: queryPairs(url.search.slice(1)),
    headers,
    signedHeaders,
    payloadHash,
  })
  const signed = signature(request.credentials.secretAccessKey, scope, timestamp, canonical)
  headers.authorization =
    `${ALGORITHM} Credential=${request.credentials.accessKeyId}/${scopeString(scope)}, ` +
    `SignedHeaders=${signedHeaders.join(';')}, Signature=${signed}`
  return headers
}

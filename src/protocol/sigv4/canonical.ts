import { createHash, createHmac } from 'node:crypto'

/**
 * Signature Version 4, the parts both sides need: the server's verifier and the CLI's signer
 * build the same canonical request, so they can never disagree.
 */
export const ALGORITHM = 'AWS4-HMAC-SHA256'

export const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()

/** RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is %XX. */
export const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)

/** Sorted, encoded `k=v&…` from decoded pairs (the signature parameter itself excluded by callers). */
export function canonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  return pairs
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
}

/** Decodes a raw query string into pairs without treating `+` as a space (AWS signs `%20`). */
export function queryPairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return []
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=')
      const key = eq < 0 ? part : part.slice(0, eq)
      const value = eq < 0 ? '' : part.slice(eq + 1)
      return [safeDecode(key), safeDecode(value)]
    })
}

const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/**
 * The wire path normalised (empty, `.` and `..` segments dropped) and then encoded again, so an
 * already-encoded `%20` becomes `%2520`: every AWS service but S3 encodes the path twice.
 */
export function canonicalPath(path: string): string {
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(uriEncode(segment))
  }
  const trailingSlash = segments.length > 0 && path.endsWith('/') ? '/' : ''
  return `/${segments.join('/')}${trailingSlash}`
}

/** Header values are trimmed and their runs of spaces folded. */
const canonicalHeaderValue = (value: string) => value.trim().replace(/\s+/g, ' ')

export interface CanonicalInput {
  readonly method: string
  readonly path: string
  readonly query: readonly (readonly [string, string])[]
  /** Lower-case header names to their values (repeated headers joined with `,`). */
  readonly headers: Readonly<Record<string, string>>
  readonly signedHeaders: readonly string[]
  readonly payloadHash: string
}

export function canonicalRequest(input: CanonicalInput): string {
  const headers = input.signedHeaders
    .map((name) => `${name}:${canonicalHeaderValue(input.headers[name] ?? '')}\n`)
    .join('')
  return [
    input.method.toUpperCase(),
    canonicalPath(input.path),
    canonicalQuery(input.query),
    headers,
    input.signedHeaders.join(';'),
    input.payloadHash,
  ].join('\n')
}

export interface Scope {
  readonly date: string
  readonly region: string
  readonly service: string
}

export const scopeString = (scope: Scope) => `${scope.date}/${scope.region}/${scope.service}/aws4_request`

export function stringToSign(amzDate: string, scope: Scope, canonical: string): string {
  return [ALGORITHM, amzDate, scopeString(scope), sha256Hex(canonical)].join('\n')
}

export function signingKey(secret: string, scope: Scope): Buffer {
  const kDate = hmac(`AWS4${secret}`, scope.date)
  const kRegion = hmac(kDate, scope.region)
  const kService = hmac(kRegion, scope.service)
  return hmac(kService, 'aws4_request')
}

export function signature(secret: string, scope: Scope, amzDate: string, canonical: string): string {
  return createHmac('sha256', signingKey(secret, scope))
    .update(stringToSign(amzDate, scope, canonical))
    .digest('hex')
}

/** `20260102T030405Z` for a date. */
export const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')

/** The date an `X-Amz-Date` names, or undefined when it is not one. */
export function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text)
  if (!match) return undefined
  const [, y, mo, d, h, mi, s] = match
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`)
  return Number.isNaN(date.getTime()) ? undefined : date
}

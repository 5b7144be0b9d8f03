/**
 * SigV4 for the browser, on WebCrypto. It builds the canonical request exactly as
 * src/protocol/sigv4/canonical.ts does (the server's verifier), which node's crypto cannot be
 * bundled for; test/console/sigv4.test.ts checks the two agree, and the browser suite signs
 * against a server in strict mode.
 */

export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
}

export interface RequestToSign {
  readonly method: string
  readonly url: URL
  readonly body: string
  readonly credentials: Credentials
  readonly region: string
  readonly service: string
  readonly date: Date
}

const ALGORITHM = 'AWS4-HMAC-SHA256'
const encoder = new TextEncoder()

/** RFC 3986: unreserved characters stay, everything else is %XX. */
export const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)

const safeDecode = (text: string) => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** A raw query string as decoded pairs; `+` stays `+`, as SigV4 reads it. */
export function queryPairs(rawQuery: string): [string, string][] {
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=')
      return eq < 0 ? [safeDecode(part), ''] : [safeDecode(part.slice(0, eq)), safeDecode(part.slice(eq + 1))]
    })
}

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export function canonicalQuery(pairs: readonly (readonly [string, string])[]): string {
  return pairs
    .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
    .sort(([ak, av], [bk, bv]) => byCodeUnit(ak, bk) || byCodeUnit(av, bv))
    .map(([key, value]) => `${key}=${value}`)
    .join('&')
}

/** The path normalised and encoded again (every AWS service but S3 encodes it twice). */
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

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')

function subtle() {
  const found = globalThis.crypto?.subtle
  if (!found) {
    throw new Error(
      'This page cannot sign requests: browsers offer WebCrypto only on https and on localhost or 127.0.0.1.',
    )
  }
  return found
}

const sha256Hex = async (text: string) => hex(await subtle().digest('SHA-256', encoder.encode(text)))

async function hmac(key: ArrayBuffer | Uint8Array<ArrayBuffer>, data: string): Promise<ArrayBuffer> {
  const imported = await subtle().importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return subtle().sign('HMAC', imported, encoder.encode(data))
}

/** `20260102T030405Z`. */
export const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')

/** The headers to send: `x-amz-date`, `x-amz-content-sha256` and `authorization` (the browser adds `host`). */
export async function signRequest(request: RequestToSign): Promise<Record<string, string>> {
  const timestamp = amzDate(request.date)
  const payloadHash = await sha256Hex(request.body)
  const headers: Record<string, string> = {
    host: request.url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': timestamp,
  }
  const signedHeaders = Object.keys(headers).sort(byCodeUnit)
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(request.url.pathname),
    canonicalQuery(queryPairs(request.url.search.slice(1))),
    signedHeaders.map((name) => `${name}:${headers[name]?.trim().replace(/\s+/g, ' ')}\n`).join(''),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n')
  const scope = `${timestamp.slice(0, 8)}/${request.region}/${request.service}/aws4_request`
  const stringToSign = [ALGORITHM, timestamp, scope, await sha256Hex(canonical)].join('\n')
  let key = await hmac(encoder.encode(`AWS4${request.credentials.secretAccessKey}`), timestamp.slice(0, 8))
  for (const part of [request.region, request.service, 'aws4_request']) key = await hmac(key, part)
  const signature = hex(await hmac(key, stringToSign))
  return {
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': timestamp,
    authorization: `${ALGORITHM} Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
  }
}

/**
 * The protocol fuzzer (issue 12, item 1): seeded fast-check generators for requests to every
 * route of a running server (every EC2 action, read from the action table and its parameter
 * shapes; the console JSON API; the admin routes), valid first and then with one thing wrong,
 * and the judge that holds every answer to docs/errors.md. The CI suite and `npm run soak` run
 * the same campaign with different numbers.
 */
import { readFileSync } from 'node:fs'
import { Agent, request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import fc from 'fast-check'
import { ec2Actions } from '../../src/protocol/ec2-query/actions/index.js'
import type { Shape, Spec } from '../../src/protocol/ec2-query/params.js'
import { amzDate } from '../../src/protocol/sigv4/canonical.js'
import { signRequest } from '../../src/protocol/sigv4/sign.js'

/** One request as it goes on the wire. `raw` requests are written to a socket byte for byte. */
export interface FuzzRequest {
  /** Which generator and mutation made it, for the counts and for reproducing a failure. */
  readonly kind: string
  readonly method: string
  /** Path and query string, exactly as sent. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  readonly raw?: Buffer
}

export interface FuzzAnswer {
  readonly status: number
  readonly contentType: string
  readonly body: string
  /**
   * Sent again on a new connection because the kept-alive one it went out on was being closed
   * by the server's idle timeout at that moment (HTTP/1.1's keep-alive race; Node's docs advise
   * exactly this retry, for a reused socket only).
   */
  readonly retried?: boolean
}

// ---------------------------------------------------------------------------------------------
// The documented catalogue

const repoRoot = new URL('../../', import.meta.url)

/** docs/errors.md's table: code → HTTP status. */
export function documentedErrors(): Map<string, number> {
  const text = readFileSync(new URL('docs/errors.md', repoRoot), 'utf8')
  return new Map(
    [...text.matchAll(/^\| `([A-Za-z0-9.]+)` \| (\d{3}) \|/gm)].map((m) => [m[1]!, Number(m[2])]),
  )
}

/**
 * What is wrong with an answer, or undefined when it is acceptable: never a 5xx; an error in
 * EC2's (or STS's) XML envelope or the JSON API's `{"error": {"code"}}` names a documented code
 * with its documented status; the admin routes and unknown paths answer 400/404 in plain JSON.
 */
export function judge(answer: FuzzAnswer, documented: ReadonlyMap<string, number>): string | undefined {
  if (answer.status >= 500) return `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`
  if (answer.status < 400) return undefined
  let code: string | undefined
  if (answer.contentType.includes('xml')) {
    code = /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1]
    if (code === undefined) return `HTTP ${answer.status} without an error code: ${answer.body.slice(0, 300)}`
  } else if (answer.contentType.includes('json')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(answer.body)
    } catch {
      return `HTTP ${answer.status} with a JSON content type but no JSON: ${answer.body.slice(0, 300)}`
    }
    const error = (parsed as { error?: unknown }).error
    if (typeof error === 'object' && error !== null) code = String((error as { code?: unknown }).code)
    else if (typeof error === 'string' && (answer.status === 400 || answer.status === 404)) return undefined
    else return `HTTP ${answer.status} without an error: ${answer.body.slice(0, 300)}`
  } else {
    return `HTTP ${answer.status} as ${answer.contentType || 'no content type'}: ${answer.body.slice(0, 300)}`
  }
  const status = documented.get(code)
  if (status === undefined) return `error code ${code} is not in docs/errors.md (HTTP ${answer.status})`
  if (status !== answer.status)
    return `error code ${code} answered HTTP ${answer.status}, docs/errors.md says ${status}`
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Wire values, from the actions' parameter shapes

/** A parameter value before flattening: a scalar, a numbered list, or a structure. */
type Wire =
  | string
  | { readonly list: readonly Wire[] }
  | { readonly struct: readonly (readonly [string, Wire])[] }
export type Pairs = [string, string][]

function flatten(name: string, wire: Wire, out: Pairs = []): Pairs {
  if (typeof wire === 'string') out.push([name, wire])
  else if ('list' in wire) {
    for (const [i, item] of wire.list.entries()) flatten(`${name}.${i + 1}`, item, out)
  } else for (const [key, member] of wire.struct) flatten(`${name}.${key}`, member, out)
  return out
}

export const FUZZ_ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const
export const FUZZ_REGIONS = ['us-east-1', 'eu-west-1'] as const

/** Resource ids the estate holds, so generated requests name real resources as often as not. */
export type IdPool = readonly string[]

/** Id prefixes a parameter's name suggests (`PeerVpcId` → vpc-), longest words first. */
const ID_WORDS: readonly (readonly [RegExp, string])[] = [
  [/peering/i, 'pcx-'],
  [/subnet/i, 'subnet-'],
  [/routetable/i, 'rtb-'],
  [/networkacl/i, 'acl-'],
  [/internetgateway/i, 'igw-'],
  [/natgateway/i, 'nat-'],
  [/vpngateway/i, 'vgw-'],
  [/networkinterface/i, 'eni-'],
  [/insights(path|analysis)/i, 'nip-'],
  [/flowlog/i, 'fl-'],
  [/instance/i, 'i-'],
  [/allocation/i, 'eipalloc-'],
  [/group/i, 'sg-'],
  [/association/i, 'rtbassoc-'],
  [/vpc/i, 'vpc-'],
]

const cidr = fc
  .tuple(fc.constantFrom(10, 172, 192), fc.nat(255), fc.constantFrom(8, 16, 20, 24, 28, 32))
  .map(([a, b, size]) => `${a}.${b}.0.0/${size}`)

function stringValue(name: string, pool: IdPool): fc.Arbitrary<string> {
  const leaf = name.replace(/\.\d+/g, '').split('.').pop() ?? name
  const noise = fc.string({ maxLength: 12 })
  if (/Id$|Ids$|^Resource/.test(leaf) && !/Owner|Account/.test(leaf)) {
    const prefix = ID_WORDS.find(([word]) => word.test(leaf))?.[1]
    const named = prefix ? pool.filter((id) => id.startsWith(prefix)) : pool
    const ids = named.length > 0 ? named : pool
    return ids.length > 0
      ? fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: noise })
      : noise
  }
  if (/Owner|Account/.test(leaf)) return fc.constantFrom(...FUZZ_ACCOUNTS, '', 'self', '12345')
  if (/Region/.test(leaf)) return fc.constantFrom(...FUZZ_REGIONS, 'ap-south-1', 'nowhere')
  if (/Ipv6CidrBlock|Ipv6Cidr/.test(leaf)) return fc.constantFrom('2600:1f18::/56', 'fd00::/64', '::/0')
  if (/Cidr/.test(leaf)) return fc.oneof(cidr, fc.constant('0.0.0.0/0'))
  if (/Ip(Address)?$|PrivateIp|DestinationIp|SourceIp/.test(leaf))
    return fc.tuple(fc.nat(255), fc.nat(255)).map(([c, d]) => `10.0.${c}.${d}`)
  if (/Protocol/.test(leaf)) return fc.constantFrom('tcp', 'udp', 'icmp', '-1', '6', '17')
  if (/Zone$/.test(leaf)) return fc.constantFrom('us-east-1a', 'eu-west-1b', 'zz-9z')
  if (leaf === 'Name')
    return fc.constantFrom('vpc-id', 'state', 'tag:Name', 'cidr', 'owner-id', 'status-code', 'bogus')
  return fc.oneof(fc.constantFrom('tcp', 'true', 'Name', 'prod', 'default'), noise)
}

function wireOf(shape: Shape, name: string, pool: IdPool, depth: number): fc.Arbitrary<Wire> {
  switch (shape.kind) {
    case 'string':
      return stringValue(name, pool)
    case 'bool':
      return fc.constantFrom('true', 'false')
    case 'timestamp':
      return fc
        .integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) })
        .map((ms) => new Date(ms).toISOString())
    case 'int':
      return fc.integer({ min: shape.min ?? 0, max: shape.max ?? 65535 }).map(String)
    case 'oneOf':
      return fc.constantFrom(...shape.values)
    case 'list':
      return fc
        .array(wireOf(shape.item, `${name}.1`, pool, depth + 1), { maxLength: depth > 1 ? 1 : 3 })
        .map((list) => ({ list }))
    case 'struct':
      return membersOf(shape.members, name, pool, depth + 1).map((struct) => ({ struct }))
  }
}

function membersOf(
  members: Readonly<Record<string, Spec<unknown>>>,
  prefix: string,
  pool: IdPool,
  depth: number,
): fc.Arbitrary<(readonly [string, Wire])[]> {
  const each = Object.entries(members).map(([key, spec]) => {
    const value = wireOf(spec.shape, prefix ? `${prefix}.${key}` : key, pool, depth).map(
      (wire) => [key, wire] as const,
    )
    return spec.required ? value.map((v) => [v]) : fc.option(value, { freq: 2 }).map((v) => (v ? [v] : []))
  })
  return fc.tuple(...each).map((parts) => parts.flat())
}

const actionNames = Object.keys(ec2Actions).sort((a, b) => a.localeCompare(b))

/** A well-formed call of a real action: every required parameter, some optional ones. */
export const validCall = (pool: IdPool) =>
  fc
    .constantFrom(...actionNames)
    .chain((action) =>
      membersOf(ec2Actions[action]!.params, '', pool, 0).map(
        (members): Pairs => [
          ['Action', action],
          ['Version', '2016-11-15'],
          ...members.flatMap(([key, wire]) => flatten(key, wire)),
        ],
      ),
    )

// ---------------------------------------------------------------------------------------------
// Mutations: one thing wrong with a valid call

const junk = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom(
    '',
    ' ',
    'abc',
    '1.5',
    '-1',
    '0x10',
    'NaN',
    '1e400',
    'true',
    'null',
    '%00',
    '\u0000',
    '<x>&amp;',
  ),
)
const hugeNumber = fc.constantFrom(
  '-1',
  '-2147483649',
  '2147483648',
  '9007199254740993',
  '99999999999999999999',
  '1e9',
)
const hugeIndex = fc.constantFrom('0', '999999', '1000000', '01', '-1', '1.5', '', 'x', '4294967296')

type Mutation = (pairs: Pairs) => fc.Arbitrary<Pairs>

/** Index of a pair that is an action's own parameter (not Action/Version), when there is one. */
const ownIndex = (pairs: Pairs) =>
  fc.nat(Math.max(0, pairs.length - 3)).map((i) => (pairs.length > 2 ? i + 2 : -1))

const replaceAt = (pairs: Pairs, index: number, pair: [string, string]): Pairs =>
  index < 0 ? [...pairs, pair] : pairs.map((p, i) => (i === index ? pair : p))

const MUTATIONS: Record<string, Mutation> = {
  wrongValue: (pairs) =>
    fc
      .tuple(ownIndex(pairs), junk)
      .map(([i, value]) => replaceAt(pairs, i, [pairs[i]?.[0] ?? 'VpcId', value])),
  outOfRange: (pairs) =>
    fc
      .tuple(ownIndex(pairs), hugeNumber)
      .map(([i, value]) => replaceAt(pairs, i, [pairs[i]?.[0] ?? 'MaxResults', value])),
  missing: (pairs) => ownIndex(pairs).map((i) => pairs.filter((_, j) => j !== i)),
  missingAction: (pairs) => fc.constant(pairs.filter(([key]) => key !== 'Action')),
  unknownAction: (pairs) =>
    junk.map((action) =>
      pairs.map(([key, value]): [string, string] => [key, key === 'Action' ? action : value]),
    ),
  duplicated: (pairs) =>
    fc.tuple(ownIndex(pairs), junk).map(([i, value]) => [...pairs, [pairs[i]?.[0] ?? 'Action', value]]),
  oversized: (pairs) =>
    fc
      .tuple(ownIndex(pairs), fc.integer({ min: 2000, max: 100_000 }), fc.constantFrom('a', 'é', '%'))
      .map(([i, size, ch]) => replaceAt(pairs, i, [pairs[i]?.[0] ?? 'VpcId', ch.repeat(size)])),
  /** A list or structure written as a scalar (`Filter=x`), or a scalar with members (`VpcId.Name=x`). */
  mistyped: (pairs) =>
    fc.tuple(ownIndex(pairs), fc.boolean()).map(([i, strip]) => {
      const [key, value] = pairs[i] ?? ['Filter.1.Name', 'x']
      const renamed = strip ? key.replace(/\.[^.]+$/, '') : `${key}.${strip ? '' : 'Member'}`
      return replaceAt(pairs, i, [renamed || 'Filter', value])
    }),
  unknownParameter: (pairs) =>
    fc
      .constantFrom(
        'Bogus',
        'toString',
        '__proto__',
        'constructor',
        'Filter.1.Bogus',
        'hasOwnProperty',
        '.',
        '..',
        'a..b',
      )
      .map((key) => [...pairs, [key, 'x']]),
  /** Numbered lists with gaps and huge or malformed indexes (`Filter.999999.Value.999999`). */
  listIndex: (pairs) =>
    fc.tuple(ownIndex(pairs), hugeIndex, hugeIndex).map(([i, first, second]) => {
      const [key, value] = pairs[i] ?? ['Filter.1.Value.1', 'x']
      let n = 0
      const renamed = key.replace(/\.\d+(?=\.|$)/g, () => `.${n++ === 0 ? first : second}`)
      return [
        ...replaceAt(pairs, i, [renamed, value]),
        [`Filter.${first}.Name`, 'vpc-id'],
        [`Filter.${first}.Value.${second}`, 'x'],
      ]
    }),
  gaps: (pairs) =>
    fc
      .integer({ min: 2, max: 5000 })
      .map((gap) =>
        pairs.map(([key, value]): [string, string] => [key.replace(/\.1(?=\.|$)/g, `.${gap}`), value]),
      ),
  manyParameters: (pairs) =>
    fc
      .tuple(
        fc.integer({ min: 200, max: 6000 }),
        fc.constantFrom('VpcId', 'Filter', 'Bogus', 'TagSpecification.1.Tag'),
      )
      .map(([count, base]) => {
        const extra: Pairs = []
        for (let n = 1; n <= count; n++) {
          if (base === 'Filter')
            extra.push([`Filter.${n}.Name`, 'vpc-id'], [`Filter.${n}.Value.1`, `vpc-${n}`])
          else if (base === 'TagSpecification.1.Tag') extra.push([`${base}.${n}.Key`, `k${n}`])
          else extra.push([`${base}.${n}`, `vpc-${n.toString(16).padStart(17, '0')}`])
        }
        return [...pairs, ...extra]
      }),
  dryRun: (pairs) => fc.constantFrom('true', 'false', 'maybe').map((value) => [...pairs, ['DryRun', value]]),
}

// ---------------------------------------------------------------------------------------------
// Encoding: body or query, headers, signatures

const encode = (pairs: Pairs) =>
  pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')

const credentialScope = (account: string, region: string, service = 'ec2') =>
  `${account}/${amzDate(new Date()).slice(0, 8)}/${region}/${service}/aws4_request`

/** Authorization headers that are wrong in one way each (open mode reads them, strict checks them). */
const brokenAuthorization = fc.oneof(
  fc.constantFrom(
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 ',
    'AWS4-HMAC-SHA1 Credential=111111111111/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00',
    'Basic dXNlcjpwYXNz',
    'AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=',
    'AWS4-HMAC-SHA256 Credential=111111111111/2026/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=ab',
    'AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/ec2/aws4_requestX, SignedHeaders=host, Signature=ab',
    'AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=ab',
    'AWS4-HMAC-SHA256 Credential=111111111111/20260101//ec2/aws4_request, SignedHeaders=host, Signature=ab',
    'AWS4-HMAC-SHA256 Credential==,SignedHeaders==,Signature==',
    'AWS4-HMAC-SHA256 ,,,,,,',
  ),
  fc
    .tuple(
      fc.constantFrom(...FUZZ_ACCOUNTS, 'AKIDEXAMPLE', ''),
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 40 }),
    )
    .map(
      ([account, region, rest]) =>
        `AWS4-HMAC-SHA256 Credential=${credentialScope(account, region || 'us-east-1')}, SignedHeaders=${rest}, Signature=${rest}`,
    ),
  fc.string({ maxLength: 200 }).map((text) => `AWS4-HMAC-SHA256 ${text}`),
)

/** Presigned-URL query parameters, each set wrong in one way. */
const brokenPresign = fc.oneof(
  fc.constant<Pairs>([['X-Amz-Credential', credentialScope('111111111111', 'us-east-1')]]),
  fc
    .tuple(
      fc.constantFrom('abc', '-1', '604801', '99999999999999999999', '1.5', ''),
      fc.constantFrom('AWS4-HMAC-SHA256', 'X'),
    )
    .map(
      ([expires, algorithm]): Pairs => [
        ['X-Amz-Algorithm', algorithm],
        ['X-Amz-Credential', credentialScope('111111111111', 'us-east-1')],
        ['X-Amz-Date', amzDate(new Date())],
        ['X-Amz-SignedHeaders', 'host'],
        ['X-Amz-Signature', 'ab'],
        ['X-Amz-Expires', expires],
      ],
    ),
  fc.constantFrom<Pairs>([
    ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
    ['X-Amz-Credential', 'x'],
    ['X-Amz-Date', 'x'],
    ['X-Amz-SignedHeaders', ''],
    ['X-Amz-Signature', 'x'],
  ]),
)

const randomHeaders = fc.dictionary(
  fc.constantFrom(
    'content-type',
    'x-amz-date',
    'x-amz-content-sha256',
    'x-amz-security-token',
    'content-encoding',
    'accept',
    'accept-encoding',
    'x-forwarded-for',
    'x-amz-target',
    'expect',
    'x-request-id',
    'cookie',
  ),
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded; charset=latin1',
      'gzip',
      'UNSIGNED-PAYLOAD',
      '20260101T000000Z',
      'garbage',
      '',
    ),
    fc.string({ maxLength: 40 }).map((text) => text.replace(/[^\x20-\x7e]/g, '')),
  ),
  { maxKeys: 3 },
)

/** A caller: a signing-looking Authorization header in open mode, or none at all. */
const caller = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...FUZZ_ACCOUNTS), fc.constantFrom(...FUZZ_REGIONS)) },
  { weight: 1, arbitrary: fc.constant(undefined) },
)

const openAuthorization = (who: readonly [string, string] | undefined): Record<string, string> =>
  who
    ? {
        authorization: `AWS4-HMAC-SHA256 Credential=${credentialScope(who[0], who[1])}, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': amzDate(new Date()),
      }
    : {}

const FORM = 'application/x-www-form-urlencoded; charset=utf-8'

function queryRequest(
  kind: string,
  pairs: Pairs,
  viaGet: boolean,
  headers: Record<string, string>,
): FuzzRequest {
  const text = encode(pairs)
  return viaGet
    ? { kind, method: 'GET', path: `/?${text}`, headers, body: Buffer.alloc(0) }
    : {
        kind,
        method: 'POST',
        path: '/',
        headers: { 'content-type': FORM, ...headers },
        body: Buffer.from(text),
      }
}

/** Bytes that are not UTF-8, raw in a body and percent-encoded in a value. */
const nonUtf8 = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.constantFrom(...actionNames))
  .map(([bytes, action]) =>
    Buffer.concat([
      Buffer.from(`Action=${action}&Version=2016-11-15&VpcId=`),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(bytes),
      Buffer.from('&Filter.1.Name=%FF%C3%28&Filter.1.Value.1=%E2%82'),
    ]),
  )

/** Requests written straight to a socket: broken framing that no HTTP client would send. */
const rawRequest = fc
  .constantFrom(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 12\r\n\r\nAction=Des',
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
    'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nAction\r\n0\r\n\r\n',
    'GET /?Action=DescribeVpcs HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n',
    'GARBAGE\r\n\r\n',
    'GET / HTTP/9.9\r\n\r\n',
    `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\nContent-Length: 0\r\n\r\n`,
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nAction=DescribeVpcs',
  )
  .map(
    (text): FuzzRequest => ({
      kind: 'raw',
      method: 'RAW',
      path: text.slice(0, 40),
      headers: {},
      body: Buffer.alloc(0),
      raw: Buffer.from(text, 'latin1'),
    }),
  )

const jsonValue = fc.jsonValue({ maxDepth: 3 })

/** The console JSON API and the admin routes, with their parameters valid and not. */
function routeRequest(pool: IdPool, allowReset: boolean): fc.Arbitrary<FuzzRequest> {
  const id = fc.oneof(
    pool.length > 0 ? fc.constantFrom(...pool) : fc.constant('vpc-1'),
    junk.map(encodeURIComponent),
  )
  // Includes moves past what a Date can hold (the i13 fix answers them 400 and leaves the clock).
  const seconds = fc.oneof(
    fc.constantFrom(
      '0',
      '1',
      '60',
      '3600',
      '604800',
      '1e6',
      '-1',
      'NaN',
      'Infinity',
      'abc',
      '',
      '1e3',
      '0x10',
      '-0',
      '1.5',
      '1e300',
      '9e15',
      '8640000000000',
      '253402300799',
    ),
    fc.double({ noNaN: true }).map(String),
  )
  const jsonBody = (value: unknown) => Buffer.from(JSON.stringify(value))
  const body = fc.oneof(
    jsonValue.map(jsonBody),
    fc
      .record({
        vpcId: id,
        peerVpcId: id,
        peerOwnerId: fc.option(fc.constantFrom(...FUZZ_ACCOUNTS, 'x'), { nil: undefined }),
        peerRegion: fc.option(fc.constantFrom(...FUZZ_REGIONS, 'zz'), { nil: undefined }),
        name: fc.option(junk, { nil: undefined }),
      })
      .map(jsonBody),
    fc
      .record({
        source: id,
        destinationIp: fc.constantFrom('10.0.0.5', 'x', '999.1.1.1'),
        protocol: fc.constantFrom('tcp', 'udp', 'x'),
        port: fc.option(fc.integer(), { nil: undefined }),
      })
      .map(jsonBody),
    fc.constantFrom('{', '[1,', 'null', '"x"', '\u00ff').map((text) => Buffer.from(text, 'latin1')),
  )
  const route = fc.oneof(
    fc.constantFrom(
      'GET /_vpcpeer/api/whoami',
      'GET /_vpcpeer/api/audit',
      'GET /_vpcpeer/api/topology',
      'GET /_vpcpeer/health',
      'GET /_vpcpeer/clock',
      'GET /metrics',
    ),
    id.map((v) => `GET /_vpcpeer/api/vpcs/${v}`),
    fc
      .tuple(id, fc.constantFrom('accept', 'reject'))
      .map(([v, verb]) => `POST /_vpcpeer/api/peerings/${v}/${verb}`),
    id.map((v) => `DELETE /_vpcpeer/api/peerings/${v}`),
    fc.constantFrom(
      'POST /_vpcpeer/api/peerings',
      'POST /_vpcpeer/api/insights',
      'POST /_vpcpeer/api/trace',
      'POST /_vpcpeer/api/matrix',
      'POST /_vpcpeer/api/traffic',
    ),
    fc
      .tuple(junk, junk)
      .map(
        ([a, b]) =>
          `GET /_vpcpeer/api/flows?interfaceId=${encodeURIComponent(a)}&limit=${encodeURIComponent(b)}`,
      ),
    seconds.map((s) => `POST /_vpcpeer/clock?advanceSeconds=${encodeURIComponent(s)}`),
    junk.map((hours) => `GET /_vpcpeer/api/audit?expiryWindowHours=${encodeURIComponent(hours)}`),
    fc.constantFrom(
      'POST /_vpcpeer/clock',
      'PUT /',
      'DELETE /',
      'GET /console',
      'GET /nowhere',
      'GET /_vpcpeer/api/nowhere',
    ),
    ...(allowReset ? [fc.constant('POST /_vpcpeer/reset')] : []),
  )
  return fc
    .tuple(route, body, seconds, fc.boolean(), caller, randomHeaders)
    .map(([line, payload, secs, secondsBody, who, headers]): FuzzRequest => {
      const space = line.indexOf(' ')
      const method = line.slice(0, space)
      const path = line.slice(space + 1)
      const sendsBody = method === 'POST' || method === 'PUT' || method === 'DELETE'
      const content =
        path === '/_vpcpeer/clock' && secondsBody
          ? Buffer.from(`{"advanceSeconds": ${secs || '""'}}`)
          : payload
      return {
        kind: `route ${method} ${path.split('?')[0]!.replace(/\/(?:vpcs|peerings)\/[^/]+/, '/…/:id')}`,
        method,
        path,
        headers: { 'content-type': 'application/json', ...headers, ...openAuthorization(who) },
        body: sendsBody ? content : Buffer.alloc(0),
      }
    })
}

export interface GeneratorOptions {
  readonly pool: IdPool
  /** Whether POST /_vpcpeer/reset may be generated (the campaign resets between batches itself). */
  readonly allowReset?: boolean
  /** Sign valid calls for real with this key, for a strict-mode server. */
  readonly signWith?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly url: string }
}

/** Every kind of request, weighted so that most are EC2 calls, valid or with one thing wrong. */
export function fuzzRequests(options: GeneratorOptions): fc.Arbitrary<FuzzRequest> {
  const { pool } = options
  // One call in five as GET with the parameters in the query string, the rest as form posts.
  const viaGet = fc.nat(4).map((n) => n === 0)
  const mutated = fc
    .constantFrom(...Object.keys(MUTATIONS))
    .chain((name) =>
      validCall(pool).chain((pairs) => MUTATIONS[name]!(pairs).map((changed) => ({ name, changed }))),
    )
  const sign = (request: FuzzRequest, region: string): FuzzRequest => {
    if (!options.signWith) return request
    const { url, ...credentials } = options.signWith
    const signed = signRequest({
      method: request.method,
      url: `${url}${request.path}`,
      headers: Object.fromEntries(Object.entries(request.headers).filter(([k]) => k !== 'authorization')),
      body: request.body,
      credentials,
      region,
      service: 'ec2',
      date: new Date(),
    })
    return { ...request, headers: signed }
  }
  /** A correctly signed call changed in one way after signing: strict mode must refuse each. */
  const tampered = fc
    .tuple(
      validCall(pool),
      fc.constantFrom('body', 'parameter', 'date', 'signature', 'key', 'path', 'region'),
    )
    .map(([pairs, change]): FuzzRequest => {
      const request = sign(queryRequest(`tampered ${change}`, pairs, false, {}), 'us-east-1')
      const headers = { ...request.headers }
      let { body, path } = request
      if (change === 'body') body = Buffer.concat([body, Buffer.from(' ')])
      if (change === 'parameter') body = Buffer.from(`${body.toString()}&DryRun=true`)
      if (change === 'date') headers['x-amz-date'] = amzDate(new Date(Date.now() - 1000))
      if (change === 'signature')
        headers.authorization = headers.authorization!.replace(/.$/, (c) => (c === '0' ? '1' : '0'))
      if (change === 'key')
        headers.authorization = headers.authorization!.replace('AKIAFUZZ111111111111', 'AKIAFUZZ222222222222')
      if (change === 'path') path = '//'
      if (change === 'region')
        headers.authorization = headers.authorization!.replace('/us-east-1/', '/eu-west-1/')
      return { ...request, headers, body, path }
    })
  return fc.oneof(
    ...(options.signWith ? [{ weight: 10, arbitrary: tampered }] : []),
    {
      weight: 30,
      arbitrary: fc
        .tuple(validCall(pool), viaGet, caller)
        .map(([pairs, get, who]) =>
          sign(queryRequest('valid', pairs, get, openAuthorization(who)), who?.[1] ?? 'us-east-1'),
        ),
    },
    {
      weight: 40,
      arbitrary: fc
        .tuple(mutated, viaGet, caller)
        .map(([{ name, changed }, get, who]) =>
          sign(
            queryRequest(`mutated ${name}`, changed, get, openAuthorization(who)),
            who?.[1] ?? 'us-east-1',
          ),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(validCall(pool), brokenAuthorization, randomHeaders)
        .map(([pairs, authorization, headers]) =>
          queryRequest('broken sigv4 header', pairs, false, {
            ...headers,
            authorization,
            'x-amz-date': amzDate(new Date()),
          }),
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(validCall(pool), brokenPresign)
        .map(([pairs, presign]) => queryRequest('broken sigv4 presigned', [...pairs, ...presign], true, {})),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(validCall(pool), randomHeaders, caller, viaGet)
        .map(([pairs, headers, who, get]) => {
          const request = queryRequest('random headers', pairs, get, openAuthorization(who))
          return { ...request, headers: { ...request.headers, ...headers } }
        }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(nonUtf8, caller).map(
        ([body, who]): FuzzRequest => ({
          kind: 'non-utf-8',
          method: 'POST',
          path: '/',
          headers: { 'content-type': FORM, ...openAuthorization(who) },
          body,
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...actionNames), fc.integer({ min: 100_000, max: 1_000_000 }), fc.boolean())
        .map(([action, size, asQuery]): FuzzRequest => {
          const filler = `&Filter.1.Name=vpc-id&Filter.1.Value.1=${'v'.repeat(size)}`
          return asQuery
            ? {
                kind: 'long query string',
                method: 'GET',
                path: `/?Action=${action}&Version=2016-11-15${filler.slice(0, 60_000)}`,
                headers: {},
                body: Buffer.alloc(0),
              }
            : {
                kind: 'long body',
                method: 'POST',
                path: '/',
                headers: { 'content-type': FORM },
                body: Buffer.from(`Action=${action}${filler}`),
              }
        }),
    },
    { weight: 1, arbitrary: rawRequest },
    { weight: 8, arbitrary: routeRequest(pool, options.allowReset ?? false) },
  )
}

// ---------------------------------------------------------------------------------------------
// Sending

const agent = new Agent({ keepAlive: true, maxSockets: 16 })

/** Sends one request; a transport failure is an answer with status 0 (and the error as body). */
export async function send(url: string, request: FuzzRequest, timeoutMs = 30_000): Promise<FuzzAnswer> {
  const target = new URL(url)
  if (request.raw) return sendRaw(target, request.raw, timeoutMs)
  const first = await sendOnce(target, request, timeoutMs, agent)
  if (!first.staleSocket) return first.answer
  return { ...(await sendOnce(target, request, timeoutMs, false)).answer, retried: true }
}

function sendOnce(
  target: URL,
  request: FuzzRequest,
  timeoutMs: number,
  via: Agent | false,
): Promise<{ answer: FuzzAnswer; staleSocket?: boolean }> {
  return new Promise((resolve) => {
    let req: ReturnType<typeof httpRequest>
    try {
      req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.path,
          headers: { ...request.headers, 'content-length': String(request.body.length) },
          agent: via,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = []
          res.on('data', (chunk: Buffer) => chunks.push(chunk))
          res.on('end', () =>
            resolve({
              answer: {
                status: res.statusCode ?? 0,
                contentType: String(res.headers['content-type'] ?? ''),
                body: Buffer.concat(chunks).toString('utf8'),
              },
            }),
          )
          res.on('error', (error) => resolve({ answer: { status: 0, contentType: '', body: String(error) } }))
        },
      )
    } catch (error) {
      // Node refuses to send some generated headers at all: that request never reached the server.
      resolve({ answer: { status: -1, contentType: '', body: String(error) } })
      return
    }
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (error: Error & { code?: string }) =>
      resolve({
        answer: { status: 0, contentType: '', body: String(error) },
        staleSocket: req.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up'),
      }),
    )
    req.end(request.body)
  })
}

function sendRaw(target: URL, bytes: Buffer, timeoutMs: number): Promise<FuzzAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) })
    let received = Buffer.alloc(0)
    const timer = setTimeout(() => socket.destroy(), timeoutMs)
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      // One answer is all we want (the server may keep the connection open): stop once it is whole.
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      const length = /\r\ncontent-length: *(\d+)/i.exec(received.subarray(0, end).toString('latin1'))?.[1]
      if (length === undefined || received.length >= end + 4 + Number(length)) socket.destroy()
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      const text = received.toString('latin1')
      const status = Number(/^HTTP\/1\.\d (\d{3})/.exec(text)?.[1] ?? 0)
      const head = text.split('\r\n\r\n')[0] ?? ''
      const contentType = /\r\ncontent-type: *([^\r]*)/i.exec(head)?.[1] ?? ''
      resolve({ status, contentType, body: text.slice(head.length + 4) })
    })
    socket.write(bytes)
  })
}

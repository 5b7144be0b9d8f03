import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Credential } from '../src/ports/credentials.js'
import {
  ALGORITHM,
  amzDate,
  canonicalRequest,
  scopeString,
  sha256Hex,
  signature,
} from '../src/protocol/sigv4/canonical.js'
import { type SigningCredentials, signRequest } from '../src/protocol/sigv4/sign.js'
import { apiRoutes } from '../src/server/api/index.js'
import { API_PREFIX } from '../src/server/api/routes.js'
import { documentedErrors, judge, send } from './support/fuzz.js'
import { startTestServer, type TestServer } from './support/server.js'

/**
 * Strict mode on every route: the EC2 and STS endpoint (POST and GET), every console JSON API
 * route and the admin routes refuse unsigned, unknown-key, forged, expired (a signature
 * replayed after its 15 minutes, or a presigned URL past X-Amz-Expires), re-scoped and
 * wrong-region requests with the documented code, and none of them changes anything.
 */
const USER: SigningCredentials = { accessKeyId: 'AKIASTRICTUSER000001', secretAccessKey: 'user-secret' }
const ADMIN: SigningCredentials = { accessKeyId: 'AKIASTRICTADMIN00001', secretAccessKey: 'admin-secret' }
const keys = new Map<string, Credential>([
  [USER.accessKeyId, { secretAccessKey: USER.secretAccessKey, accountId: '515151515151' }],
  [ADMIN.accessKeyId, { secretAccessKey: ADMIN.secretAccessKey, accountId: '525252525252', admin: true }],
])

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ auth: { kind: 'strict', lookup: (id) => keys.get(id) } })
})
afterAll(() => server.close())

interface Route {
  readonly name: string
  readonly method: string
  readonly path: string
  readonly body: string
  readonly service: string
}

const EC2_BODY = 'Action=DescribeVpcs&Version=2016-11-15'
/** Every route a caller can send to, with a body it could take. */
const ROUTES: readonly Route[] = [
  { name: 'EC2 POST /', method: 'POST', path: '/', body: EC2_BODY, service: 'ec2' },
  { name: 'EC2 GET /', method: 'GET', path: `/?${EC2_BODY}`, body: '', service: 'ec2' },
  {
    name: 'STS POST /',
    method: 'POST',
    path: '/',
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
    service: 'sts',
  },
  ...apiRoutes.map((route) => ({
    name: `${route.method} ${API_PREFIX}${route.path}`,
    method: route.method,
    path: `${API_PREFIX}${route.path.replace(/:[A-Za-z]+/g, 'vpc-0123456789abcdef0')}`,
    body: route.method === 'POST' ? '{}' : '',
    service: 'ec2',
  })),
  { name: 'GET /_vpcpeer/clock', method: 'GET', path: '/_vpcpeer/clock', body: '', service: 'ec2' },
  {
    name: 'POST /_vpcpeer/clock',
    method: 'POST',
    path: '/_vpcpeer/clock?advanceSeconds=86400',
    body: '',
    service: 'ec2',
  },
  { name: 'POST /_vpcpeer/reset', method: 'POST', path: '/_vpcpeer/reset', body: '', service: 'ec2' },
]

const contentType = (route: Route) =>
  route.path.startsWith('/_vpcpeer') ? 'application/json' : 'application/x-www-form-urlencoded; charset=utf-8'

interface Signing {
  readonly key?: SigningCredentials
  readonly date?: Date
  readonly region?: string
}

function signed(route: Route, { key = USER, date = new Date(), region = 'us-east-1' }: Signing = {}) {
  return signRequest({
    method: route.method,
    url: `${server.url}${route.path}`,
    headers: { 'content-type': contentType(route) },
    body: route.body,
    credentials: key,
    region,
    service: route.service,
    date,
  })
}

/** A presigned URL for the route: the signature in the query string, valid for `expires` seconds. */
function presigned(route: Route, date: Date, expires: number): string {
  const timestamp = amzDate(date)
  const scope = { date: timestamp.slice(0, 8), region: 'us-east-1', service: route.service }
  const [path = '/', existing = ''] = route.path.split('?')
  const query: [string, string][] = [
    ...new URLSearchParams(existing),
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${USER.accessKeyId}/${scopeString(scope)}`],
    ['X-Amz-Date', timestamp],
    ['X-Amz-Expires', String(expires)],
    ['X-Amz-SignedHeaders', 'host'],
  ]
  const host = new URL(server.url).host
  const canonical = canonicalRequest({
    method: route.method,
    path,
    query,
    headers: { host },
    signedHeaders: ['host'],
    payloadHash: sha256Hex(route.body),
  })
  query.push(['X-Amz-Signature', signature(USER.secretAccessKey, scope, timestamp, canonical)])
  return `${path}?${new URLSearchParams(query).toString().replace(/\+/g, '%20')}`
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000)

/** Each way a request can fail strict mode, and the code and status it must get. */
const ATTACKS: readonly {
  readonly name: string
  readonly code: string
  readonly status: number
  readonly request: (route: Route) => { path: string; headers: Record<string, string> }
}[] = [
  {
    name: 'unsigned',
    code: 'MissingAuthenticationToken',
    status: 401,
    request: (route) => ({ path: route.path, headers: { 'content-type': contentType(route) } }),
  },
  {
    name: 'signed by an unknown key',
    code: 'AuthFailure',
    status: 401,
    request: (route) => ({
      path: route.path,
      headers: signed(route, { key: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' } }),
    }),
  },
  {
    name: 'forged (a known key, the wrong secret)',
    code: 'SignatureDoesNotMatch',
    status: 403,
    request: (route) => ({
      path: route.path,
      headers: signed(route, { key: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'guessed' } }),
    }),
  },
  {
    name: 'replayed after its 15 minutes',
    code: 'RequestExpired',
    status: 400,
    request: (route) => ({ path: route.path, headers: signed(route, { date: minutesAgo(16) }) }),
  },
  {
    name: 'a presigned URL past X-Amz-Expires',
    code: 'RequestExpired',
    status: 400,
    request: (route) => ({
      path: presigned(route, minutesAgo(2), 60),
      headers: { 'content-type': contentType(route) },
    }),
  },
  {
    name: 'signed for us-east-1, sent scoped to eu-west-1',
    code: 'SignatureDoesNotMatch',
    status: 403,
    request: (route) => {
      const headers = signed(route)
      return {
        path: route.path,
        headers: { ...headers, authorization: headers.authorization!.replace('/us-east-1/', '/eu-west-1/') },
      }
    },
  },
  {
    name: 'signed for a region that does not exist',
    code: 'IncompleteSignature',
    status: 400,
    request: (route) => ({ path: route.path, headers: signed(route, { region: 'nowhere' }) }),
  },
]

const documented = documentedErrors()
const codeOf = (body: string) =>
  /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? (JSON.parse(body) as { error?: { code?: string } }).error?.code

async function call(route: Route, path: string, headers: Record<string, string>) {
  return send(server.url, {
    kind: 'strict',
    method: route.method,
    path,
    headers,
    body: Buffer.from(route.body),
  })
}

describe('strict mode on every route', () => {
  it('refuses every attack on every route with its documented code, and changes nothing', async () => {
    const before = { revision: await server.store.revision(), clock: server.clock.offset }
    const outcomes: string[] = []
    for (const route of ROUTES) {
      for (const attack of ATTACKS) {
        const { path, headers } = attack.request(route)
        const answer = await call(route, path, headers)
        expect(judge(answer, documented), `${route.name}, ${attack.name}`).toBeUndefined()
        outcomes.push(`${route.name} | ${attack.name} | ${answer.status} ${codeOf(answer.body)}`)
      }
    }
    const expected = ROUTES.flatMap((route) =>
      ATTACKS.map((attack) => `${route.name} | ${attack.name} | ${attack.status} ${attack.code}`),
    )
    expect(outcomes).toEqual(expected)
    expect(outcomes.length).toBe(ROUTES.length * ATTACKS.length)
    expect({ revision: await server.store.revision(), clock: server.clock.offset }).toEqual(before)
  })

  it('accepts the same requests correctly signed, header or presigned, on the non-admin routes', async () => {
    for (const route of ROUTES.filter(
      (r) => r.service !== 'ec2' || !/reset|clock/.test(r.path) || r.method === 'GET',
    )) {
      const header = await call(route, route.path, signed(route))
      const url = await call(route, presigned(route, new Date(), 300), { 'content-type': contentType(route) })
      for (const answer of [header, url]) {
        // Authenticated: whatever the route answers next, it is not an authentication error.
        expect(answer.status, route.name).not.toBe(401)
        expect(answer.status, route.name).not.toBe(403)
        expect(judge(answer, documented), route.name).toBeUndefined()
      }
    }
  })

  it('keeps the health check open, for probes', async () => {
    const answer = await send(server.url, {
      kind: 'health',
      method: 'GET',
      path: '/_vpcpeer/health',
      headers: {},
      body: Buffer.alloc(0),
    })
    expect(answer.status).toBe(200)
  })

  it('lets only a key marked admin reset the server or move its clock', async () => {
    const reset = ROUTES.find((route) => route.name === 'POST /_vpcpeer/reset')!
    const clock = ROUTES.find((route) => route.name === 'POST /_vpcpeer/clock')!
    for (const route of [reset, clock]) {
      const answer = await call(route, route.path, signed(route))
      expect({ status: answer.status, code: codeOf(answer.body) }, route.name).toEqual({
        status: 403,
        code: 'UnauthorizedOperation',
      })
    }
    expect(server.clock.offset).toBe(0)
    const moved = await call(clock, clock.path, signed(clock, { key: ADMIN }))
    expect(moved.status).toBe(200)
    expect(server.clock.offset).toBe(86_400_000)
    expect((await call(reset, reset.path, signed(reset, { key: ADMIN }))).status).toBe(200)
  })
})

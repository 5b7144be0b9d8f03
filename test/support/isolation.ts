/**
 * The isolation campaign (issue 12, item 4), shared by test/isolation.test.ts and `npm run soak`:
 * a peering estate of two accounts in two regions, and callers who are not party to it (a third
 * account in each region and in a third region, and the parties themselves in a third region)
 * try every EC2 action, with parameters naming the estate's resources, and every console JSON
 * API route. Each attempt that names an estate resource is sent twice: as generated, and with
 * every estate id replaced by a well-formed id that exists nowhere. Both answers must be the same
 * (an outsider cannot tell a resource it may not see from one that does not exist), no answer
 * may name an estate id the request did not, and afterwards the parties see exactly what they
 * saw before.
 */
import fc from 'fast-check'
import type { Credential } from '../../src/ports/credentials.js'
import { amzDate } from '../../src/protocol/sigv4/canonical.js'
import { signRequest } from '../../src/protocol/sigv4/sign.js'
import type { AuthMode } from '../../src/protocol/sigv4/verify.js'
import { apiRoutes } from '../../src/server/api/index.js'
import { API_PREFIX } from '../../src/server/api/routes.js'
import { FUZZ_ACCOUNTS, type FuzzAnswer, type Pairs, send, validCall } from './fuzz.js'
import { buildFuzzEstate, FUZZ_KEYS } from './fuzz-campaign.js'
import { startTestServer, type TestServer } from './server.js'

const [A, B, C] = FUZZ_ACCOUNTS
/** Who tries: the third account in the estate's regions and a third one; the parties in a third region. */
const OUTSIDERS: readonly (readonly [string, string])[] = [
  [C, 'us-east-1'],
  [C, 'eu-west-1'],
  [C, 'ap-south-1'],
  [A, 'ap-south-1'],
  [B, 'ap-south-1'],
]
/** How the parties see their estate, before and after. */
const PARTIES: readonly (readonly [string, string])[] = [
  [A, 'us-east-1'],
  [B, 'us-east-1'],
  [B, 'eu-west-1'],
]
const PARTY_VIEWS = [
  'DescribeVpcs',
  'DescribeSubnets',
  'DescribeRouteTables',
  'DescribeSecurityGroups',
  'DescribeSecurityGroupRules',
  'DescribeNetworkAcls',
  'DescribeInternetGateways',
  'DescribeNetworkInterfaces',
  'DescribeVpcPeeringConnections',
  'DescribeTags',
  'DescribeFlowLogs',
  'DescribeNatGateways',
  'DescribeInstances',
  'DescribeNetworkInsightsPaths',
]

/** Any resource id (`vpc-…`, `nis-…`, `i-…`): eight or seventeen hex digits after a prefix. */
const ID = /\b[a-z]{1,12}-(?:[0-9a-f]{17}|[0-9a-f]{8})\b/g

interface Attempt {
  readonly label: string
  readonly method: string
  readonly path: string
  readonly body: string
  readonly json: boolean
}

function ec2Attempt(pairs: Pairs): Attempt {
  const body = new URLSearchParams(pairs).toString()
  return {
    label: pairs.find(([key]) => key === 'Action')?.[1] ?? 'EC2',
    method: 'POST',
    path: '/',
    body,
    json: false,
  }
}

/** Every console JSON API route, aimed at the estate's resources; each labelled with its route. */
function apiAttempts(pool: readonly string[]): fc.Arbitrary<Attempt> {
  const of = (prefix: string) => {
    const ids = pool.filter((id) => id.startsWith(prefix))
    return fc.constantFrom(...(ids.length > 0 ? ids : [`${prefix}0123456789abcdef0`]))
  }
  const route = (label: string, path: string, body?: unknown): Attempt => ({
    label,
    method: label.slice(0, label.indexOf(' ')),
    path: `${API_PREFIX}${path}`,
    body: body === undefined ? '' : JSON.stringify(body),
    json: true,
  })
  return fc.oneof(
    fc.constant(route('GET /topology', '/topology')),
    fc.constant(route('GET /whoami', '/whoami')),
    fc.constantFrom(route('GET /audit', '/audit'), route('GET /audit', '/audit?expiryWindowHours=168')),
    fc.constant(route('POST /matrix', '/matrix', { level: 'subnet', port: 22 })),
    of('vpc-').map((id) => route('GET /vpcs/:vpcId', `/vpcs/${id}`)),
    of('eni-').map((id) => route('GET /flows', `/flows?interfaceId=${id}`)),
    fc
      .tuple(of('pcx-'), fc.constantFrom('accept', 'reject'))
      .map(([id, verb]) => route(`POST /peerings/:peeringId/${verb}`, `/peerings/${id}/${verb}`, {})),
    of('pcx-').map((id) => route('DELETE /peerings/:peeringId', `/peerings/${id}`)),
    fc
      .tuple(of('vpc-'), of('vpc-'))
      .map(([vpcId, peerVpcId]) =>
        route('POST /peerings', '/peerings', { vpcId, peerVpcId, peerOwnerId: B }),
      ),
    fc
      .tuple(of('eni-'), of('eni-'))
      .map(([from, to]) => route('POST /trace', '/trace', { from, to, protocol: 'tcp', port: 22 })),
    fc
      .tuple(of('eni-'), of('eni-'))
      .map(([from, to]) => route('POST /traffic', '/traffic', { from, to, protocol: 'tcp', port: 22 })),
    fc.tuple(of('vpc-'), of('vpc-')).map(([a, b]) => route('POST /matrix', '/matrix', { vpcIds: [a, b] })),
    of('eni-').map((source) =>
      route('POST /insights', '/insights', {
        source,
        destinationIp: '10.1.1.10',
        protocol: 'tcp',
        port: 5432,
      }),
    ),
  )
}

/** The same id everywhere it appears, but one that exists nowhere (same prefix, other hex). */
function decoyOf(id: string): string {
  const dash = id.lastIndexOf('-')
  const hex = id.slice(dash + 1)
  const flipped = [...hex].map((ch) => (Number.parseInt(ch, 16) ^ 0x9).toString(16)).join('')
  return `${id.slice(0, dash + 1)}${flipped}`
}

/** Appended to a decoy's client token, and taken out of its answer before comparing. */
const DECOY_TOKEN = '~decoy'

const swapIds = (text: string, ids: ReadonlySet<string>) =>
  text.replace(ID, (id) => (ids.has(id) ? decoyOf(id) : id))

/** An answer with what differs between two sends taken out: request ids, times, new ids. */
function normalised(answer: FuzzAnswer, decoys: ReadonlySet<string>): string {
  return `${answer.status} ${answer.body
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(ID, (id) => (decoys.has(id) ? id : '<new-id>'))}`
}

export interface IsolationResult {
  readonly counts: {
    attempts: number
    /** Attempts that named an estate resource, each also sent with decoy ids and compared. */
    comparedWithDecoys: number
    leaks: number
    /** Party views (Describe calls and console topologies) that differed after the attempts. */
    changedViews: number
    actionsAndRoutesTried: number
  }
  readonly failures: string[]
}

export async function runIsolation(options: {
  readonly mode: 'open' | 'strict'
  readonly seed: number
  readonly attempts: number
}): Promise<IsolationResult> {
  const { mode, seed } = options
  const keys = new Map<string, Credential>(FUZZ_KEYS.map((key) => [key.accessKeyId, key]))
  const keyOf = (account: string) => FUZZ_KEYS.find((key) => key.accountId === account)!
  const auth: AuthMode =
    mode === 'strict'
      ? { kind: 'strict', lookup: (id) => keys.get(id) }
      : { kind: 'open', defaultRegion: 'us-east-1' }
  const server: TestServer = await startTestServer({ auth })
  const failures: string[] = []

  async function as([account, region]: readonly [string, string], attempt: Attempt): Promise<FuzzAnswer> {
    const contentType = attempt.json ? 'application/json' : 'application/x-www-form-urlencoded; charset=utf-8'
    const headers =
      mode === 'strict'
        ? signRequest({
            method: attempt.method,
            url: `${server.url}${attempt.path}`,
            headers: { 'content-type': contentType },
            body: attempt.body,
            credentials: keyOf(account),
            region,
            service: 'ec2',
            date: new Date(),
          })
        : {
            'content-type': contentType,
            authorization: `AWS4-HMAC-SHA256 Credential=${account}/${amzDate(new Date()).slice(0, 8)}/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
            'x-amz-date': amzDate(new Date()),
          }
    return send(server.url, {
      kind: attempt.label,
      method: attempt.method,
      path: attempt.path,
      headers,
      body: Buffer.from(attempt.body),
    })
  }

  /** Everything the parties see of their estate, request ids taken out. */
  async function partyView(): Promise<string[]> {
    const views: string[] = []
    for (const party of PARTIES) {
      for (const action of PARTY_VIEWS) {
        const answer = await as(
          party,
          ec2Attempt([
            ['Action', action],
            ['Version', '2016-11-15'],
          ]),
        )
        if (answer.status !== 200)
          failures.push(
            `${party.join('@')} ${action} answered ${answer.status}: ${answer.body.slice(0, 200)}`,
          )
        views.push(
          `${party.join('@')} ${action}: ${answer.body.replace(/<requestId>[^<]*<\/requestId>/, '')}`,
        )
      }
      const topology = await as(party, {
        label: 'topology',
        method: 'GET',
        path: '/_vpcpeer/api/topology',
        body: '',
        json: true,
      })
      views.push(`${party.join('@')} topology: ${topology.body}`)
    }
    return views
  }

  try {
    const pool = await buildFuzzEstate(server.url, mode)
    const estate = new Set(pool)
    const decoys = new Set(pool.map(decoyOf))
    const before = await partyView()
    const attempts = fc.sample(
      fc.tuple(
        fc.constantFrom(...OUTSIDERS),
        fc.oneof(
          { weight: 3, arbitrary: validCall(pool).map(ec2Attempt) },
          { weight: 1, arbitrary: apiAttempts(pool) },
        ),
      ),
      { seed, numRuns: options.attempts },
    )
    const tried = new Set<string>()
    let compared = 0
    let leaks = 0
    const leak = (text: string) => {
      leaks++
      if (failures.length < 20) failures.push(text)
    }
    for (const [index, [sampled, attempt]] of attempts.entries()) {
      // The audit covers the caller's account in every region (docs/audit.md): for it a party in a
      // third region is no outsider, so the third account asks instead.
      const outsider =
        attempt.label === 'GET /audit' && sampled[0] !== C ? ([C, sampled[1]] as const) : sampled
      tried.add(attempt.label)
      const named = new Set(
        [...`${attempt.path} ${decodeURIComponent(attempt.body)}`.matchAll(ID)].map((m) => m[0]),
      )
      const real = await as(outsider, attempt)
      const where = `seed ${seed} attempt ${index}: ${outsider.join('@')} ${attempt.method} ${attempt.path} ${attempt.body.slice(0, 300)}`
      const shown = [...real.body.matchAll(ID)]
        .map((m) => m[0])
        .filter((id) => estate.has(id) && !named.has(id))
      if (shown.length > 0) leak(`${where}: the answer names ${shown.join(', ')}: ${real.body.slice(0, 300)}`)
      const asked = new Set([...named].filter((id) => estate.has(id)))
      if (asked.size === 0) continue
      compared++
      const decoyBody = attempt.json
        ? swapIds(attempt.body, asked)
        : new URLSearchParams(
            // A fresh client token too: the real call may have used this one for itself.
            [...new URLSearchParams(attempt.body)].map(([key, value]): [string, string] => [
              key,
              key === 'ClientToken' ? `${value}${DECOY_TOKEN}` : swapIds(value, asked),
            ]),
          ).toString()
      const decoy = await as(outsider, { ...attempt, path: swapIds(attempt.path, asked), body: decoyBody })
      const realText = normalised({ ...real, body: swapIds(real.body, asked) }, decoys)
      const decoyText = normalised({ ...decoy, body: decoy.body.replaceAll(DECOY_TOKEN, '') }, decoys)
      if (realText !== decoyText)
        leak(`${where}:\n  real:  ${realText.slice(0, 400)}\n  decoy: ${decoyText.slice(0, 400)}`)
    }
    // A route added to the JSON API must be added to apiAttempts too.
    const untried = apiRoutes.map((r) => `${r.method} ${r.path}`).filter((name) => !tried.has(name))
    if (untried.length > 0) failures.push(`console API routes never tried: ${untried.join(', ')}`)
    const after = await partyView()
    const changed = before.filter((view, i) => view !== after[i])
    for (const view of changed.slice(0, 5)) failures.push(`a party's view changed: ${view.slice(0, 300)}`)
    return {
      counts: {
        attempts: attempts.length,
        comparedWithDecoys: compared,
        leaks,
        changedViews: changed.length + Math.abs(after.length - before.length),
        actionsAndRoutesTried: tried.size,
      },
      failures,
    }
  } finally {
    await server.close()
  }
}

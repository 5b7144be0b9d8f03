import {
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DescribeVpcPeeringConnectionsCommand,
} from '@aws-sdk/client-ec2'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LATEST_CLOCK_TIME } from '../src/ports/clock.js'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

/** The admin routes under /_vpcpeer: health, reset and the server clock, against hostile input. */

// Each test gets its own server: the clock only moves forward, and these tests move it far.
let server: TestServer
beforeEach(async () => {
  server = await startTestServer()
})
afterEach(() => server.close())

interface Reply {
  readonly status: number
  readonly json: Record<string, unknown>
}

async function admin(method: 'GET' | 'POST', path: string, body?: string): Promise<Reply> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
  })
  return { status: response.status, json: (await response.json()) as Record<string, unknown> }
}

const clockNow = async () => {
  const reply = await admin('GET', '/_vpcpeer/clock')
  expect(reply.status).toBe(200)
  return reply.json as { now: string; offsetMs: number }
}

/** The server still answers everything a clock move could break: health, the clock, a peering. */
async function expectServerWorks() {
  const health = await admin('GET', '/_vpcpeer/health')
  expect(health.status).toBe(200)
  expect(health.json.status).toBe('ok')
  const { now } = await clockNow()
  expect(now).toMatch(/^\d{4}-\d\d-\d\dT/)
  const a = ec2Client(server.url, { accountId: ACCOUNT_A })
  const b = ec2Client(server.url, { accountId: ACCOUNT_B })
  const x = (await a.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!
  const y = (await b.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!
  const id = (
    await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: x, PeerVpcId: y, PeerOwnerId: ACCOUNT_B }))
  ).VpcPeeringConnection!.VpcPeeringConnectionId!
  const [peering] = (
    await a.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))
  ).VpcPeeringConnections!
  expect(peering!.ExpirationTime!.getTime()).toBeGreaterThan(Date.parse(now))
}

describe('the clock', () => {
  it('refuses an advance past what dates can hold with a 400 that changes nothing', async () => {
    const before = await clockNow()
    const reply = await admin('POST', '/_vpcpeer/clock?advanceSeconds=99999999999999999999')
    expect(reply.status).toBe(400)
    expect(reply.json.error).toContain(`past ${LATEST_CLOCK_TIME.toISOString()}`)
    expect((await clockNow()).offsetMs).toBe(before.offsetMs)
    await expectServerWorks()
  })

  it('moves up to the latest time it may show, and not a second further', async () => {
    const headroom = Math.floor((LATEST_CLOCK_TIME.getTime() - Date.parse((await clockNow()).now)) / 1000)
    // A little short of the bound: the real clock keeps running between the two requests.
    const moved = await admin('POST', `/_vpcpeer/clock?advanceSeconds=${headroom - 60}`)
    expect(moved.status).toBe(200)
    expect(String(moved.json.now)).toMatch(/^9998-12-31T23:5\d/)
    const further = await admin('POST', '/_vpcpeer/clock', JSON.stringify({ advanceSeconds: 120 }))
    expect(further.status).toBe(400)
    expect(further.json.error).toMatch(/it may move \d+ seconds more/)
    expect((await clockNow()).offsetMs).toBe(server.clock.offset)
    // A peering requested now expires a week later, still a four-digit year.
    await expectServerWorks()
  })
})

/** Values no admin parameter should choke on, sent raw in the query string and in a JSON body. */
const HOSTILE = [
  '',
  '-1',
  '-0',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '1e20',
  '0x10',
  ' 1',
  '1.',
  '.5',
  '9'.repeat(400),
  `0.${'0'.repeat(400)}1`,
  '%00',
  '%FF%FE',
  '[]',
  '{}',
  'null',
  'true',
  '__proto__',
  'constructor',
  "1' OR '1'='1",
  '<x/>',
]

const BODIES = [
  'not json',
  'null',
  '5',
  '"5"',
  '[1]',
  '{}',
  '{"advanceSeconds": null}',
  '{"advanceSeconds": -1}',
  '{"advanceSeconds": 1e400}',
  '{"advanceSeconds": 1e300}',
  '{"advanceSeconds": "1e3"}',
  '{"advanceSeconds": [1]}',
  '{"advanceSeconds": {"valueOf": 1}}',
  '{"__proto__": {"advanceSeconds": 1}}',
  '['.repeat(10_000),
]

const ROUTES = [
  ['GET', '/_vpcpeer/health'],
  ['POST', '/_vpcpeer/reset'],
  ['GET', '/_vpcpeer/clock'],
  ['POST', '/_vpcpeer/clock'],
] as const

describe('hostile values for every admin parameter', () => {
  it('answers each with a 200 or a 400, and the clock moves only by a valid amount', async () => {
    for (const [method, path] of ROUTES) {
      for (const value of HOSTILE) {
        for (const query of [`advanceSeconds=${value}`, `advanceSeconds=1&advanceSeconds=${value}`, value]) {
          const before = server.clock.offset
          const reply = await admin(method, `${path}?${query}`)
          expect([200, 400], `${method} ${path}?${query}`).toContain(reply.status)
          if (reply.status === 400) expect(server.clock.offset).toBe(before)
        }
      }
      // fetch sends no body with a GET.
      for (const body of method === 'POST' ? BODIES : []) {
        const before = server.clock.offset
        const reply = await admin(method, path, body)
        expect([200, 400], `${method} ${path} ${body.slice(0, 40)}`).toContain(reply.status)
        if (reply.status === 400) expect(server.clock.offset).toBe(before)
      }
    }
    // Only the route that reads advanceSeconds refuses anything; the others ignore what they do not take.
    expect((await admin('GET', '/_vpcpeer/health?advanceSeconds=1e400')).status).toBe(200)
    expect((await admin('POST', '/_vpcpeer/clock?advanceSeconds=-1')).status).toBe(400)
    expect((await admin('POST', '/_vpcpeer/clock?advanceSeconds=0x10')).status).toBe(400)
    expect((await admin('POST', '/_vpcpeer/clock', '{"advanceSeconds": 1e400}')).status).toBe(400)
    await expectServerWorks()
  })

  it('moves the clock by exactly a valid advance and refuses anything else unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.double({ noNaN: false }),
          fc.integer({ min: 0, max: 10 ** 6 }),
          fc.constantFrom(1e15, 2.5e11, 3e11, Number.MAX_VALUE),
        ),
        fc.boolean(),
        async (value, inBody) => {
          const before = server.clock.offset
          const reply = inBody
            ? await admin('POST', '/_vpcpeer/clock', `{"advanceSeconds": ${JSON.stringify(value)}}`)
            : await admin('POST', `/_vpcpeer/clock?advanceSeconds=${encodeURIComponent(String(value))}`)
          expect([200, 400]).toContain(reply.status)
          if (reply.status === 200) {
            expect(server.clock.offset).toBe(before + value * 1000)
            expect(server.clock.now().getTime()).toBeLessThanOrEqual(LATEST_CLOCK_TIME.getTime())
          } else {
            expect(server.clock.offset).toBe(before)
          }
        },
      ),
      { numRuns: 150 },
    )
    await expectServerWorks()
  })
})

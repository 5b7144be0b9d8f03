import { connect, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { CreateVpcCommand, DescribeVpcsCommand, paginateDescribeVpcs } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_FILTER_VALUES, MAX_LIST_ENTRIES, MAX_PARAMETERS } from '../src/protocol/ec2-query/params.js'
import { documentedErrors, judge } from './support/fuzz.js'
import { ec2Client, errorOf, postForm, startTestServer, type TestServer } from './support/server.js'

/**
 * What one client may take of the server (docs/configuration.md, "Limits"): requests over a
 * limit answer AWS-style errors, and clients holding thousands of connections or sending bodies
 * a byte at a time do not keep others from being answered.
 */
const REQUEST_TIMEOUT_MS = 3000
const PAGE = 5

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({
    limits: { requestTimeoutMs: REQUEST_TIMEOUT_MS, bodyBytes: 256 * 1024 },
    settings: { maxPageSize: PAGE },
  })
})
afterAll(() => server.close())

const form = (pairs: [string, string][]) => new URLSearchParams(pairs).toString()
const describeVpcs = (extra: [string, string][]) =>
  postForm(server.url, form([['Action', 'DescribeVpcs'], ['Version', '2016-11-15'], ...extra]))

describe('request size limits answer AWS-style errors', () => {
  it(`refuses more than ${MAX_PARAMETERS} parameters with InvalidRequest`, async () => {
    const many = Array.from({ length: MAX_PARAMETERS }, (_, i): [string, string] => [
      `Filter.${i + 1}.Name`,
      'x',
    ])
    const reply = await describeVpcs(many)
    expect({ status: reply.status, ...errorOf(reply) }).toEqual({
      status: 400,
      code: 'InvalidRequest',
      message: `The request has ${MAX_PARAMETERS + 2} parameters; at most ${MAX_PARAMETERS} are accepted.`,
    })
  })

  it(`refuses a list of more than ${MAX_LIST_ENTRIES} entries with InvalidParameterValue`, async () => {
    const ids = Array.from({ length: MAX_LIST_ENTRIES + 1 }, (_, i): [string, string] => [
      `VpcId.${i + 1}`,
      'vpc-1',
    ])
    const reply = await describeVpcs(ids)
    expect({ status: reply.status, ...errorOf(reply) }).toEqual({
      status: 400,
      code: 'InvalidParameterValue',
      message: `The maximum number of VpcId values is ${MAX_LIST_ENTRIES}.`,
    })
  })

  it(`refuses more than ${MAX_FILTER_VALUES} filter values in one call with FilterLimitExceeded`, async () => {
    const values = Array.from({ length: MAX_FILTER_VALUES + 1 }, (_, i): [string, string][] => [
      [`Filter.${Math.floor(i / 100) + 1}.Name`, 'vpc-id'],
      [`Filter.${Math.floor(i / 100) + 1}.Value.${(i % 100) + 1}`, `vpc-${i}`],
    ]).flat()
    const reply = await describeVpcs(values)
    expect({ status: reply.status, ...errorOf(reply) }).toEqual({
      status: 400,
      code: 'FilterLimitExceeded',
      message: `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`,
    })
  })

  it('refuses a body over --body-limit with RequestEntityTooLarge 413', async () => {
    const reply = await describeVpcs([['Filter.1.Name', 'x'.repeat(300 * 1024)]])
    expect({ status: reply.status, code: errorOf(reply).code }).toEqual({
      status: 413,
      code: 'RequestEntityTooLarge',
    })
  })
})

describe('Describe pages', () => {
  it(`hold at most --max-page-size (${PAGE} here) items without MaxResults, and the rest follow by NextToken`, async () => {
    const client = ec2Client(server.url, { accountId: '121212121212' })
    for (let i = 0; i < 12; i++) await client.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }))
    const first = await client.send(new DescribeVpcsCommand({}))
    expect(first.Vpcs).toHaveLength(PAGE)
    expect(first.NextToken).toBeDefined()
    const all = []
    for await (const page of paginateDescribeVpcs({ client }, {})) all.push(...page.Vpcs!)
    expect(all).toHaveLength(12)
    // Naming ids returns every one of them: the limit is on listings, not on what was asked for.
    const named = await client.send(new DescribeVpcsCommand({ VpcIds: all.map((vpc) => vpc.VpcId!) }))
    expect(named.Vpcs).toHaveLength(12)
    expect(named.NextToken).toBeUndefined()
  })
})

/** A connection that stays open; `answer` resolves with what the server wrote before closing it. */
function hold(bytes = ''): { socket: Socket; answer: Promise<string> } {
  const socket = connect({ host: '127.0.0.1', port: Number(new URL(server.url).port) })
  let received = ''
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1')
  })
  socket.on('error', () => undefined)
  const answer = new Promise<string>((resolve) => socket.on('close', () => resolve(received)))
  if (bytes) socket.write(bytes)
  return { socket, answer }
}

describe('clients that hold connections', () => {
  it('two thousand idle connections and fifty slow bodies do not keep a normal request from its answer', async () => {
    const idle = Array.from({ length: 2000 }, () => hold())
    const slow = Array.from({ length: 50 }, () =>
      hold(
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=',
      ),
    )
    const dribble = setInterval(() => {
      for (const { socket } of slow) if (!socket.destroyed) socket.write('D')
    }, 100)
    let slowAnswered = 0
    for (const { answer } of [...idle, ...slow]) void answer.then(() => slowAnswered++)
    try {
      const reply = await describeVpcs([])
      expect(reply.status).toBe(200)
      // Answered while every held connection was still held.
      expect(slowAnswered).toBe(0)
      // The slow and the idle are cut at the request timeout, with an AWS-style answer.
      const answers = await Promise.all([...slow, ...idle.slice(0, 10)].map(({ answer }) => answer))
      const documented = documentedErrors()
      for (const text of answers) {
        const [head = '', body = ''] = text.split('\r\n\r\n')
        expect(head).toMatch(/^HTTP\/1\.1 408 /)
        expect(judge({ status: 408, contentType: 'text/xml', body }, documented)).toBeUndefined()
        expect(body).toContain('<Code>RequestTimeout</Code>')
      }
    } finally {
      clearInterval(dribble)
      for (const { socket } of [...idle, ...slow]) socket.destroy()
    }
  })
})

describe('--max-connections', () => {
  it('closes connections past the limit as they arrive, and serves again once others close', async () => {
    const small = await startTestServer({ limits: { maxConnections: 20 } })
    try {
      const port = Number(new URL(small.url).port)
      let closed = 0
      const sockets = Array.from({ length: 25 }, () => {
        const socket = connect({ host: '127.0.0.1', port })
        socket.on('error', () => undefined)
        socket.on('close', () => closed++)
        return socket
      })
      for (let waited = 0; closed < 5 && waited < 10_000; waited += 50) await sleep(50)
      // The five past the limit were closed; the twenty within it stay open.
      await sleep(200)
      expect(closed).toBe(5)
      for (const socket of sockets) socket.destroy()
      await sleep(100)
      const reply = await postForm(small.url, 'Action=DescribeVpcs&Version=2016-11-15')
      expect(reply.status).toBe(200)
    } finally {
      await small.close()
    }
  })
})

import { CreateVpcCommand } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { documentedErrors, type FuzzRequest, judge, send } from './support/fuzz.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

/**
 * Each bug the protocol fuzzer (test/fuzz.test.ts) found, kept as the request that showed it,
 * with the answer it must get now.
 */
let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const documented = documentedErrors()
const request = (fields: Partial<FuzzRequest>): FuzzRequest => ({
  kind: 'finding',
  method: 'POST',
  path: '/',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: Buffer.from('Action=DescribeRegions&Version=2016-11-15'),
  ...fields,
})
const codeOf = (body: string) => /<Code>([^<]*)<\/Code>/.exec(body)?.[1]

describe('requests the HTTP layer refuses answer in the EC2 envelope', () => {
  it('ignores an Expect header other than 100-continue (Node answered a bare 417)', async () => {
    const answer = await send(
      server.url,
      request({ headers: { 'content-type': 'application/x-www-form-urlencoded', expect: 'garbage' } }),
    )
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('<DescribeRegionsResponse')
  })

  it('answers a content type it cannot read with InvalidRequest 400 (was an undocumented code with 415)', async () => {
    const answer = await send(server.url, request({ headers: { 'content-type': 'garbage' } }))
    expect({ status: answer.status, code: codeOf(answer.body) }).toEqual({
      status: 400,
      code: 'InvalidRequest',
    })
    expect(judge(answer, documented)).toBeUndefined()
  })

  it('answers headers over 16 KB (a long GET query string) with RequestHeaderSectionTooLarge, and closes the connection', async () => {
    const answer = await send(
      server.url,
      request({
        method: 'GET',
        path: `/?Action=DescribeVpcs&${'VpcId.1=vpc-1&'.repeat(2000)}`,
        body: Buffer.alloc(0),
      }),
    )
    expect({ status: answer.status, code: codeOf(answer.body) }).toEqual({
      status: 431,
      code: 'RequestHeaderSectionTooLarge',
    })
    // The next request on a fresh connection is answered (the keep-alive one was closed, not reused half-read).
    expect((await send(server.url, request({}))).status).toBe(200)
  })

  it.each([
    [
      'two Content-Length headers',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 12\r\n\r\nAction=Des',
    ],
    ['a header line without a colon', 'GET /?Action=DescribeVpcs HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n'],
    ['a request line that is not HTTP', 'GARBAGE\r\n\r\n'],
    [
      'bad chunk framing',
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nAction\r\n0\r\n\r\n',
    ],
  ])('answers %s with InvalidRequest (was fastify JSON without an AWS code)', async (_name, text) => {
    const answer = await send(server.url, request({ raw: Buffer.from(text, 'latin1') }), 2000)
    expect({ status: answer.status, code: codeOf(answer.body) }).toEqual({
      status: 400,
      code: 'InvalidRequest',
    })
    expect(judge(answer, documented)).toBeUndefined()
  })
})

describe('the console JSON API', () => {
  it('answers GET /vpcs/ with an empty id as a malformed id, not a 500 and not some other VPC', async () => {
    const accountId = '444455556666'
    await ec2Client(server.url, { accountId }).send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))
    const answer = await send(
      server.url,
      request({
        method: 'GET',
        path: '/_vpcpeer/api/vpcs/',
        body: Buffer.alloc(0),
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${accountId}/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0`,
          'x-amz-date': '20260101T000000Z',
        },
      }),
    )
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'InvalidVpcID.Malformed', message: 'Invalid id: "" (expecting "vpc-...")' },
    })
  })
})

describe('codes built at run time', () => {
  it('answers an analysis from an unknown source with NetworkInsightsSource.NotFound, which docs/errors.md lists', async () => {
    const answer = await send(
      server.url,
      request({
        path: '/_vpcpeer/api/insights',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({
            source: 'eni-08771251bb3adb354',
            destinationIp: '10.0.0.5',
            protocol: 'udp',
            port: 1,
          }),
        ),
      }),
    )
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body).error.code).toBe('NetworkInsightsSource.NotFound')
    expect(judge(answer, documented)).toBeUndefined()
  })
})

describe('filter values', () => {
  it('takes a filter value of 390 KB (was a 500: too large for the regular expression it became)', async () => {
    const body = `Action=DescribeNetworkAcls&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=${'v'.repeat(390_000)}`
    const answer = await send(server.url, request({ body: Buffer.from(body) }))
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('<networkAclSet/>')
  })
})

describe('metrics', () => {
  it('label made-up actions as unknown, so random Action names cannot grow the server without end', async () => {
    for (let i = 0; i < 50; i++) {
      await send(server.url, request({ body: Buffer.from(`Action=Made-up-${i}&Version=2016-11-15`) }))
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).not.toContain('Made-up-')
    expect(metrics).toMatch(/vpcpeer_requests_total\{action="unknown",outcome="client_error"\} \d+/)
  })
})

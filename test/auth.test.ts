import { CreateVpcCommand, DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Credential } from '../src/ports/credentials.js'
import { type SigningCredentials, signRequest } from '../src/protocol/sigv4/sign.js'
import type { AuthMode } from '../src/protocol/sigv4/verify.js'
import {
  ACCOUNT_A,
  ACCOUNT_B,
  ec2Client,
  errorOf,
  parseXml,
  postForm,
  type RawResponse,
  startTestServer,
  type TestServer,
} from './support/server.js'

const KEY_A: SigningCredentials = { accessKeyId: 'AKIAACCOUNTAEXAMPLE1', secretAccessKey: 'secret-of-a' }
const KEY_B: SigningCredentials = { accessKeyId: 'AKIAACCOUNTBEXAMPLE2', secretAccessKey: 'secret-of-b' }
const credentialStore = new Map<string, Credential>([
  [KEY_A.accessKeyId, { secretAccessKey: KEY_A.secretAccessKey, accountId: ACCOUNT_A }],
  [KEY_B.accessKeyId, { secretAccessKey: KEY_B.secretAccessKey, accountId: ACCOUNT_B }],
])
const strict: AuthMode = { kind: 'strict', lookup: (accessKeyId) => credentialStore.get(accessKeyId) }
const DESCRIBE_VPCS = 'Action=DescribeVpcs&Version=2016-11-15'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ auth: strict })
})
afterAll(() => server.close())

// The helper's `accountId` is the access key id it signs with; in strict mode the store maps it.
const clientFor = (key: SigningCredentials, secret = key.secretAccessKey): EC2Client =>
  ec2Client(server.url, { accountId: key.accessKeyId, secret })

/** The SDK's exception for a call expected to fail. */
async function sdkFailure(client: EC2Client): Promise<{ name: string; status: number | undefined }> {
  try {
    await client.send(new DescribeVpcsCommand({}))
  } catch (error) {
    const failure = error as { name: string; $metadata?: { httpStatusCode?: number } }
    return { name: failure.name, status: failure.$metadata?.httpStatusCode }
  }
  throw new Error('the call succeeded')
}

/** Signs `body` with sign.ts and POSTs it (or `sentBody`) with fetch, as the vpcpeer CLI does. */
async function postSigned(
  body: string,
  {
    key = KEY_A,
    service = 'ec2',
    date = new Date(),
    edit = (headers: Record<string, string>) => headers,
    sentBody = body,
  } = {},
): Promise<RawResponse> {
  const url = `${server.url}/`
  const headers = signRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    credentials: key,
    region: 'us-east-1',
    service,
    date,
  })
  const response = await fetch(url, { method: 'POST', headers: edit(headers), body: sentBody })
  return { status: response.status, body: await response.text(), headers: response.headers }
}

/** Checks the EC2 error envelope and its request id, and returns the code and status. */
function ec2ErrorOf(response: RawResponse): { code: string; status: number } {
  const envelope = parseXml(response.body).Response
  expect(envelope?.Errors?.Error?.Message).toEqual(expect.any(String))
  const requestId = response.headers.get('x-amzn-requestid')
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
  expect(envelope?.RequestID).toBe(requestId)
  return { code: errorOf(response).code, status: response.status }
}

describe('strict authentication through a real server', () => {
  it('accepts the SDK signing with the right secret', async () => {
    const described = await clientFor(KEY_A).send(new DescribeVpcsCommand({}))
    expect(described.$metadata.httpStatusCode).toBe(200)
    expect(described.Vpcs).toEqual(expect.any(Array))
  })

  it('accepts a request signed by sign.ts', async () => {
    const response = await postSigned(DESCRIBE_VPCS)
    expect(response.status).toBe(200)
    expect(parseXml(response.body).DescribeVpcsResponse).toBeDefined()
  })

  it('answers SignatureDoesNotMatch (403) to the SDK signing with a wrong secret', async () => {
    expect(await sdkFailure(clientFor(KEY_A, 'not-the-secret'))).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
    })
  })

  it('answers AuthFailure (401) to the SDK signing with an unknown key', async () => {
    const unknown = { accessKeyId: 'AKIAUNKNOWNEXAMPLE00', secretAccessKey: 'whatever' }
    expect(await sdkFailure(clientFor(unknown))).toEqual({ name: 'AuthFailure', status: 401 })
  })

  const refusals: [string, () => Promise<RawResponse>, string, number][] = [
    ['an unsigned request', () => postForm(server.url, DESCRIBE_VPCS), 'MissingAuthenticationToken', 401],
    [
      'a wrong secret',
      () => postSigned(DESCRIBE_VPCS, { key: { ...KEY_A, secretAccessKey: 'not-the-secret' } }),
      'SignatureDoesNotMatch',
      403,
    ],
    [
      'an unknown key',
      () => postSigned(DESCRIBE_VPCS, { key: { accessKeyId: 'AKIAUNKNOWNEXAMPLE00', secretAccessKey: 'x' } }),
      'AuthFailure',
      401,
    ],
    [
      'a request signed 20 minutes ago',
      () => postSigned(DESCRIBE_VPCS, { date: new Date(Date.now() - 20 * 60 * 1000) }),
      'RequestExpired',
      400,
    ],
    [
      'a mangled Authorization header',
      () =>
        postSigned(DESCRIBE_VPCS, {
          edit: (headers) => ({
            ...headers,
            authorization: headers.authorization!.replace(/, Signature=.*$/, ''),
          }),
        }),
      'IncompleteSignature',
      400,
    ],
    [
      'a body changed after signing',
      () => postSigned(DESCRIBE_VPCS, { sentBody: 'Action=DescribeVpcs&Version=2016-11-16' }),
      'SignatureDoesNotMatch',
      403,
    ],
  ]
  it.each(refusals)('answers %s with %s (%i) in the EC2 error envelope', async (_, send, code, status) => {
    expect(ec2ErrorOf(await send())).toEqual({ code, status })
  })
})

describe('accounts in strict mode', () => {
  it('shows each account only its own VPCs', async () => {
    const clientA = clientFor(KEY_A)
    const clientB = clientFor(KEY_B)
    const vpcA = (await clientA.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!
    const vpcB = (await clientB.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!
    expect([vpcA.OwnerId, vpcB.OwnerId]).toEqual([ACCOUNT_A, ACCOUNT_B])

    const seenByA = (await clientA.send(new DescribeVpcsCommand({}))).Vpcs!.map((vpc) => vpc.VpcId)
    const seenByB = (await clientB.send(new DescribeVpcsCommand({}))).Vpcs!.map((vpc) => vpc.VpcId)
    expect(seenByA).toContain(vpcA.VpcId)
    expect(seenByA).not.toContain(vpcB.VpcId)
    expect(seenByB).toContain(vpcB.VpcId)
    expect(seenByB).not.toContain(vpcA.VpcId)
  })
})

describe('identity calls in strict mode', () => {
  it('answers STS GetCallerIdentity with the signing account', async () => {
    const sts = new STSClient({
      endpoint: server.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: KEY_B,
    })
    const identity = await sts.send(new GetCallerIdentityCommand({}))
    expect(identity.Account).toBe(ACCOUNT_B)
    expect(identity.Arn).toContain(`arn:aws:iam::${ACCOUNT_B}:`)
  })

  it('answers IAM GetUser, signed for iam, with a user of the signing account', async () => {
    const response = await postSigned('Action=GetUser&Version=2010-05-08', { key: KEY_A, service: 'iam' })
    expect(response.status).toBe(200)
    const user = parseXml(response.body).GetUserResponse?.GetUserResult?.User
    expect(user?.Arn).toContain(`:${ACCOUNT_A}:`)
  })

  it('refuses STS with a wrong secret', async () => {
    const sts = new STSClient({
      endpoint: server.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { ...KEY_A, secretAccessKey: 'not-the-secret' },
    })
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    })
  })
})

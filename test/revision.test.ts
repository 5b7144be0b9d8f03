import { CreateVpcCommand } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callApi } from '../src/cli/client.js'
import { ACCOUNT_A, ec2Client, startTestServer, type TestServer } from './support/server.js'

/**
 * The global revision only grows. Caches of derived data are keyed by it (each server keeps the
 * data plane's compiled snapshot per revision), so a revision seen twice for two states would
 * serve one state's answers for the other.
 */

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const health = async () =>
  ((await (await fetch(`${server.url}/_vpcpeer/health`)).json()) as { revision: number }).revision

const matrixVpcs = async () =>
  (
    await callApi<{ vpcs: { vpcId: string; cidrBlocks: string[] }[] }>(
      { endpoint: server.url, accessKeyId: ACCOUNT_A, secretAccessKey: 'test-secret', region: 'us-east-1' },
      'POST',
      '/matrix',
      { body: {} },
    )
  ).vpcs.map((vpc) => [vpc.vpcId, vpc.cidrBlocks])

describe('the revision', () => {
  it('keeps growing through a reset, so the data plane never answers from the emptied state', async () => {
    const client = ec2Client(server.url)
    const before = (await client.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!
    expect(await matrixVpcs()).toEqual([[before, ['10.1.0.0/16']]])
    const revision = await health()

    const reset = await fetch(`${server.url}/_vpcpeer/reset`, { method: 'POST' })
    expect(reset.status).toBe(200)
    expect(await health()).toBeGreaterThan(revision)
    // As many writes as before the reset: a revision that started again would now be the same.
    const after = (await client.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc!.VpcId!
    expect(await matrixVpcs()).toEqual([[after, ['10.9.0.0/16']]])
    client.destroy()
  })
})

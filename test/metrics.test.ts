import { CreateVpcCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConflictError, type Store } from '../src/ports/store.js'
import { openStore } from '../src/storage/kysely-store.js'
import { expectError } from './support/ec2.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

/** GET /metrics: requests by action and outcome, errors by code, latency, and writes retried after a race. */

let store: Store
let server: TestServer
let racesToLose = 0
beforeAll(async () => {
  const real = await openStore({ sqlitePath: ':memory:' })
  // The next `racesToLose` writes fail as if another writer had won; the runner starts them again.
  store = Object.assign(Object.create(real) as Store, {
    write: <T>(work: Parameters<Store['write']>[0]) => {
      if (racesToLose > 0) {
        racesToLose--
        return Promise.reject(new ConflictError('vpc-raced'))
      }
      return real.write(work) as Promise<T>
    },
  })
  server = await startTestServer({ store })
})
afterAll(async () => {
  await server.close()
  await store.close()
})

const metrics = async () => {
  const response = await fetch(`${server.url}/metrics`)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
  return response.text()
}

describe('GET /metrics', () => {
  it('counts requests by action and outcome, and errors by code', async () => {
    const client = ec2Client(server.url)
    await client.send(new DescribeVpcsCommand({}))
    await expectError(client.send(new DescribeVpcsCommand({ VpcIds: ['vpc-nope'] })), 'InvalidVpcID.NotFound')
    const text = await metrics()
    expect(text).toContain('vpcpeer_requests_total{action="DescribeVpcs",outcome="success"} 1')
    expect(text).toContain('vpcpeer_requests_total{action="DescribeVpcs",outcome="client_error"} 1')
    expect(text).toContain('vpcpeer_errors_total{code="InvalidVpcID.NotFound"} 1')
    expect(text).toContain('vpcpeer_request_duration_seconds_count{action="DescribeVpcs"} 2')
  })

  it('counts a write that lost a race and was started again, and the write still succeeds', async () => {
    racesToLose = 2
    const { Vpc } = await ec2Client(server.url).send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))
    expect(Vpc?.VpcId).toMatch(/^vpc-/)
    expect(racesToLose).toBe(0)
    expect(await metrics()).toContain('vpcpeer_write_retries_total{use_case="CreateVpc"} 2')
  })
})

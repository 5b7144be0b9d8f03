import { CreateVpcCommand } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runVpcpeer } from './support/cli.js'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const vpcpeer = (account: string, ...args: string[]) => runVpcpeer(server.url, account, ...args)

describe('vpcpeer CLI against a running server', () => {
  it('requests, accepts and lists a cross-account peering, as tables and as JSON', async () => {
    const a = await ec2Client(server.url, { accountId: ACCOUNT_A }).send(
      new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }),
    )
    const b = await ec2Client(server.url, { accountId: ACCOUNT_B }).send(
      new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }),
    )
    const vpcs = await vpcpeer(ACCOUNT_A, 'vpc', 'list')
    expect(vpcs.stdout).toContain(a.Vpc!.VpcId!)
    expect(vpcs.stdout).toContain('10.1.0.0/16')
    expect(vpcs.stdout).not.toContain(b.Vpc!.VpcId!)

    const requested = await vpcpeer(
      ACCOUNT_A,
      'peering',
      'request',
      '--vpc',
      a.Vpc!.VpcId!,
      '--peer-vpc',
      b.Vpc!.VpcId!,
      '--peer-owner',
      ACCOUNT_B,
      '--name',
      'a-to-b',
      '-o',
      'json',
    )
    expect(requested.code).toBe(0)
    const created = JSON.parse(requested.stdout) as {
      vpcPeeringConnectionId: string
      status: { code: string }
    }
    expect(created.status.code).toBe('initiating-request')

    const pending = JSON.parse(
      (await vpcpeer(ACCOUNT_B, 'peering', 'list', '--status', 'pending-acceptance', '-o', 'json')).stdout,
    )
    expect(pending.map((p: { vpcPeeringConnectionId: string }) => p.vpcPeeringConnectionId)).toEqual([
      created.vpcPeeringConnectionId,
    ])

    const refused = await vpcpeer(ACCOUNT_A, 'peering', 'accept', created.vpcPeeringConnectionId)
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`OperationNotPermitted: User ${ACCOUNT_A} cannot accept peering`)

    expect((await vpcpeer(ACCOUNT_B, 'peering', 'accept', created.vpcPeeringConnectionId)).code).toBe(0)
    const listed = await vpcpeer(ACCOUNT_A, 'peering', 'list')
    expect(listed.stdout).toMatch(new RegExp(`${created.vpcPeeringConnectionId} .*a-to-b.*active`))

    const deleted = await vpcpeer(ACCOUNT_B, 'peering', 'delete', created.vpcPeeringConnectionId)
    expect(deleted.stdout).toContain(`deleted (Deleted by ${ACCOUNT_B})`)
  })

  it('says clearly when the server cannot be reached', async () => {
    const result = await vpcpeer(ACCOUNT_A, 'vpc', 'list', '--endpoint', 'http://127.0.0.1:9')
    expect(result.code).toBe(1)
    expect(result.stderr).toContain('cannot reach vpcpeer at http://127.0.0.1:9')
  })

  it('exits 2 on every usage error, at any depth, like a bad serve flag', async () => {
    const usage: [string[], RegExp][] = [
      [['peering', 'accept'], /missing required argument 'id'/],
      [['peering', 'show'], /missing required argument 'id'/],
      [['reach'], /missing required argument 'source'/],
      [['peering', 'request', '--vpc', 'vpc-0a'], /required option '--peer-vpc <id>' not specified/],
      [['peering', 'accept', 'pcx-0a', '--bogus'], /unknown option '--bogus'/],
      [['vpc', 'list', '-o', 'yaml'], /argument 'yaml' is invalid/],
      [['reach', 'matrix', '--level', 'galaxy'], /argument 'galaxy' is invalid/],
      [['nosuch'], /unknown command 'nosuch'/],
    ]
    const results = await Promise.all(usage.map(([args]) => vpcpeer(ACCOUNT_A, ...args)))
    results.forEach((result, i) => {
      const [args, message] = usage[i]!
      expect({ args, code: result.code }).toEqual({ args, code: 2 })
      expect(result.stderr).toMatch(message)
    })
    expect((await vpcpeer(ACCOUNT_A, 'peering', '--help')).code).toBe(0)
  })
})

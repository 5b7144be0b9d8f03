import {
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DescribeInstancesCommand,
  DescribeTagsCommand,
  type EC2Client,
  RejectVpcPeeringConnectionCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

/** What no account can see any more is forgotten, with its tags, once the clock passes every window. */

let server: TestServer
let a: EC2Client
let b: EC2Client
beforeAll(async () => {
  server = await startTestServer()
  a = ec2Client(server.url, { accountId: ACCOUNT_A })
  b = ec2Client(server.url, { accountId: ACCOUNT_B })
})
afterAll(() => server.close())

/** Moves the server clock as a test suite would, through the admin endpoint. */
async function advance(seconds: number): Promise<{ forgotten: number }> {
  const response = await fetch(`${server.url}/_vpcpeer/clock?advanceSeconds=${seconds}`, { method: 'POST' })
  expect(response.status).toBe(200)
  return (await response.json()) as { forgotten: number }
}

const tagsOf = async (client: EC2Client, id: string) =>
  (await client.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id] }] }))).Tags ??
  []

const stored = (kind: string, id: string) => server.store.read((tx) => tx.get(kind, id))

describe('forgetting what nobody can see', () => {
  it('drops a rejected peering and both sides tags after the longest window, not before', async () => {
    const x = (await a.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!
    const y = (await b.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!
    const id = (
      await a.send(new CreateVpcPeeringConnectionCommand({ VpcId: x, PeerVpcId: y, PeerOwnerId: ACCOUNT_B }))
    ).VpcPeeringConnection!.VpcPeeringConnectionId!
    await a.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: 'a-side' }] }))
    await b.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: 'b-side' }] }))
    await b.send(new RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))

    // The requester still sees a rejected connection for two days.
    expect((await advance(3 * 3600)).forgotten).toBe(0)
    expect(await tagsOf(a, id)).toHaveLength(1)
    expect(await stored('vpc-peering-connection', id)).toBeDefined()

    expect((await advance(2 * 24 * 3600)).forgotten).toBe(1)
    expect(await stored('vpc-peering-connection', id)).toBeUndefined()
    expect(await tagsOf(a, id)).toEqual([])
    expect(await tagsOf(b, id)).toEqual([])
  })

  it('drops a terminated instance and its tags an hour after termination', async () => {
    const vpc = (await a.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!.VpcId!
    const subnet = (await a.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.3.1.0/24' }))).Subnet!
      .SubnetId!
    const run = await a.send(
      new RunInstancesCommand({
        ImageId: 'ami-0123456789abcdef0',
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnet,
      }),
    )
    const instanceId = run.Instances![0]!.InstanceId!
    await a.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: 'Name', Value: 'web' }] }))
    await a.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }))

    await advance(30 * 60)
    const listed = await a.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }))
    expect(listed.Reservations![0]!.Instances![0]!.State?.Name).toBe('terminated')
    expect(await tagsOf(a, instanceId)).toHaveLength(1)

    expect((await advance(31 * 60)).forgotten).toBeGreaterThanOrEqual(1)
    expect(await stored('instance', instanceId)).toBeUndefined()
    expect(await tagsOf(a, instanceId)).toEqual([])
  })
})

import { CreateVpcCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

describe('VPCs through @aws-sdk/client-ec2', () => {
  it('creates a VPC with its default route table, ACL and group, and describes it by tag', async () => {
    const client = ec2Client(server.url)
    const created = await client.send(
      new CreateVpcCommand({
        CidrBlock: '10.0.0.1/16',
        TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'first' }] }],
      }),
    )
    expect(created.Vpc?.CidrBlock).toBe('10.0.0.0/16')
    expect(created.Vpc?.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/)
    const found = await client.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['fir*'] }] }),
    )
    expect(found.Vpcs?.map((v) => v.VpcId)).toEqual([created.Vpc?.VpcId])
    expect(found.Vpcs?.[0]?.State).toBe('available')
  })
})

import {
  AssociateVpcCidrBlockCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DeleteVpcCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DisassociateVpcCidrBlockCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError } from './support/ec2.js'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

interface View {
  readonly name: string
  readonly accountId: string
  readonly region: string
  readonly client: EC2Client
  vpcIds: string[]
  subnetIds: string[]
  cidrAssociationId?: string
}

const VPCS_PER_VIEW = 7

let views: View[]
beforeAll(() => {
  views = [ACCOUNT_A, ACCOUNT_B].flatMap((accountId) =>
    ['us-east-1', 'eu-west-1'].map((region) => ({
      name: `${accountId}/${region}`,
      accountId,
      region,
      client: ec2Client(server.url, { accountId, region }),
      vpcIds: [],
      subnetIds: [],
    })),
  )
})

const allVpcs = async (client: EC2Client) => {
  const out = []
  for await (const page of paginateDescribeVpcs({ client, pageSize: 5 }, {})) out.push(...page.Vpcs!)
  return out
}

const allSubnets = async (client: EC2Client) => {
  const out = []
  for await (const page of paginateDescribeSubnets({ client, pageSize: 5 }, {})) out.push(...page.Subnets!)
  return out
}

describe('two accounts in two regions', () => {
  it('each creates the same CIDRs and tags without clashing', async () => {
    // Interleaved, so the store holds everyone's resources mixed together.
    for (let i = 0; i < VPCS_PER_VIEW; i++) {
      for (const view of views) {
        const vpc = (
          await view.client.send(
            new CreateVpcCommand({
              CidrBlock: `10.${i}.0.0/16`,
              TagSpecifications: [
                {
                  ResourceType: 'vpc',
                  Tags: [
                    { Key: 'Name', Value: `vpc-${i}` },
                    { Key: 'view', Value: view.name },
                  ],
                },
              ],
            }),
          )
        ).Vpc!
        expect(vpc.OwnerId).toBe(view.accountId)
        view.vpcIds.push(vpc.VpcId!)
        const subnet = (
          await view.client.send(
            new CreateSubnetCommand({
              VpcId: vpc.VpcId,
              CidrBlock: `10.${i}.1.0/24`,
              TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'view', Value: view.name }] }],
            }),
          )
        ).Subnet!
        expect(subnet.AvailabilityZone!.startsWith(view.region)).toBe(true)
        expect(subnet.SubnetArn).toBe(
          `arn:aws:ec2:${view.region}:${view.accountId}:subnet/${subnet.SubnetId}`,
        )
        view.subnetIds.push(subnet.SubnetId!)
      }
    }
    for (const view of views) {
      await view.client.send(
        new CreateTagsCommand({ Resources: [view.vpcIds[0]!], Tags: [{ Key: 'first', Value: view.region }] }),
      )
      view.cidrAssociationId = (
        await view.client.send(
          new AssociateVpcCidrBlockCommand({ VpcId: view.vpcIds[1], CidrBlock: '10.100.0.0/16' }),
        )
      ).CidrBlockAssociation!.AssociationId!
    }
  })

  it('each lists, pages and filters only its own VPCs and subnets', async () => {
    for (const view of views) {
      const vpcs = await allVpcs(view.client)
      expect(vpcs.map((v) => v.VpcId)).toEqual(view.vpcIds)
      expect(vpcs.every((v) => v.OwnerId === view.accountId)).toBe(true)
      expect(vpcs.flatMap((v) => v.Tags!.filter((t) => t.Key === 'view').map((t) => t.Value))).toEqual(
        Array(VPCS_PER_VIEW).fill(view.name),
      )
      expect((await allSubnets(view.client)).map((s) => s.SubnetId)).toEqual(view.subnetIds)

      const byName = await view.client.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['vpc-3'] }] }),
      )
      expect(byName.Vpcs!.map((v) => v.VpcId)).toEqual([view.vpcIds[3]])
      const byCidr = await view.client.send(
        new DescribeVpcsCommand({
          Filters: [{ Name: 'cidr-block-association.cidr-block', Values: ['10.100.0.0/16'] }],
        }),
      )
      expect(byCidr.Vpcs!.map((v) => v.VpcId)).toEqual([view.vpcIds[1]])
      const byOwner = await view.client.send(
        new DescribeVpcsCommand({
          Filters: [{ Name: 'owner-id', Values: [ACCOUNT_A, ACCOUNT_B] }],
        }),
      )
      expect(byOwner.Vpcs!.map((v) => v.VpcId)).toEqual(view.vpcIds)
      const subnets = await view.client.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'cidr-block', Values: ['10.2.1.0/24'] }] }),
      )
      expect(subnets.Subnets!.map((s) => s.SubnetId)).toEqual([view.subnetIds[2]])

      const tags = (
        await view.client.send(
          new DescribeTagsCommand({ Filters: [{ Name: 'key', Values: ['view', 'first'] }] }),
        )
      ).Tags!
      expect(tags).toHaveLength(VPCS_PER_VIEW * 2 + 1)
      expect(new Set(tags.filter((t) => t.Key === 'view').map((t) => t.Value))).toEqual(new Set([view.name]))
      expect(tags.find((t) => t.Key === 'first')).toMatchObject({
        ResourceId: view.vpcIds[0],
        Value: view.region,
      })
    }
  })

  it('answers NotFound for every other view’s ids, same account in another region included', async () => {
    for (const view of views) {
      for (const other of views.filter((v) => v !== view)) {
        const vpcId = other.vpcIds[0]!
        const subnetId = other.subnetIds[0]!
        const vpcNotFound = `The vpc ID '${vpcId}' does not exist`
        const { client } = view
        await expectError(
          client.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })),
          'InvalidVpcID.NotFound',
          vpcNotFound,
        )
        await expectError(
          client.send(new DeleteVpcCommand({ VpcId: vpcId })),
          'InvalidVpcID.NotFound',
          vpcNotFound,
        )
        await expectError(
          client.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' })),
          'InvalidVpcID.NotFound',
        )
        await expectError(
          client.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } })),
          'InvalidVpcID.NotFound',
        )
        await expectError(
          client.send(new AssociateVpcCidrBlockCommand({ VpcId: vpcId, CidrBlock: '10.200.0.0/16' })),
          'InvalidVpcID.NotFound',
        )
        await expectError(
          client.send(new DisassociateVpcCidrBlockCommand({ AssociationId: other.cidrAssociationId! })),
          'InvalidVpcCidrBlockAssociationID.NotFound',
        )
        await expectError(
          client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.9.0/24' })),
          'InvalidVpcID.NotFound',
          vpcNotFound,
        )
        await expectError(
          client.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] })),
          'InvalidSubnetID.NotFound',
        )
        await expectError(
          client.send(new DeleteSubnetCommand({ SubnetId: subnetId })),
          'InvalidSubnetID.NotFound',
        )
        await expectError(
          client.send(
            new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }),
          ),
          'InvalidSubnetID.NotFound',
        )
        await expectError(
          client.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: 'x', Value: 'y' }] })),
          'InvalidVpcID.NotFound',
        )
        await expectError(client.send(new DeleteTagsCommand({ Resources: [vpcId] })), 'InvalidVpcID.NotFound')
        const filtered = await client.send(
          new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
        )
        expect(filtered.Vpcs ?? []).toEqual([])
      }
    }
    // Nothing any of that touched changed: every view still has its own, intact.
    for (const view of views) {
      const first = (await view.client.send(new DescribeVpcsCommand({ VpcIds: [view.vpcIds[0]!] }))).Vpcs![0]!
      expect(first.Tags!.map((t) => t.Key).sort()).toEqual(['Name', 'first', 'view'])
      const dns = await view.client.send(
        new DescribeVpcAttributeCommand({ VpcId: view.vpcIds[0]!, Attribute: 'enableDnsHostnames' }),
      )
      expect(dns.EnableDnsHostnames?.Value).toBe(false)
      expect((await allSubnets(view.client)).every((s) => s.MapPublicIpOnLaunch === false)).toBe(true)
    }
  })

  it('each deletes its own, leaving the others untouched', async () => {
    const [first, ...rest] = views as [View, ...View[]]
    for (const subnetId of first.subnetIds)
      await first.client.send(new DeleteSubnetCommand({ SubnetId: subnetId }))
    for (const vpcId of first.vpcIds) await first.client.send(new DeleteVpcCommand({ VpcId: vpcId }))
    expect(await allVpcs(first.client)).toEqual([])
    expect((await first.client.send(new DescribeTagsCommand({}))).Tags ?? []).toEqual([])
    for (const view of rest) {
      expect((await allVpcs(view.client)).map((v) => v.VpcId)).toEqual(view.vpcIds)
      expect((await allSubnets(view.client)).map((s) => s.SubnetId)).toEqual(view.subnetIds)
    }
    for (const view of rest) {
      await view.client.send(new DeleteSubnetCommand({ SubnetId: view.subnetIds[0]! }))
      await view.client.send(new DeleteVpcCommand({ VpcId: view.vpcIds[0]! }))
      expect((await allVpcs(view.client)).map((v) => v.VpcId)).toEqual(view.vpcIds.slice(1))
    }
  })
})

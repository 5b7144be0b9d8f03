import {
  AssociateVpcCidrBlockCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeRouteTablesCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  DisassociateVpcCidrBlockCommand,
  type EC2Client,
  type Filter,
  ModifyVpcAttributeCommand,
  paginateDescribeVpcs,
  waitUntilVpcAvailable,
  waitUntilVpcExists,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ec2Actions } from '../src/protocol/ec2-query/actions/index.js'
import { byCodeUnit, expectError, freshClient } from './support/ec2.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const createVpc = async (
  client: EC2Client,
  cidr: string,
  extra: Partial<{ ipv6: boolean; name: string }> = {},
) =>
  (
    await client.send(
      new CreateVpcCommand({
        CidrBlock: cidr,
        ...(extra.ipv6 ? { AmazonProvidedIpv6CidrBlock: true } : {}),
        ...(extra.name
          ? { TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: extra.name }] }] }
          : {}),
      }),
    )
  ).Vpc!

const vpcIds = async (client: EC2Client, Filters: Filter[]) =>
  ((await client.send(new DescribeVpcsCommand({ Filters }))).Vpcs ?? []).map((v) => v.VpcId).sort()

const describeVpc = async (client: EC2Client, vpcId: string) =>
  (await client.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!

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

  it('answers CreateVpc with the full Vpc shape, pending, then describes it available', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, '100.68.0.18/18', { name: 'shape' })
    expect(vpc).toMatchObject({
      CidrBlock: '100.68.0.0/18',
      State: 'pending',
      OwnerId: client.accountId,
      InstanceTenancy: 'default',
      IsDefault: false,
      DhcpOptionsId: expect.stringMatching(/^dopt-[0-9a-f]{17}$/),
      Tags: [{ Key: 'Name', Value: 'shape' }],
      CidrBlockAssociationSet: [
        {
          AssociationId: expect.stringMatching(/^vpc-cidr-assoc-[0-9a-f]{17}$/),
          CidrBlock: '100.68.0.0/18',
          CidrBlockState: { State: 'associated' },
        },
      ],
    })
    // Decided: no IPv6 block means an empty set (AWS sends <ipv6CidrBlockAssociationSet/> too).
    expect(vpc.Ipv6CidrBlockAssociationSet ?? []).toEqual([])
    const described = await describeVpc(client, vpc.VpcId!)
    expect(described.State).toBe('available')
    expect(described.CidrBlock).toBe('100.68.0.0/18')
    await waitUntilVpcExists({ client, maxWaitTime: 5, minDelay: 1 }, { VpcIds: [vpc.VpcId!] })
    await waitUntilVpcAvailable({ client, maxWaitTime: 5, minDelay: 1 }, { VpcIds: [vpc.VpcId!] })
  })

  it('gives an Amazon-provided IPv6 /56 on request and keeps the chosen tenancy', async () => {
    const client = freshClient(server.url)
    const vpc = (
      await client.send(
        new CreateVpcCommand({
          CidrBlock: '10.1.0.0/16',
          AmazonProvidedIpv6CidrBlock: true,
          InstanceTenancy: 'dedicated',
        }),
      )
    ).Vpc!
    expect(vpc.InstanceTenancy).toBe('dedicated')
    const ipv6 = vpc.Ipv6CidrBlockAssociationSet!
    expect(ipv6).toHaveLength(1)
    expect(ipv6[0]!.Ipv6CidrBlock).toMatch(/^[0-9a-f:]+::\/56$/)
    expect(ipv6[0]).toMatchObject({ Ipv6Pool: 'Amazon', NetworkBorderGroup: 'us-east-1' })
    const other = await createVpc(client, '10.1.0.0/16', { ipv6: true })
    expect(other.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock).not.toBe(ipv6[0]!.Ipv6CidrBlock)
  })

  it('accepts every size from /16 to /28 and refuses the rest with InvalidVpc.Range', async () => {
    const client = freshClient(server.url)
    for (const length of [16, 20, 24, 28]) {
      expect((await createVpc(client, `10.0.0.0/${length}`)).CidrBlock).toBe(`10.0.0.0/${length}`)
    }
    for (const cidr of ['10.0.0.0/8', '10.0.0.0/15', '10.0.0.0/29', '10.0.0.0/32']) {
      await expectError(
        client.send(new CreateVpcCommand({ CidrBlock: cidr })),
        'InvalidVpc.Range',
        `The CIDR '${cidr}' is invalid.`,
      )
    }
    await expectError(
      client.send(new CreateVpcCommand({ CidrBlock: '2600:1f00::/56' })),
      'InvalidParameterValue',
      'Value (2600:1f00::/56) for parameter cidrBlock is invalid. This is not a valid CIDR block.',
    )
  })

  it('describes by id list, and answers NotFound for an id it does not have', async () => {
    const client = freshClient(server.url)
    const a = await createVpc(client, '10.0.0.0/16')
    const b = await createVpc(client, '10.1.0.0/16')
    await createVpc(client, '10.2.0.0/16')
    const listed = await client.send(new DescribeVpcsCommand({ VpcIds: [b.VpcId!, a.VpcId!, a.VpcId!] }))
    // Listings come in creation order, whatever order the ids were asked in.
    expect(listed.Vpcs!.map((v) => v.VpcId)).toEqual([a.VpcId, b.VpcId])
    await expectError(
      client.send(new DescribeVpcsCommand({ VpcIds: [a.VpcId!, 'vpc-0123456789abcdef0'] })),
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    )
    // [OBS] DescribeVpcs answers a garbage id with NotFound, not Malformed.
    await expectError(
      client.send(new DescribeVpcsCommand({ VpcIds: ['aws_vpc.x.id'] })),
      'InvalidVpcID.NotFound',
      "The vpc ID 'aws_vpc.x.id' does not exist",
    )
  })

  it('supports every DescribeVpcs filter of the model', async () => {
    const client = freshClient(server.url)
    const plain = await createVpc(client, '10.0.0.0/16', { name: 'plain' })
    const dual = await createVpc(client, '10.1.0.0/16', { ipv6: true, name: 'dual' })
    const secondary = (
      await client.send(new AssociateVpcCidrBlockCommand({ VpcId: plain.VpcId!, CidrBlock: '10.50.0.0/16' }))
    ).CidrBlockAssociation!
    await client.send(
      new CreateTagsCommand({ Resources: [dual.VpcId!], Tags: [{ Key: 'team', Value: 'blue' }] }),
    )
    const ipv6 = dual.Ipv6CidrBlockAssociationSet![0]!
    const both = [plain.VpcId, dual.VpcId].sort(byCodeUnit)

    const cases: [Filter, (string | undefined)[]][] = [
      [{ Name: 'cidr', Values: ['10.0.0.0/16'] }, [plain.VpcId]],
      // cidr matches only the primary block.
      [{ Name: 'cidr', Values: ['10.50.0.0/16'] }, []],
      [{ Name: 'cidr-block-association.cidr-block', Values: ['10.50.0.0/16'] }, [plain.VpcId]],
      [{ Name: 'cidr-block-association.association-id', Values: [secondary.AssociationId!] }, [plain.VpcId]],
      [{ Name: 'cidr-block-association.state', Values: ['associated'] }, both],
      [{ Name: 'dhcp-options-id', Values: [plain.DhcpOptionsId!] }, both],
      [{ Name: 'ipv6-cidr-block-association.ipv6-cidr-block', Values: [ipv6.Ipv6CidrBlock!] }, [dual.VpcId]],
      [{ Name: 'ipv6-cidr-block-association.ipv6-pool', Values: ['Amazon'] }, [dual.VpcId]],
      [{ Name: 'ipv6-cidr-block-association.association-id', Values: [ipv6.AssociationId!] }, [dual.VpcId]],
      [{ Name: 'ipv6-cidr-block-association.state', Values: ['associated'] }, [dual.VpcId]],
      [{ Name: 'is-default', Values: ['false'] }, both],
      [{ Name: 'is-default', Values: ['true'] }, []],
      [{ Name: 'owner-id', Values: [client.accountId] }, both],
      [{ Name: 'owner-id', Values: ['999999999999'] }, []],
      [{ Name: 'state', Values: ['available'] }, both],
      [{ Name: 'state', Values: ['pending'] }, []],
      [{ Name: 'tag:Name', Values: ['dual'] }, [dual.VpcId]],
      [{ Name: 'tag:Name', Values: ['plain', 'dual'] }, both],
      [{ Name: 'tag-key', Values: ['team'] }, [dual.VpcId]],
      // tag-value is not in the model's list for DescribeVpcs; we accept it everywhere [INF].
      [{ Name: 'tag-value', Values: ['blue'] }, [dual.VpcId]],
      [{ Name: 'vpc-id', Values: [dual.VpcId!] }, [dual.VpcId]],
      [{ Name: 'vpc-id', Values: ['vpc-*'] }, both],
      [{ Name: 'cidr', Values: ['10.?.0.0/16'] }, both],
    ]
    for (const [filter, expected] of cases) {
      expect({ filter, ids: await vpcIds(client, [filter]) }).toEqual({
        filter,
        ids: [...expected].sort(byCodeUnit),
      })
    }
    // Filters AND; values OR.
    expect(
      await vpcIds(client, [
        { Name: 'cidr', Values: ['10.0.0.0/16', '10.1.0.0/16'] },
        { Name: 'tag:Name', Values: ['plain'] },
      ]),
    ).toEqual([plain.VpcId])
    await expectError(
      client.send(new DescribeVpcsCommand({ Filters: [{ Name: 'subnet-id', Values: ['x'] }] })),
      'InvalidParameterValue',
      "The filter 'subnet-id' is invalid",
    )
  })

  it('pages with MaxResults and NextToken; the SDK paginator sees every VPC exactly once', async () => {
    const client = freshClient(server.url)
    const created: string[] = []
    for (let i = 0; i < 13; i++) created.push((await createVpc(client, `10.${i}.0.0/16`)).VpcId!)

    const seen: string[] = []
    let pages = 0
    for await (const page of paginateDescribeVpcs({ client, pageSize: 5 }, {})) {
      pages++
      expect(page.Vpcs!.length).toBeLessThanOrEqual(5)
      seen.push(...page.Vpcs!.map((v) => v.VpcId!))
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(created)

    // Filters apply before paging.
    const filtered: string[] = []
    for await (const page of paginateDescribeVpcs(
      { client, pageSize: 5 },
      { Filters: [{ Name: 'cidr', Values: ['10.1*'] }] },
    )) {
      filtered.push(...page.Vpcs!.map((v) => v.VpcId!))
    }
    expect(filtered).toEqual([created[1], created[10], created[11], created[12]])

    // A token stays good when VPCs before it (including the last one returned) are deleted.
    const first = await client.send(new DescribeVpcsCommand({ MaxResults: 5 }))
    expect(first.Vpcs!.map((v) => v.VpcId)).toEqual(created.slice(0, 5))
    for (const id of [created[0]!, created[4]!]) await client.send(new DeleteVpcCommand({ VpcId: id }))
    const second = await client.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: first.NextToken! }))
    expect(second.Vpcs!.map((v) => v.VpcId)).toEqual(created.slice(5, 10))
    const third = await client.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: second.NextToken! }))
    expect(third.Vpcs!.map((v) => v.VpcId)).toEqual(created.slice(10))
    expect(third.NextToken).toBeUndefined()

    await expectError(
      client.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: 'not-a-token' })),
      'InvalidNextToken',
    )
  })

  it('deletes a VPC, after which it is NotFound everywhere', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, '10.0.0.0/16', { name: 'doomed' })
    await client.send(new DeleteVpcCommand({ VpcId: vpc.VpcId! }))
    expect(await vpcIds(client, [])).toEqual([])
    const notFound = `The vpc ID '${vpc.VpcId}' does not exist`
    await expectError(
      client.send(new DeleteVpcCommand({ VpcId: vpc.VpcId! })),
      'InvalidVpcID.NotFound',
      notFound,
    )
    await expectError(
      client.send(new DescribeVpcsCommand({ VpcIds: [vpc.VpcId!] })),
      'InvalidVpcID.NotFound',
      notFound,
    )
    await expectError(
      client.send(new DescribeVpcAttributeCommand({ VpcId: vpc.VpcId!, Attribute: 'enableDnsSupport' })),
      'InvalidVpcID.NotFound',
    )
    await expectError(
      client.send(new DeleteVpcCommand({ VpcId: 'vpc-xyz' })),
      'InvalidVpcID.Malformed',
      'Invalid id: "vpc-xyz" (expecting "vpc-...")',
    )
  })
})

describe('VPC attributes', () => {
  const attribute = async (
    client: EC2Client,
    vpcId: string,
    name: 'enableDnsSupport' | 'enableDnsHostnames' | 'enableNetworkAddressUsageMetrics',
  ) => {
    const out = await client.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: name }))
    expect(out.VpcId).toBe(vpcId)
    const key = `${name[0]!.toUpperCase()}${name.slice(1)}` as 'EnableDnsSupport'
    return out[key]?.Value
  }

  it('starts with DNS support on, hostnames and address-usage metrics off, and changes one at a time', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client, '10.0.0.0/16')
    expect(await attribute(client, VpcId!, 'enableDnsSupport')).toBe(true)
    expect(await attribute(client, VpcId!, 'enableDnsHostnames')).toBe(false)
    expect(await attribute(client, VpcId!, 'enableNetworkAddressUsageMetrics')).toBe(false)

    await client.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } }))
    await client.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsSupport: { Value: false } }))
    await client.send(
      new ModifyVpcAttributeCommand({ VpcId, EnableNetworkAddressUsageMetrics: { Value: true } }),
    )
    expect(await attribute(client, VpcId!, 'enableDnsHostnames')).toBe(true)
    expect(await attribute(client, VpcId!, 'enableDnsSupport')).toBe(false)
    expect(await attribute(client, VpcId!, 'enableNetworkAddressUsageMetrics')).toBe(true)

    await expectError(
      client.send(
        new ModifyVpcAttributeCommand({
          VpcId,
          EnableDnsHostnames: { Value: false },
          EnableDnsSupport: { Value: true },
        }),
      ),
      'InvalidParameterCombination',
    )
    await expectError(client.send(new ModifyVpcAttributeCommand({ VpcId })), 'MissingParameter')
    // Nothing changed by the refused calls.
    expect(await attribute(client, VpcId!, 'enableDnsHostnames')).toBe(true)
    await expectError(
      client.send(
        new DescribeVpcAttributeCommand({ VpcId, Attribute: 'enableDnsFoo' as 'enableDnsSupport' }),
      ),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(
        new ModifyVpcAttributeCommand({ VpcId: 'vpc-0000000000000000f', EnableDnsSupport: { Value: true } }),
      ),
      'InvalidVpcID.NotFound',
    )
  })
})

describe('AssociateVpcCidrBlock and DisassociateVpcCidrBlock', () => {
  const associate = (client: EC2Client, VpcId: string, CidrBlock: string) =>
    client.send(new AssociateVpcCidrBlockCommand({ VpcId, CidrBlock }))

  const blocks = async (client: EC2Client, vpcId: string) =>
    (await describeVpc(client, vpcId)).CidrBlockAssociationSet!.map((a) => a.CidrBlock)

  it('adds secondary IPv4 blocks from /16 to /28, canonicalised, shown as associating then associated', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client, '10.0.0.0/16')
    const out = await associate(client, VpcId!, '10.1.2.3/16')
    expect(out.VpcId).toBe(VpcId)
    expect(out.CidrBlockAssociation).toMatchObject({
      AssociationId: expect.stringMatching(/^vpc-cidr-assoc-[0-9a-f]{17}$/),
      CidrBlock: '10.1.0.0/16',
      CidrBlockState: { State: 'associating' },
    })
    expect(out.Ipv6CidrBlockAssociation).toBeUndefined()
    await associate(client, VpcId!, '10.2.0.0/28')
    const vpc = await describeVpc(client, VpcId!)
    expect(vpc.CidrBlock).toBe('10.0.0.0/16')
    expect(vpc.CidrBlockAssociationSet!.map((a) => [a.CidrBlock, a.CidrBlockState?.State])).toEqual([
      ['10.0.0.0/16', 'associated'],
      ['10.1.0.0/16', 'associated'],
      ['10.2.0.0/28', 'associated'],
    ])
    for (const cidr of ['10.3.0.0/15', '10.3.0.0/29']) {
      await expectError(associate(client, VpcId!, cidr), 'InvalidVpc.Range')
    }
    await expectError(associate(client, VpcId!, 'banana'), 'InvalidParameterValue')
  })

  it('refuses a block overlapping one the VPC has', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client, '10.0.0.0/16')
    await associate(client, VpcId!, '10.1.0.0/24')
    for (const cidr of ['10.0.0.0/16', '10.0.128.0/20', '10.1.0.0/16']) {
      await expectError(associate(client, VpcId!, cidr), 'CidrConflict')
    }
    expect(await blocks(client, VpcId!)).toEqual(['10.0.0.0/16', '10.1.0.0/24'])
  })

  it('applies the RFC 1918 mixing restrictions', async () => {
    const client = freshClient(server.url)
    const ten = (await createVpc(client, '10.0.0.0/16')).VpcId!
    await expectError(associate(client, ten, '172.16.0.0/16'), 'InvalidVpc.Range', /is restricted/)
    await expectError(associate(client, ten, '192.168.0.0/16'), 'InvalidVpc.Range', /is restricted/)
    await expectError(associate(client, ten, '198.19.0.0/16'), 'InvalidVpc.Range', /is restricted/)
    // Another 10/8 block, a publicly routable block and 100.64/10 are all fine.
    await associate(client, ten, '10.200.0.0/16')
    await associate(client, ten, '100.64.0.0/16')
    await associate(client, ten, '52.0.0.0/24')
    const oneSevenTwo = (await createVpc(client, '172.20.0.0/16')).VpcId!
    await expectError(associate(client, oneSevenTwo, '10.0.0.0/16'), 'InvalidVpc.Range', /is restricted/)
    await associate(client, oneSevenTwo, '172.21.0.0/16')
  })

  it('allows five IPv4 blocks per VPC, counting the primary', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client, '10.0.0.0/16')
    for (let i = 1; i <= 4; i++) await associate(client, VpcId!, `10.${i}.0.0/16`)
    await expectError(associate(client, VpcId!, '10.5.0.0/16'), 'CidrLimitExceeded')
    expect(await blocks(client, VpcId!)).toHaveLength(5)
  })

  it('adds Amazon IPv6 /56 blocks and refuses asking for both kinds, or neither', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client, '10.0.0.0/16')
    const out = await client.send(
      new AssociateVpcCidrBlockCommand({ VpcId, AmazonProvidedIpv6CidrBlock: true }),
    )
    expect(out.CidrBlockAssociation).toBeUndefined()
    expect(out.Ipv6CidrBlockAssociation).toMatchObject({
      Ipv6CidrBlock: expect.stringMatching(/\/56$/),
      Ipv6CidrBlockState: { State: 'associating' },
      NetworkBorderGroup: 'us-east-1',
    })
    const vpc = await describeVpc(client, VpcId!)
    expect(vpc.Ipv6CidrBlockAssociationSet!.map((a) => a.Ipv6CidrBlock)).toEqual([
      out.Ipv6CidrBlockAssociation!.Ipv6CidrBlock,
    ])
    await expectError(
      client.send(
        new AssociateVpcCidrBlockCommand({
          VpcId,
          CidrBlock: '10.1.0.0/16',
          AmazonProvidedIpv6CidrBlock: true,
        }),
      ),
      'InvalidParameterCombination',
    )
    await expectError(client.send(new AssociateVpcCidrBlockCommand({ VpcId })), 'InvalidParameterCombination')
    await expectError(
      client.send(
        new AssociateVpcCidrBlockCommand({ VpcId: 'vpc-0000000000000000a', CidrBlock: '10.1.0.0/16' }),
      ),
      'InvalidVpcID.NotFound',
    )
  })

  it('disassociates secondary blocks, but never the primary nor one a subnet uses', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, '10.0.0.0/16', { ipv6: true })
    const VpcId = vpc.VpcId!
    const primary = vpc.CidrBlockAssociationSet![0]!.AssociationId!
    const secondary = (await associate(client, VpcId, '10.1.0.0/16')).CidrBlockAssociation!.AssociationId!
    const ipv6 = vpc.Ipv6CidrBlockAssociationSet![0]!

    await expectError(
      client.send(new DisassociateVpcCidrBlockCommand({ AssociationId: primary })),
      'OperationNotPermitted',
      /primary IPv4 CIDR block/,
    )
    const subnet = (await client.send(new CreateSubnetCommand({ VpcId, CidrBlock: '10.1.4.0/24' }))).Subnet!
    await expectError(
      client.send(new DisassociateVpcCidrBlockCommand({ AssociationId: secondary })),
      'DependencyViolation',
    )
    expect(await blocks(client, VpcId)).toEqual(['10.0.0.0/16', '10.1.0.0/16'])
    await client.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId! }))

    const out = await client.send(new DisassociateVpcCidrBlockCommand({ AssociationId: secondary }))
    expect(out.VpcId).toBe(VpcId)
    expect(out.CidrBlockAssociation).toMatchObject({
      AssociationId: secondary,
      CidrBlock: '10.1.0.0/16',
      CidrBlockState: { State: 'disassociating' },
    })
    expect(await blocks(client, VpcId)).toEqual(['10.0.0.0/16'])
    const v6 = await client.send(new DisassociateVpcCidrBlockCommand({ AssociationId: ipv6.AssociationId! }))
    expect(v6.Ipv6CidrBlockAssociation).toMatchObject({
      Ipv6CidrBlock: ipv6.Ipv6CidrBlock,
      Ipv6CidrBlockState: { State: 'disassociating' },
    })
    expect((await describeVpc(client, VpcId)).Ipv6CidrBlockAssociationSet ?? []).toEqual([])
    await expectError(
      client.send(new DisassociateVpcCidrBlockCommand({ AssociationId: secondary })),
      'InvalidVpcCidrBlockAssociationID.NotFound',
      `The vpc CIDR block association ID '${secondary}' does not exist`,
    )
    // Once gone, the block may come back.
    await associate(client, VpcId, '10.1.0.0/16')
  })

  it.skipIf(!('DescribeRouteTables' in ec2Actions))(
    'keeps the main route table’s local routes in step with the VPC’s blocks',
    async () => {
      const client = freshClient(server.url)
      const { VpcId } = await createVpc(client, '10.0.0.0/16')
      const localRoutes = async () => {
        const tables = await client.send(
          new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [VpcId!] }] }),
        )
        return tables
          .RouteTables!.flatMap((t) => t.Routes ?? [])
          .filter((r) => r.GatewayId === 'local')
          .map((r) => r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock)
          .sort()
      }
      expect(await localRoutes()).toEqual(['10.0.0.0/16'])
      const added = await associate(client, VpcId!, '10.1.0.0/16')
      const v6 = await client.send(
        new AssociateVpcCidrBlockCommand({ VpcId, AmazonProvidedIpv6CidrBlock: true }),
      )
      const ipv6Block = v6.Ipv6CidrBlockAssociation!.Ipv6CidrBlock!
      expect(await localRoutes()).toEqual(['10.0.0.0/16', '10.1.0.0/16', ipv6Block].sort(byCodeUnit))
      await client.send(
        new DisassociateVpcCidrBlockCommand({ AssociationId: added.CidrBlockAssociation!.AssociationId! }),
      )
      await client.send(
        new DisassociateVpcCidrBlockCommand({ AssociationId: v6.Ipv6CidrBlockAssociation!.AssociationId! }),
      )
      expect(await localRoutes()).toEqual(['10.0.0.0/16'])
    },
  )
})

import {
  AssociateVpcCidrBlockCommand,
  CreateSubnetCommand,
  type CreateSubnetCommandInput,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Filter,
  ModifySubnetAttributeCommand,
  paginateDescribeSubnets,
  type Subnet,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatPrefix, parsePrefix, prefixAt } from '../src/net/prefix.js'
import { byCodeUnit, expectError, freshClient } from './support/ec2.js'
import { startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const createVpc = async (client: EC2Client, CidrBlock = '10.0.0.0/16', ipv6 = false) =>
  (
    await client.send(
      new CreateVpcCommand({ CidrBlock, ...(ipv6 ? { AmazonProvidedIpv6CidrBlock: true } : {}) }),
    )
  ).Vpc!

const createSubnet = async (client: EC2Client, input: CreateSubnetCommandInput) =>
  (await client.send(new CreateSubnetCommand(input))).Subnet!

/** The n-th /64 of a VPC's IPv6 /56. */
const sixtyFour = (block56: string, n: number) => {
  const base = parsePrefix(block56)!
  return formatPrefix(prefixAt(6, base.start + (BigInt(n) << 64n), 64))
}

const subnetIds = async (client: EC2Client, Filters: Filter[]) =>
  ((await client.send(new DescribeSubnetsCommand({ Filters }))).Subnets ?? []).map((s) => s.SubnetId).sort()

describe('subnets through @aws-sdk/client-ec2', () => {
  it('creates a subnet with the full Subnet shape and describes it available', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client)
    const subnet = await createSubnet(client, {
      VpcId: vpc.VpcId,
      CidrBlock: '10.0.1.7/24',
      AvailabilityZone: 'us-east-1b',
      TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: 'web' }] }],
    })
    expect(subnet).toMatchObject({
      SubnetId: expect.stringMatching(/^subnet-[0-9a-f]{17}$/),
      VpcId: vpc.VpcId,
      OwnerId: client.accountId,
      State: 'pending',
      CidrBlock: '10.0.1.0/24',
      // 256 less the five addresses AWS reserves.
      AvailableIpAddressCount: 251,
      AvailabilityZone: 'us-east-1b',
      AvailabilityZoneId: 'use1-az2',
      DefaultForAz: false,
      MapPublicIpOnLaunch: false,
      AssignIpv6AddressOnCreation: false,
      Ipv6Native: false,
      EnableDns64: false,
      Tags: [{ Key: 'Name', Value: 'web' }],
      PrivateDnsNameOptionsOnLaunch: {
        HostnameType: 'ip-name',
        EnableResourceNameDnsARecord: false,
        EnableResourceNameDnsAAAARecord: false,
      },
    })
    expect(subnet.SubnetArn).toBe(`arn:aws:ec2:us-east-1:${client.accountId}:subnet/${subnet.SubnetId}`)
    const described = (await client.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] })))
      .Subnets!
    expect(described).toHaveLength(1)
    expect(described[0]).toMatchObject({ ...subnet, State: 'available' } as Subnet)
  })

  it('places subnets in the region’s zones, by name or id, and refuses other zones', async () => {
    const client = freshClient(server.url, 'eu-west-1')
    const { VpcId } = await createVpc(client)
    expect(
      await createSubnet(client, { VpcId, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'eu-west-1c' }),
    ).toMatchObject({ AvailabilityZone: 'eu-west-1c', AvailabilityZoneId: 'euw1-az3' })
    expect(
      await createSubnet(client, { VpcId, CidrBlock: '10.0.1.0/24', AvailabilityZoneId: 'euw1-az1' }),
    ).toMatchObject({ AvailabilityZone: 'eu-west-1a', AvailabilityZoneId: 'euw1-az1' })
    // Without a zone, one of the region's is chosen.
    expect((await createSubnet(client, { VpcId, CidrBlock: '10.0.2.0/24' })).AvailabilityZone).toMatch(
      /^eu-west-1[abc]$/,
    )
    for (const AvailabilityZone of ['us-east-1a', 'eu-west-1z', 'nowhere']) {
      await expectError(
        client.send(new CreateSubnetCommand({ VpcId, CidrBlock: '10.0.9.0/24', AvailabilityZone })),
        'InvalidParameterValue',
        new RegExp(`^Value \\(${AvailabilityZone}\\) for parameter availabilityZone is invalid`),
      )
    }
    await expectError(
      client.send(
        new CreateSubnetCommand({ VpcId, CidrBlock: '10.0.9.0/24', AvailabilityZoneId: 'use1-az1' }),
      ),
      'InvalidParameterValue',
    )
  })

  it('requires the block inside the VPC, /16 to /28, clear of the other subnets', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client)
    await createSubnet(client, { VpcId, CidrBlock: '10.0.1.0/24' })
    const tiny = await createSubnet(client, { VpcId, CidrBlock: '10.0.2.0/28' })
    expect(tiny.AvailableIpAddressCount).toBe(11)

    for (const CidrBlock of ['10.0.1.0/24', '10.0.1.128/25', '10.0.0.0/23', '10.0.2.0/28']) {
      await expectError(
        client.send(new CreateSubnetCommand({ VpcId, CidrBlock })),
        'InvalidSubnet.Conflict',
        `The CIDR '${CidrBlock}' conflicts with another subnet`,
      )
    }
    for (const CidrBlock of ['10.1.0.0/24', '10.0.0.0/15', '10.0.3.0/29', '192.168.0.0/24']) {
      await expectError(
        client.send(new CreateSubnetCommand({ VpcId, CidrBlock })),
        'InvalidSubnet.Range',
        `The CIDR '${CidrBlock}' is invalid.`,
      )
    }
    for (const CidrBlock of ['10.0.3.0/33', 'banana', '10.0.3/24']) {
      await expectError(
        client.send(new CreateSubnetCommand({ VpcId, CidrBlock })),
        'InvalidParameterValue',
        `Value (${CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
      )
    }
    await expectError(client.send(new CreateSubnetCommand({ VpcId })), 'MissingParameter')
    await expectError(
      client.send(new CreateSubnetCommand({ VpcId: 'vpc-0123456789abcdef0', CidrBlock: '10.0.9.0/24' })),
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    )
  })

  it('takes a subnet as large as the VPC, and subnets in a secondary block', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client, '10.0.0.0/24')
    expect((await createSubnet(client, { VpcId, CidrBlock: '10.0.0.0/24' })).CidrBlock).toBe('10.0.0.0/24')
    await client.send(new AssociateVpcCidrBlockCommand({ VpcId, CidrBlock: '10.5.0.0/16' }))
    expect((await createSubnet(client, { VpcId, CidrBlock: '10.5.3.0/24' })).CidrBlock).toBe('10.5.3.0/24')
  })

  it('gives IPv6 /64s from the VPC’s /56, without overlap', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, '10.0.0.0/16', true)
    const block56 = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!
    const VpcId = vpc.VpcId
    const dual = await createSubnet(client, {
      VpcId,
      CidrBlock: '10.0.0.0/24',
      Ipv6CidrBlock: sixtyFour(block56, 1),
    })
    expect(dual.Ipv6CidrBlockAssociationSet).toMatchObject([
      {
        AssociationId: expect.stringMatching(/^subnet-cidr-assoc-[0-9a-f]{17}$/),
        Ipv6CidrBlock: sixtyFour(block56, 1),
        Ipv6CidrBlockState: { State: 'associated' },
      },
    ])
    const only6 = await createSubnet(client, {
      VpcId,
      Ipv6Native: true,
      Ipv6CidrBlock: sixtyFour(block56, 255),
    })
    expect(only6).toMatchObject({ Ipv6Native: true, AvailableIpAddressCount: 0 })
    expect(only6.CidrBlock).toBeUndefined()

    await expectError(
      client.send(
        new CreateSubnetCommand({ VpcId, CidrBlock: '10.0.1.0/24', Ipv6CidrBlock: sixtyFour(block56, 1) }),
      ),
      'InvalidSubnet.Conflict',
    )
    // Outside the /56, or not a /64.
    const outside = formatPrefix(prefixAt(6, parsePrefix(block56)!.start + (256n << 64n), 64))
    await expectError(
      client.send(new CreateSubnetCommand({ VpcId, CidrBlock: '10.0.2.0/24', Ipv6CidrBlock: outside })),
      'InvalidSubnet.Range',
    )
    const sixtyThree = `${sixtyFour(block56, 2).split('/')[0]}/63`
    await expectError(
      client.send(new CreateSubnetCommand({ VpcId, CidrBlock: '10.0.2.0/24', Ipv6CidrBlock: sixtyThree })),
      'InvalidSubnet.Range',
    )
    await expectError(
      client.send(new CreateSubnetCommand({ VpcId, CidrBlock: '10.0.2.0/24', Ipv6CidrBlock: '10.0.0.0/24' })),
      'InvalidParameterValue',
    )
    // A VPC without IPv6 has no room for an IPv6 subnet.
    const v4only = await createVpc(client, '10.1.0.0/16')
    await expectError(
      client.send(
        new CreateSubnetCommand({
          VpcId: v4only.VpcId,
          CidrBlock: '10.1.0.0/24',
          Ipv6CidrBlock: sixtyFour(block56, 3),
        }),
      ),
      'InvalidSubnet.Range',
    )
  })

  it('blocks DeleteVpc with DependencyViolation while a subnet exists, then deletes it', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client)
    const subnet = await createSubnet(client, { VpcId, CidrBlock: '10.0.0.0/24' })
    await expectError(
      client.send(new DeleteVpcCommand({ VpcId })),
      'DependencyViolation',
      `The vpc '${VpcId}' has dependencies and cannot be deleted.`,
    )
    await client.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId }))
    await client.send(new DeleteVpcCommand({ VpcId }))
    await expectError(
      client.send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId })),
      'InvalidSubnetID.NotFound',
      `The subnet ID '${subnet.SubnetId}' does not exist`,
    )
    await expectError(
      client.send(new DeleteSubnetCommand({ SubnetId: 'subnet-nope' })),
      'InvalidSubnetID.Malformed',
      'Invalid id: "subnet-nope" (expecting "subnet-...")',
    )
    await expectError(
      client.send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] })),
      'InvalidSubnetID.NotFound',
    )
  })

  it('frees a deleted subnet’s block for a new subnet', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client)
    const first = await createSubnet(client, { VpcId, CidrBlock: '10.0.0.0/24' })
    await client.send(new DeleteSubnetCommand({ SubnetId: first.SubnetId }))
    const again = await createSubnet(client, { VpcId, CidrBlock: '10.0.0.0/24' })
    expect(again.SubnetId).not.toBe(first.SubnetId)
  })

  it('supports the DescribeSubnets filters of the model', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, '10.0.0.0/16', true)
    const other = await createVpc(client, '10.1.0.0/16')
    const block56 = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!
    const a = await createSubnet(client, {
      VpcId: vpc.VpcId,
      CidrBlock: '10.0.0.0/24',
      AvailabilityZone: 'us-east-1a',
      Ipv6CidrBlock: sixtyFour(block56, 0),
      TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'tier', Value: 'web' }] }],
    })
    const b = await createSubnet(client, {
      VpcId: vpc.VpcId,
      CidrBlock: '10.0.1.0/28',
      AvailabilityZone: 'us-east-1b',
    })
    const c = await createSubnet(client, {
      VpcId: other.VpcId,
      CidrBlock: '10.1.0.0/20',
      AvailabilityZone: 'us-east-1b',
    })
    await client.send(
      new ModifySubnetAttributeCommand({ SubnetId: b.SubnetId, MapPublicIpOnLaunch: { Value: true } }),
    )
    await client.send(
      new ModifySubnetAttributeCommand({ SubnetId: a.SubnetId, EnableDns64: { Value: true } }),
    )
    await client.send(
      new ModifySubnetAttributeCommand({
        SubnetId: c.SubnetId,
        PrivateDnsHostnameTypeOnLaunch: 'resource-name',
      }),
    )
    await client.send(
      new ModifySubnetAttributeCommand({
        SubnetId: c.SubnetId,
        EnableResourceNameDnsARecordOnLaunch: { Value: true },
      }),
    )
    await client.send(
      new ModifySubnetAttributeCommand({
        SubnetId: a.SubnetId,
        EnableResourceNameDnsAAAARecordOnLaunch: { Value: true },
      }),
    )
    await client.send(
      new CreateTagsCommand({ Resources: [c.SubnetId!], Tags: [{ Key: 'team', Value: 'x' }] }),
    )
    const ipv6 = a.Ipv6CidrBlockAssociationSet![0]!
    const all = [a.SubnetId, b.SubnetId, c.SubnetId]

    const cases: [Filter, (string | undefined)[]][] = [
      [{ Name: 'availability-zone', Values: ['us-east-1b'] }, [b.SubnetId, c.SubnetId]],
      [{ Name: 'availability-zone-id', Values: ['use1-az1'] }, [a.SubnetId]],
      [{ Name: 'available-ip-address-count', Values: ['11'] }, [b.SubnetId]],
      [{ Name: 'available-ip-address-count', Values: ['251', '4091'] }, [a.SubnetId, c.SubnetId]],
      [{ Name: 'cidr-block', Values: ['10.0.1.0/28'] }, [b.SubnetId]],
      [{ Name: 'cidr-block', Values: ['10.0.*'] }, [a.SubnetId, b.SubnetId]],
      [{ Name: 'customer-owned-ipv4-pool', Values: ['*'] }, []],
      [{ Name: 'default-for-az', Values: ['false'] }, all],
      [{ Name: 'enable-dns64', Values: ['true'] }, [a.SubnetId]],
      [{ Name: 'enable-lni-at-device-index', Values: ['1'] }, []],
      [{ Name: 'ipv6-cidr-block-association.ipv6-cidr-block', Values: [ipv6.Ipv6CidrBlock!] }, [a.SubnetId]],
      [{ Name: 'ipv6-cidr-block-association.association-id', Values: [ipv6.AssociationId!] }, [a.SubnetId]],
      [{ Name: 'ipv6-cidr-block-association.state', Values: ['associated'] }, [a.SubnetId]],
      [{ Name: 'ipv6-native', Values: ['false'] }, all],
      [{ Name: 'map-customer-owned-ip-on-launch', Values: ['false'] }, all],
      [{ Name: 'map-public-ip-on-launch', Values: ['true'] }, [b.SubnetId]],
      [{ Name: 'outpost-arn', Values: ['*'] }, []],
      [{ Name: 'owner-id', Values: [client.accountId] }, all],
      [{ Name: 'private-dns-name-options-on-launch.hostname-type', Values: ['resource-name'] }, [c.SubnetId]],
      [
        { Name: 'private-dns-name-options-on-launch.enable-resource-name-dns-a-record', Values: ['true'] },
        [c.SubnetId],
      ],
      [
        { Name: 'private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record', Values: ['true'] },
        [a.SubnetId],
      ],
      [{ Name: 'state', Values: ['available'] }, all],
      [{ Name: 'subnet-arn', Values: [b.SubnetArn!] }, [b.SubnetId]],
      [{ Name: 'subnet-id', Values: [a.SubnetId!, c.SubnetId!] }, [a.SubnetId, c.SubnetId]],
      [{ Name: 'tag:tier', Values: ['web'] }, [a.SubnetId]],
      [{ Name: 'tag-key', Values: ['tier', 'team'] }, [a.SubnetId, c.SubnetId]],
      [{ Name: 'vpc-id', Values: [other.VpcId!] }, [c.SubnetId]],
    ]
    for (const [filter, expected] of cases) {
      expect({ filter, ids: await subnetIds(client, [filter]) }).toEqual({
        filter,
        ids: [...expected].sort(byCodeUnit),
      })
    }
    expect(
      await subnetIds(client, [
        { Name: 'vpc-id', Values: [vpc.VpcId!] },
        { Name: 'availability-zone', Values: ['us-east-1b'] },
      ]),
    ).toEqual([b.SubnetId])
    await expectError(
      client.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'cidr', Values: ['10.0.0.0/24'] }] })),
      'InvalidParameterValue',
      "The filter 'cidr' is invalid",
    )
  })

  it('pages through subnets; the SDK paginator sees each exactly once', async () => {
    const client = freshClient(server.url)
    const { VpcId } = await createVpc(client)
    const created: string[] = []
    for (let i = 0; i < 11; i++)
      created.push((await createSubnet(client, { VpcId, CidrBlock: `10.0.${i}.0/24` })).SubnetId!)
    const seen: string[] = []
    for await (const page of paginateDescribeSubnets({ client, pageSize: 5 }, {})) {
      expect(page.Subnets!.length).toBeLessThanOrEqual(5)
      seen.push(...page.Subnets!.map((s) => s.SubnetId!))
    }
    expect(seen).toEqual(created)
    await expectError(
      client.send(new DescribeSubnetsCommand({ SubnetIds: [created[0]!], MaxResults: 5 })),
      'InvalidParameterCombination',
    )
  })

  it('modifies subnet attributes, refusing IPv6-on-create without an IPv6 block', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, '10.0.0.0/16', true)
    const block56 = vpc.Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!
    const v4 = await createSubnet(client, { VpcId: vpc.VpcId, CidrBlock: '10.0.0.0/24' })
    const dual = await createSubnet(client, {
      VpcId: vpc.VpcId,
      CidrBlock: '10.0.1.0/24',
      Ipv6CidrBlock: sixtyFour(block56, 9),
    })
    const get = async (SubnetId: string) =>
      (await client.send(new DescribeSubnetsCommand({ SubnetIds: [SubnetId] }))).Subnets![0]!

    await client.send(
      new ModifySubnetAttributeCommand({ SubnetId: v4.SubnetId, MapPublicIpOnLaunch: { Value: true } }),
    )
    expect((await get(v4.SubnetId!)).MapPublicIpOnLaunch).toBe(true)
    await client.send(
      new ModifySubnetAttributeCommand({ SubnetId: v4.SubnetId, MapPublicIpOnLaunch: { Value: false } }),
    )
    expect((await get(v4.SubnetId!)).MapPublicIpOnLaunch).toBe(false)

    await expectError(
      client.send(
        new ModifySubnetAttributeCommand({
          SubnetId: v4.SubnetId,
          AssignIpv6AddressOnCreation: { Value: true },
        }),
      ),
      'InvalidParameterValue',
    )
    expect((await get(v4.SubnetId!)).AssignIpv6AddressOnCreation).toBe(false)
    await client.send(
      new ModifySubnetAttributeCommand({
        SubnetId: dual.SubnetId,
        AssignIpv6AddressOnCreation: { Value: true },
      }),
    )
    expect((await get(dual.SubnetId!)).AssignIpv6AddressOnCreation).toBe(true)

    await expectError(
      client.send(
        new ModifySubnetAttributeCommand({
          SubnetId: v4.SubnetId,
          PrivateDnsHostnameTypeOnLaunch: 'bogus' as 'ip-name',
        }),
      ),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(new ModifySubnetAttributeCommand({ SubnetId: v4.SubnetId })),
      'MissingParameter',
    )
    await expectError(
      client.send(
        new ModifySubnetAttributeCommand({
          SubnetId: 'subnet-0000000000000000a',
          MapPublicIpOnLaunch: { Value: true },
        }),
      ),
      'InvalidSubnetID.NotFound',
    )
  })
})

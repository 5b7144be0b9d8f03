import {
  AcceptVpcPeeringConnectionCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  type AuthorizeSecurityGroupIngressCommandInput,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteSecurityGroupCommand,
  DeleteTagsCommand,
  DeleteVpcCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeSecurityGroupReferencesCommand,
  DescribeSecurityGroupRulesCommand,
  type DescribeSecurityGroupRulesCommandInput,
  DescribeSecurityGroupsCommand,
  DescribeStaleSecurityGroupsCommand,
  DescribeTagsCommand,
  type EC2Client,
  type Filter,
  type IpPermission,
  ModifySecurityGroupRulesCommand,
  paginateDescribeSecurityGroupRules,
  paginateDescribeSecurityGroups,
  paginateDescribeStaleSecurityGroups,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { NetworkInterface } from '../src/domain/network-interface.js'
import type { SecurityGroup } from '../src/domain/security-group.js'
import { randomIds } from '../src/ports/ids.js'
import { expectError, freshClient } from './support/ec2.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

type Client = ReturnType<typeof freshClient>

const createVpc = async (client: EC2Client, CidrBlock = '10.0.0.0/16', ipv6 = false) =>
  (
    await client.send(
      new CreateVpcCommand({ CidrBlock, ...(ipv6 ? { AmazonProvidedIpv6CidrBlock: true } : {}) }),
    )
  ).Vpc!.VpcId!

const createGroup = async (client: EC2Client, VpcId: string, GroupName = 'web') =>
  (await client.send(new CreateSecurityGroupCommand({ VpcId, GroupName, Description: `${GroupName} tier` })))
    .GroupId!

const describeGroup = async (client: EC2Client, GroupId: string) =>
  (await client.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId] }))).SecurityGroups![0]!

const groupIds = async (client: EC2Client, Filters: Filter[]) =>
  ((await client.send(new DescribeSecurityGroupsCommand({ Filters }))).SecurityGroups ?? [])
    .map((g) => g.GroupId)
    .sort()

const authorizeIngress = (client: EC2Client, input: AuthorizeSecurityGroupIngressCommandInput) =>
  client.send(new AuthorizeSecurityGroupIngressCommand(input))

const tcp = (
  port: number,
  sources: Omit<IpPermission, 'IpProtocol' | 'FromPort' | 'ToPort'>,
): IpPermission => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  ...sources,
})

const fromCidr = (CidrIp: string) => ({ IpRanges: [{ CidrIp }] })

/** A VPC with one custom group, for tests that only need somewhere to put rules. */
async function groupInNewVpc(client: EC2Client, cidr = '10.0.0.0/16') {
  const vpcId = await createVpc(client, cidr)
  return { vpcId, groupId: await createGroup(client, vpcId) }
}

describe('CreateSecurityGroup and DescribeSecurityGroups', () => {
  it('creates a group with only the IPv4 allow-all egress rule, even in an IPv6 VPC', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client, '10.0.0.0/16', true)
    const created = await client.send(
      new CreateSecurityGroupCommand({
        VpcId: vpcId,
        GroupName: 'web',
        Description: 'Web tier: http(s) in',
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'Name', Value: 'web' }] }],
      }),
    )
    expect(created.GroupId).toMatch(/^sg-[0-9a-f]{17}$/)
    expect(created.SecurityGroupArn).toBe(
      `arn:aws:ec2:us-east-1:${client.accountId}:security-group/${created.GroupId}`,
    )
    expect(created.Tags).toEqual([{ Key: 'Name', Value: 'web' }])

    const group = await describeGroup(client, created.GroupId!)
    expect(group).toMatchObject({
      GroupId: created.GroupId,
      GroupName: 'web',
      Description: 'Web tier: http(s) in',
      VpcId: vpcId,
      OwnerId: client.accountId,
      SecurityGroupArn: created.SecurityGroupArn,
      Tags: [{ Key: 'Name', Value: 'web' }],
      IpPermissions: [],
      IpPermissionsEgress: [
        {
          IpProtocol: '-1',
          IpRanges: [{ CidrIp: '0.0.0.0/0' }],
          Ipv6Ranges: [],
          PrefixListIds: [],
          UserIdGroupPairs: [],
        },
      ],
    })
  })

  it("shows the VPC's default group with AWS's default rules", async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client, '10.0.0.0/16', true)
    const [group] = (
      await client.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      )
    ).SecurityGroups!
    expect(group!.IpPermissions).toEqual([
      {
        IpProtocol: '-1',
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [{ GroupId: group!.GroupId, UserId: client.accountId, GroupName: 'default' }],
      },
    ])
    expect(group!.IpPermissionsEgress).toEqual([
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ])
  })

  it('refuses the reserved name, a duplicate name, bad names and a VPC it cannot find', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const create = (input: { GroupName?: string; Description?: string; VpcId?: string }) =>
      client.send(
        new CreateSecurityGroupCommand({ GroupName: 'x', Description: 'x', VpcId: vpcId, ...input } as never),
      )
    await expectError(
      create({ GroupName: 'default' }),
      'InvalidGroup.Reserved',
      "The security group 'default' is reserved",
    )
    await createGroup(client, vpcId, 'app')
    await expectError(
      create({ GroupName: 'app' }),
      'InvalidGroup.Duplicate',
      `The security group 'app' already exists for VPC '${vpcId}'`,
    )
    // The same name in another VPC is a different group.
    await createGroup(client, await createVpc(client, '10.1.0.0/16'), 'app')
    // Like AWS, an id of any shape that is not found is NotFound, not Malformed (spec §1.8).
    await expectError(
      create({ VpcId: 'aws_vpc.x.id' }),
      'InvalidVpcID.NotFound',
      "The vpc ID 'aws_vpc.x.id' does not exist",
    )
    await expectError(create({ VpcId: undefined }), 'VPCIdNotSpecified', 'No default VPC for this user')
    await expectError(
      create({ GroupName: 'sg-web' }),
      'InvalidParameterValue',
      'Value (sg-web) for parameter GroupName is invalid. Group names may not be in the format sg-*.',
    )
    await expectError(create({ Description: 'caf\u00e9' }), 'InvalidParameterValue', /beyond ASCII/)
    await expectError(create({ GroupName: 'x'.repeat(256) }), 'InvalidParameterValue', /between 1 and 255/)
    await expectError(create({ Description: undefined }), 'MissingParameter')
  })

  it('stops at 2,500 groups in a region', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const owner = { accountId: client.accountId, region: 'us-east-1' }
    // The VPC's default group is one; fill the region up to 2,499 straight in the store.
    await server.store.write(async (tx) => {
      for (let i = 0; i < 2498; i++) {
        const groupId = randomIds('sg')
        const body: SecurityGroup = {
          groupId,
          groupName: `filler-${i}`,
          description: 'filler',
          vpcId,
          ownerId: owner.accountId,
          region: owner.region,
          ingress: [],
          egress: [],
        }
        await tx.insert({ id: groupId, kind: 'security-group', owner, vpcId, body })
      }
    })
    await createGroup(client, vpcId, 'last-one')
    await expectError(createGroup(client, vpcId, 'one-too-many'), 'SecurityGroupLimitExceeded')
  })

  it('filters by every documented name and pages through the groups', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const web = await createGroup(client, vpcId, 'web')
    const db = await createGroup(client, vpcId, 'db')
    await client.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: db,
        IpPermissions: [
          tcp(5432, { UserIdGroupPairs: [{ GroupId: web }] }),
          tcp(5433, { Ipv6Ranges: [{ CidrIpv6: '2001:db8::/32' }] }),
          tcp(5434, { PrefixListIds: [{ PrefixListId: 'pl-63a5400a' }] }),
        ],
      }),
    )
    await client.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: web,
        IpPermissions: [tcp(443, fromCidr('192.0.2.0/24'))],
      }),
    )
    const both = [web, db].sort()
    const match = (Name: string, ...Values: string[]) => groupIds(client, [{ Name, Values }])
    expect(await match('group-id', web)).toEqual([web])
    expect(await match('group-name', 'd?')).toEqual([db])
    expect(await match('description', 'web tier')).toEqual([web])
    expect(await match('owner-id', client.accountId)).toHaveLength(3)
    expect(
      await groupIds(client, [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: ['web', 'db'] },
      ]),
    ).toEqual(both)
    expect(await match('ip-permission.group-id', web)).toEqual([db])
    expect(await match('ip-permission.group-name', 'web')).toEqual([db])
    expect(await match('ip-permission.user-id', client.accountId)).toHaveLength(2) // db, and default's self rule
    expect(await match('ip-permission.from-port', '5432')).toEqual([db])
    expect(await match('ip-permission.to-port', '5434')).toEqual([db])
    expect(await match('ip-permission.protocol', 'tcp')).toEqual([db])
    expect(await match('ip-permission.ipv6-cidr', '2001:db8::/32')).toEqual([db])
    expect(await match('ip-permission.prefix-list-id', 'pl-63a5400a')).toEqual([db])
    expect(await match('ip-permission.cidr', '0.0.0.0/0')).toEqual([])
    expect(await match('egress.ip-permission.cidr', '192.0.2.0/24')).toEqual([web])
    expect(await match('egress.ip-permission.from-port', '443')).toEqual([web])
    expect(await match('egress.ip-permission.to-port', '443')).toEqual([web])
    expect(await match('egress.ip-permission.protocol', 'tcp')).toEqual([web])
    expect(await match('egress.ip-permission.group-id', web)).toEqual([])
    expect(await match('egress.ip-permission.group-name', 'web')).toEqual([])
    expect(await match('egress.ip-permission.ipv6-cidr', '::/0')).toEqual([])
    expect(await match('egress.ip-permission.prefix-list-id', 'pl-63a5400a')).toEqual([])
    expect(await match('egress.ip-permission.user-id', client.accountId)).toEqual([])
    await expectError(match('colour', 'red'), 'InvalidParameterValue', "The filter 'colour' is invalid")

    await client.send(
      new CreateSecurityGroupCommand({
        VpcId: vpcId,
        GroupName: 'tagged',
        Description: 't',
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'team', Value: 'red' }] }],
      }),
    )
    expect(await match('tag:team', 'red')).toHaveLength(1)
    expect(await match('tag-key', 'team')).toHaveLength(1)

    for (let i = 0; i < 4; i++) await createGroup(client, vpcId, `extra-${i}`)
    const seen: string[] = []
    for await (const page of paginateDescribeSecurityGroups({ client, pageSize: 5 }, {})) {
      expect(page.SecurityGroups!.length).toBeLessThanOrEqual(5)
      seen.push(...page.SecurityGroups!.map((g) => g.GroupId!))
    }
    expect(seen).toHaveLength(8)
    expect(new Set(seen).size).toBe(8)
  })

  it('answers bad describe requests as AWS does', async () => {
    const client = freshClient(server.url)
    const { groupId } = await groupInNewVpc(client)
    const missing = 'sg-0123456789abcdef0'
    await expectError(
      client.send(new DescribeSecurityGroupsCommand({ GroupIds: [missing] })),
      'InvalidGroup.NotFound',
      `The security group '${missing}' does not exist`,
    )
    await expectError(
      client.send(new DescribeSecurityGroupsCommand({ GroupIds: ['web'] })),
      'InvalidGroupId.Malformed',
      'Invalid id: "web" (expecting "sg-...")',
    )
    await expectError(
      client.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId], MaxResults: 5 })),
      'InvalidParameterCombination',
    )
    await expectError(
      client.send(new DescribeSecurityGroupsCommand({ MaxResults: 4 })),
      'InvalidParameterValue',
    )
    // Names address the default VPC, which vpcpeer accounts do not have (as on AWS without one).
    await expectError(
      client.send(new DescribeSecurityGroupsCommand({ GroupNames: ['web'] })),
      'VPCIdNotSpecified',
      'No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC.',
    )
  })
})

describe('DeleteSecurityGroup', () => {
  it('deletes by id, refuses the default group and a group another group of its VPC names', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const web = await createGroup(client, vpcId, 'web')
    const db = await createGroup(client, vpcId, 'db')
    // A group that names itself can still go.
    await authorizeIngress(client, {
      GroupId: web,
      IpPermissions: [tcp(80, { UserIdGroupPairs: [{ GroupId: web }] })],
    })
    await authorizeIngress(client, {
      GroupId: db,
      IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: web }] })],
    })
    await expectError(
      client.send(new DeleteSecurityGroupCommand({ GroupId: web })),
      'DependencyViolation',
      `resource ${web} has a dependent object`,
    )
    await client.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: db,
        IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: web }] })],
      }),
    )
    const deleted = await client.send(new DeleteSecurityGroupCommand({ GroupId: web }))
    expect(deleted).toMatchObject({ Return: true, GroupId: web })
    await expectError(client.send(new DeleteSecurityGroupCommand({ GroupId: web })), 'InvalidGroup.NotFound')

    const [defaultGroup] = await groupIds(client, [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'group-name', Values: ['default'] },
    ])
    await expectError(
      client.send(new DeleteSecurityGroupCommand({ GroupId: defaultGroup })),
      'CannotDelete',
      `the specified group: "${defaultGroup}" name: "default" cannot be deleted by a user`,
    )
    // A name addresses the default VPC; AWS answers this even when GroupId is also given.
    await expectError(
      client.send(new DeleteSecurityGroupCommand({ GroupId: db, GroupName: 'db' })),
      'VPCIdNotSpecified',
    )
    await expectError(client.send(new DeleteSecurityGroupCommand({})), 'MissingParameter')
  })

  it('refuses while a network interface uses the group', async () => {
    const client = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client)
    // Interfaces come from other actions; one is put straight in the store here.
    const owner = { accountId: client.accountId, region: 'us-east-1' }
    const eni: NetworkInterface = {
      networkInterfaceId: randomIds('eni'),
      subnetId: randomIds('subnet'),
      vpcId,
      ownerId: owner.accountId,
      region: owner.region,
      availabilityZone: 'us-east-1a',
      description: '',
      privateIpAddress: '10.0.0.10',
      secondaryPrivateIpAddresses: [],
      ipv6Addresses: [],
      groupIds: [groupId],
      sourceDestCheck: true,
      macAddress: '02:00:00:00:00:01',
      interfaceType: 'interface',
    }
    await server.store.write((tx) =>
      tx.insert({ id: eni.networkInterfaceId, kind: 'network-interface', owner, vpcId, body: eni }),
    )
    await expectError(
      client.send(new DeleteSecurityGroupCommand({ GroupId: groupId })),
      'DependencyViolation',
      `resource ${groupId} has a dependent object`,
    )
  })

  it('keeps the VPC until its custom groups are gone', async () => {
    const client = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client)
    await expectError(client.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation')
    await client.send(new DeleteSecurityGroupCommand({ GroupId: groupId }))
    await client.send(new DeleteVpcCommand({ VpcId: vpcId }))
  })
})

describe('AuthorizeSecurityGroupIngress and AuthorizeSecurityGroupEgress', () => {
  it('adds one rule per peer, in AWS canonical form, and folds them back into IpPermissions', async () => {
    const client = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client)
    const peer = await createGroup(client, vpcId, 'peer')
    const out = await authorizeIngress(client, {
      GroupId: groupId,
      IpPermissions: [
        {
          IpProtocol: 'TCP',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '203.0.113.9/24', Description: 'office' }, { CidrIp: '198.51.100.0/24' }],
          Ipv6Ranges: [{ CidrIpv6: '2001:DB8:0:0::/64' }],
        },
        {
          IpProtocol: '6',
          FromPort: 443,
          ToPort: 443,
          UserIdGroupPairs: [{ GroupId: peer, Description: 'peers' }],
        },
        { IpProtocol: 'icmp', FromPort: 8, ToPort: -1, PrefixListIds: [{ PrefixListId: 'pl-63a5400a' }] },
        // Protocols without ports ignore any ports given.
        { IpProtocol: '50', FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: '10.9.0.0/16' }] },
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.8.0.0/16' }] },
      ],
    })
    expect(out.Return).toBe(true)
    const rules = out.SecurityGroupRules!
    expect(rules).toHaveLength(7)
    for (const rule of rules) {
      expect(rule).toMatchObject({
        SecurityGroupRuleId: expect.stringMatching(/^sgr-[0-9a-f]{17}$/),
        GroupId: groupId,
        GroupOwnerId: client.accountId,
        IsEgress: false,
        SecurityGroupRuleArn: `arn:aws:ec2:us-east-1:${client.accountId}:security-group-rule/${rule.SecurityGroupRuleId}`,
      })
    }
    expect(
      rules.map(({ IpProtocol, FromPort, ToPort, CidrIpv4, CidrIpv6, PrefixListId, Description }) => ({
        IpProtocol,
        FromPort,
        ToPort,
        ...(CidrIpv4 ? { CidrIpv4 } : {}),
        ...(CidrIpv6 ? { CidrIpv6 } : {}),
        ...(PrefixListId ? { PrefixListId } : {}),
        ...(Description ? { Description } : {}),
      })),
    ).toEqual([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '203.0.113.0/24', Description: 'office' },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv4: '198.51.100.0/24' },
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv6: '2001:db8::/64' },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'peers' },
      { IpProtocol: 'icmp', FromPort: 8, ToPort: -1, PrefixListId: 'pl-63a5400a' },
      { IpProtocol: '50', FromPort: -1, ToPort: -1, CidrIpv4: '10.9.0.0/16' },
      { IpProtocol: '-1', FromPort: -1, ToPort: -1, CidrIpv4: '10.8.0.0/16' },
    ])
    // A group in the same VPC is shown without a VPC or peering.
    expect(rules[3]!.ReferencedGroupInfo).toEqual({ GroupId: peer, UserId: client.accountId })

    const group = await describeGroup(client, groupId)
    expect(group.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        IpRanges: [{ CidrIp: '203.0.113.0/24', Description: 'office' }, { CidrIp: '198.51.100.0/24' }],
        Ipv6Ranges: [{ CidrIpv6: '2001:db8::/64' }],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [
          { GroupId: peer, UserId: client.accountId, GroupName: 'peer', Description: 'peers' },
        ],
      },
      {
        IpProtocol: 'icmp',
        FromPort: 8,
        ToPort: -1,
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [{ PrefixListId: 'pl-63a5400a' }],
        UserIdGroupPairs: [],
      },
      {
        IpProtocol: '50',
        IpRanges: [{ CidrIp: '10.9.0.0/16' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
      {
        IpProtocol: '-1',
        IpRanges: [{ CidrIp: '10.8.0.0/16' }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ])

    const egress = await client.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: groupId,
        IpPermissions: [
          { IpProtocol: 'udp', FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: '10.0.0.2/32' }] },
        ],
      }),
    )
    expect(egress.SecurityGroupRules).toEqual([
      expect.objectContaining({
        IsEgress: true,
        IpProtocol: 'udp',
        FromPort: 53,
        ToPort: 53,
        CidrIpv4: '10.0.0.2/32',
      }),
    ])
  })

  it.each([
    [
      'a protocol AWS does not know',
      { IpProtocol: 'all', ...fromCidr('10.0.0.0/8') },
      'InvalidParameterValue',
      "Invalid value 'all' for IP protocol. Unknown protocol.",
    ],
    [
      'a protocol number above 255',
      { IpProtocol: '256', ...fromCidr('10.0.0.0/8') },
      'InvalidParameterValue',
      "Invalid value '256' for IP protocol. Unknown protocol.",
    ],
    [
      'TCP without ports',
      { IpProtocol: 'tcp', ...fromCidr('10.0.0.0/8') },
      'InvalidParameterValue',
      'Invalid value for portRange. Must specify both from and to ports with TCP/UDP.',
    ],
    [
      'a port above 65535',
      { IpProtocol: 'udp', FromPort: 80, ToPort: 70000, ...fromCidr('10.0.0.0/8') },
      'InvalidParameterValue',
      'TCP/UDP (to) port (70000) out of range',
    ],
    [
      'port -1 for TCP',
      { IpProtocol: 'tcp', FromPort: -1, ToPort: -1, ...fromCidr('10.0.0.0/8') },
      'InvalidParameterValue',
      'TCP/UDP (from) port (-1) out of range',
    ],
    // No AWS message is on record for these two, so they use InvalidPermission.Malformed [INF].
    [
      'a reversed port range',
      { IpProtocol: 'tcp', FromPort: 80, ToPort: 70, ...fromCidr('10.0.0.0/8') },
      'InvalidPermission.Malformed',
      /port range 80-70/,
    ],
    [
      'all ICMP types with one code',
      { IpProtocol: 'icmp', FromPort: -1, ToPort: 0, ...fromCidr('10.0.0.0/8') },
      'InvalidPermission.Malformed',
      /ICMP code \(0\)/,
    ],
    [
      'an ICMP type above 255',
      { IpProtocol: 'icmpv6', FromPort: 256, ToPort: 0, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      'InvalidParameterValue',
      'ICMP type (256) out of range',
    ],
    [
      'a CIDR with a bad length',
      tcp(22, fromCidr('10.0.0.0/33')),
      'InvalidParameterValue',
      'CIDR block 10.0.0.0/33 is malformed',
    ],
    [
      'an IPv6 CIDR as CidrIp',
      tcp(22, fromCidr('::/0')),
      'InvalidParameterValue',
      'CIDR block ::/0 is malformed',
    ],
    [
      'an IPv4 CIDR as CidrIpv6',
      tcp(22, { Ipv6Ranges: [{ CidrIpv6: '10.0.0.0/8' }] }),
      'InvalidParameterValue',
      'CIDR block 10.0.0.0/8 is malformed',
    ],
    [
      'no peer at all',
      tcp(22, {}),
      'MissingParameter',
      'Missing source specification: include source security group or CIDR information',
    ],
    [
      'a malformed prefix list id',
      tcp(22, { PrefixListIds: [{ PrefixListId: 's3' }] }),
      'InvalidPrefixListId.Malformed',
      'Invalid id: "s3" (expecting "pl-...")',
    ],
    [
      'a description with characters AWS refuses',
      tcp(22, { IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'no <b>' }] }),
      'InvalidParameterValue',
      /Invalid rule description/,
    ],
    [
      'a malformed group id',
      tcp(22, { UserIdGroupPairs: [{ GroupId: 'web' }] }),
      'InvalidGroupId.Malformed',
      'Invalid id: "web" (expecting "sg-...")',
    ],
  ] as const)('refuses %s and stores nothing', async (_, permission, code, message) => {
    const client = freshClient(server.url)
    const { groupId } = await groupInNewVpc(client)
    await expectError(
      authorizeIngress(client, {
        GroupId: groupId,
        IpPermissions: [tcp(8080, fromCidr('10.0.0.0/8')), permission as IpPermission],
      }),
      code,
      message,
    )
    expect((await describeGroup(client, groupId)).IpPermissions).toEqual([])
  })

  it('refuses a rule it already has, and the same rule twice in one request', async () => {
    const client = freshClient(server.url)
    const { groupId } = await groupInNewVpc(client)
    await authorizeIngress(client, { GroupId: groupId, IpPermissions: [tcp(22, fromCidr('10.0.0.0/8'))] })
    // Descriptions are not part of a rule's identity, and CIDRs are compared canonically.
    await expectError(
      authorizeIngress(client, {
        GroupId: groupId,
        IpPermissions: [tcp(22, { IpRanges: [{ CidrIp: '10.1.2.3/8', Description: 'again' }] })],
      }),
      'InvalidPermission.Duplicate',
      'the specified rule "peer: 10.0.0.0/8, TCP, from port: 22, to port: 22, ALLOW" already exists',
    )
    await expectError(
      authorizeIngress(client, {
        GroupId: groupId,
        IpPermissions: [tcp(23, fromCidr('10.0.0.0/8')), tcp(23, fromCidr('10.0.0.0/8'))],
      }),
      'InvalidParameterValue',
      'The same permission must not appear multiple times',
    )
    await expectError(
      client.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: '-1', ...fromCidr('0.0.0.0/0') }],
        }),
      ),
      'InvalidPermission.Duplicate',
      'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists',
    )
    // ICMP without type and code means all of both [INF: AWS documents -1 as "all", not the default].
    const icmp = await authorizeIngress(client, {
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: 'icmp', ...fromCidr('10.0.0.0/8') }],
    })
    expect(icmp.SecurityGroupRules![0]).toMatchObject({ IpProtocol: 'icmp', FromPort: -1, ToPort: -1 })
    await expectError(
      authorizeIngress(client, {
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: 'icmp', FromPort: -1, ToPort: -1, ...fromCidr('10.0.0.0/8') }],
      }),
      'InvalidPermission.Duplicate',
      'the specified rule "peer: 10.0.0.0/8, ICMP, type: -1, code: -1, ALLOW" already exists',
    )
  })

  it('allows 60 rules per direction, counting IPv4 and IPv6 apart and a group in both', async () => {
    const client = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client)
    const other = await createGroup(client, vpcId, 'other')
    const ipv4 = (n: number, port = 80) =>
      tcp(port, { IpRanges: Array.from({ length: n }, (_, i) => ({ CidrIp: `10.0.${i}.0/24` })) })
    const ipv6 = (n: number) =>
      tcp(80, {
        Ipv6Ranges: Array.from({ length: n }, (_, i) => ({ CidrIpv6: `2001:db8:${i.toString(16)}::/48` })),
      })
    await authorizeIngress(client, { GroupId: groupId, IpPermissions: [ipv4(60)] })
    await expectError(
      authorizeIngress(client, { GroupId: groupId, IpPermissions: [ipv4(1, 81)] }),
      'RulesPerSecurityGroupLimitExceeded',
      'The maximum number of rules per security group has been reached.',
    )
    await authorizeIngress(client, { GroupId: groupId, IpPermissions: [ipv6(60)] })
    await expectError(
      authorizeIngress(client, {
        GroupId: groupId,
        IpPermissions: [tcp(80, { UserIdGroupPairs: [{ GroupId: other }] })],
      }),
      'RulesPerSecurityGroupLimitExceeded',
    )
    // Egress has its own 60: the default rule and 59 more.
    await client.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [ipv4(59)] }),
    )
    await expectError(
      client.send(
        new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [ipv4(1, 81)] }),
      ),
      'RulesPerSecurityGroupLimitExceeded',
    )
  })

  it('takes the flat ingress form, and egress refuses it as AWS does', async () => {
    const client = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client)
    await createGroup(client, vpcId, 'lb')
    const byCidr = await authorizeIngress(client, {
      GroupId: groupId,
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      CidrIp: '0.0.0.0/0',
    })
    expect(byCidr.SecurityGroupRules).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIpv4: '0.0.0.0/0' }),
    ])
    // A source group named this way gets all ICMP, TCP and UDP; the name is looked up in the
    // target's VPC [INF: AWS documents it for the default VPC, "in the same VPC"].
    const byGroup = await authorizeIngress(client, { GroupId: groupId, SourceSecurityGroupName: 'lb' })
    expect(byGroup.SecurityGroupRules!.map((r) => [r.IpProtocol, r.FromPort, r.ToPort])).toEqual([
      ['icmp', -1, -1],
      ['tcp', 0, 65535],
      ['udp', 0, 65535],
    ])
    await expectError(
      authorizeIngress(client, { GroupId: groupId, SourceSecurityGroupName: 'nope' }),
      'InvalidGroup.NotFound',
      `The security group 'nope' does not exist in VPC '${vpcId}'`,
    )
    await expectError(
      authorizeIngress(client, { GroupId: groupId, SourceSecurityGroupName: 'lb', CidrIp: '10.0.0.0/8' }),
      'InvalidParameterCombination',
    )
    await expectError(
      authorizeIngress(client, { GroupId: groupId, SourceSecurityGroupOwnerId: client.accountId }),
      'MissingParameter',
      'Source group ID missing.',
    )
    await expectError(
      authorizeIngress(client, { GroupId: groupId, IpProtocol: 'tcp', FromPort: 1, ToPort: 2 }),
      'MissingParameter',
      'Missing source specification: include source security group or CIDR information',
    )
    await expectError(
      authorizeIngress(client, {
        GroupId: groupId,
        CidrIp: '10.0.0.0/8',
        IpProtocol: '-1',
        IpPermissions: [tcp(1, fromCidr('10.0.0.0/8'))],
      }),
      'InvalidParameterCombination',
    )
    await expectError(authorizeIngress(client, { GroupId: groupId }), 'MissingParameter')
    await expectError(
      authorizeIngress(client, { GroupName: 'web', IpPermissions: [tcp(1, fromCidr('10.0.0.0/8'))] }),
      'VPCIdNotSpecified',
    )
    // Observed on AWS (boto3#790): egress does not know the flat parameters.
    await expectError(
      client.send(
        new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpProtocol: '-1', CidrIp: '10.0.0.0/8' }),
      ),
      'UnknownParameter',
      /The parameter (CidrIp|IpProtocol) is not recognized/,
    )
  })

  it('names groups of its own VPC only, unless a peering joins the VPCs', async () => {
    const client = freshClient(server.url)
    const other = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client, '10.0.0.0/16')
    const { groupId: elsewhere } = await groupInNewVpc(client, '10.1.0.0/16')
    const { groupId: foreign } = await groupInNewVpc(other, '10.2.0.0/16')
    const fromGroup = (GroupId: string, UserId?: string) =>
      authorizeIngress(client, {
        GroupId: groupId,
        IpPermissions: [tcp(80, { UserIdGroupPairs: [{ GroupId, ...(UserId ? { UserId } : {}) }] })],
      })
    await expectError(
      fromGroup(elsewhere),
      'InvalidGroup.NotFound',
      'You have specified two resources that belong to different networks.',
    )
    const missing = 'sg-0123456789abcdef0'
    await expectError(
      fromGroup(missing),
      'InvalidGroup.NotFound',
      `The security group '${missing}' does not exist`,
    )
    // Another account's group must be named with its account, and even then needs a peering.
    await expectError(
      fromGroup(foreign),
      'InvalidGroup.NotFound',
      `The security group '${foreign}' does not exist`,
    )
    await expectError(fromGroup(foreign, other.accountId), 'InvalidGroup.NotFound', /different networks/)
    await expectError(fromGroup(groupId, other.accountId), 'InvalidGroup.NotFound')
    // A pair may name a group of the same VPC by name [INF, as for SourceSecurityGroupName].
    await createGroup(client, vpcId, 'named')
    const byName = await authorizeIngress(client, {
      GroupId: groupId,
      IpPermissions: [tcp(81, { UserIdGroupPairs: [{ GroupName: 'named' }] })],
    })
    expect(byName.SecurityGroupRules![0]!.ReferencedGroupInfo?.GroupId).toMatch(/^sg-/)
  })
})

describe('RevokeSecurityGroupIngress and RevokeSecurityGroupEgress', () => {
  it('revokes by protocol, ports and peer, or by rule id, and reports what went', async () => {
    const client = freshClient(server.url)
    const { groupId } = await groupInNewVpc(client)
    const added = await authorizeIngress(client, {
      GroupId: groupId,
      IpPermissions: [
        tcp(22, { IpRanges: [{ CidrIp: '10.0.0.0/8', Description: 'ssh' }, { CidrIp: '192.0.2.0/24' }] }),
      ],
    })
    const [ssh, other] = added.SecurityGroupRules!
    const out = await client.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [tcp(22, fromCidr('10.0.0.0/8'))],
      }),
    )
    expect(out.Return).toBe(true)
    expect(out.RevokedSecurityGroupRules).toEqual([
      {
        SecurityGroupRuleId: ssh!.SecurityGroupRuleId,
        GroupId: groupId,
        IsEgress: false,
        IpProtocol: 'tcp',
        FromPort: 22,
        ToPort: 22,
        CidrIpv4: '10.0.0.0/8',
        Description: 'ssh',
      },
    ])
    const byId = await client.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: groupId,
        SecurityGroupRuleIds: [other!.SecurityGroupRuleId!],
      }),
    )
    expect(byId.RevokedSecurityGroupRules!.map((r) => r.SecurityGroupRuleId)).toEqual([
      other!.SecurityGroupRuleId,
    ])
    expect((await describeGroup(client, groupId)).IpPermissions).toEqual([])

    const egress = await client.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: '-1', ...fromCidr('0.0.0.0/0') }],
      }),
    )
    expect(egress.RevokedSecurityGroupRules![0]).toMatchObject({
      IsEgress: true,
      IpProtocol: '-1',
      CidrIpv4: '0.0.0.0/0',
    })
    expect((await describeGroup(client, groupId)).IpPermissionsEgress).toEqual([])

    await authorizeIngress(client, {
      GroupId: groupId,
      CidrIp: '10.0.0.0/8',
      IpProtocol: 'udp',
      FromPort: 53,
      ToPort: 53,
    })
    await client.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: groupId,
        CidrIp: '10.0.0.0/8',
        IpProtocol: 'udp',
        FromPort: 53,
        ToPort: 53,
      }),
    )
    expect((await describeGroup(client, groupId)).IpPermissions).toEqual([])
  })

  it('fails the whole request when one permission or rule id matches nothing', async () => {
    const client = freshClient(server.url)
    const { groupId } = await groupInNewVpc(client)
    const added = await authorizeIngress(client, {
      GroupId: groupId,
      IpPermissions: [tcp(22, fromCidr('10.0.0.0/8'))],
    })
    const ruleId = added.SecurityGroupRules![0]!.SecurityGroupRuleId!
    await expectError(
      client.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [tcp(22, fromCidr('10.0.0.0/8')), tcp(23, fromCidr('10.0.0.0/8'))],
        }),
      ),
      'InvalidPermission.NotFound',
      'The specified rule does not exist in this security group.',
    )
    const missing = 'sgr-0123456789abcdef0'
    await expectError(
      client.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId, missing] }),
      ),
      'InvalidSecurityGroupRuleId.NotFound',
      `The security group rule ID '${missing}' does not exist`,
    )
    await expectError(
      client.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: ['rule-1'] }),
      ),
      'InvalidSecurityGroupRuleId.Malformed',
      'Invalid id: "rule-1" (expecting "sgr-...")',
    )
    // An ingress rule is not an egress rule.
    await expectError(
      client.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, SecurityGroupRuleIds: [ruleId] })),
      'InvalidSecurityGroupRuleId.NotFound',
    )
    expect((await describeGroup(client, groupId)).IpPermissions).toHaveLength(1)
  })
})

describe('DescribeSecurityGroupRules and ModifySecurityGroupRules', () => {
  it('lists rules with their tags, by id, group and tag, page by page', async () => {
    const client = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client)
    const other = await createGroup(client, vpcId, 'other')
    const tagged = await authorizeIngress(client, {
      GroupId: groupId,
      IpPermissions: [tcp(22, fromCidr('10.0.0.0/8')), tcp(23, fromCidr('10.0.0.0/8'))],
      TagSpecifications: [
        { ResourceType: 'security-group-rule', Tags: [{ Key: 'purpose', Value: 'admin' }] },
      ],
    })
    const taggedIds = tagged.SecurityGroupRules!.map((r) => r.SecurityGroupRuleId!).sort()
    expect(tagged.SecurityGroupRules![0]!.Tags).toEqual([{ Key: 'purpose', Value: 'admin' }])
    await authorizeIngress(client, {
      GroupId: other,
      IpPermissions: [22, 23, 24, 25].map((port) => tcp(port, fromCidr('10.0.0.0/8'))),
    })

    const list = async (input: DescribeSecurityGroupRulesCommandInput) =>
      (await client.send(new DescribeSecurityGroupRulesCommand(input))).SecurityGroupRules!
    const inGroup = await list({ Filters: [{ Name: 'group-id', Values: [groupId] }] })
    expect(inGroup.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort]).sort()).toEqual([
      [false, 'tcp', 22],
      [false, 'tcp', 23],
      [true, '-1', -1],
    ])
    expect(
      (await list({ Filters: [{ Name: 'tag:purpose', Values: ['admin'] }] }))
        .map((r) => r.SecurityGroupRuleId)
        .sort(),
    ).toEqual(taggedIds)
    expect(await list({ Filters: [{ Name: 'tag-key', Values: ['purpose'] }] })).toHaveLength(2)
    expect(
      await list({ Filters: [{ Name: 'security-group-rule-id', Values: [taggedIds[0]!] }] }),
    ).toHaveLength(1)
    expect(await list({ SecurityGroupRuleIds: taggedIds })).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ GroupId: groupId, Tags: [{ Key: 'purpose', Value: 'admin' }] }),
      ]),
    )
    await expectError(list({ SecurityGroupRuleIds: taggedIds, MaxResults: 5 }), 'InvalidParameterCombination')
    await expectError(
      list({ SecurityGroupRuleIds: ['sgr-0123456789abcdef0'] }),
      'InvalidSecurityGroupRuleId.NotFound',
    )
    await expectError(list({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }), 'InvalidParameterValue')

    const seen: string[] = []
    for await (const page of paginateDescribeSecurityGroupRules({ client, pageSize: 5 }, {})) {
      seen.push(...page.SecurityGroupRules!.map((r) => r.SecurityGroupRuleId!))
    }
    // 2 + 1 egress in the first group, 4 + 1 in the other, 1 + 1 in the default group.
    expect(new Set(seen).size).toBe(10)
    expect(seen).toHaveLength(10)

    // Tags of a rule go with it; DescribeTags knows its type meanwhile.
    const tags = await client.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: taggedIds }] }),
    )
    expect(tags.Tags!.map((t) => t.ResourceType)).toEqual(['security-group-rule', 'security-group-rule'])
    await client.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: taggedIds }),
    )
    const after = await client.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: taggedIds }] }),
    )
    expect(after.Tags).toEqual([])
    await expectError(
      authorizeIngress(client, {
        GroupId: groupId,
        IpPermissions: [tcp(22, fromCidr('10.0.0.0/8'))],
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'a', Value: 'b' }] }],
      }),
      'InvalidParameterValue',
    )
  })

  it('modifies a rule in place, keeping its id, direction, tags and kind of peer', async () => {
    const client = freshClient(server.url)
    const { groupId } = await groupInNewVpc(client)
    const added = await authorizeIngress(client, {
      GroupId: groupId,
      IpPermissions: [tcp(22, fromCidr('10.0.0.0/8')), tcp(23, fromCidr('10.0.0.0/8'))],
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: [{ Key: 'k', Value: 'v' }] }],
    })
    const [ssh, telnet] = added.SecurityGroupRules!.map((r) => r.SecurityGroupRuleId!)
    const modify = (SecurityGroupRuleId: string, SecurityGroupRule: Record<string, unknown>) =>
      client.send(
        new ModifySecurityGroupRulesCommand({
          GroupId: groupId,
          SecurityGroupRules: [{ SecurityGroupRuleId, SecurityGroupRule }],
        }),
      )
    const out = await modify(ssh!, {
      IpProtocol: 'tcp',
      FromPort: 2222,
      ToPort: 2222,
      CidrIpv4: '10.1.0.0/16',
      Description: 'moved',
    })
    expect(out.Return).toBe(true)
    const [rule] = (
      await client.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ssh!] }))
    ).SecurityGroupRules!
    expect(rule).toMatchObject({
      SecurityGroupRuleId: ssh,
      IsEgress: false,
      FromPort: 2222,
      ToPort: 2222,
      CidrIpv4: '10.1.0.0/16',
      Description: 'moved',
      Tags: [{ Key: 'k', Value: 'v' }],
    })
    await expectError(
      modify(ssh!, { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIpv6: '::/0' }),
      'InvalidParameterValue',
      `Invalid rule type for security group rule '${ssh}'. You may not specify CidrIpv6 for an existing IPv4 CIDR rule.`,
    )
    await expectError(
      modify(telnet!, { IpProtocol: 'tcp', FromPort: 2222, ToPort: 2222, CidrIpv4: '10.1.0.0/16' }),
      'InvalidPermission.Duplicate',
    )
    await expectError(
      modify('sgr-0123456789abcdef0', { IpProtocol: 'tcp', FromPort: 1, ToPort: 1, CidrIpv4: '10.0.0.0/8' }),
      'InvalidSecurityGroupRuleId.NotFound',
    )
    await expectError(
      modify(telnet!, {
        IpProtocol: 'tcp',
        FromPort: 1,
        ToPort: 1,
        CidrIpv4: '10.0.0.0/8',
        CidrIpv6: '::/0',
      }),
      'InvalidParameterCombination',
    )
  })
})

describe('DescribeSecurityGroupReferences and DescribeStaleSecurityGroups without peerings', () => {
  it('checks their parameters and finds nothing in a lone VPC', async () => {
    const client = freshClient(server.url)
    const { vpcId, groupId } = await groupInNewVpc(client)
    const references = await client.send(new DescribeSecurityGroupReferencesCommand({ GroupId: [groupId] }))
    expect(references.SecurityGroupReferenceSet).toEqual([])
    await expectError(
      client.send(new DescribeSecurityGroupReferencesCommand({ GroupId: [] })),
      'MissingParameter',
    )
    await expectError(
      client.send(new DescribeSecurityGroupReferencesCommand({ GroupId: ['sg-0123456789abcdef0'] })),
      'InvalidGroup.NotFound',
    )
    const stale = await client.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcId }))
    expect(stale.StaleSecurityGroupSet).toEqual([])
    await expectError(
      client.send(new DescribeStaleSecurityGroupsCommand({ VpcId: undefined as never })),
      'MissingParameter',
    )
    await expectError(
      client.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcId, MaxResults: 4 })),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcId, MaxResults: 256 })),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(new DescribeStaleSecurityGroupsCommand({ VpcId: 'vpc-0123456789abcdef0' })),
      'InvalidVpcID.NotFound',
    )
    await expectError(
      client.send(new DescribeStaleSecurityGroupsCommand({ VpcId: 'main' })),
      'InvalidVpcID.Malformed',
    )
    await expectError(
      client.send(new DescribeSecurityGroupReferencesCommand({ GroupId: ['main'] })),
      'InvalidGroupId.Malformed',
    )
  })
})

// Peerings come from the peering actions, driven like any SDK user would.

async function peer(
  requester: Client,
  vpcId: string,
  accepter: Client,
  peerVpcId: string,
  PeerRegion?: string,
) {
  const created = await requester.send(
    new CreateVpcPeeringConnectionCommand({
      VpcId: vpcId,
      PeerVpcId: peerVpcId,
      PeerOwnerId: accepter.accountId,
      ...(PeerRegion ? { PeerRegion } : {}),
    }),
  )
  const id = created.VpcPeeringConnection!.VpcPeeringConnectionId!
  await accepter.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))
  return id
}

/** Two accounts, a VPC each, a group each ("app" in A, "db-clients" in B). */
async function twoAccounts() {
  const a = freshClient(server.url)
  const b = freshClient(server.url)
  const aVpc = await createVpc(a, '10.1.0.0/16')
  const bVpc = await createVpc(b, '10.2.0.0/16')
  return {
    a,
    b,
    aVpc,
    bVpc,
    aGroup: await createGroup(a, aVpc, 'app'),
    bGroup: await createGroup(b, bVpc, 'db-clients'),
  }
}

const stalePairs = async (client: EC2Client, VpcId: string) =>
  (
    (await client.send(new DescribeStaleSecurityGroupsCommand({ VpcId }))).StaleSecurityGroupSet ?? []
  ).flatMap((g) => (g.StaleIpPermissions ?? []).flatMap((p) => p.UserIdGroupPairs ?? []))

describe('security groups across a VPC peering', () => {
  it("names a peer account's group through an active peering and shows the peering", async () => {
    const { a, b, aVpc, bVpc, aGroup, bGroup } = await twoAccounts()
    const pcx = await peer(a, aVpc, b, bVpc)
    const out = await authorizeIngress(a, {
      GroupId: aGroup,
      IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: bGroup, UserId: b.accountId }] })],
    })
    expect(out.SecurityGroupRules![0]!.ReferencedGroupInfo).toEqual({
      GroupId: bGroup,
      UserId: b.accountId,
      VpcId: bVpc,
      VpcPeeringConnectionId: pcx,
      PeeringStatus: 'active',
    })
    expect((await describeGroup(a, aGroup)).IpPermissions![0]!.UserIdGroupPairs).toEqual([
      {
        GroupId: bGroup,
        UserId: b.accountId,
        GroupName: 'db-clients',
        VpcId: bVpc,
        VpcPeeringConnectionId: pcx,
        PeeringStatus: 'active',
      },
    ])
    const [rule] = (
      await a.send(
        new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [aGroup] }] }),
      )
    ).SecurityGroupRules!.filter((r) => !r.IsEgress)
    expect(rule!.ReferencedGroupInfo).toMatchObject({ VpcPeeringConnectionId: pcx, PeeringStatus: 'active' })
    // Egress may name the peer group too.
    await a.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: aGroup,
        IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: bGroup, UserId: b.accountId }] })],
      }),
    )

    const references = await b.send(new DescribeSecurityGroupReferencesCommand({ GroupId: [bGroup] }))
    expect(references.SecurityGroupReferenceSet).toEqual([
      { GroupId: bGroup, ReferencingVpcId: aVpc, VpcPeeringConnectionId: pcx },
    ])
    expect(await stalePairs(a, aVpc)).toEqual([])
    // Without the owner's account id the group is looked for in the caller's account.
    await expectError(
      authorizeIngress(a, {
        GroupId: aGroup,
        IpPermissions: [tcp(1, { UserIdGroupPairs: [{ GroupId: bGroup }] })],
      }),
      'InvalidGroup.NotFound',
    )
  })

  it('refuses a peer group while the peering is only requested', async () => {
    const { a, b, aVpc, bVpc, aGroup, bGroup } = await twoAccounts()
    await a.send(
      new CreateVpcPeeringConnectionCommand({ VpcId: aVpc, PeerVpcId: bVpc, PeerOwnerId: b.accountId }),
    )
    await expectError(
      authorizeIngress(a, {
        GroupId: aGroup,
        IpPermissions: [tcp(5432, { UserIdGroupPairs: [{ GroupId: bGroup, UserId: b.accountId }] })],
      }),
      'InvalidGroup.NotFound',
      'You have specified two resources that belong to different networks.',
    )
  })

  it('goes stale when the peering is deleted, and comes back with a new peering of the same VPCs', async () => {
    const { a, b, aVpc, bVpc, aGroup, bGroup } = await twoAccounts()
    const first = await peer(a, aVpc, b, bVpc)
    const reference = { UserIdGroupPairs: [{ GroupId: bGroup, UserId: b.accountId }] }
    await authorizeIngress(a, { GroupId: aGroup, IpPermissions: [tcp(5432, reference)] })
    await b.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: first }))

    const stale = (await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: aVpc })))
      .StaleSecurityGroupSet!
    expect(stale).toEqual([
      {
        GroupId: aGroup,
        GroupName: 'app',
        Description: 'app tier',
        VpcId: aVpc,
        StaleIpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            UserIdGroupPairs: [
              {
                GroupId: bGroup,
                UserId: b.accountId,
                GroupName: 'db-clients',
                VpcId: bVpc,
                VpcPeeringConnectionId: first,
                PeeringStatus: 'deleted',
              },
            ],
          },
        ],
        StaleIpPermissionsEgress: [],
      },
    ])
    expect((await describeGroup(a, aGroup)).IpPermissions![0]!.UserIdGroupPairs![0]!.PeeringStatus).toBe(
      'deleted',
    )
    // Only references across a peering that is active now are listed [INF].
    expect(
      (await b.send(new DescribeSecurityGroupReferencesCommand({ GroupId: [bGroup] })))
        .SecurityGroupReferenceSet,
    ).toEqual([])
    await expectError(
      authorizeIngress(a, { GroupId: aGroup, IpPermissions: [tcp(5433, reference)] }),
      'InvalidGroup.NotFound',
      /different networks/,
    )

    const second = await peer(b, bVpc, a, aVpc)
    expect(await stalePairs(a, aVpc)).toEqual([])
    expect((await describeGroup(a, aGroup)).IpPermissions![0]!.UserIdGroupPairs).toEqual([
      expect.objectContaining({ VpcPeeringConnectionId: second, PeeringStatus: 'active' }),
    ])
  })

  it("lets the peer delete its group, leaving a stale rule without the group's name that can be revoked", async () => {
    const { a, b, aVpc, bVpc, aGroup, bGroup } = await twoAccounts()
    const pcx = await peer(a, aVpc, b, bVpc)
    const reference = { UserIdGroupPairs: [{ GroupId: bGroup, UserId: b.accountId }] }
    await a.send(
      new AuthorizeSecurityGroupEgressCommand({ GroupId: aGroup, IpPermissions: [tcp(443, reference)] }),
    )
    // A rule in a peer VPC does not hold the group, unlike one in its own VPC.
    await b.send(new DeleteSecurityGroupCommand({ GroupId: bGroup }))
    const [group] = (await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: aVpc })))
      .StaleSecurityGroupSet!
    expect(group!.StaleIpPermissions).toEqual([])
    expect(group!.StaleIpPermissionsEgress![0]!.UserIdGroupPairs).toEqual([
      {
        GroupId: bGroup,
        UserId: b.accountId,
        VpcId: bVpc,
        VpcPeeringConnectionId: pcx,
        PeeringStatus: 'active',
      },
    ])
    await a.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: aGroup, IpPermissions: [tcp(443, reference)] }),
    )
    expect(await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: aVpc }))).toMatchObject({
      StaleSecurityGroupSet: [],
    })
  })

  it('pages through stale groups', async () => {
    const { a, b, aVpc, bVpc, bGroup } = await twoAccounts()
    const pcx = await peer(a, aVpc, b, bVpc)
    const reference = { UserIdGroupPairs: [{ GroupId: bGroup, UserId: b.accountId }] }
    for (let i = 0; i < 6; i++) {
      const groupId = await createGroup(a, aVpc, `stale-${i}`)
      await authorizeIngress(a, { GroupId: groupId, IpPermissions: [tcp(80, reference)] })
    }
    await a.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))
    const pages: number[] = []
    for await (const page of paginateDescribeStaleSecurityGroups(
      { client: a, pageSize: 5 },
      { VpcId: aVpc },
    )) {
      pages.push(page.StaleSecurityGroupSet!.length)
    }
    expect(pages).toEqual([5, 1])
  })

  it('never names a group across regions, even through an active inter-region peering', async () => {
    const a = freshClient(server.url)
    const west = ec2Client(server.url, { accountId: a.accountId, region: 'us-west-2' })
    const aVpc = await createVpc(a, '10.1.0.0/16')
    const westVpc = await createVpc(west, '10.2.0.0/16')
    const westGroup = await createGroup(west, westVpc, 'far')
    const created = await a.send(
      new CreateVpcPeeringConnectionCommand({ VpcId: aVpc, PeerVpcId: westVpc, PeerRegion: 'us-west-2' }),
    )
    const pcx = created.VpcPeeringConnection!.VpcPeeringConnectionId!
    await west.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))
    await expectError(
      authorizeIngress(a, {
        GroupId: await createGroup(a, aVpc),
        IpPermissions: [tcp(80, { UserIdGroupPairs: [{ GroupId: westGroup, UserId: a.accountId }] })],
      }),
      'InvalidGroup.NotFound',
      /different networks/,
    )
  })
})

describe('tags on security group rules', () => {
  it('CreateTags and DeleteTags take sgr- ids, and DeleteVpc takes the default group rules tags with it', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const defaultGroup = (
      await client.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [vpcId] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      )
    ).SecurityGroups![0]!
    const rules = await client.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [defaultGroup.GroupId!] }],
      }),
    )
    const ruleId = rules.SecurityGroupRules![0]!.SecurityGroupRuleId!
    await client.send(
      new CreateTagsCommand({ Resources: [ruleId], Tags: [{ Key: 'Purpose', Value: 'self' }] }),
    )
    const tagged = await client.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [ruleId] }] }),
    )
    expect(tagged.Tags).toEqual([
      { ResourceId: ruleId, ResourceType: 'security-group-rule', Key: 'Purpose', Value: 'self' },
    ])
    await client.send(new DeleteTagsCommand({ Resources: [ruleId], Tags: [{ Key: 'Purpose' }] }))
    expect(
      (await client.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [ruleId] }] })))
        .Tags,
    ).toEqual([])

    await client.send(
      new CreateTagsCommand({ Resources: [ruleId], Tags: [{ Key: 'Purpose', Value: 'again' }] }),
    )
    await client.send(new DeleteVpcCommand({ VpcId: vpcId }))
    expect((await client.send(new DescribeTagsCommand({}))).Tags).toEqual([])
    await expectError(
      client.send(
        new CreateTagsCommand({ Resources: ['sgr-0123456789abcdef0'], Tags: [{ Key: 'k', Value: 'v' }] }),
      ),
      'InvalidSecurityGroupRuleId.NotFound',
    )
  })
})

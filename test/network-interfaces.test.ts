import {
  CreateNetworkInterfaceCommand,
  type CreateNetworkInterfaceCommandInput,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type Filter,
  ModifyNetworkInterfaceAttributeCommand,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  type NetworkInterface,
  paginateDescribeNetworkInterfaces,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byCodeUnit, expectError, freshClient } from './support/ec2.js'
import { availableIn, network, securityGroup } from './support/network.js'
import { errorOf, postForm, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const createInterface = async (client: EC2Client, input: CreateNetworkInterfaceCommandInput) =>
  (await client.send(new CreateNetworkInterfaceCommand(input))).NetworkInterface!

const describeInterfaces = async (client: EC2Client, Filters: Filter[]) =>
  (await client.send(new DescribeNetworkInterfacesCommand({ Filters }))).NetworkInterfaces ?? []

const idsOf = (interfaces: NetworkInterface[]) =>
  interfaces.map((i) => i.NetworkInterfaceId!).sort(byCodeUnit)

describe('CreateNetworkInterface', () => {
  it('takes the lowest free address after the four reserved ones and counts it against the subnet', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId, defaultGroupId } = await network(client)
    expect(await availableIn(client, subnetId)).toBe(251)

    const first = await createInterface(client, {
      SubnetId: subnetId,
      TagSpecifications: [{ ResourceType: 'network-interface', Tags: [{ Key: 'Name', Value: 'a' }] }],
    })
    expect(first).toMatchObject({
      NetworkInterfaceId: expect.stringMatching(/^eni-[0-9a-f]{17}$/),
      SubnetId: subnetId,
      VpcId: vpcId,
      OwnerId: client.accountId,
      AvailabilityZone: expect.stringMatching(/^us-east-1[abc]$/),
      Description: '',
      Status: 'available',
      InterfaceType: 'interface',
      RequesterManaged: false,
      SourceDestCheck: true,
      PrivateIpAddress: '10.0.1.4',
      PrivateDnsName: 'ip-10-0-1-4.ec2.internal',
      MacAddress: expect.stringMatching(/^02(:[0-9a-f]{2}){5}$/),
      Groups: [{ GroupId: defaultGroupId, GroupName: 'default' }],
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.1.4', PrivateDnsName: 'ip-10-0-1-4.ec2.internal', Primary: true },
      ],
      Ipv6Addresses: [],
      TagSet: [{ Key: 'Name', Value: 'a' }],
    })
    expect(first.Attachment).toBeUndefined()
    expect(first.Association).toBeUndefined()

    const second = await createInterface(client, { SubnetId: subnetId, Description: 'second' })
    expect(second.PrivateIpAddress).toBe('10.0.1.5')
    expect(second.MacAddress).not.toBe(first.MacAddress)
    expect(await availableIn(client, subnetId)).toBe(249)

    // A freed address is the lowest free one again.
    await client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: first.NetworkInterfaceId }))
    expect(await availableIn(client, subnetId)).toBe(250)
    expect((await createInterface(client, { SubnetId: subnetId })).PrivateIpAddress).toBe('10.0.1.4')
  })

  it('gives the addresses asked for, secondaries by list or by count, and counts every one', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client)
    const counted = await createInterface(client, {
      SubnetId: subnetId,
      PrivateIpAddress: '10.0.1.50',
      SecondaryPrivateIpAddressCount: 2,
    })
    expect(counted.PrivateIpAddresses!.map((a) => [a.PrivateIpAddress, a.Primary])).toEqual([
      ['10.0.1.50', true],
      ['10.0.1.4', false],
      ['10.0.1.5', false],
    ])
    const listed = await createInterface(client, {
      SubnetId: subnetId,
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.1.61' },
        { PrivateIpAddress: '10.0.1.60', Primary: true },
      ],
    })
    expect(listed.PrivateIpAddress).toBe('10.0.1.60')
    expect(listed.PrivateIpAddresses!.map((a) => a.PrivateIpAddress)).toEqual(['10.0.1.60', '10.0.1.61'])
    expect(await availableIn(client, subnetId)).toBe(251 - 5)
    const found = await describeInterfaces(client, [
      { Name: 'addresses.private-ip-address', Values: ['10.0.1.61'] },
    ])
    expect(idsOf(found)).toEqual([listed.NetworkInterfaceId])
  })

  it('assigns IPv6 addresses from the subnet /64, by count, by address, or by the subnet attribute', async () => {
    const client = freshClient(server.url)
    const { subnetId, ipv6Subnet } = await network(client, '10.0.1.0/24', true)
    const prefix = ipv6Subnet!.replace('::/64', '::')
    const counted = await createInterface(client, { SubnetId: subnetId, Ipv6AddressCount: 2 })
    expect(counted.Ipv6Addresses!.map((a) => a.Ipv6Address)).toEqual([`${prefix}4`, `${prefix}5`])
    const chosen = await createInterface(client, {
      SubnetId: subnetId,
      Ipv6Addresses: [{ Ipv6Address: `${prefix}abcd` }],
    })
    expect(chosen.Ipv6Addresses).toEqual([{ Ipv6Address: `${prefix}abcd`, IsPrimaryIpv6: false }])
    expect((await createInterface(client, { SubnetId: subnetId })).Ipv6Addresses).toEqual([])

    await client.send(
      new ModifySubnetAttributeCommand({ SubnetId: subnetId, AssignIpv6AddressOnCreation: { Value: true } }),
    )
    const automatic = await createInterface(client, { SubnetId: subnetId })
    expect(automatic.Ipv6Addresses!.map((a) => a.Ipv6Address)).toEqual([`${prefix}6`])
    // A count of 0 overrides the subnet's setting.
    expect(
      (await createInterface(client, { SubnetId: subnetId, Ipv6AddressCount: 0 })).Ipv6Addresses,
    ).toEqual([])
    const byAddress = await describeInterfaces(client, [
      { Name: 'ipv6-addresses.ipv6-address', Values: [`${prefix}abcd`] },
    ])
    expect(idsOf(byAddress)).toEqual([chosen.NetworkInterfaceId])

    await expectError(
      createInterface(client, { SubnetId: subnetId, Ipv6Addresses: [{ Ipv6Address: `${prefix}abcd` }] }),
      'InvalidIPAddress.InUse',
      `Address ${prefix}abcd is in use.`,
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, Ipv6Addresses: [{ Ipv6Address: '2001:db8::4' }] }),
      'InvalidParameterValue',
      "Address 2001:db8::4 does not fall within the subnet's address range",
    )
    await expectError(
      createInterface(client, {
        SubnetId: subnetId,
        Ipv6AddressCount: 1,
        Ipv6Addresses: [{ Ipv6Address: `${prefix}99` }],
      }),
      'InvalidParameterCombination',
    )
  })

  it('refuses addresses outside the subnet, reserved ones, ones in use and ones that are not addresses', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client)
    await createInterface(client, { SubnetId: subnetId, PrivateIpAddress: '10.0.1.10' })
    await expectError(
      createInterface(client, { SubnetId: subnetId, PrivateIpAddress: '10.0.1.10' }),
      'InvalidIPAddress.InUse',
      'Address 10.0.1.10 is in use.',
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, PrivateIpAddress: '10.0.2.4' }),
      'InvalidParameterValue',
      "Address 10.0.2.4 does not fall within the subnet's address range",
    )
    for (const reserved of ['10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.1.255']) {
      await expectError(
        createInterface(client, { SubnetId: subnetId, PrivateIpAddress: reserved }),
        'InvalidParameterValue',
        new RegExp(`^Address ${reserved.replaceAll('.', '\\.')} is reserved in ${subnetId}`),
      )
    }
    await expectError(
      createInterface(client, { SubnetId: subnetId, PrivateIpAddress: 'ten.zero' }),
      'InvalidParameterValue',
      'invalid value for parameter address: ten.zero',
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, Ipv6AddressCount: 1 }),
      'InvalidParameterValue',
      `Subnet ${subnetId} has no IPv6 CIDR block to assign addresses from.`,
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, SecondaryPrivateIpAddressCount: 50 }),
      'PrivateIpAddressLimitExceeded',
    )
    await expectError(
      createInterface(client, {
        SubnetId: subnetId,
        PrivateIpAddress: '10.0.1.20',
        PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.21', Primary: true }],
      }),
      'InvalidParameterCombination',
    )
    await expectError(
      createInterface(client, {
        SubnetId: subnetId,
        SecondaryPrivateIpAddressCount: 1,
        PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.21' }],
      }),
      'InvalidParameterCombination',
    )
    // Nothing a refused call asked for was kept.
    expect(await availableIn(client, subnetId)).toBe(250)
  })

  it('answers InsufficientFreeAddressesInSubnet once a /28 has given its 11 usable addresses', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client, '10.0.1.0/28')
    const made = await createInterface(client, { SubnetId: subnetId, SecondaryPrivateIpAddressCount: 9 })
    expect(made.PrivateIpAddresses!.map((a) => a.PrivateIpAddress)).toEqual(
      Array.from({ length: 10 }, (_, i) => `10.0.1.${4 + i}`),
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, SecondaryPrivateIpAddressCount: 1 }),
      'InsufficientFreeAddressesInSubnet',
    )
    expect((await createInterface(client, { SubnetId: subnetId })).PrivateIpAddress).toBe('10.0.1.14')
    expect(await availableIn(client, subnetId)).toBe(0)
    await expectError(createInterface(client, { SubnetId: subnetId }), 'InsufficientFreeAddressesInSubnet')
  })

  it('uses the groups given: up to five, all of the subnet VPC', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const groups = [] as string[]
    for (let i = 0; i < 6; i++) groups.push(await securityGroup(client, vpcId, `g${i}`))
    const made = await createInterface(client, {
      SubnetId: subnetId,
      Groups: [...groups.slice(0, 5), groups[0]!],
    })
    expect(made.Groups!.map((g) => [g.GroupId, g.GroupName])).toEqual(
      groups.slice(0, 5).map((id, i) => [id, `g${i}`]),
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, Groups: groups }),
      'SecurityGroupsPerInterfaceLimitExceeded',
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, Groups: ['sg-0123456789abcdef0'] }),
      'InvalidGroup.NotFound',
      "The security group 'sg-0123456789abcdef0' does not exist",
    )
    await expectError(
      createInterface(client, { SubnetId: subnetId, Groups: ['web'] }),
      'InvalidGroupId.Malformed',
    )
    const other = await network(client, '10.0.1.0/24')
    await expectError(
      createInterface(client, { SubnetId: subnetId, Groups: [other.defaultGroupId] }),
      'InvalidParameter',
      `Security group ${other.defaultGroupId} and subnet ${subnetId} belong to different networks.`,
    )
  })

  it('checks the subnet and the tag specification', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client)
    const missing = await postForm(server.url, { Action: 'CreateNetworkInterface', Version: '2016-11-15' })
    expect(errorOf(missing)).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter SubnetId',
    })
    await expectError(
      createInterface(client, { SubnetId: 'subnet-0123456789abcdef0' }),
      'InvalidSubnetID.NotFound',
    )
    await expectError(
      createInterface(client, {
        SubnetId: subnetId,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'k', Value: 'v' }] }],
      }),
      'InvalidParameterValue',
    )
    // Another account's subnet does not exist for this caller.
    await expectError(
      createInterface(freshClient(server.url), { SubnetId: subnetId }),
      'InvalidSubnetID.NotFound',
    )
  })

  it('returns the first interface again for a repeated ClientToken', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client)
    const first = await createInterface(client, { SubnetId: subnetId, ClientToken: 'once' })
    const again = await createInterface(client, { SubnetId: subnetId, ClientToken: 'once' })
    expect(again.NetworkInterfaceId).toBe(first.NetworkInterfaceId)
    expect(await availableIn(client, subnetId)).toBe(250)
    await expectError(
      createInterface(client, { SubnetId: subnetId, ClientToken: 'once', Description: 'other' }),
      'IdempotentParameterMismatch',
    )
  })
})

describe('DeleteNetworkInterface', () => {
  it('deletes an interface and answers NotFound or Malformed for ids it does not know', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client)
    const eni = (await createInterface(client, { SubnetId: subnetId })).NetworkInterfaceId!
    await expectError(
      freshClient(server.url).send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni })),
      'InvalidNetworkInterfaceID.NotFound',
      `The networkInterface ID '${eni}' does not exist`,
    )
    await client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni }))
    await expectError(
      client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni })),
      'InvalidNetworkInterfaceID.NotFound',
    )
    await expectError(
      client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: 'eni-12' })),
      'InvalidNetworkInterfaceId.Malformed',
      'Invalid id: "eni-12" (expecting "eni-...")',
    )
    await expectError(
      client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })),
      'InvalidNetworkInterfaceID.NotFound',
    )
  })
})

describe('ModifyNetworkInterfaceAttribute', () => {
  it('changes one attribute per call: groups, description, source/dest check, public address', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId, defaultGroupId } = await network(client)
    const eni = (await createInterface(client, { SubnetId: subnetId })).NetworkInterfaceId!
    const web = await securityGroup(client, vpcId, 'web')
    const db = await securityGroup(client, vpcId, 'db')
    const modify = (
      input: Omit<
        ConstructorParameters<typeof ModifyNetworkInterfaceAttributeCommand>[0],
        'NetworkInterfaceId'
      >,
    ) => client.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: eni, ...input }))
    const current = async () =>
      (await client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })))
        .NetworkInterfaces![0]!

    await modify({ Groups: [web, db] })
    expect((await current()).Groups!.map((g) => g.GroupName)).toEqual(['web', 'db'])
    await modify({ Description: { Value: 'app' } })
    await modify({ SourceDestCheck: { Value: false } })
    const changed = await current()
    expect(changed).toMatchObject({ Description: 'app', SourceDestCheck: false })

    await modify({ AssociatePublicIpAddress: true })
    const publicIp = (await current()).Association?.PublicIp
    expect(publicIp).toMatch(/^198\.1[89]\.\d+\.\d+$/)
    expect((await current()).Association).toEqual({ PublicIp: publicIp, IpOwnerId: 'amazon' })
    await client.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }))
    expect((await current()).Association?.PublicDnsName).toBe(
      `ec2-${publicIp!.replaceAll('.', '-')}.compute-1.amazonaws.com`,
    )
    expect(
      idsOf(await describeInterfaces(client, [{ Name: 'association.public-ip', Values: [publicIp!] }])),
    ).toEqual([eni])
    await modify({ AssociatePublicIpAddress: false })
    expect((await current()).Association).toBeUndefined()

    await expectError(
      modify({ Description: { Value: 'x' }, SourceDestCheck: { Value: true } }),
      'InvalidParameterCombination',
      'Fields for multiple attribute types specified: description, sourceDestCheck',
    )
    await expectError(modify({}), 'MissingParameter')
    await expectError(
      modify({
        Groups: [
          defaultGroupId,
          web,
          db,
          'sg-0123456789abcdef0',
          'sg-0123456789abcdef1',
          'sg-0123456789abcdef2',
        ],
      }),
      'SecurityGroupsPerInterfaceLimitExceeded',
    )
    const other = await network(client)
    await expectError(modify({ Groups: [other.defaultGroupId] }), 'InvalidParameter')
    await expectError(
      client.send(
        new ModifyNetworkInterfaceAttributeCommand({
          NetworkInterfaceId: 'eni-0123456789abcdef0',
          Description: { Value: 'x' },
        }),
      ),
      'InvalidNetworkInterfaceID.NotFound',
    )
    expect((await current()).Groups!.map((g) => g.GroupName)).toEqual(['web', 'db'])
  })
})

describe('DescribeNetworkInterfaces', () => {
  it('filters by the interface fields and pages through the results', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId, defaultGroupId } = await network(client)
    const web = await securityGroup(client, vpcId, 'web')
    const made: string[] = []
    for (let i = 0; i < 7; i++) {
      const eni = await createInterface(client, {
        SubnetId: subnetId,
        Description: `n${i}`,
        ...(i % 2 ? { Groups: [web] } : {}),
        TagSpecifications: [
          { ResourceType: 'network-interface', Tags: [{ Key: 'parity', Value: `${i % 2}` }] },
        ],
      })
      made.push(eni.NetworkInterfaceId!)
    }
    const odd = [made[1], made[3], made[5]].sort(byCodeUnit)
    expect(idsOf(await describeInterfaces(client, [{ Name: 'group-id', Values: [web] }]))).toEqual(odd)
    expect(idsOf(await describeInterfaces(client, [{ Name: 'group-name', Values: ['web'] }]))).toEqual(odd)
    expect(idsOf(await describeInterfaces(client, [{ Name: 'tag:parity', Values: ['1'] }]))).toEqual(odd)
    expect(
      idsOf(
        await describeInterfaces(client, [
          { Name: 'group-id', Values: [defaultGroupId] },
          { Name: 'description', Values: ['n[02]', 'n4', 'n?'] },
          { Name: 'private-ip-address', Values: ['10.0.1.4', '10.0.1.6'] },
        ]),
      ),
    ).toEqual([made[0], made[2]].sort(byCodeUnit))
    expect(
      idsOf(
        await describeInterfaces(client, [
          { Name: 'status', Values: ['available'] },
          { Name: 'subnet-id', Values: [subnetId] },
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'owner-id', Values: [client.accountId] },
          { Name: 'requester-managed', Values: ['false'] },
          { Name: 'source-dest-check', Values: ['true'] },
          { Name: 'interface-type', Values: ['interface'] },
          { Name: 'private-dns-name', Values: ['ip-10-0-1-10.ec2.internal'] },
        ]),
      ),
    ).toEqual([made[6]])

    const pages: string[][] = []
    for await (const page of paginateDescribeNetworkInterfaces(
      { client, pageSize: 5 },
      { Filters: [{ Name: 'subnet-id', Values: [subnetId] }] },
    )) {
      pages.push(idsOf(page.NetworkInterfaces ?? []))
    }
    expect(pages.map((p) => p.length)).toEqual([5, 2])
    expect(pages.flat().sort(byCodeUnit)).toEqual([...made].sort(byCodeUnit))

    await expectError(
      client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [made[0]!], MaxResults: 5 })),
      'InvalidParameterCombination',
    )
    await expectError(
      client.send(new DescribeNetworkInterfacesCommand({ MaxResults: 4 })),
      'InvalidParameterValue',
    )
    await expectError(
      describeInterfaces(client, [{ Name: 'no-such-filter', Values: ['x'] }]),
      'InvalidParameterValue',
      "The filter 'no-such-filter' is invalid",
    )
  })
})

describe('what an interface holds back', () => {
  it('keeps its subnet, its groups and its VPC from being deleted until it is gone', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const web = await securityGroup(client, vpcId, 'web')
    const eni = (await createInterface(client, { SubnetId: subnetId, Groups: [web] })).NetworkInterfaceId!
    await expectError(client.send(new DeleteSubnetCommand({ SubnetId: subnetId })), 'DependencyViolation')
    await expectError(client.send(new DeleteSecurityGroupCommand({ GroupId: web })), 'DependencyViolation')
    await expectError(client.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation')

    await client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni }))
    await client.send(new DeleteSecurityGroupCommand({ GroupId: web }))
    await client.send(new DeleteSubnetCommand({ SubnetId: subnetId }))
    await client.send(new DeleteVpcCommand({ VpcId: vpcId }))
  })
})

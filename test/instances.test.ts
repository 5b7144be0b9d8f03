import {
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateTagsCommand,
  DeleteNetworkInterfaceCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeNetworkInterfacesCommand,
  DescribeTagsCommand,
  type EC2Client,
  type Filter,
  type Instance,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  paginateDescribeInstances,
  RunInstancesCommand,
  type RunInstancesCommandInput,
  TerminateInstancesCommand,
  waitUntilInstanceRunning,
  waitUntilInstanceTerminated,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byCodeUnit, expectError, freshClient } from './support/ec2.js'
import { availableIn, network, securityGroup } from './support/network.js'
import { describeTables, routeTo } from './support/routing.js'
import { errorOf, postForm, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const IMAGE = 'ami-0123456789abcdef0'

const run = (client: EC2Client, input: Partial<RunInstancesCommandInput>) =>
  client.send(new RunInstancesCommand({ ImageId: IMAGE, MinCount: 1, MaxCount: 1, ...input }))

const launch = async (client: EC2Client, input: Partial<RunInstancesCommandInput>) =>
  (await run(client, input)).Instances![0]!

const describeInstances = async (client: EC2Client, input: DescribeInstancesCommandInput) =>
  ((await client.send(new DescribeInstancesCommand(input))).Reservations ?? []).flatMap(
    (r) => r.Instances ?? [],
  )

const instanceIds = async (client: EC2Client, Filters: Filter[]) =>
  (await describeInstances(client, { Filters })).map((i) => i.InstanceId!).sort(byCodeUnit)

const described = async (client: EC2Client, instanceId: string): Promise<Instance> =>
  (await describeInstances(client, { InstanceIds: [instanceId] }))[0]!

const terminate = (client: EC2Client, ...InstanceIds: string[]) =>
  client.send(new TerminateInstancesCommand({ InstanceIds }))

const waiter = (client: EC2Client) => ({ client, maxWaitTime: 5, minDelay: 1, maxDelay: 1 })

describe('RunInstances', () => {
  it('launches an instance that is its primary interface in the subnet, answered pending', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId, defaultGroupId } = await network(client)
    const reservation = await run(client, {
      SubnetId: subnetId,
      InstanceType: 't3.micro',
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web' }] },
        { ResourceType: 'network-interface', Tags: [{ Key: 'Name', Value: 'web-eth0' }] },
      ],
    })
    expect(reservation).toMatchObject({
      ReservationId: expect.stringMatching(/^r-[0-9a-f]{17}$/),
      OwnerId: client.accountId,
      Groups: [],
    })
    const instance = reservation.Instances![0]!
    expect(instance).toMatchObject({
      InstanceId: expect.stringMatching(/^i-[0-9a-f]{17}$/),
      ImageId: IMAGE,
      InstanceType: 't3.micro',
      State: { Code: 0, Name: 'pending' },
      AmiLaunchIndex: 0,
      SubnetId: subnetId,
      VpcId: vpcId,
      PrivateIpAddress: '10.0.1.4',
      PrivateDnsName: 'ip-10-0-1-4.ec2.internal',
      PublicDnsName: '',
      SourceDestCheck: true,
      Architecture: 'x86_64',
      RootDeviceType: 'ebs',
      Placement: { AvailabilityZone: expect.stringMatching(/^us-east-1[abc]$/), Tenancy: 'default' },
      SecurityGroups: [{ GroupId: defaultGroupId, GroupName: 'default' }],
      Tags: [{ Key: 'Name', Value: 'web' }],
    })
    expect(instance.PublicIpAddress).toBeUndefined()
    expect(instance.LaunchTime).toBeInstanceOf(Date)
    const eth0 = instance.NetworkInterfaces![0]!
    expect(eth0).toMatchObject({
      NetworkInterfaceId: expect.stringMatching(/^eni-[0-9a-f]{17}$/),
      SubnetId: subnetId,
      PrivateIpAddress: '10.0.1.4',
      Status: 'in-use',
      Groups: [{ GroupId: defaultGroupId, GroupName: 'default' }],
      Attachment: { DeviceIndex: 0, Status: 'attached', DeleteOnTermination: true, NetworkCardIndex: 0 },
    })

    await waitUntilInstanceRunning(waiter(client), { InstanceIds: [instance.InstanceId!] })
    expect((await described(client, instance.InstanceId!)).State).toEqual({ Code: 16, Name: 'running' })
    const eni = (
      await client.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'attachment.instance-id', Values: [instance.InstanceId!] }],
        }),
      )
    ).NetworkInterfaces!
    expect(eni.map((e) => [e.NetworkInterfaceId, e.Status, e.Attachment?.InstanceOwnerId, e.TagSet])).toEqual(
      [[eth0.NetworkInterfaceId, 'in-use', client.accountId, [{ Key: 'Name', Value: 'web-eth0' }]]],
    )
    expect(await availableIn(client, subnetId)).toBe(250)
    const tags = await client.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [instance.InstanceId!] }] }),
    )
    expect(tags.Tags).toEqual([
      { ResourceId: instance.InstanceId, ResourceType: 'instance', Key: 'Name', Value: 'web' },
    ])
  })

  it('launches between MinCount and MaxCount: as many as the subnet has room for, or none', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client, '10.0.1.0/28')
    // 11 usable addresses; an interface holding 8 leaves 3.
    await client.send(
      new CreateNetworkInterfaceCommand({ SubnetId: subnetId, SecondaryPrivateIpAddressCount: 7 }),
    )
    await expectError(
      run(client, { SubnetId: subnetId, MinCount: 4, MaxCount: 5 }),
      'InsufficientFreeAddressesInSubnet',
    )
    expect(await describeInstances(client, {})).toEqual([])
    expect(await availableIn(client, subnetId)).toBe(3)

    const reservation = await run(client, { SubnetId: subnetId, MinCount: 1, MaxCount: 5 })
    expect(reservation.Instances!.map((i) => [i.AmiLaunchIndex, i.PrivateIpAddress])).toEqual([
      [0, '10.0.1.12'],
      [1, '10.0.1.13'],
      [2, '10.0.1.14'],
    ])
    const listed = (await client.send(new DescribeInstancesCommand({}))).Reservations!
    expect(listed.map((r) => [r.ReservationId, r.Instances!.length])).toEqual([
      [reservation.ReservationId, 3],
    ])
    expect(await availableIn(client, subnetId)).toBe(0)
    await expectError(run(client, { SubnetId: subnetId }), 'InsufficientFreeAddressesInSubnet')
    await expectError(
      run(client, { SubnetId: subnetId, MinCount: 3, MaxCount: 2 }),
      'InvalidParameterValue',
      'MinCount (3) must be less than or equal to MaxCount (2).',
    )
  })

  it('gives the primary interface a public address when asked, or when the subnet maps one on launch', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const asked = await launch(client, {
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: true }],
    })
    expect(asked.PublicIpAddress).toMatch(/^198\.1[89]\.\d+\.\d+$/)
    expect(asked.NetworkInterfaces![0]!.Association).toEqual({
      PublicIp: asked.PublicIpAddress,
      IpOwnerId: 'amazon',
    })
    expect(await instanceIds(client, [{ Name: 'ip-address', Values: [asked.PublicIpAddress!] }])).toEqual([
      asked.InstanceId,
    ])

    await client.send(
      new ModifySubnetAttributeCommand({ SubnetId: subnetId, MapPublicIpOnLaunch: { Value: true } }),
    )
    const mapped = await launch(client, { SubnetId: subnetId })
    expect(mapped.PublicIpAddress).toMatch(/^198\.1[89]\.\d+\.\d+$/)
    expect(mapped.PublicIpAddress).not.toBe(asked.PublicIpAddress)
    const declined = await launch(client, {
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: false }],
    })
    expect(declined.PublicIpAddress).toBeUndefined()
    // Public addresses are unique across accounts too.
    const elsewhere = freshClient(server.url)
    const other = await network(elsewhere)
    const foreign = await launch(elsewhere, {
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: other.subnetId, AssociatePublicIpAddress: true }],
    })
    expect([asked.PublicIpAddress, mapped.PublicIpAddress]).not.toContain(foreign.PublicIpAddress)

    await client.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }))
    expect((await described(client, mapped.InstanceId!)).PublicDnsName).toBe(
      `ec2-${mapped.PublicIpAddress!.replaceAll('.', '-')}.compute-1.amazonaws.com`,
    )
    await terminate(client, asked.InstanceId!)
    expect(await instanceIds(client, [{ Name: 'ip-address', Values: ['198.*'] }])).toEqual(
      [mapped.InstanceId!].sort(byCodeUnit),
    )
  })

  it('takes the primary interface from NetworkInterface.1 and refuses instance-level settings beside it', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const web = await securityGroup(client, vpcId, 'web')
    const made = await launch(client, {
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: subnetId,
          Groups: [web],
          PrivateIpAddress: '10.0.1.40',
          SecondaryPrivateIpAddressCount: 1,
          Description: 'eth0',
          DeleteOnTermination: false,
        },
      ],
    })
    expect(made).toMatchObject({
      PrivateIpAddress: '10.0.1.40',
      SecurityGroups: [{ GroupId: web, GroupName: 'web' }],
    })
    expect(made.NetworkInterfaces![0]).toMatchObject({
      Description: 'eth0',
      Attachment: { DeleteOnTermination: false },
      PrivateIpAddresses: [
        { PrivateIpAddress: '10.0.1.40', Primary: true },
        { PrivateIpAddress: '10.0.1.4', Primary: false },
      ],
    })
    const spec = { DeviceIndex: 0, SubnetId: subnetId }
    const conflicts: [Partial<RunInstancesCommandInput>, string][] = [
      [{ SubnetId: subnetId }, 'subnet ID'],
      [{ SecurityGroupIds: [web] }, 'security groups'],
      [{ PrivateIpAddress: '10.0.1.50' }, 'private IP address'],
    ]
    for (const [extra, what] of conflicts) {
      await expectError(
        run(client, { NetworkInterfaces: [spec], ...extra }),
        'InvalidParameterCombination',
        `Network interfaces and an instance-level ${what} may not be specified on the same request`,
      )
    }
    await expectError(
      run(client, { NetworkInterfaces: [{ SubnetId: subnetId }] }),
      'InvalidParameterValue',
      'Each network interface requires a device index.',
    )
    await expectError(
      run(client, { NetworkInterfaces: [{ ...spec, DeviceIndex: 1 }] }),
      'InvalidParameterValue',
    )
  })

  it('attaches an existing interface as the primary one, which then outlives the instance', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client)
    const eni = (
      await client.send(
        new CreateNetworkInterfaceCommand({ SubnetId: subnetId, PrivateIpAddress: '10.0.1.77' }),
      )
    ).NetworkInterface!.NetworkInterfaceId!
    const instance = await launch(client, {
      NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: eni }],
    })
    expect(instance).toMatchObject({ PrivateIpAddress: '10.0.1.77', SubnetId: subnetId })
    expect(instance.NetworkInterfaces![0]).toMatchObject({
      NetworkInterfaceId: eni,
      Attachment: { DeleteOnTermination: false },
    })
    await expectError(
      run(client, { NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: eni }] }),
      'InvalidNetworkInterface.InUse',
      `Interface: [${eni}] in use.`,
    )
    await expectError(
      client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni })),
      'InvalidParameterValue',
      `Network interface '${eni}' is currently in use.`,
    )
    await expectError(
      run(client, { NetworkInterfaces: [{ DeviceIndex: 0, NetworkInterfaceId: eni, SubnetId: subnetId }] }),
      'InvalidParameterCombination',
    )

    await terminate(client, instance.InstanceId!)
    const after = (await client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })))
      .NetworkInterfaces![0]!
    expect(after).toMatchObject({ Status: 'available', PrivateIpAddress: '10.0.1.77' })
    expect(after.Attachment).toBeUndefined()
    expect(await availableIn(client, subnetId)).toBe(250)
    await client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni }))
  })

  it('refuses what it cannot launch, with the AWS codes', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId, defaultGroupId } = await network(client)
    await launch(client, { SubnetId: subnetId, PrivateIpAddress: '10.0.1.9' })
    const cases: [Partial<RunInstancesCommandInput>, string, string?][] = [
      [{}, 'VPCIdNotSpecified', 'No default VPC for this user'],
      [
        { SubnetId: subnetId, SecurityGroups: ['default'] },
        'InvalidParameterCombination',
        'The parameter groupName cannot be used with the parameter subnet',
      ],
      [{ SecurityGroups: ['default'] }, 'VPCIdNotSpecified'],
      [
        { SubnetId: subnetId, ImageId: 'ubuntu' },
        'InvalidAMIID.Malformed',
        'Invalid id: "ubuntu" (expecting "ami-...")',
      ],
      [
        { SubnetId: subnetId, InstanceType: 'huge' as RunInstancesCommandInput['InstanceType'] },
        'InvalidParameterValue',
      ],
      [
        { SubnetId: subnetId, PrivateIpAddress: '10.0.1.9' },
        'InvalidIPAddress.InUse',
        'Address 10.0.1.9 is in use.',
      ],
      [{ SubnetId: subnetId, PrivateIpAddress: '10.0.9.9' }, 'InvalidParameterValue'],
      [{ SubnetId: subnetId, PrivateIpAddress: '10.0.1.20', MaxCount: 2 }, 'InvalidParameterCombination'],
      [{ SubnetId: 'subnet-0123456789abcdef0' }, 'InvalidSubnetID.NotFound'],
      [{ SubnetId: subnetId, SecurityGroupIds: ['sg-0123456789abcdef0'] }, 'InvalidGroup.NotFound'],
      [
        {
          SubnetId: subnetId,
          TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'k', Value: 'v' }] }],
        },
        'InvalidParameterValue',
      ],
      [{ SubnetId: subnetId, Ipv6AddressCount: 1 }, 'InvalidParameterValue'],
    ]
    for (const [input, code, message] of cases) await expectError(run(client, input), code, message)

    const groups = [defaultGroupId]
    for (let i = 0; i < 5; i++) groups.push(await securityGroup(client, vpcId, `g${i}`))
    await expectError(
      run(client, { SubnetId: subnetId, SecurityGroupIds: groups }),
      'SecurityGroupsPerInterfaceLimitExceeded',
    )
    const other = await network(client)
    await expectError(
      run(client, { SubnetId: subnetId, SecurityGroupIds: [other.defaultGroupId] }),
      'InvalidParameter',
      `Security group ${other.defaultGroupId} and subnet ${subnetId} belong to different networks.`,
    )
    const noImage = await postForm(server.url, {
      Action: 'RunInstances',
      Version: '2016-11-15',
      MinCount: '1',
      MaxCount: '1',
    })
    expect(errorOf(noImage)).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter ImageId',
    })
    expect((await describeInstances(client, {})).length).toBe(1)
  })

  it('returns the first reservation again for a repeated ClientToken', async () => {
    const client = freshClient(server.url)
    const { subnetId } = await network(client)
    const first = await run(client, { SubnetId: subnetId, MaxCount: 2, ClientToken: 'launch-1' })
    const again = await run(client, { SubnetId: subnetId, MaxCount: 2, ClientToken: 'launch-1' })
    expect(again.ReservationId).toBe(first.ReservationId)
    expect(again.Instances!.map((i) => i.InstanceId).sort(byCodeUnit)).toEqual(
      first.Instances!.map((i) => i.InstanceId).sort(byCodeUnit),
    )
    expect(first.Instances![0]!.ClientToken).toBe('launch-1')
    await expectError(
      run(client, { SubnetId: subnetId, ClientToken: 'launch-1', InstanceType: 'c5.large' }),
      'IdempotentParameterMismatch',
    )
  })
})

describe('DescribeInstances', () => {
  it('filters by instance and interface fields, groups by reservation and pages by instance', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const web = await securityGroup(client, vpcId, 'web')
    const four = await run(client, { SubnetId: subnetId, MaxCount: 4, InstanceType: 't3.small' })
    const three = await run(client, { SubnetId: subnetId, MaxCount: 3, SecurityGroupIds: [web] })
    const all = [...four.Instances!, ...three.Instances!].map((i) => i.InstanceId!).sort(byCodeUnit)
    const webIds = three.Instances!.map((i) => i.InstanceId!).sort(byCodeUnit)
    const first = four.Instances![0]!
    await client.send(
      new CreateTagsCommand({ Resources: [first.InstanceId!], Tags: [{ Key: 'Name', Value: 'one' }] }),
    )

    const reservations = (await client.send(new DescribeInstancesCommand({}))).Reservations!
    expect(reservations.map((r) => [r.ReservationId, r.Instances!.length])).toEqual([
      [four.ReservationId, 4],
      [three.ReservationId, 3],
    ])
    const byFilter = (Name: string, ...Values: string[]) => instanceIds(client, [{ Name, Values }])
    expect(await byFilter('instance.group-id', web)).toEqual(webIds)
    expect(await byFilter('instance.group-name', 'web')).toEqual(webIds)
    expect(await byFilter('network-interface.group-name', 'web')).toEqual(webIds)
    expect(await byFilter('reservation-id', three.ReservationId!)).toEqual(webIds)
    expect(await byFilter('instance-type', 't3.small')).toEqual(
      four.Instances!.map((i) => i.InstanceId!).sort(byCodeUnit),
    )
    expect(await byFilter('tag:Name', 'one')).toEqual([first.InstanceId])
    expect(await byFilter('private-ip-address', first.PrivateIpAddress!)).toEqual([first.InstanceId])
    expect(await byFilter('network-interface.addresses.private-ip-address', first.PrivateIpAddress!)).toEqual(
      [first.InstanceId],
    )
    const eth0 = first.NetworkInterfaces![0]!.NetworkInterfaceId!
    expect(await byFilter('network-interface.network-interface-id', eth0)).toEqual([first.InstanceId])
    for (const [name, value] of [
      ['instance-state-name', 'running'],
      ['instance-state-code', '16'],
      ['subnet-id', subnetId],
      ['vpc-id', vpcId],
      ['image-id', IMAGE],
      ['owner-id', client.accountId],
      ['architecture', 'x86_64'],
      ['availability-zone', first.Placement!.AvailabilityZone!],
      ['private-dns-name', 'ip-10-0-1-*.ec2.internal'],
    ]) {
      expect(await byFilter(name!, value!), name).toEqual(all)
    }
    expect(await byFilter('instance-id', first.InstanceId!, 'i-0123456789abcdef0')).toEqual([
      first.InstanceId,
    ])
    expect(await byFilter('ip-address', '*')).toEqual([])

    const pages: string[][] = []
    for await (const page of paginateDescribeInstances({ client, pageSize: 5 }, {})) {
      pages.push((page.Reservations ?? []).flatMap((r) => r.Instances!.map((i) => i.InstanceId!)))
    }
    expect(pages.map((p) => p.length)).toEqual([5, 2])
    expect(pages.flat().sort(byCodeUnit)).toEqual(all)

    await expectError(client.send(new DescribeInstancesCommand({ MaxResults: 4 })), 'InvalidParameterValue')
    await expectError(
      client.send(new DescribeInstancesCommand({ InstanceIds: [first.InstanceId!], MaxResults: 5 })),
      'InvalidParameterCombination',
    )
    await expectError(
      client.send(new DescribeInstancesCommand({ InstanceIds: ['i-12'] })),
      'InvalidInstanceID.Malformed',
      'Invalid id: "i-12" (expecting "i-...")',
    )
    await expectError(
      client.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] })),
      'InvalidInstanceID.NotFound',
      "The instance ID 'i-0123456789abcdef0' does not exist",
    )
    await expectError(
      freshClient(server.url).send(new DescribeInstancesCommand({ InstanceIds: [first.InstanceId!] })),
      'InvalidInstanceID.NotFound',
    )
    await expectError(
      client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'instance-color', Values: ['x'] }] })),
      'InvalidParameterValue',
    )
  })
})

describe('TerminateInstances', () => {
  it('terminates with the interface, shows the instance terminated for an hour, then forgets it', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const web = await securityGroup(client, vpcId, 'web')
    const instance = await launch(client, { SubnetId: subnetId, SecurityGroupIds: [web] })
    const id = instance.InstanceId!
    const eni = instance.NetworkInterfaces![0]!.NetworkInterfaceId!

    // A call naming one unknown instance terminates none.
    await expectError(terminate(client, id, 'i-0123456789abcdef0'), 'InvalidInstanceID.NotFound')
    await expectError(terminate(client, 'instance-1'), 'InvalidInstanceID.Malformed')
    expect((await described(client, id)).State?.Name).toBe('running')

    const answer = await terminate(client, id)
    expect(answer.TerminatingInstances).toEqual([
      {
        InstanceId: id,
        CurrentState: { Code: 32, Name: 'shutting-down' },
        PreviousState: { Code: 16, Name: 'running' },
      },
    ])
    await waitUntilInstanceTerminated(waiter(client), { InstanceIds: [id] })
    const gone = await described(client, id)
    expect(gone).toMatchObject({
      State: { Code: 48, Name: 'terminated' },
      StateReason: { Code: 'Client.UserInitiatedShutdown' },
      StateTransitionReason: expect.stringMatching(/^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/),
      NetworkInterfaces: [],
      SecurityGroups: [],
      ImageId: IMAGE,
    })
    expect([gone.PrivateIpAddress, gone.SubnetId, gone.VpcId]).toEqual([undefined, undefined, undefined])
    expect(await instanceIds(client, [{ Name: 'instance-state-name', Values: ['terminated'] }])).toEqual([id])
    await expectError(
      client.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni] })),
      'InvalidNetworkInterfaceID.NotFound',
    )
    expect(await availableIn(client, subnetId)).toBe(251)

    // Terminating it again is no error.
    expect((await terminate(client, id)).TerminatingInstances).toEqual([
      {
        InstanceId: id,
        CurrentState: { Code: 48, Name: 'terminated' },
        PreviousState: { Code: 48, Name: 'terminated' },
      },
    ])
    // A terminated instance holds nothing back.
    await client.send(new DeleteSecurityGroupCommand({ GroupId: web }))
    await client.send(new DeleteSubnetCommand({ SubnetId: subnetId }))
    await client.send(new DeleteVpcCommand({ VpcId: vpcId }))

    server.clock.advance(3600 * 1000)
    expect(await describeInstances(client, {})).toEqual([])
    await expectError(
      client.send(new DescribeInstancesCommand({ InstanceIds: [id] })),
      'InvalidInstanceID.NotFound',
    )
    await expectError(terminate(client, id), 'InvalidInstanceID.NotFound')
    const missing = await postForm(server.url, { Action: 'TerminateInstances', Version: '2016-11-15' })
    expect(errorOf(missing).code).toBe('MissingParameter')
  })
})

describe('what a running instance holds back', () => {
  it('keeps its subnet, groups and VPC from being deleted, and its interface from going alone', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const web = await securityGroup(client, vpcId, 'web')
    const instance = await launch(client, { SubnetId: subnetId, SecurityGroupIds: [web] })
    await expectError(client.send(new DeleteSubnetCommand({ SubnetId: subnetId })), 'DependencyViolation')
    await expectError(client.send(new DeleteSecurityGroupCommand({ GroupId: web })), 'DependencyViolation')
    await expectError(client.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation')
    const eni = instance.NetworkInterfaces![0]!.NetworkInterfaceId!
    await expectError(
      client.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni })),
      'InvalidParameterValue',
      `Network interface '${eni}' is currently in use.`,
    )
  })

  it('is a route target of its VPC, named by the instance id', async () => {
    const client = freshClient(server.url)
    const { subnetId, vpcId } = await network(client)
    const [main] = await describeTables(client, {
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    })
    const mainTableId = main!.RouteTableId!
    const instance = await launch(client, { SubnetId: subnetId })
    await client.send(
      new CreateRouteCommand({
        RouteTableId: mainTableId,
        DestinationCidrBlock: '192.168.0.0/16',
        InstanceId: instance.InstanceId,
      }),
    )
    expect(await routeTo(client, mainTableId, '192.168.0.0/16')).toMatchObject({
      InstanceId: instance.InstanceId,
      State: 'active',
    })
    await expectError(
      client.send(
        new CreateRouteCommand({
          RouteTableId: mainTableId,
          DestinationCidrBlock: '172.16.0.0/16',
          InstanceId: 'i-0123456789abcdef0',
        }),
      ),
      'InvalidInstanceID.NotFound',
    )
  })
})

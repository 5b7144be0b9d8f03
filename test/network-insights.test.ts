import {
  AcceptVpcPeeringConnectionCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNetworkInsightsPathCommand,
  type CreateNetworkInsightsPathCommandInput,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteNetworkInsightsAnalysisCommand,
  DeleteNetworkInsightsPathCommand,
  DescribeNetworkInsightsAnalysesCommand,
  type DescribeNetworkInsightsAnalysesCommandInput,
  DescribeNetworkInsightsPathsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type IpPermission,
  type NetworkInsightsAnalysis,
  type NetworkInterface,
  type Protocol,
  paginateDescribeNetworkInsightsAnalyses,
  paginateDescribeNetworkInsightsPaths,
  RunInstancesCommand,
  StartNetworkInsightsAnalysisCommand,
  type StartNetworkInsightsAnalysisCommandInput,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError, freshClient } from './support/ec2.js'
import { subnetIn, vpcWithMainTable } from './support/routing.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'
import { awsCliInstalled, runWalkthrough } from './support/walkthrough.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const UNKNOWN_PATH = 'nip-0123456789abcdef0'
const UNKNOWN_ANALYSIS = 'nia-0123456789abcdef0'

const peer = async (client: EC2Client, VpcId: string, PeerVpcId: string) => {
  const pcx = (await client.send(new CreateVpcPeeringConnectionCommand({ VpcId, PeerVpcId })))
    .VpcPeeringConnection!.VpcPeeringConnectionId!
  await client.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))
  return pcx
}

const route = (
  client: EC2Client,
  RouteTableId: string,
  destination: string,
  VpcPeeringConnectionId: string,
) =>
  client.send(
    new CreateRouteCommand({
      RouteTableId,
      VpcPeeringConnectionId,
      ...(destination.includes(':')
        ? { DestinationIpv6CidrBlock: destination }
        : { DestinationCidrBlock: destination }),
    }),
  )

async function groupAllowing(
  client: EC2Client,
  VpcId: string,
  GroupName: string,
  IpPermissions: IpPermission[],
) {
  const GroupId = (
    await client.send(new CreateSecurityGroupCommand({ VpcId, GroupName, Description: GroupName }))
  ).GroupId!
  await client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions }))
  return GroupId
}

/** An interface with one IPv6 address when its subnet has an IPv6 block. */
const networkInterface = async (client: EC2Client, SubnetId: string, groupId: string, ipv6 = false) =>
  (
    await client.send(
      new CreateNetworkInterfaceCommand({
        SubnetId,
        Groups: [groupId],
        ...(ipv6 ? { Ipv6AddressCount: 1 } : {}),
      }),
    )
  ).NetworkInterface! as NetworkInterface

/**
 * Three VPCs in a row, A ↔ B ↔ C, each pair peered and routed both ways, plus a route in A
 * that tries to reach C through B. A and B are dual stack. B's database interface takes
 * PostgreSQL and ICMP from A; C takes anything from 10.0.0.0/8.
 */
async function peeredEstate() {
  const client = freshClient(server.url)
  const a = await vpcWithMainTable(client, '10.0.0.0/16', true)
  const b = await vpcWithMainTable(client, '10.1.0.0/16', true)
  const c = await vpcWithMainTable(client, '10.2.0.0/16')
  const dualStackSubnet = async (vpc: { vpcId: string; ipv6CidrBlock?: string | undefined }, cidr: string) =>
    (
      await client.send(
        new CreateSubnetCommand({
          VpcId: vpc.vpcId,
          CidrBlock: cidr,
          Ipv6CidrBlock: vpc.ipv6CidrBlock!.replace('/56', '/64'),
        }),
      )
    ).Subnet!.SubnetId!
  const subnetA = await dualStackSubnet(a, '10.0.1.0/24')
  const subnetB = await dualStackSubnet(b, '10.1.1.0/24')
  const subnetC = await subnetIn(client, c.vpcId, '10.2.1.0/24')
  const pcxAB = await peer(client, a.vpcId, b.vpcId)
  const pcxBC = await peer(client, b.vpcId, c.vpcId)
  await route(client, a.mainTableId, '10.1.0.0/16', pcxAB)
  await route(client, a.mainTableId, b.ipv6CidrBlock!, pcxAB)
  await route(client, a.mainTableId, '10.2.0.0/16', pcxAB)
  await route(client, b.mainTableId, '10.0.0.0/16', pcxAB)
  await route(client, b.mainTableId, a.ipv6CidrBlock!, pcxAB)
  await route(client, b.mainTableId, '10.2.0.0/16', pcxBC)
  await route(client, c.mainTableId, '10.1.0.0/16', pcxBC)
  await route(client, c.mainTableId, '10.0.0.0/16', pcxBC)

  const appGroup = await groupAllowing(client, a.vpcId, 'app', [
    { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
  ])
  // A new group sends anywhere over IPv4 only.
  await client.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: appGroup,
      IpPermissions: [{ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: '::/0' }] }],
    }),
  )
  const dbGroup = await groupAllowing(client, b.vpcId, 'db', [
    { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
    { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, Ipv6Ranges: [{ CidrIpv6: a.ipv6CidrBlock! }] },
    { IpProtocol: 'icmp', FromPort: -1, ToPort: -1, IpRanges: [{ CidrIp: '10.0.0.0/16' }] },
  ])
  const cGroup = await groupAllowing(client, c.vpcId, 'c', [
    { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
  ])
  const app = await networkInterface(client, subnetA, appGroup, true)
  const db = await networkInterface(client, subnetB, dbGroup, true)
  const far = await networkInterface(client, subnetC, cGroup)
  const instance = (
    await client.send(
      new RunInstancesCommand({
        ImageId: 'ami-12345678',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnetA,
        SecurityGroupIds: [appGroup],
      }),
    )
  ).Instances![0]!.InstanceId!
  await client.send(
    new CreateTagsCommand({ Resources: [pcxAB], Tags: [{ Key: 'Name', Value: 'app-to-db' }] }),
  )
  await client.send(
    new CreateTagsCommand({ Resources: [db.NetworkInterfaceId!], Tags: [{ Key: 'Name', Value: 'db' }] }),
  )
  return { client, a, b, c, subnetA, pcxAB, pcxBC, app, db, far, dbGroup, instance }
}

type Estate = Awaited<ReturnType<typeof peeredEstate>>
let estate: Estate
beforeAll(async () => {
  estate = await peeredEstate()
})

/** tcp unless another protocol is given; the SDK's type lists only AWS's tcp and udp. */
const createPath = async (
  client: EC2Client,
  input: Omit<CreateNetworkInsightsPathCommandInput, 'Protocol'> & { Protocol?: string },
) =>
  (
    await client.send(
      new CreateNetworkInsightsPathCommand({ ...input, Protocol: (input.Protocol ?? 'tcp') as Protocol }),
    )
  ).NetworkInsightsPath!

const startAnalysis = async (client: EC2Client, input: StartNetworkInsightsAnalysisCommandInput) =>
  (await client.send(new StartNetworkInsightsAnalysisCommand(input))).NetworkInsightsAnalysis!

const describeAnalyses = async (client: EC2Client, input: DescribeNetworkInsightsAnalysesCommandInput) =>
  (await client.send(new DescribeNetworkInsightsAnalysesCommand(input))).NetworkInsightsAnalyses ?? []

/** Creates a path, analyses it, and returns the analysis as the first Describe shows it. */
async function analysisOf(
  client: EC2Client,
  input: Parameters<typeof createPath>[1],
  options: Omit<StartNetworkInsightsAnalysisCommandInput, 'NetworkInsightsPathId'> = {},
): Promise<NetworkInsightsAnalysis> {
  const path = await createPath(client, input)
  const started = await startAnalysis(client, {
    NetworkInsightsPathId: path.NetworkInsightsPathId!,
    ...options,
  })
  return (
    await describeAnalyses(client, { NetworkInsightsAnalysisIds: [started.NetworkInsightsAnalysisId!] })
  )[0]!
}

const codes = (analysis: NetworkInsightsAnalysis) =>
  (analysis.Explanations ?? []).map((e) => e.ExplanationCode)
const componentIds = (components: NetworkInsightsAnalysis['ForwardPathComponents']) =>
  (components ?? []).map((c) => c.Component?.Id)

describe('network insights paths', () => {
  it('creates a path from an instance to an interface and echoes it as AWS does', async () => {
    const { client, instance, db } = estate
    const path = await createPath(client, {
      Source: instance,
      Destination: db.NetworkInterfaceId!,
      DestinationPort: 5432,
      TagSpecifications: [
        { ResourceType: 'network-insights-path', Tags: [{ Key: 'Name', Value: 'app-db' }] },
      ],
    })
    expect(path.NetworkInsightsPathId).toMatch(/^nip-[0-9a-f]{17}$/)
    expect(path).toMatchObject({
      NetworkInsightsPathArn: `arn:aws:ec2:us-east-1:${client.accountId}:network-insights-path/${path.NetworkInsightsPathId}`,
      Source: instance,
      SourceArn: `arn:aws:ec2:us-east-1:${client.accountId}:instance/${instance}`,
      Destination: db.NetworkInterfaceId,
      DestinationArn: `arn:aws:ec2:us-east-1:${client.accountId}:network-interface/${db.NetworkInterfaceId}`,
      Protocol: 'tcp',
      DestinationPort: 5432,
      Tags: [{ Key: 'Name', Value: 'app-db' }],
    })
    expect(path.CreatedDate).toBeInstanceOf(Date)
    const described = (
      await client.send(
        new DescribeNetworkInsightsPathsCommand({ NetworkInsightsPathIds: [path.NetworkInsightsPathId!] }),
      )
    ).NetworkInsightsPaths
    expect(described).toEqual([path])
  })

  it('takes the source and destination as ARNs, and stores and echoes the filters', async () => {
    const { client, app, db } = estate
    const arnOf = (id: string) => `arn:aws:ec2:us-east-1:${client.accountId}:network-interface/${id}`
    const path = await createPath(client, {
      Source: arnOf(app.NetworkInterfaceId!),
      Destination: arnOf(db.NetworkInterfaceId!),
      Protocol: 'UDP',
      FilterAtSource: {
        SourceAddress: app.PrivateIpAddress!,
        DestinationPortRange: { FromPort: 53, ToPort: 53 },
      },
      FilterAtDestination: { SourcePortRange: { FromPort: 1024, ToPort: 65535 } },
    })
    expect(path).toMatchObject({
      Source: app.NetworkInterfaceId,
      SourceArn: arnOf(app.NetworkInterfaceId!),
      Destination: db.NetworkInterfaceId,
      Protocol: 'udp',
      FilterAtSource: {
        SourceAddress: app.PrivateIpAddress,
        DestinationPortRange: { FromPort: 53, ToPort: 53 },
      },
      FilterAtDestination: { SourcePortRange: { FromPort: 1024, ToPort: 65535 } },
    })
  })

  it('accepts, unlike AWS, icmp, icmpv6 and protocol numbers, naming the ones that have names', async () => {
    const { client, app, db } = estate
    const protocolOf = async (Protocol: string) =>
      (
        await createPath(client, {
          Source: app.NetworkInterfaceId!,
          Destination: db.NetworkInterfaceId!,
          Protocol,
        })
      ).Protocol
    expect(await protocolOf('icmp')).toBe('icmp')
    expect(await protocolOf('ICMPv6')).toBe('icmpv6')
    expect(await protocolOf('6')).toBe('tcp')
    expect(await protocolOf('17')).toBe('udp')
    expect(await protocolOf('47')).toBe('47')
    await expectError(protocolOf('gre'), 'InvalidParameterValue', /Protocol/)
    await expectError(protocolOf('256'), 'InvalidParameterValue', /Protocol/)
  })

  it('returns the first path for a repeated client token, and refuses it for a different path', async () => {
    const { client, app, db, far } = estate
    const create = (Destination: string) =>
      createPath(client, { Source: app.NetworkInterfaceId!, Destination, ClientToken: 'path-token' })
    const first = await create(db.NetworkInterfaceId!)
    expect((await create(db.NetworkInterfaceId!)).NetworkInsightsPathId).toBe(first.NetworkInsightsPathId)
    await expectError(create(far.NetworkInterfaceId!), 'IdempotentParameterMismatch')
  })

  it('checks the ends, the addresses and the parameter combinations', async () => {
    const { client, app, db, a } = estate
    const source = app.NetworkInterfaceId!
    const destination = db.NetworkInterfaceId!
    await expectError(
      createPath(client, { Source: 'eni-0123456789abcdef0', Destination: destination }),
      'NetworkInsightsSource.NotFound',
      "The source 'eni-0123456789abcdef0' does not exist",
    )
    await expectError(
      createPath(client, { Source: source, Destination: 'i-0123456789abcdef0' }),
      'NetworkInsightsDestination.NotFound',
    )
    // An ARN must name the resource where it is: another account's ARN for it is not found.
    await expectError(
      createPath(client, {
        Source: `arn:aws:ec2:us-east-1:123456789012:network-interface/${source}`,
        Destination: destination,
      }),
      'NetworkInsightsSource.NotFound',
    )
    await expectError(
      createPath(client, { Source: a.vpcId, Destination: destination }),
      'InvalidParameterValue',
      /Source/,
    )
    await expectError(
      createPath(client, { Source: 'arn:aws:s3:::bucket', Destination: destination }),
      'InvalidParameterValue',
    )
    await expectError(
      createPath(client, { Source: source, Destination: destination, SourceIp: '10.0.1' }),
      'InvalidParameterValue',
      /SourceIp/,
    )
    await expectError(
      createPath(client, {
        Source: source,
        Destination: destination,
        SourceIp: app.PrivateIpAddress!,
        FilterAtSource: { DestinationAddress: db.PrivateIpAddress! },
      }),
      'InvalidParameterCombination',
    )
    await expectError(
      createPath(client, {
        Source: source,
        DestinationIp: db.PrivateIpAddress!,
        FilterAtDestination: { SourceAddress: app.PrivateIpAddress! },
      }),
      'InvalidParameterCombination',
    )
    await expectError(
      createPath(client, {
        Source: source,
        Destination: destination,
        FilterAtSource: { DestinationPortRange: { FromPort: 30, ToPort: 20 } },
      }),
      'InvalidParameterValue',
      /FromPort is greater than ToPort/,
    )
    await expectError(createPath(client, { Source: source }), 'MissingParameter', /Destination/)
    await expectError(
      createPath(client, {
        Source: source,
        Destination: destination,
        TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'x' }] }],
      }),
      'InvalidParameterValue',
    )
  })

  it('finds paths by id, by filter and page by page', async () => {
    const client = freshClient(server.url)
    const { vpcId } = await vpcWithMainTable(client, '10.9.0.0/16')
    const subnet = await subnetIn(client, vpcId, '10.9.1.0/24')
    const groupId = await groupAllowing(client, vpcId, 'any', [
      { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    ])
    const [x, y] = [
      await networkInterface(client, subnet, groupId),
      await networkInterface(client, subnet, groupId),
    ]
    const tcp = await createPath(client, {
      Source: x.NetworkInterfaceId!,
      Destination: y.NetworkInterfaceId!,
      FilterAtSource: { DestinationPortRange: { FromPort: 22, ToPort: 22 } },
      TagSpecifications: [{ ResourceType: 'network-insights-path', Tags: [{ Key: 'team', Value: 'net' }] }],
    })
    const udp = await createPath(client, {
      Source: y.NetworkInterfaceId!,
      DestinationIp: x.PrivateIpAddress!,
      Protocol: 'udp',
    })
    const icmp = await createPath(client, {
      Source: x.NetworkInterfaceId!,
      Destination: y.NetworkInterfaceId!,
      Protocol: 'icmp',
    })
    const ids = async (Filters: { Name: string; Values: string[] }[]) =>
      (
        (await client.send(new DescribeNetworkInsightsPathsCommand({ Filters }))).NetworkInsightsPaths ?? []
      ).map((p) => p.NetworkInsightsPathId)
    expect(await ids([])).toEqual([tcp, udp, icmp].map((p) => p.NetworkInsightsPathId))
    expect(await ids([{ Name: 'protocol', Values: ['udp', 'icmp'] }])).toEqual([
      udp.NetworkInsightsPathId,
      icmp.NetworkInsightsPathId,
    ])
    expect(await ids([{ Name: 'source', Values: [y.NetworkInterfaceId!] }])).toEqual([
      udp.NetworkInsightsPathId,
    ])
    expect(await ids([{ Name: 'destination', Values: [tcp.DestinationArn!] }])).toEqual([
      tcp.NetworkInsightsPathId,
      icmp.NetworkInsightsPathId,
    ])
    expect(await ids([{ Name: 'filter-at-source.destination-port-range', Values: ['22-22'] }])).toEqual([
      tcp.NetworkInsightsPathId,
    ])
    expect(await ids([{ Name: 'tag:team', Values: ['net'] }])).toEqual([tcp.NetworkInsightsPathId])
    await expectError(
      ids([{ Name: 'status', Values: ['x'] }]),
      'InvalidParameterValue',
      "The filter 'status' is invalid",
    )

    const pages = []
    for await (const page of paginateDescribeNetworkInsightsPaths({ client, pageSize: 1 }, {})) {
      pages.push((page.NetworkInsightsPaths ?? []).map((p) => p.NetworkInsightsPathId))
    }
    expect(pages).toEqual([
      [tcp.NetworkInsightsPathId],
      [udp.NetworkInsightsPathId],
      [icmp.NetworkInsightsPathId],
    ])
    await expectError(
      client.send(new DescribeNetworkInsightsPathsCommand({ MaxResults: 0 })),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(new DescribeNetworkInsightsPathsCommand({ MaxResults: 101 })),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(
        new DescribeNetworkInsightsPathsCommand({
          NetworkInsightsPathIds: [tcp.NetworkInsightsPathId!],
          MaxResults: 5,
        }),
      ),
      'InvalidParameterCombination',
    )
  })

  it('answers NotFound and Malformed for path ids, also to other accounts', async () => {
    const { client, app, db } = estate
    const path = await createPath(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
    })
    const stranger = freshClient(server.url)
    for (const [caller, id] of [
      [client, UNKNOWN_PATH],
      [stranger, path.NetworkInsightsPathId!],
    ] as const) {
      await expectError(
        caller.send(new DescribeNetworkInsightsPathsCommand({ NetworkInsightsPathIds: [id] })),
        'InvalidNetworkInsightsPathId.NotFound',
        `The networkInsightsPath ID '${id}' does not exist`,
      )
      await expectError(
        caller.send(new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: id })),
        'InvalidNetworkInsightsPathId.NotFound',
      )
      await expectError(
        startAnalysis(caller, { NetworkInsightsPathId: id }),
        'InvalidNetworkInsightsPathId.NotFound',
      )
    }
    await expectError(
      startAnalysis(client, { NetworkInsightsPathId: 'path-1' }),
      'InvalidNetworkInsightsPathId.Malformed',
      'Invalid id: "path-1" (expecting "nip-...")',
    )
    await expectError(
      client.send(new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: 'nip-xyz' })),
      'InvalidNetworkInsightsPathId.Malformed',
    )
    await expectError(
      describeAnalyses(client, { NetworkInsightsPathId: 'nip-xyz' }),
      'InvalidNetworkInsightsPathId.Malformed',
    )
  })
})

describe('network insights analyses', () => {
  it('answers the start as running and shows the finished, reachable analysis on the first describe', async () => {
    const { client, instance, db, pcxAB, a, b } = estate
    const path = await createPath(client, {
      Source: instance,
      Destination: db.NetworkInterfaceId!,
      DestinationPort: 5432,
    })
    const started = await startAnalysis(client, {
      NetworkInsightsPathId: path.NetworkInsightsPathId!,
      TagSpecifications: [{ ResourceType: 'network-insights-analysis', Tags: [{ Key: 'run', Value: '1' }] }],
    })
    expect(started.NetworkInsightsAnalysisId).toMatch(/^nia-[0-9a-f]{17}$/)
    expect(started).toMatchObject({
      NetworkInsightsAnalysisArn: `arn:aws:ec2:us-east-1:${client.accountId}:network-insights-analysis/${started.NetworkInsightsAnalysisId}`,
      NetworkInsightsPathId: path.NetworkInsightsPathId,
      Status: 'running',
      Tags: [{ Key: 'run', Value: '1' }],
    })
    expect(started.StartDate).toBeInstanceOf(Date)
    expect(started.NetworkPathFound).toBeUndefined()

    const [analysis] = await describeAnalyses(client, {
      NetworkInsightsAnalysisIds: [started.NetworkInsightsAnalysisId!],
    })
    expect(analysis).toMatchObject({ Status: 'succeeded', NetworkPathFound: true, Explanations: [] })
    const forward = analysis!.ForwardPathComponents!
    expect(forward.map((c) => c.SequenceNumber)).toEqual(forward.map((_, i) => i + 1))
    expect(componentIds(forward)).toEqual(expect.arrayContaining([pcxAB, db.NetworkInterfaceId]))
    // The route that carried the packet into the peering, with AWS's member names.
    expect(forward.map((c) => c.RouteTableRoute).filter((r) => r !== undefined)).toContainEqual(
      expect.objectContaining({
        DestinationCidr: '10.1.0.0/16',
        VpcPeeringConnectionId: pcxAB,
        State: 'active',
      }),
    )
    // Components carry the caller's Name tags.
    expect(forward.find((c) => c.Component?.Id === pcxAB)?.Component).toEqual({
      Id: pcxAB,
      Arn: `arn:aws:ec2:us-east-1:${client.accountId}:vpc-peering-connection/${pcxAB}`,
      Name: 'app-to-db',
    })
    expect(forward.find((c) => c.Component?.Id === db.NetworkInterfaceId)?.Component?.Name).toBe('db')
    // The instance's interface says whose it is, as AWS's AttachedTo does.
    expect(forward[0]?.AttachedTo).toEqual({
      Id: instance,
      Arn: `arn:aws:ec2:us-east-1:${client.accountId}:instance/${instance}`,
    })
    const headers = forward.flatMap((c) => [c.InboundHeader, c.OutboundHeader]).filter((h) => h !== undefined)
    expect(headers).toContainEqual(
      expect.objectContaining({
        DestinationAddresses: [`${db.PrivateIpAddress}/32`],
        DestinationPortRanges: [{ From: 5432, To: 5432 }],
        Protocol: '6',
      }),
    )
    const vpcs = forward.flatMap((c) => [c.Vpc?.Id, c.SourceVpc?.Id, c.DestinationVpc?.Id])
    expect(vpcs).toEqual(expect.arrayContaining([a.vpcId, b.vpcId]))
    // The reply comes back through the same peering.
    const back = analysis!.ReturnPathComponents!
    expect(back.length).toBeGreaterThan(0)
    expect(componentIds(back)).toContain(pcxAB)
    expect(back.map((c) => c.RouteTableRoute).filter((r) => r !== undefined)).toContainEqual(
      expect.objectContaining({ DestinationCidr: '10.0.0.0/16', VpcPeeringConnectionId: pcxAB }),
    )
  })

  it('finds no transitive path through a peer: PCX_REQUIRES_ADDRESS_IN_VPC_CIDR', async () => {
    const { client, app, far, pcxAB } = estate
    const analysis = await analysisOf(client, {
      Source: app.NetworkInterfaceId!,
      Destination: far.NetworkInterfaceId!,
      DestinationPort: 22,
    })
    expect(analysis).toMatchObject({ Status: 'succeeded', NetworkPathFound: false, ReturnPathComponents: [] })
    const explanation = analysis.Explanations!.find(
      (e) => e.ExplanationCode === 'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR',
    )
    expect(explanation?.VpcPeeringConnection).toMatchObject({ Id: pcxAB, Name: 'app-to-db' })
  })

  it('finds no route to an address no route covers: NO_ROUTE_TO_DESTINATION', async () => {
    const { client, app } = estate
    const analysis = await analysisOf(client, {
      Source: app.NetworkInterfaceId!,
      DestinationIp: '10.7.0.9',
      DestinationPort: 443,
    })
    expect(analysis.NetworkPathFound).toBe(false)
    expect(codes(analysis)).toContain('NO_ROUTE_TO_DESTINATION')
    const explanation = analysis.Explanations!.find((e) => e.ExplanationCode === 'NO_ROUTE_TO_DESTINATION')
    expect(explanation?.RouteTable?.Id).toBe(estate.a.mainTableId)
  })

  it('names the security group that refuses a port: ENI_SG_RULES_MISMATCH', async () => {
    const { client, app, db, dbGroup } = estate
    const analysis = await analysisOf(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
      DestinationPort: 22,
    })
    expect(analysis.NetworkPathFound).toBe(false)
    const explanation = analysis.Explanations!.find((e) => e.ExplanationCode === 'ENI_SG_RULES_MISMATCH')
    expect(explanation).toMatchObject({
      Direction: 'ingress',
      Component: { Id: db.NetworkInterfaceId, Name: 'db' },
      NetworkInterface: { Id: db.NetworkInterfaceId },
    })
    expect(explanation!.SecurityGroups!.map((g) => g.Id)).toEqual([dbGroup])
  })

  it('analyses IPv6 paths between the addresses given', async () => {
    const { client, app, db, pcxAB } = estate
    const source = app.Ipv6Addresses![0]!.Ipv6Address!
    const destination = db.Ipv6Addresses![0]!.Ipv6Address!
    const analysis = await analysisOf(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
      SourceIp: source,
      DestinationIp: destination,
      DestinationPort: 5432,
    })
    expect(analysis).toMatchObject({ Status: 'succeeded', NetworkPathFound: true })
    expect(componentIds(analysis.ForwardPathComponents)).toContain(pcxAB)
    const headers = analysis.ForwardPathComponents!.flatMap((c) => [c.InboundHeader, c.OutboundHeader])
    expect(headers).toContainEqual(
      expect.objectContaining({
        SourceAddresses: [`${source}/128`],
        DestinationAddresses: [`${destination}/128`],
      }),
    )
  })

  it('analyses other protocols than tcp: icmp gets through, udp is refused', async () => {
    const { client, app, db } = estate
    const ping = await analysisOf(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
      Protocol: 'icmp',
      DestinationPort: 8,
    })
    expect(ping).toMatchObject({ Status: 'succeeded', NetworkPathFound: true })
    const headers = ping.ForwardPathComponents!.flatMap((c) => [c.InboundHeader, c.OutboundHeader])
    expect(headers).toContainEqual(expect.objectContaining({ Protocol: '1' }))
    const dns = await analysisOf(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
      Protocol: 'udp',
      DestinationPort: 53,
    })
    expect(dns.NetworkPathFound).toBe(false)
    expect(codes(dns)).toContain('ENI_SG_RULES_MISMATCH')
  })

  it('fails, saying why, an analysis it cannot run', async () => {
    const { client, a, db, app } = estate
    const igw = (await client.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!
    await client.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: a.vpcId }))
    const inbound = await analysisOf(client, {
      Source: igw,
      Destination: app.NetworkInterfaceId!,
      DestinationPort: 22,
    })
    expect(inbound).toMatchObject({ Status: 'failed', ForwardPathComponents: [], Explanations: [] })
    expect(inbound.StatusMessage).toMatch(`does not model traffic entering at ${igw}`)
    expect(inbound.NetworkPathFound).toBeUndefined()
    // A source address the source does not hold.
    const spoofed = await analysisOf(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
      SourceIp: db.PrivateIpAddress!,
    })
    expect(spoofed).toMatchObject({ Status: 'failed' })
    expect(spoofed.StatusMessage).toBe(
      `The source address ${db.PrivateIpAddress} is not an address of ${app.NetworkInterfaceId}.`,
    )
    const toGateway = await analysisOf(client, { Source: app.NetworkInterfaceId!, Destination: igw })
    expect(toGateway.StatusMessage).toMatch(/needs a destination address/)
  })

  it('honours FilterInArn and FilterOutArn: the one path must cross, or avoid, them', async () => {
    const { client, app, db, pcxAB, pcxBC } = estate
    const arnOf = (pcx: string) => `arn:aws:ec2:us-east-1:${client.accountId}:vpc-peering-connection/${pcx}`
    const input = {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
      DestinationPort: 5432,
    }
    const through = await analysisOf(client, input, { FilterInArns: [arnOf(pcxAB)] })
    expect(through).toMatchObject({ NetworkPathFound: true, FilterInArns: [arnOf(pcxAB)] })
    const elsewhere = await analysisOf(client, input, { FilterInArns: [arnOf(pcxBC)] })
    expect(elsewhere.NetworkPathFound).toBe(false)
    expect(elsewhere.Explanations).toContainEqual(
      expect.objectContaining({
        ExplanationCode: 'COMPONENT_FILTER_RESTRICTION',
        Component: expect.objectContaining({ Id: pcxBC }),
      }),
    )
    const avoiding = await analysisOf(client, input, { FilterOutArns: [arnOf(pcxAB)] })
    expect(avoiding.NetworkPathFound).toBe(false)
    expect(codes(avoiding)).toEqual(['COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT'])
    const path = await createPath(client, input)
    await expectError(
      startAnalysis(client, { NetworkInsightsPathId: path.NetworkInsightsPathId!, FilterInArns: ['pcx-1'] }),
      'InvalidParameterValue',
      /not a valid EC2 resource ARN/,
    )
  })

  it('returns the first analysis for a repeated client token, and refuses it for another path', async () => {
    const { client, app, db, far } = estate
    const first = await createPath(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
    })
    const second = await createPath(client, {
      Source: app.NetworkInterfaceId!,
      Destination: far.NetworkInterfaceId!,
    })
    const start = (NetworkInsightsPathId: string) =>
      startAnalysis(client, { NetworkInsightsPathId, ClientToken: 'analysis-token' })
    const started = await start(first.NetworkInsightsPathId!)
    expect((await start(first.NetworkInsightsPathId!)).NetworkInsightsAnalysisId).toBe(
      started.NetworkInsightsAnalysisId,
    )
    await expectError(start(second.NetworkInsightsPathId!), 'IdempotentParameterMismatch')
    expect(
      await describeAnalyses(client, { NetworkInsightsPathId: first.NetworkInsightsPathId! }),
    ).toHaveLength(1)
  })

  it('finds analyses by path, time, status and path-found, page by page', async () => {
    const { client: owner } = estate
    const client = freshClient(server.url)
    const { vpcId } = await vpcWithMainTable(client, '10.9.0.0/16')
    const subnet = await subnetIn(client, vpcId, '10.9.1.0/24')
    const groupId = await groupAllowing(client, vpcId, 'ssh', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.9.0.0/16' }] },
    ])
    const [x, y] = [
      await networkInterface(client, subnet, groupId),
      await networkInterface(client, subnet, groupId),
    ]
    const ssh = await createPath(client, {
      Source: x.NetworkInterfaceId!,
      Destination: y.NetworkInterfaceId!,
      DestinationPort: 22,
    })
    const web = await createPath(client, {
      Source: x.NetworkInterfaceId!,
      Destination: y.NetworkInterfaceId!,
      DestinationPort: 80,
    })
    const start = async (path: typeof ssh) =>
      (await startAnalysis(client, { NetworkInsightsPathId: path.NetworkInsightsPathId! }))
        .NetworkInsightsAnalysisId!
    const open = await start(ssh)
    const closed = await start(web)
    server.clock.advance(60_000)
    const later = await start(ssh)
    const ids = async (input: DescribeNetworkInsightsAnalysesCommandInput) =>
      (await describeAnalyses(client, input)).map((a) => a.NetworkInsightsAnalysisId)
    expect(await ids({})).toEqual([open, closed, later])
    expect(await ids({ NetworkInsightsPathId: ssh.NetworkInsightsPathId! })).toEqual([open, later])
    expect(await ids({ Filters: [{ Name: 'path-found', Values: ['false'] }] })).toEqual([closed])
    expect(await ids({ Filters: [{ Name: 'status', Values: ['succeeded'] }] })).toEqual([open, closed, later])
    expect(await ids({ Filters: [{ Name: 'status', Values: ['running', 'failed'] }] })).toEqual([])
    const now = server.clock.now()
    expect(await ids({ AnalysisStartTime: new Date(now.getTime() - 30_000) })).toEqual([later])
    expect(await ids({ AnalysisEndTime: new Date(now.getTime() - 30_000) })).toEqual([open, closed])
    await expectError(ids({ Filters: [{ Name: 'protocol', Values: ['tcp'] }] }), 'InvalidParameterValue')
    // Another account's analyses are not listed.
    expect(await describeAnalyses(owner, { NetworkInsightsPathId: ssh.NetworkInsightsPathId! })).toEqual([])

    const pages = []
    for await (const page of paginateDescribeNetworkInsightsAnalyses({ client, pageSize: 2 }, {})) {
      pages.push((page.NetworkInsightsAnalyses ?? []).map((a) => a.NetworkInsightsAnalysisId))
    }
    expect(pages).toEqual([[open, closed], [later]])
    await expectError(describeAnalyses(client, { MaxResults: 0 }), 'InvalidParameterValue')
    await expectError(
      describeAnalyses(client, { NetworkInsightsAnalysisIds: [open], MaxResults: 5 }),
      'InvalidParameterCombination',
    )
  })

  it('answers NotFound and Malformed for analysis ids', async () => {
    const { client } = estate
    await expectError(
      describeAnalyses(client, { NetworkInsightsAnalysisIds: [UNKNOWN_ANALYSIS] }),
      'InvalidNetworkInsightsAnalysisId.NotFound',
      `The networkInsightsAnalysis ID '${UNKNOWN_ANALYSIS}' does not exist`,
    )
    await expectError(
      client.send(new DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: UNKNOWN_ANALYSIS })),
      'InvalidNetworkInsightsAnalysisId.NotFound',
    )
    await expectError(
      client.send(new DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: 'analysis' })),
      'InvalidNetworkInsightsAnalysisId.Malformed',
      'Invalid id: "analysis" (expecting "nia-...")',
    )
  })

  it('keeps a path while it has analyses, then deletes both', async () => {
    const { client, app, db } = estate
    const path = await createPath(client, {
      Source: app.NetworkInterfaceId!,
      Destination: db.NetworkInterfaceId!,
    })
    const pathId = path.NetworkInsightsPathId!
    const analysisId = (await startAnalysis(client, { NetworkInsightsPathId: pathId }))
      .NetworkInsightsAnalysisId!
    await expectError(
      client.send(new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: pathId })),
      'AnalysisExistsForNetworkInsightsPath',
    )
    expect(
      await client.send(new DeleteNetworkInsightsAnalysisCommand({ NetworkInsightsAnalysisId: analysisId })),
    ).toMatchObject({ NetworkInsightsAnalysisId: analysisId })
    expect(
      await client.send(new DeleteNetworkInsightsPathCommand({ NetworkInsightsPathId: pathId })),
    ).toMatchObject({
      NetworkInsightsPathId: pathId,
    })
    await expectError(
      describeAnalyses(client, { NetworkInsightsAnalysisIds: [analysisId] }),
      'InvalidNetworkInsightsAnalysisId.NotFound',
    )
    await expectError(
      client.send(new DescribeNetworkInsightsPathsCommand({ NetworkInsightsPathIds: [pathId] })),
      'InvalidNetworkInsightsPathId.NotFound',
    )
  })
})

// Starts a Python process, so this takes a while.
describe.skipIf(!awsCliInstalled)('the AWS CLI walkthrough in docs/network-insights.md', () => {
  it('runs as written against this server', async () => {
    const stdout = await runWalkthrough(new URL('../docs/network-insights.md', import.meta.url), server.url)
    expect(stdout).toMatch(/^True\n.*pcx-[\s\S]*^False\tENI_SG_RULES_MISMATCH\ningress\teni-\w+\tsg-\w+\n/m)
    const client = ec2Client(server.url, { accountId: '111111111111' })
    expect((await client.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([])
    expect((await client.send(new DescribeNetworkInsightsPathsCommand({}))).NetworkInsightsPaths).toEqual([])
    expect(await describeAnalyses(client, {})).toEqual([])
  }, 300_000)
})

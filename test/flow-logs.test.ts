// biome-ignore-all lint/suspicious/noTemplateCurlyInString: flow-log formats are literally lists of ${field}.
import {
  CreateFlowLogsCommand,
  type CreateFlowLogsCommandInput,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteFlowLogsCommand,
  DescribeFlowLogsCommand,
  DescribeTagsCommand,
  type EC2Client,
  paginateDescribeFlowLogs,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { s3LocationOf, s3ObjectKey } from '../src/domain/flow-log.js'
import { expectError, freshClient } from './support/ec2.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'
import { awsCliInstalled, runWalkthrough } from './support/walkthrough.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const ROLE = 'arn:aws:iam::111111111111:role/flow-logs'
const DEFAULT_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}'

const createVpc = async (client: EC2Client, CidrBlock = '10.0.0.0/16') =>
  (await client.send(new CreateVpcCommand({ CidrBlock }))).Vpc!.VpcId!

/** Creates flow logs and returns the whole answer (ids and unsuccessful items). */
const createFlowLogs = (client: EC2Client, input: Partial<CreateFlowLogsCommandInput>) =>
  client.send(
    new CreateFlowLogsCommand({
      ResourceType: 'VPC',
      ResourceIds: [],
      TrafficType: 'ALL',
      ...input,
    } as CreateFlowLogsCommandInput),
  )

/** A flow log to CloudWatch Logs, the default destination; returns its id. */
async function cloudWatchLog(
  client: EC2Client,
  resourceId: string,
  input: Partial<CreateFlowLogsCommandInput> = {},
) {
  const answer = await createFlowLogs(client, {
    ResourceIds: [resourceId],
    LogGroupName: 'vpc-flows',
    DeliverLogsPermissionArn: ROLE,
    ...input,
  })
  expect(answer.Unsuccessful).toEqual([])
  return answer.FlowLogIds![0]!
}

const describeOne = async (client: EC2Client, id: string) =>
  (await client.send(new DescribeFlowLogsCommand({ FlowLogIds: [id] }))).FlowLogs![0]!

describe('CreateFlowLogs and DescribeFlowLogs', () => {
  it('creates a CloudWatch Logs flow log with the default format and reports it as AWS does', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const answer = await createFlowLogs(client, {
      ResourceIds: [vpcId],
      LogGroupName: 'vpc-flows',
      DeliverLogsPermissionArn: ROLE,
      ClientToken: 'first-log',
      TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [{ Key: 'Name', Value: 'app' }] }],
    })
    expect(answer.ClientToken).toBe('first-log')
    expect(answer.Unsuccessful).toEqual([])
    const [id] = answer.FlowLogIds!
    expect(id).toMatch(/^fl-[0-9a-f]{17}$/)
    const flowLog = await describeOne(client, id!)
    expect(flowLog).toEqual({
      CreationTime: expect.any(Date),
      DeliverLogsPermissionArn: ROLE,
      DeliverLogsStatus: 'SUCCESS',
      FlowLogId: id,
      FlowLogStatus: 'ACTIVE',
      LogGroupName: 'vpc-flows',
      ResourceId: vpcId,
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogDestination: `arn:aws:logs:us-east-1:${client.accountId}:log-group:vpc-flows`,
      LogFormat: DEFAULT_FORMAT,
      Tags: [{ Key: 'Name', Value: 'app' }],
      MaxAggregationInterval: 600,
    })
    const tags = await client.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [id!] }] }),
    )
    expect(tags.Tags).toEqual([{ Key: 'Name', Value: 'app', ResourceId: id, ResourceType: 'vpc-flow-log' }])
  })

  it('creates S3 flow logs for subnets and interfaces, with a custom format and destination options', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const subnetId = (await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' })))
      .Subnet!.SubnetId!
    const eniId = (await client.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId })))
      .NetworkInterface!.NetworkInterfaceId!
    const format = '${srcaddr} ${dstaddr} ${flow-direction} ${traffic-path}'
    const common = {
      TrafficType: 'REJECT',
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::flow-bucket/team-a/',
      LogFormat: format,
      MaxAggregationInterval: 60,
      DestinationOptions: {
        FileFormat: 'plain-text',
        HiveCompatiblePartitions: true,
        PerHourPartition: false,
      },
    } as const
    const bySubnet = await createFlowLogs(client, {
      ...common,
      ResourceType: 'Subnet',
      ResourceIds: [subnetId],
    })
    const byInterface = await createFlowLogs(client, {
      ...common,
      ResourceType: 'NetworkInterface',
      ResourceIds: [eniId],
    })
    for (const [answer, resourceId] of [
      [bySubnet, subnetId],
      [byInterface, eniId],
    ] as const) {
      const flowLog = await describeOne(client, answer.FlowLogIds![0]!)
      expect(flowLog).toMatchObject({
        ResourceId: resourceId,
        TrafficType: 'REJECT',
        LogDestinationType: 's3',
        LogDestination: 'arn:aws:s3:::flow-bucket/team-a/',
        LogFormat: format,
        MaxAggregationInterval: 60,
        DestinationOptions: {
          FileFormat: 'plain-text',
          HiveCompatiblePartitions: true,
          PerHourPartition: false,
        },
      })
      expect(flowLog.LogGroupName).toBeUndefined()
      expect(flowLog.DeliverLogsPermissionArn).toBeUndefined()
    }
  })

  it('takes a log group ARN as the CloudWatch destination', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const arn = `arn:aws:logs:us-east-1:${client.accountId}:log-group:/aws/vpc/flows:*`
    const id = await cloudWatchLog(client, vpcId, { LogGroupName: undefined, LogDestination: arn })
    expect(await describeOne(client, id)).toMatchObject({
      LogGroupName: '/aws/vpc/flows',
      LogDestination: arn,
    })
  })

  it("reports unknown resources and a peer account's VPC as unsuccessful, and creates the rest", async () => {
    const client = freshClient(server.url)
    const peer = freshClient(server.url)
    const own = await createVpc(client)
    const peers = await createVpc(peer, '10.9.0.0/16')
    const answer = await createFlowLogs(client, {
      ResourceIds: [own, 'vpc-0123456789abcdef0', peers],
      LogGroupName: 'vpc-flows',
      DeliverLogsPermissionArn: ROLE,
    })
    expect(answer.FlowLogIds).toHaveLength(1)
    expect(answer.Unsuccessful).toEqual([
      {
        ResourceId: 'vpc-0123456789abcdef0',
        Error: {
          Code: 'InvalidVpcID.NotFound',
          Message: "The vpc ID 'vpc-0123456789abcdef0' does not exist",
        },
      },
      {
        ResourceId: peers,
        Error: { Code: 'InvalidVpcID.NotFound', Message: `The vpc ID '${peers}' does not exist` },
      },
    ])
    const peerLogs = await peer.send(new DescribeFlowLogsCommand({}))
    expect(peerLogs.FlowLogs).toEqual([])
  })

  it('reports FlowLogAlreadyExists for the same resource, traffic type and destination', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    await cloudWatchLog(client, vpcId)
    const again = await createFlowLogs(client, {
      ResourceIds: [vpcId],
      LogGroupName: 'vpc-flows',
      DeliverLogsPermissionArn: ROLE,
    })
    expect(again.FlowLogIds).toEqual([])
    expect(again.Unsuccessful).toEqual([
      {
        ResourceId: vpcId,
        Error: {
          Code: 'FlowLogAlreadyExists',
          Message: 'Error. There is an existing Flow Log with the same configuration and log destination.',
        },
      },
    ])
    // Another traffic type, or another group, is another configuration.
    await cloudWatchLog(client, vpcId, { TrafficType: 'REJECT' })
    await cloudWatchLog(client, vpcId, { LogGroupName: 'other-flows' })
  })

  it('answers a retry with the same ClientToken with the same flow logs, and a changed one with an error', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const input = {
      ResourceIds: [vpcId],
      LogGroupName: 'vpc-flows',
      DeliverLogsPermissionArn: ROLE,
      ClientToken: 'retry-me',
    }
    const first = await createFlowLogs(client, input)
    const retry = await createFlowLogs(client, input)
    expect(retry.FlowLogIds).toEqual(first.FlowLogIds)
    expect(retry.Unsuccessful).toEqual([])
    await expectError(
      createFlowLogs(client, { ...input, TrafficType: 'ACCEPT' }),
      'IdempotentParameterMismatch',
      "The client token 'retry-me' has already been used with different parameters.",
    )
  })

  it('filters and pages DescribeFlowLogs', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const all = await cloudWatchLog(client, vpcId)
    const rejects = await cloudWatchLog(client, vpcId, { TrafficType: 'REJECT', LogGroupName: 'rejects' })
    const s3 = (
      await createFlowLogs(client, {
        ResourceIds: [vpcId],
        LogDestinationType: 's3',
        LogDestination: 'arn:aws:s3:::flow-bucket',
        TagSpecifications: [{ ResourceType: 'vpc-flow-log', Tags: [{ Key: 'team', Value: 'net' }] }],
      })
    ).FlowLogIds![0]!
    const ids = async (Name: string, Values: string[]) =>
      (await client.send(new DescribeFlowLogsCommand({ Filter: [{ Name, Values }] }))).FlowLogs!.map(
        (f) => f.FlowLogId,
      )
    expect(await ids('traffic-type', ['REJECT'])).toEqual([rejects])
    expect(await ids('log-destination-type', ['s3'])).toEqual([s3])
    expect(await ids('log-group-name', ['vpc-*'])).toEqual([all])
    expect(await ids('resource-id', [vpcId])).toEqual([all, rejects, s3])
    expect(await ids('flow-log-id', [rejects, s3])).toEqual([rejects, s3])
    expect(await ids('deliver-log-status', ['SUCCESS'])).toEqual([all, rejects, s3])
    expect(await ids('tag:team', ['net'])).toEqual([s3])
    expect(await ids('tag-key', ['team'])).toEqual([s3])

    const pages = []
    for await (const page of paginateDescribeFlowLogs({ client, pageSize: 2 }, {})) pages.push(page.FlowLogs!)
    expect(pages.map((p) => p.length)).toEqual([2, 1])
    expect(pages.flat().map((f) => f.FlowLogId)).toEqual([all, rejects, s3])

    await expectError(
      client.send(new DescribeFlowLogsCommand({ Filter: [{ Name: 'colour', Values: ['blue'] }] })),
      'InvalidParameterValue',
      "The filter 'colour' is invalid",
    )
    await expectError(
      client.send(new DescribeFlowLogsCommand({ FlowLogIds: ['fl-0123456789abcdef0'] })),
      'InvalidFlowLogId.NotFound',
      'These flow log ids in the input list are not found: [TotalCount: 1] fl-0123456789abcdef0',
    )
  })
})

describe('DeleteFlowLogs', () => {
  it("deletes the caller's flow logs and reports unknown and other accounts' ids as unsuccessful", async () => {
    const client = freshClient(server.url)
    const other = freshClient(server.url)
    const mine = await cloudWatchLog(client, await createVpc(client))
    const theirs = await cloudWatchLog(other, await createVpc(other))
    const answer = await client.send(
      new DeleteFlowLogsCommand({ FlowLogIds: [mine, theirs, 'fl-0123456789abcdef0'] }),
    )
    const notFound = (id: string) => ({
      ResourceId: id,
      Error: {
        Code: 'InvalidFlowLogId.NotFound',
        Message: `These flow log ids in the input list are not found: [TotalCount: 1] ${id}`,
      },
    })
    expect(answer.Unsuccessful).toEqual([notFound(theirs), notFound('fl-0123456789abcdef0')])
    expect((await client.send(new DescribeFlowLogsCommand({}))).FlowLogs).toEqual([])
    expect((await other.send(new DescribeFlowLogsCommand({}))).FlowLogs!.map((f) => f.FlowLogId)).toEqual([
      theirs,
    ])
  })

  it('needs at least one id', async () => {
    const client = freshClient(server.url)
    await expectError(
      client.send(new DeleteFlowLogsCommand({ FlowLogIds: [] })),
      'MissingParameter',
      'The request must contain the parameter FlowLogId',
    )
  })
})

describe('CreateFlowLogs errors', () => {
  let client: EC2Client & { accountId: string }
  let vpcId: string
  beforeAll(async () => {
    client = freshClient(server.url)
    vpcId = await createVpc(client)
  })
  const cloudWatch = () => ({ ResourceIds: [vpcId], LogGroupName: 'g', DeliverLogsPermissionArn: ROLE })
  const s3 = (): Partial<CreateFlowLogsCommandInput> => ({
    ResourceIds: [vpcId],
    LogDestinationType: 's3',
    LogDestination: 'arn:aws:s3:::flow-bucket',
  })

  it.each<[string, () => Partial<CreateFlowLogsCommandInput>, string, string]>([
    [
      'no TrafficType',
      () => ({ ...cloudWatch(), TrafficType: undefined }),
      'MissingParameter',
      'The request must contain the parameter TrafficType',
    ],
    [
      'no resource ids',
      () => ({ ...cloudWatch(), ResourceIds: [] }),
      'MissingParameter',
      'The request must contain the parameter ResourceId',
    ],
    [
      'CloudWatch Logs without a role',
      () => ({ ...cloudWatch(), DeliverLogsPermissionArn: undefined }),
      'InvalidParameter',
      "DeliverLogsPermissionArn can't be empty if LogDestinationType is cloud-watch-logs.",
    ],
    [
      'CloudWatch Logs without a group',
      () => ({ ...cloudWatch(), LogGroupName: undefined }),
      'InvalidParameter',
      "LogDestination can't be empty if LogGroupName is not provided.",
    ],
    [
      'both a group name and a destination',
      () => ({ ...cloudWatch(), LogDestination: 'arn:aws:logs:us-east-1:111111111111:log-group:g' }),
      'InvalidParameterCombination',
      'LogDestination and LogGroupName cannot both be specified.',
    ],
    [
      'a log group ARN that is not one',
      () => ({ ...cloudWatch(), LogGroupName: undefined, LogDestination: 'arn:aws:s3:::flow-bucket' }),
      'InvalidParameterValue',
      'Value (arn:aws:s3:::flow-bucket) for parameter LogDestination is invalid. It must be a log group ARN: arn:aws:logs:<region>:<account>:log-group:<name>.',
    ],
    [
      'destination options for CloudWatch Logs',
      () => ({ ...cloudWatch(), DestinationOptions: { FileFormat: 'plain-text' } }),
      'InvalidParameterCombination',
      'DestinationOptions can be specified only when LogDestinationType is s3.',
    ],
    [
      'S3 with a log group name',
      () => ({ ...s3(), LogGroupName: 'g' }),
      'InvalidParameter',
      'LogDestination type must be cloud-watch-logs if LogGroupName is provided.',
    ],
    [
      'S3 with a role',
      () => ({ ...s3(), DeliverLogsPermissionArn: ROLE }),
      'InvalidParameter',
      'LogDestination type must be cloud-watch-logs if DeliverLogsPermissionArn is provided.',
    ],
    [
      'S3 without a destination',
      () => ({ ...s3(), LogDestination: undefined }),
      'InvalidParameter',
      "LogDestination can't be empty if LogDestinationType is s3.",
    ],
    [
      'an S3 destination that is not a bucket ARN',
      () => ({ ...s3(), LogDestination: 'flow-bucket' }),
      'InvalidParameterValue',
      'Value (flow-bucket) for parameter LogDestination is invalid. It must be an S3 bucket ARN: arn:aws:s3:::<bucket>[/<folder>].',
    ],
    [
      'a folder that climbs out of the bucket',
      () => ({ ...s3(), LogDestination: 'arn:aws:s3:::flow-bucket/../../etc' }),
      'InvalidParameterValue',
      'Value (arn:aws:s3:::flow-bucket/../../etc) for parameter LogDestination is invalid. It must be an S3 bucket ARN: arn:aws:s3:::<bucket>[/<folder>].',
    ],
    [
      'the reserved AWSLogs folder',
      () => ({ ...s3(), LogDestination: 'arn:aws:s3:::flow-bucket/AWSLogs' }),
      'InvalidParameterValue',
      'Value (arn:aws:s3:::flow-bucket/AWSLogs) for parameter LogDestination is invalid. AWSLogs is reserved and cannot be a folder name.',
    ],
    [
      'Parquet files',
      () => ({ ...s3(), DestinationOptions: { FileFormat: 'parquet' } }),
      'InvalidParameterValue',
      'Value (parquet) for parameter DestinationOptions.FileFormat is invalid. vpcpeer does not model what it refers to.',
    ],
    [
      'a Firehose destination',
      () => ({ ...s3(), LogDestinationType: 'kinesis-data-firehose' }),
      'InvalidParameterValue',
      'Value (kinesis-data-firehose) for parameter LogDestinationType is invalid. vpcpeer does not model what it refers to.',
    ],
    [
      'a transit gateway',
      () => ({ ...cloudWatch(), ResourceType: 'TransitGateway' }),
      'InvalidParameterValue',
      'Value (TransitGateway) for parameter ResourceType is invalid. vpcpeer does not model what it refers to.',
    ],
    [
      'an id of another resource type',
      () => ({ ...cloudWatch(), ResourceType: 'Subnet' }),
      'InvalidParameter',
      'Invalid Resource id VPC_ID for resource-type Subnet',
    ],
    [
      'an aggregation interval other than 60 or 600',
      () => ({ ...cloudWatch(), MaxAggregationInterval: 300 }),
      'InvalidParameter',
      'Invalid Flow Log Max Aggregation Interval',
    ],
    [
      'an unknown field in the format',
      () => ({ ...cloudWatch(), LogFormat: '${srcaddr} ${colour}' }),
      'InvalidParameterValue',
      'Value (${srcaddr} ${colour}) for parameter logFormat is invalid. Unknown fields: ${colour}.',
    ],
    [
      'a malformed format',
      () => ({ ...cloudWatch(), LogFormat: '${srcaddr} ' }),
      'InvalidParameterValue',
      "1 validation error detected: Value '${srcaddr} ' at 'logFormat' has an invalid format",
    ],
    [
      'tags for another resource type',
      () => ({
        ...cloudWatch(),
        TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'k', Value: 'v' }] }],
      }),
      'InvalidParameterValue',
      "'vpc' is not a valid taggable resource type for this operation.",
    ],
  ])('refuses %s', async (_, input, code, message) => {
    await expectError(createFlowLogs(client, input()), code, message.replace('VPC_ID', vpcId))
  })
})

describe('S3 log file locations', () => {
  const at = new Date('2018-06-20T16:22:31Z')
  const file = {
    accountId: '123456789012',
    region: 'us-east-1',
    flowLogId: 'fl-1234abcd',
    at,
    hash: 'fe123456',
    hiveCompatiblePartitions: false,
    perHourPartition: false,
  }

  it("follows AWS's layout, named for the 5-minute window the file covers", () => {
    expect(s3ObjectKey(s3LocationOf('arn:aws:s3:::my-bucket'), file)).toBe(
      'my-bucket/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz',
    )
    expect(
      s3ObjectKey(s3LocationOf('arn:aws:s3:::my-bucket/my-logs'), { ...file, perHourPartition: true }),
    ).toBe(
      'my-bucket/my-logs/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/16/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz',
    )
  })

  it('names each partition with Hive-compatible prefixes', () => {
    expect(
      s3ObjectKey(s3LocationOf('arn:aws:s3:::my-bucket/a/b/'), {
        ...file,
        hiveCompatiblePartitions: true,
        perHourPartition: true,
      }),
    ).toBe(
      'my-bucket/a/b/AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2018/month=06/day=20/hour=16/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz',
    )
  })
})

describe.skipIf(!awsCliInstalled)('the AWS CLI walkthrough in docs/flow-logs.md', () => {
  it('runs as written', async () => {
    const stdout = await runWalkthrough(new URL('../docs/flow-logs.md', import.meta.url), server.url)
    expect(stdout).toContain('"Code": "InvalidVpcID.NotFound"')
    expect(stdout).toContain('"Code": "FlowLogAlreadyExists"')
    expect(stdout).toContain('"Code": "InvalidFlowLogId.NotFound"')
    expect(stdout).toMatch(/"LogDestinationType": "s3"/)
    // The walkthrough's accounts, as the script names them: the application's log is deleted.
    const app = ec2Client(server.url, { accountId: '111111111111' })
    const db = ec2Client(server.url, { accountId: '222222222222' })
    expect((await app.send(new DescribeFlowLogsCommand({}))).FlowLogs).toEqual([])
    expect((await db.send(new DescribeFlowLogsCommand({}))).FlowLogs!.map((f) => f.LogDestination)).toEqual([
      'arn:aws:s3:::db-flow-logs/vpc-b/',
    ])
  }, 120_000)
})

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { gunzipSync } from 'node:zlib'
import {
  CreateFlowLogsCommand,
  type CreateFlowLogsCommandInput,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  DeleteFlowLogsCommand,
  DescribeNetworkAclsCommand,
  type EC2Client,
  ReplaceNetworkAclAssociationCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiCallError, callApi } from '../src/cli/client.js'
import {
  DEFAULT_FIELDS,
  type FlowLogField,
  parseLogFormat,
  parseRecord,
} from '../src/dataplane/flow-log-format.js'
import { runVpcpeer } from './support/cli.js'
import { appAndDatabase } from './support/estates.js'
import { startTestServer, type TestServer } from './support/server.js'

let server: TestServer
let flowLogDirectory: string
beforeAll(async () => {
  flowLogDirectory = mkdtempSync(join(tmpdir(), 'vpcpeer-flow-logs-'))
  server = await startTestServer({ settings: { flowLogDirectory } })
})
afterAll(async () => {
  await server.close()
  rmSync(flowLogDirectory, { recursive: true, force: true })
})

type Client = EC2Client & { accountId: string }

interface Fields {
  readonly [field: string]: string
}
interface Record_ {
  readonly flowLogId: string
  readonly accountId: string
  readonly message: string
  readonly fields: Fields
  readonly logDestinationType: string
  readonly logGroupName?: string
  readonly logStreamName?: string
  readonly file?: string
  readonly cursor?: string
}
interface TrafficAnswer {
  readonly reachable: boolean
  readonly explanations: readonly { explanationCode: string; leg: string }[]
  readonly touched: readonly { networkInterfaceId: string; flowDirection: string; action: string }[]
  readonly records: readonly Record_[]
  readonly files: readonly string[]
}

const connection = (client: Client) => ({
  endpoint: server.url,
  accessKeyId: client.accountId,
  secretAccessKey: 'test-secret',
  region: 'us-east-1',
})

const send = (client: Client, body: Record<string, unknown>) =>
  callApi<TrafficAnswer>(connection(client), 'POST', '/traffic', { body })

const flows = (client: Client, query: Record<string, string | number | undefined> = {}) =>
  callApi<{ records: Record_[]; cursor?: string }>(connection(client), 'GET', '/flows', { query })

/** Awaits a call that must fail with this error code, and returns the message. */
async function apiError(call: Promise<unknown>, code: string, status = 400) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ApiCallError)
  expect({ code: (error as ApiCallError).code, status: (error as ApiCallError).status }).toEqual({
    code,
    status,
  })
  return (error as ApiCallError).message
}

const ROLE = 'arn:aws:iam::111111111111:role/flow-logs'

async function flowLog(client: Client, input: Partial<CreateFlowLogsCommandInput>) {
  const answer = await client.send(
    new CreateFlowLogsCommand({
      ResourceType: 'VPC',
      ResourceIds: [],
      TrafficType: 'ALL',
      ...input,
    } as CreateFlowLogsCommandInput),
  )
  expect(answer.Unsuccessful).toEqual([])
  return answer.FlowLogIds![0]!
}

const cloudWatchLog = (
  client: Client,
  resourceId: string,
  group: string,
  input: Partial<CreateFlowLogsCommandInput> = {},
) =>
  flowLog(client, {
    ResourceType: resourceId.startsWith('vpc-')
      ? 'VPC'
      : resourceId.startsWith('subnet-')
        ? 'Subnet'
        : 'NetworkInterface',
    ResourceIds: [resourceId],
    LogGroupName: group,
    DeliverLogsPermissionArn: ROLE,
    ...input,
  })

/**
 * Two accounts' VPCs joined by an active cross-account peering and routed both ways: an app
 * interface in A (10.1.1.0/24, default group) and a database interface in B (10.2.1.0/24) whose
 * group lets 10.1.0.0/16 in on 5432 only.
 */
async function peeredEstate() {
  const e = await appAndDatabase(server.url)
  return {
    ...e,
    vpcA: e.app,
    vpcB: e.db,
    subnetA: e.appSubnet,
    subnetB: e.dbSubnet,
    app: e.appEni,
    db: e.dbEni,
  }
}

const postgres = (from: string) => ({ from, to: '10.2.1.20', protocol: 'tcp', port: 5432 })

/** Every file under the flow-log directory, by its key (path from the directory). */
function filesUnder(prefix: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const entry of readdirSync(join(flowLogDirectory, prefix), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.set(relative(flowLogDirectory, path), gunzipSync(readFileSync(path)).toString('utf8'))
  }
  return files
}

/** A gunzipped log file: the header's field names, and each line read by them. */
function readLogFile(text: string) {
  const [header, ...lines] = text.trimEnd().split('\n')
  const fields = header!.split(' ') as FlowLogField[]
  return { fields, records: lines.map((line) => parseRecord(fields, line)) }
}

const pick = (records: readonly Record_[], ...names: string[]) =>
  records.map((r) => Object.fromEntries(names.map((name) => [name, r.fields[name]])))

describe('sending traffic across a cross-account peering', () => {
  it("logs the egress in the sender's VPC flow log and the ingress in the receiver's, each in its owner's account", async () => {
    const { a, b, vpcA, vpcB, app, db } = await peeredEstate()
    const aLog = await cloudWatchLog(a, vpcA.vpcId, 'a-flows')
    const bLog = await cloudWatchLog(b, db, 'b-flows')

    const answer = await send(a, { ...postgres(app), packets: 10, bytes: 840 })
    expect(answer.reachable).toBe(true)
    expect(answer.explanations).toEqual([])
    expect(answer.touched.map((t) => [t.networkInterfaceId, t.flowDirection, t.action])).toEqual([
      [app, 'egress', 'ACCEPT'],
      [db, 'ingress', 'ACCEPT'],
      [db, 'egress', 'ACCEPT'],
      [app, 'ingress', 'ACCEPT'],
    ])

    const columns = [
      'account-id',
      'interface-id',
      'flow-direction',
      'action',
      'srcaddr',
      'srcport',
      'dstaddr',
      'dstport',
      'traffic-path',
    ]
    const aRecords = (await flows(a)).records
    expect(aRecords.every((r) => r.flowLogId === aLog && r.logGroupName === 'a-flows')).toBe(true)
    // Newest first: the reply arriving, then the request leaving.
    expect(pick(aRecords, ...columns)).toEqual([
      {
        'account-id': a.accountId,
        'interface-id': app,
        'flow-direction': 'ingress',
        action: 'ACCEPT',
        srcaddr: '10.2.1.20',
        srcport: '5432',
        dstaddr: '10.1.1.10',
        dstport: '49152',
        'traffic-path': '-',
      },
      {
        'account-id': a.accountId,
        'interface-id': app,
        'flow-direction': 'egress',
        action: 'ACCEPT',
        srcaddr: '10.1.1.10',
        srcport: '49152',
        dstaddr: '10.2.1.20',
        dstport: '5432',
        'traffic-path': '4',
      },
    ])
    const bRecords = (await flows(b)).records
    expect(bRecords.every((r) => r.flowLogId === bLog && r.logStreamName === db)).toBe(true)
    expect(pick(bRecords, ...columns)).toEqual([
      {
        'account-id': b.accountId,
        'interface-id': db,
        'flow-direction': 'egress',
        action: 'ACCEPT',
        srcaddr: '10.2.1.20',
        srcport: '5432',
        dstaddr: '10.1.1.10',
        dstport: '49152',
        'traffic-path': '4',
      },
      {
        'account-id': b.accountId,
        'interface-id': db,
        'flow-direction': 'ingress',
        action: 'ACCEPT',
        srcaddr: '10.1.1.10',
        srcport: '49152',
        dstaddr: '10.2.1.20',
        dstport: '5432',
        'traffic-path': '-',
      },
    ])
    // The default format, as CloudWatch Logs would hold it.
    expect(bRecords[1]!.message).toMatch(
      new RegExp(
        `^2 ${b.accountId} ${db} 10\\.1\\.1\\.10 10\\.2\\.1\\.20 49152 5432 6 10 840 (\\d+) \\1 ACCEPT OK$`,
      ),
    )
    expect(vpcB.vpcId).toBe(bRecords[0]!.fields['vpc-id'])
  })

  it('writes S3 files under the flow-log directory that gunzip and parse by the documented field order', async () => {
    const { a, b, vpcB, subnetB, app, db } = await peeredEstate()
    const defaultLog = await flowLog(b, {
      ResourceIds: [vpcB.vpcId],
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::b-flow-bucket',
    })
    const customFormat =
      '${flow-direction} ${traffic-path} ${srcaddr} ${dstaddr} ${vpc-id} ${subnet-id} ${az-id} ${region} ${type} ${version}'
    const customLog = await flowLog(b, {
      ResourceType: 'Subnet',
      ResourceIds: [subnetB],
      LogDestinationType: 's3',
      LogDestination: 'arn:aws:s3:::b-flow-bucket/custom/',
      LogFormat: customFormat,
      DestinationOptions: { HiveCompatiblePartitions: true },
    })

    const answer = await send(a, postgres(app))
    expect(answer.files).toHaveLength(2)

    const day = new Date(server.clock.now().getTime()).toISOString().slice(0, 10).replaceAll('-', '/')
    const defaultFiles = filesUnder(`b-flow-bucket/AWSLogs/${b.accountId}`)
    expect([...defaultFiles.keys()]).toEqual([answer.files.find((f) => f.includes(defaultLog))])
    const [defaultKey, defaultText] = [...defaultFiles][0]!
    expect(defaultKey).toMatch(
      new RegExp(
        `^b-flow-bucket/AWSLogs/${b.accountId}/vpcflowlogs/us-east-1/${day}/${b.accountId}_vpcflowlogs_us-east-1_${defaultLog}_\\d{8}T\\d{4}Z_[0-9a-f]{8}\\.log\\.gz$`,
      ),
    )
    const defaultFile = readLogFile(defaultText)
    expect(defaultFile.fields).toEqual(DEFAULT_FIELDS)
    expect(
      defaultFile.records.map((r) => [
        r.version,
        r['account-id'],
        r['interface-id'],
        r.srcaddr,
        r.dstaddr,
        r.action,
      ]),
    ).toEqual([
      ['2', b.accountId, db, '10.1.1.10', '10.2.1.20', 'ACCEPT'],
      ['2', b.accountId, db, '10.2.1.20', '10.1.1.10', 'ACCEPT'],
    ])

    const customFiles = filesUnder('b-flow-bucket/custom')
    const [customKey, customText] = [...customFiles][0]!
    expect(customKey).toContain(
      `b-flow-bucket/custom/AWSLogs/aws-account-id=${b.accountId}/aws-service=vpcflowlogs/aws-region=us-east-1/year=`,
    )
    expect(customKey).toContain(`_${customLog}_`)
    const customFile = readLogFile(customText)
    expect(customFile.fields).toEqual(parseLogFormat(customFormat))
    expect(customFile.records).toEqual([
      {
        'flow-direction': 'ingress',
        'traffic-path': '-',
        srcaddr: '10.1.1.10',
        dstaddr: '10.2.1.20',
        'vpc-id': vpcB.vpcId,
        'subnet-id': subnetB,
        'az-id': 'use1-az1',
        region: 'us-east-1',
        type: 'IPv4',
        version: '5',
      },
      {
        'flow-direction': 'egress',
        'traffic-path': '4',
        srcaddr: '10.2.1.20',
        dstaddr: '10.1.1.10',
        'vpc-id': vpcB.vpcId,
        'subnet-id': subnetB,
        'az-id': 'use1-az1',
        region: 'us-east-1',
        type: 'IPv4',
        version: '5',
      },
    ])
    // S3 records are in the files, not among the stored (CloudWatch Logs) records.
    expect((await flows(b)).records).toEqual([])
    // One file per send.
    await send(a, postgres(app))
    expect(filesUnder(`b-flow-bucket/AWSLogs/${b.accountId}`).size).toBe(2)
  })

  it('keeps ACCEPT and REJECT records apart by traffic type, and ALL takes both', async () => {
    const { a, b, vpcB, app } = await peeredEstate()
    const accepts = await cloudWatchLog(b, vpcB.vpcId, 'accepts', { TrafficType: 'ACCEPT' })
    const rejects = await cloudWatchLog(b, vpcB.vpcId, 'rejects', { TrafficType: 'REJECT' })
    const all = await cloudWatchLog(b, vpcB.vpcId, 'all')

    expect((await send(a, postgres(app))).reachable).toBe(true)
    // The database's group does not let SSH in.
    const ssh = await send(a, { ...postgres(app), port: 22 })
    expect(ssh.reachable).toBe(false)
    expect(ssh.explanations.map((e) => e.explanationCode)).toEqual(['ENI_SG_RULES_MISMATCH'])

    const of = async (flowLogId: string) =>
      pick((await flows(b, { flowLogId })).records, 'flow-direction', 'action', 'dstport')
    expect(await of(accepts)).toEqual([
      { 'flow-direction': 'egress', action: 'ACCEPT', dstport: '49152' },
      { 'flow-direction': 'ingress', action: 'ACCEPT', dstport: '5432' },
    ])
    expect(await of(rejects)).toEqual([{ 'flow-direction': 'ingress', action: 'REJECT', dstport: '22' }])
    expect(await of(all)).toEqual([
      { 'flow-direction': 'ingress', action: 'REJECT', dstport: '22' },
      { 'flow-direction': 'egress', action: 'ACCEPT', dstport: '49152' },
      { 'flow-direction': 'ingress', action: 'ACCEPT', dstport: '5432' },
    ])
    expect(pick((await flows(b, { action: 'REJECT' })).records, 'action', 'dstport')).toEqual([
      { action: 'REJECT', dstport: '22' },
      { action: 'REJECT', dstport: '22' },
    ])
  })

  it("shows a reply dropped by the receiver's network ACL as its own REJECT record", async () => {
    const { a, b, vpcB, subnetB, app, db } = await peeredEstate()
    // A custom ACL on the database subnet: 5432 in, but out only to port 5432, so replies to
    // the client's ephemeral port are dropped.
    const acl = (await b.send(new CreateNetworkAclCommand({ VpcId: vpcB.vpcId }))).NetworkAcl!.NetworkAclId!
    for (const Egress of [false, true]) {
      await b.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: acl,
          RuleNumber: 100,
          Protocol: '6',
          RuleAction: 'allow',
          Egress,
          CidrBlock: '10.1.0.0/16',
          PortRange: { From: 5432, To: 5432 },
        }),
      )
    }
    const current = (
      await b.send(
        new DescribeNetworkAclsCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetB] }] }),
      )
    ).NetworkAcls![0]!.Associations!.find((x) => x.SubnetId === subnetB)!
    await b.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: current.NetworkAclAssociationId!,
        NetworkAclId: acl,
      }),
    )
    await cloudWatchLog(b, db, 'db')

    const answer = await send(a, postgres(app))
    expect(answer.reachable).toBe(false)
    expect(answer.explanations.map((e) => [e.explanationCode, e.leg])).toEqual([
      ['SUBNET_ACL_RESTRICTION', 'return'],
    ])
    expect(pick((await flows(b)).records, 'flow-direction', 'action', 'srcport', 'dstport')).toEqual([
      { 'flow-direction': 'egress', action: 'REJECT', srcport: '5432', dstport: '49152' },
      { 'flow-direction': 'ingress', action: 'ACCEPT', srcport: '49152', dstport: '5432' },
    ])
  })

  it('sends from an instance or an address, and records the instance', async () => {
    const { a, subnetA } = await peeredEstate()
    const instance = (
      await a.send(
        new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1, SubnetId: subnetA }),
      )
    ).Instances![0]!
    await cloudWatchLog(a, subnetA, 'app')
    expect((await send(a, postgres(instance.InstanceId!))).reachable).toBe(true)
    expect((await send(a, postgres(instance.PrivateIpAddress!))).reachable).toBe(true)
    const records = (await flows(a, { interfaceId: instance.NetworkInterfaces![0]!.NetworkInterfaceId }))
      .records
    expect(records).toHaveLength(4)
    expect(records.every((r) => r.fields['instance-id'] === instance.InstanceId)).toBe(true)
  })
})

describe('querying flow records', () => {
  it('filters by address, port and time window, pages with a cursor, and keeps records of deleted flow logs', async () => {
    const { a, vpcA, app } = await peeredEstate()
    const aLog = await cloudWatchLog(a, vpcA.vpcId, 'a-flows')
    await send(a, { ...postgres(app), port: 22 })
    server.clock.advance(20 * 60 * 1000)
    await send(a, postgres(app))

    const ports = async (query: Record<string, string | number>) =>
      (await flows(a, query)).records.map((r) => r.fields.dstport)
    expect(await ports({})).toEqual(['49152', '5432', '22'])
    expect(await ports({ since: '10m' })).toEqual(['49152', '5432'])
    expect(await ports({ until: '10m' })).toEqual(['22'])
    const before = new Date(server.clock.now().getTime() - 10 * 60_000)
    expect(await ports({ since: before.toISOString() })).toEqual(['49152', '5432'])
    expect(await ports({ since: String(Math.floor(before.getTime() / 1000)) })).toEqual(['49152', '5432'])
    expect(await ports({ port: 22 })).toEqual(['22'])
    expect(await ports({ address: '10.2.1.20', port: 5432 })).toEqual(['49152', '5432'])
    expect(await ports({ address: '10.9.9.9' })).toEqual([])
    expect(await ports({ limit: 1 })).toEqual(['49152'])

    const { cursor } = await flows(a)
    expect((await flows(a, { after: cursor })).records).toEqual([])
    await a.send(new DeleteFlowLogsCommand({ FlowLogIds: [aLog] }))
    await send(a, postgres(app))
    expect((await flows(a, { after: cursor })).records).toEqual([])
    expect(await ports({ flowLogId: aLog })).toEqual(['49152', '5432', '22'])
  })
})

describe('traffic and flow query errors', () => {
  let estate: Awaited<ReturnType<typeof peeredEstate>>
  beforeAll(async () => {
    estate = await peeredEstate()
  })

  it.each<[string, () => Record<string, unknown>, string, RegExp]>([
    [
      'an unknown interface',
      () => postgres('eni-0123456789abcdef0'),
      'InvalidNetworkInterfaceID.NotFound',
      /eni-0123456789abcdef0/,
    ],
    [
      "another account's interface",
      () => postgres(estate.db),
      'InvalidNetworkInterfaceID.NotFound',
      /does not exist/,
    ],
    [
      'an unknown instance',
      () => postgres('i-0123456789abcdef0'),
      'InvalidInstanceID.NotFound',
      /i-0123456789abcdef0/,
    ],
    [
      'an address none of your interfaces holds',
      () => postgres('10.2.1.20'),
      'InvalidParameterValue',
      /holds it/,
    ],
    [
      'a source that is none of those',
      () => postgres('my-laptop'),
      'InvalidParameterValue',
      /Expected a network interface id/,
    ],
    [
      'a destination that is no address',
      () => ({ ...postgres(estate.app), to: 'db.internal' }),
      'InvalidParameterValue',
      /IPv4 or IPv6/,
    ],
    ['tcp without a port', () => ({ ...postgres(estate.app), port: undefined }), 'MissingParameter', /port/],
    [
      'an unknown protocol name',
      () => ({ ...postgres(estate.app), protocol: 'sctp' }),
      'InvalidParameterValue',
      /protocol number/,
    ],
    [
      'a protocol number over 255',
      () => ({ ...postgres(estate.app), protocol: 300 }),
      'InvalidParameterValue',
      /0 to 255/,
    ],
    [
      'a port over 65535',
      () => ({ ...postgres(estate.app), port: 70000 }),
      'InvalidParameterValue',
      /0 to 65535/,
    ],
    ['no packets', () => ({ ...postgres(estate.app), packets: 0 }), 'InvalidParameterValue', /packets/],
    [
      'an unknown member',
      () => ({ ...postgres(estate.app), colour: 'blue' }),
      'InvalidParameterValue',
      /traffic request is not valid/,
    ],
    [
      'a port that is text',
      () => ({ ...postgres(estate.app), port: '5432' }),
      'InvalidParameterValue',
      /traffic request is not valid: port/,
    ],
  ])('refuses to send from %s', async (_, body, code, message) => {
    expect(await apiError(send(estate.a, body()), code)).toMatch(message)
  })

  it('refuses a body that is not JSON', async () => {
    const response = await fetch(`${server.url}/_vpcpeer/api/traffic`, { method: 'POST', body: '{nope' })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: { code: 'InvalidParameterValue', message: 'The request body must be JSON.' },
    })
  })

  it.each<[string, Record<string, string>, string, RegExp]>([
    ['an unknown parameter', { colour: 'blue' }, 'UnknownParameter', /colour/],
    ['an action other than ACCEPT or REJECT', { action: 'DROP' }, 'InvalidParameterValue', /ACCEPT, REJECT/],
    ['a time it cannot read', { since: 'yesterday' }, 'InvalidParameterValue', /duration such as 10m/],
    ['a cursor it did not give', { after: 'xyz' }, 'InvalidParameterValue', /cursor/],
    ['a limit of 0', { limit: '0' }, 'InvalidParameterValue', /1 to 1000/],
    ['a port that is no number', { port: 'ssh' }, 'InvalidParameterValue', /whole number/],
    ['an address that is none', { address: 'db' }, 'InvalidParameterValue', /IPv4 or IPv6/],
  ])('refuses a flow query with %s', async (_, query, code, message) => {
    expect(await apiError(flows(estate.a, query), code)).toMatch(message)
  })
})

describe('vpcpeer traffic and vpcpeer flows', () => {
  const vpcpeer = (account: string, ...args: string[]) => runVpcpeer(server.url, account, ...args)

  // Seven CLI processes, each starting tsx: slow on a loaded machine.
  it('sends, exits 0 when delivered and 1 when not, and reads the records back as tables and JSON', {
    timeout: 120_000,
  }, async () => {
    const { a, vpcA, app } = await peeredEstate()
    const aLog = await cloudWatchLog(a, vpcA.vpcId, 'a-flows')

    const delivered = await vpcpeer(
      a.accountId,
      'traffic',
      'send',
      '--from',
      app,
      '--to',
      '10.2.1.20',
      '--port',
      '5432',
    )
    expect(delivered.code).toBe(0)
    expect(delivered.stdout).toContain(`DELIVERED: tcp ${app} -> 10.2.1.20:5432`)
    expect(delivered.stdout).toContain(aLog)

    const blocked = await vpcpeer(
      a.accountId,
      'traffic',
      'send',
      '--from',
      app,
      '--to',
      '10.2.1.20',
      '--port',
      '22',
      '-o',
      'json',
    )
    expect(blocked.code).toBe(1)
    const answer = JSON.parse(blocked.stdout) as TrafficAnswer
    expect(answer.reachable).toBe(false)
    expect(answer.explanations[0]!.explanationCode).toBe('ENI_SG_RULES_MISMATCH')

    const table = await vpcpeer(a.accountId, 'flows', 'query', '--action', 'ACCEPT', '--port', '5432')
    expect(table.code).toBe(0)
    expect(table.stdout).toContain('10.1.1.10:49152')
    expect(table.stdout).toContain('10.2.1.20:5432')
    expect(table.stdout).not.toContain(':22 ')

    const json = await vpcpeer(a.accountId, 'flows', 'query', '--since', '10m', '-o', 'json')
    expect((JSON.parse(json.stdout) as Record_[]).map((r) => r.fields.dstport)).toEqual([
      '22',
      '49152',
      '5432',
    ])

    const tail = await vpcpeer(a.accountId, 'flows', 'tail', '--once', '--limit', '2')
    expect(tail.code).toBe(0)
    const lines = tail.stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    // Oldest first, as a log reads.
    expect(lines[0]).toContain(`${app} ingress ACCEPT 10.2.1.20:5432 -> 10.1.1.10:49152 tcp`)
    expect(lines[1]).toContain(`${app} egress ACCEPT 10.1.1.10:49152 -> 10.2.1.20:22 tcp`)

    const refused = await vpcpeer(
      a.accountId,
      'traffic',
      'send',
      '--from',
      'eni-0123456789abcdef0',
      '--to',
      '10.2.1.20',
      '--port',
      '5432',
    )
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('InvalidNetworkInterfaceID.NotFound')
  })
})

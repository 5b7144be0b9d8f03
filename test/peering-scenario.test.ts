import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import {
  AcceptVpcPeeringConnectionCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand,
  DescribeStaleSecurityGroupsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

/**
 * The peering story end to end, as issue 3 tells it: account A requests, account B accepts,
 * both route to each other, A admits B's security group; B deletes the connection; A's route
 * turns blackhole and A's rule shows up as stale.
 */

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

/** The three calls each side makes, through any client; returns ids for the checks. */
interface Side {
  createVpc(cidr: string): Promise<string>
  mainRouteTable(vpcId: string): Promise<string>
  createRoute(tableId: string, cidr: string, pcx: string): Promise<void>
  routeState(tableId: string, cidr: string): Promise<string | undefined>
}

const sdkSide = (client: EC2Client): Side => ({
  async createVpc(cidr) {
    return (await client.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!
  },
  async mainRouteTable(vpcId) {
    const out = await client.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    )
    return out.RouteTables![0]!.RouteTableId!
  },
  async createRoute(tableId, cidr, pcx) {
    await client.send(
      new CreateRouteCommand({
        RouteTableId: tableId,
        DestinationCidrBlock: cidr,
        VpcPeeringConnectionId: pcx,
      }),
    )
  },
  async routeState(tableId, cidr) {
    const out = await client.send(new DescribeRouteTablesCommand({ RouteTableIds: [tableId] }))
    return out.RouteTables![0]!.Routes!.find((r) => r.DestinationCidrBlock === cidr)?.State
  },
})

async function scenarioThroughSdk(cidrs: { a: string; b: string }) {
  const a = ec2Client(server.url, { accountId: ACCOUNT_A })
  const b = ec2Client(server.url, { accountId: ACCOUNT_B })
  const sideA = sdkSide(a)
  const sideB = sdkSide(b)
  const vpcA = await sideA.createVpc(cidrs.a)
  const vpcB = await sideB.createVpc(cidrs.b)
  const requested = await a.send(
    new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: vpcB, PeerOwnerId: ACCOUNT_B }),
  )
  const pcx = requested.VpcPeeringConnection!.VpcPeeringConnectionId!
  await b.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))

  const tableA = await sideA.mainRouteTable(vpcA)
  const tableB = await sideB.mainRouteTable(vpcB)
  await sideA.createRoute(tableA, cidrs.b, pcx)
  await sideB.createRoute(tableB, cidrs.a, pcx)
  expect(await sideA.routeState(tableA, cidrs.b)).toBe('active')
  expect(await sideB.routeState(tableB, cidrs.a)).toBe('active')

  const groupB = (
    await b.send(new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db', VpcId: vpcB }))
  ).GroupId!
  const groupA = (
    await a.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcA }))
  ).GroupId!
  await a.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupA,
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          UserIdGroupPairs: [{ GroupId: groupB, UserId: ACCOUNT_B, VpcPeeringConnectionId: pcx }],
        },
      ],
    }),
  )
  const before = await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcA }))
  expect(before.StaleSecurityGroupSet).toEqual([])

  await b.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))
  expect(await sideA.routeState(tableA, cidrs.b)).toBe('blackhole')
  expect(await sideB.routeState(tableB, cidrs.a)).toBe('blackhole')
  return { a, vpcA, groupA, groupB, pcx }
}

describe('peering story through @aws-sdk/client-ec2', () => {
  it('routes turn blackhole and the cross-account rule turns stale after the accepter deletes', async () => {
    const { a, vpcA, groupA, groupB, pcx } = await scenarioThroughSdk({ a: '10.1.0.0/16', b: '10.2.0.0/16' })
    const stale = await a.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcA }))
    expect(stale.StaleSecurityGroupSet).toHaveLength(1)
    const group = stale.StaleSecurityGroupSet![0]!
    expect(group.GroupId).toBe(groupA)
    const pair = group.StaleIpPermissions![0]!.UserIdGroupPairs![0]!
    expect(pair).toMatchObject({
      GroupId: groupB,
      UserId: ACCOUNT_B,
      VpcPeeringConnectionId: pcx,
      PeeringStatus: 'deleted',
    })
  })
})

const hasAws = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const run = promisify(execFile)

/** Runs `aws ec2 …` as `account` against the server and parses its JSON. */
async function awsEc2(account: string, ...args: string[]): Promise<any> {
  const { stdout } = await run('aws', ['--endpoint-url', server.url, 'ec2', ...args, '--output', 'json'], {
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: account,
      AWS_SECRET_ACCESS_KEY: 'vpcpeer',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    timeout: 60_000,
  })
  return stdout.trim() ? JSON.parse(stdout) : {}
}

describe.skipIf(!hasAws)(
  `peering story through the AWS CLI${hasAws ? '' : ': skipped, the aws CLI is not installed'}`,
  () => {
    it('routes turn blackhole and the cross-account rule turns stale after the accepter deletes', async () => {
      const vpcA = (await awsEc2(ACCOUNT_A, 'create-vpc', '--cidr-block', '10.11.0.0/16')).Vpc.VpcId
      const vpcB = (await awsEc2(ACCOUNT_B, 'create-vpc', '--cidr-block', '10.12.0.0/16')).Vpc.VpcId
      const pcx = (
        await awsEc2(
          ACCOUNT_A,
          'create-vpc-peering-connection',
          '--vpc-id',
          vpcA,
          '--peer-vpc-id',
          vpcB,
          '--peer-owner-id',
          ACCOUNT_B,
        )
      ).VpcPeeringConnection.VpcPeeringConnectionId
      const accepted = await awsEc2(
        ACCOUNT_B,
        'accept-vpc-peering-connection',
        '--vpc-peering-connection-id',
        pcx,
      )
      expect(accepted.VpcPeeringConnection.Status.Code).toMatch(/^(provisioning|active)$/)

      const mainTable = async (account: string, vpcId: string) =>
        (
          await awsEc2(
            account,
            'describe-route-tables',
            '--filters',
            `Name=vpc-id,Values=${vpcId}`,
            'Name=association.main,Values=true',
          )
        ).RouteTables[0].RouteTableId as string
      const tableA = await mainTable(ACCOUNT_A, vpcA)
      const tableB = await mainTable(ACCOUNT_B, vpcB)
      await awsEc2(
        ACCOUNT_A,
        'create-route',
        '--route-table-id',
        tableA,
        '--destination-cidr-block',
        '10.12.0.0/16',
        '--vpc-peering-connection-id',
        pcx,
      )
      await awsEc2(
        ACCOUNT_B,
        'create-route',
        '--route-table-id',
        tableB,
        '--destination-cidr-block',
        '10.11.0.0/16',
        '--vpc-peering-connection-id',
        pcx,
      )
      const routeState = async () =>
        (
          await awsEc2(ACCOUNT_A, 'describe-route-tables', '--route-table-ids', tableA)
        ).RouteTables[0].Routes.find(
          (r: { DestinationCidrBlock?: string }) => r.DestinationCidrBlock === '10.12.0.0/16',
        ).State
      expect(await routeState()).toBe('active')

      const groupB = (
        await awsEc2(
          ACCOUNT_B,
          'create-security-group',
          '--group-name',
          'db',
          '--description',
          'db',
          '--vpc-id',
          vpcB,
        )
      ).GroupId
      const groupA = (
        await awsEc2(
          ACCOUNT_A,
          'create-security-group',
          '--group-name',
          'app',
          '--description',
          'app',
          '--vpc-id',
          vpcA,
        )
      ).GroupId
      await awsEc2(
        ACCOUNT_A,
        'authorize-security-group-ingress',
        '--group-id',
        groupA,
        '--ip-permissions',
        JSON.stringify([
          {
            IpProtocol: 'tcp',
            FromPort: 5432,
            ToPort: 5432,
            UserIdGroupPairs: [{ GroupId: groupB, UserId: ACCOUNT_B }],
          },
        ]),
      )

      await awsEc2(ACCOUNT_B, 'delete-vpc-peering-connection', '--vpc-peering-connection-id', pcx)
      expect(await routeState()).toBe('blackhole')
      const stale = await awsEc2(ACCOUNT_A, 'describe-stale-security-groups', '--vpc-id', vpcA)
      expect(stale.StaleSecurityGroupSet.map((g: { GroupId: string }) => g.GroupId)).toEqual([groupA])
      expect(stale.StaleSecurityGroupSet[0].StaleIpPermissions[0].UserIdGroupPairs[0]).toMatchObject({
        GroupId: groupB,
        UserId: ACCOUNT_B,
        PeeringStatus: 'deleted',
      })
    })
  },
)

import { execFile, execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateVpcCommand, DeleteVpcCommand } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byCodeUnit } from './support/ec2.js'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

function awsVersion(): string | undefined {
  try {
    return execFileSync('aws', ['--version'], { encoding: 'utf8', timeout: 20_000, stdio: 'pipe' }).trim()
  } catch {
    return undefined
  }
}

const version = awsVersion()
const hasAws = version !== undefined
const suiteName = hasAws
  ? `the AWS CLI (${version?.split(' ')[0]}) against vpcpeer`
  : 'aws CLI is not installed: `aws --version` failed, so the AWS CLI suite is skipped'

let server: TestServer
const nowhere = join(tmpdir(), 'vpcpeer-no-aws-config')

interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `aws --endpoint-url <server> ec2 …` as `accountId`, with no profile or config of the machine. */
function aws(accountId: string, args: string[], region = 'us-east-1'): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      'aws',
      ['--endpoint-url', server.url, 'ec2', ...args, '--output', 'json'],
      {
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ACCESS_KEY_ID: accountId,
          AWS_SECRET_ACCESS_KEY: 'x',
          AWS_DEFAULT_REGION: region,
          AWS_PAGER: '',
          AWS_CONFIG_FILE: nowhere,
          AWS_SHARED_CREDENTIALS_FILE: nowhere,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_MAX_ATTEMPTS: '1',
          AWS_RETRY_MODE: 'standard',
          NO_PROXY: '127.0.0.1',
          no_proxy: '127.0.0.1',
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      },
    )
  })
}

/** Runs a call that must succeed and parses its JSON output (`{}` when the command prints nothing). */
// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON, read only by the assertions below.
async function ok(accountId: string, args: string[]): Promise<any> {
  const result = await aws(accountId, args)
  expect(result.code, `aws ec2 ${args.join(' ')}: ${result.stderr}`).toBe(0)
  return result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)
}

/** Runs a call that must fail with this error code (the CLI prints `An error occurred (<Code>) …`). */
async function fails(accountId: string, args: string[], code: string): Promise<string> {
  const result = await aws(accountId, args)
  expect(result.code).not.toBe(0)
  expect(result.stderr).toContain(`An error occurred (${code})`)
  return result.stderr
}

describe.skipIf(!hasAws)(suiteName, () => {
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => server?.close())

  interface Made {
    readonly vpcId: string
    readonly subnetId: string
  }

  async function scenario(accountId: string, name: string): Promise<Made> {
    const vpc = (
      await ok(accountId, [
        'create-vpc',
        '--cidr-block',
        '10.0.0.0/16',
        '--tag-specifications',
        `ResourceType=vpc,Tags=[{Key=Name,Value=${name}}]`,
      ])
    ).Vpc
    expect(vpc).toMatchObject({
      CidrBlock: '10.0.0.0/16',
      OwnerId: accountId,
      Tags: [{ Key: 'Name', Value: name }],
    })
    const vpcId: string = vpc.VpcId

    const subnet = (
      await ok(accountId, [
        'create-subnet',
        '--vpc-id',
        vpcId,
        '--cidr-block',
        '10.0.1.0/24',
        '--availability-zone',
        'us-east-1a',
        '--tag-specifications',
        `ResourceType=subnet,Tags=[{Key=Name,Value=${name}-subnet}]`,
      ])
    ).Subnet
    expect(subnet).toMatchObject({ VpcId: vpcId, CidrBlock: '10.0.1.0/24', AvailabilityZone: 'us-east-1a' })
    const subnetId: string = subnet.SubnetId

    // Independent calls run side by side: each CLI start-up costs a second or more.
    const [byTag, subnets] = await Promise.all([
      ok(accountId, ['describe-vpcs', '--filters', `Name=tag:Name,Values=${name}`]),
      ok(accountId, [
        'describe-subnets',
        '--filters',
        `Name=vpc-id,Values=${vpcId}`,
        'Name=availability-zone,Values=us-east-1a,us-east-1b',
      ]),
      (async () => {
        await ok(accountId, ['create-tags', '--resources', vpcId, subnetId, '--tags', 'Key=env,Value=cli'])
        const tags = await ok(accountId, ['describe-tags', '--filters', 'Name=key,Values=env'])
        expect(tags.Tags.map((t: { ResourceId: string }) => t.ResourceId).sort()).toEqual(
          [subnetId, vpcId].sort(byCodeUnit),
        )
        await ok(accountId, ['delete-tags', '--resources', subnetId, '--tags', 'Key=env'])
        const left = await ok(accountId, ['describe-tags', '--filters', 'Name=key,Values=env'])
        expect(left.Tags.map((t: { ResourceId: string }) => t.ResourceId)).toEqual([vpcId])
      })(),
      fails(accountId, ['create-vpc', '--cidr-block', '10.9.0.0/16', '--dry-run'], 'DryRunOperation'),
    ])
    expect(byTag.Vpcs.map((v: { VpcId: string }) => v.VpcId)).toEqual([vpcId])
    expect(subnets.Subnets.map((s: { SubnetId: string }) => s.SubnetId)).toEqual([subnetId])
    return { vpcId, subnetId }
  }

  /** What one account sees of its own and the other's resources. */
  const crossChecks = (me: string, mine: Made, theirs: Made) => [
    ok(me, ['describe-vpcs']).then((all) =>
      expect(all.Vpcs.map((v: { VpcId: string }) => v.VpcId)).toEqual([mine.vpcId]),
    ),
    fails(me, ['describe-vpcs', '--vpc-ids', theirs.vpcId], 'InvalidVpcID.NotFound').then((stderr) =>
      expect(stderr).toContain(`The vpc ID '${theirs.vpcId}' does not exist`),
    ),
    fails(me, ['delete-vpc', '--vpc-id', theirs.vpcId], 'InvalidVpcID.NotFound'),
    fails(me, ['delete-subnet', '--subnet-id', theirs.subnetId], 'InvalidSubnetID.NotFound'),
  ]

  async function teardown(accountId: string, { vpcId, subnetId }: Made) {
    const blocked = await fails(accountId, ['delete-vpc', '--vpc-id', vpcId], 'DependencyViolation')
    expect(blocked).toContain(`The vpc '${vpcId}' has dependencies and cannot be deleted.`)
    await ok(accountId, ['delete-subnet', '--subnet-id', subnetId])
    await ok(accountId, ['delete-vpc', '--vpc-id', vpcId])
    expect((await ok(accountId, ['describe-vpcs'])).Vpcs).toEqual([])
  }

  it('creates, describes with filters, tags and deletes in two accounts, each seeing only its own', async () => {
    const [a, b] = await Promise.all([scenario(ACCOUNT_A, 'cli-a'), scenario(ACCOUNT_B, 'cli-b')])
    await Promise.all([...crossChecks(ACCOUNT_A, a, b), ...crossChecks(ACCOUNT_B, b, a)])
    await Promise.all([teardown(ACCOUNT_A, a), teardown(ACCOUNT_B, b)])
  }, 180_000)

  it('pages describe-vpcs with --page-size and reports bad input as the API does', async () => {
    // Made through the SDK, which is quicker; only the paging is the CLI's.
    const client = ec2Client(server.url, { accountId: ACCOUNT_A })
    const made: string[] = []
    for (let i = 0; i < 6; i++) {
      made.push((await client.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }))).Vpc!.VpcId!)
    }
    await Promise.all([
      // The CLI follows NextToken itself and merges the pages.
      ok(ACCOUNT_A, ['describe-vpcs', '--page-size', '5']).then((paged) =>
        expect(paged.Vpcs.map((v: { VpcId: string }) => v.VpcId)).toEqual(made),
      ),
      fails(ACCOUNT_A, ['create-vpc', '--cidr-block', '10.0.0.0/8'], 'InvalidVpc.Range'),
      fails(ACCOUNT_A, ['delete-vpc', '--vpc-id', 'vpc-xyz'], 'InvalidVpcID.Malformed'),
      fails(ACCOUNT_A, ['describe-vpcs', '--filters', 'Name=bogus,Values=x'], 'InvalidParameterValue'),
    ])
    for (const VpcId of made) await client.send(new DeleteVpcCommand({ VpcId }))
  }, 180_000)
})

import {
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DeleteVpcCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../src/storage/kysely-store.js'
import {
  createScratchDatabase,
  postgresServerUrl,
  postgresSkipped,
  type ScratchDatabase,
} from './support/postgres.js'
import { ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

/** The error code an SDK call failed with. */
const errorCode = (call: Promise<unknown>) =>
  call.then(
    () => 'no error',
    (error: { name?: string }) => error.name,
  )

describe.skipIf(!postgresServerUrl)(
  postgresServerUrl ? 'a server on PostgreSQL, through @aws-sdk/client-ec2' : postgresSkipped,
  () => {
    let database: ScratchDatabase
    let server: TestServer
    let client: EC2Client
    // Undone in reverse, and only what was set up: a failed beforeAll leaves nothing behind.
    const cleanups: (() => Promise<void>)[] = []

    beforeAll(async () => {
      database = await createScratchDatabase(postgresServerUrl!)
      cleanups.push(database.drop)
      const store = await openStore({ databaseUrl: database.url })
      cleanups.push(() => store.close())
      server = await startTestServer({ store })
      cleanups.push(() => server.close())
      client = ec2Client(server.url)
    })
    afterAll(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup()
    })

    const createVpc = async (cidr: string, name: string) => {
      const { Vpc } = await client.send(
        new CreateVpcCommand({
          CidrBlock: cidr,
          TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: name }] }],
        }),
      )
      return Vpc!.VpcId!
    }

    it('creates, describes, tags and deletes VPCs and subnets', async () => {
      const web = await createVpc('10.0.0.0/16', 'web')
      const db = await createVpc('10.1.0.0/16', 'db')
      const { Subnet } = await client.send(
        new CreateSubnetCommand({
          VpcId: web,
          CidrBlock: '10.0.1.0/24',
          TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Tier', Value: 'public' }] }],
        }),
      )
      const subnetId = Subnet!.SubnetId!

      const byName = await client.send(
        new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['web'] }] }),
      )
      expect(byName.Vpcs?.map((v) => [v.VpcId, v.CidrBlock])).toEqual([[web, '10.0.0.0/16']])
      const all = await client.send(new DescribeVpcsCommand({ VpcIds: [web, db] }))
      expect(all.Vpcs?.map((v) => v.VpcId)).toEqual([web, db])
      const subnets = await client.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [web] }] }),
      )
      expect(subnets.Subnets?.map((s) => [s.SubnetId, s.CidrBlock, s.Tags])).toEqual([
        [subnetId, '10.0.1.0/24', [{ Key: 'Tier', Value: 'public' }]],
      ])

      await client.send(new CreateTagsCommand({ Resources: [web], Tags: [{ Key: 'Env', Value: 'prod' }] }))
      await client.send(new DeleteTagsCommand({ Resources: [web], Tags: [{ Key: 'Name' }] }))
      const tags = await client.send(
        new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [web] }] }),
      )
      expect(tags.Tags?.map((t) => [t.Key, t.Value, t.ResourceType])).toEqual([['Env', 'prod', 'vpc']])

      // Another account sees none of it.
      const other = ec2Client(server.url, { accountId: ACCOUNT_B })
      expect(await errorCode(other.send(new DescribeVpcsCommand({ VpcIds: [web] })))).toBe(
        'InvalidVpcID.NotFound',
      )

      expect(await errorCode(client.send(new DeleteVpcCommand({ VpcId: web })))).toBe('DependencyViolation')
      await client.send(new DeleteSubnetCommand({ SubnetId: subnetId }))
      await client.send(new DeleteVpcCommand({ VpcId: web }))
      expect(await errorCode(client.send(new DescribeVpcsCommand({ VpcIds: [web] })))).toBe(
        'InvalidVpcID.NotFound',
      )
      const left = await client.send(new DescribeVpcsCommand({}))
      expect(left.Vpcs?.map((v) => v.VpcId)).toEqual([db])
    })

    it('shares its state with a second instance on the same database', async () => {
      const vpcId = await createVpc('10.2.0.0/16', 'shared')
      const secondStore = await openStore({ databaseUrl: database.url })
      const second = await startTestServer({ store: secondStore })
      try {
        const seen = await ec2Client(second.url).send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))
        expect(seen.Vpcs?.[0]?.Tags).toEqual([{ Key: 'Name', Value: 'shared' }])
        await ec2Client(second.url).send(new DeleteVpcCommand({ VpcId: vpcId }))
        expect(await errorCode(client.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })))).toBe(
          'InvalidVpcID.NotFound',
        )
      } finally {
        await second.close()
        await secondStore.close()
      }
    })

    it('keeps serving after PostgreSQL drops its connections', async () => {
      const before = await createVpc('10.3.0.0/16', 'before')
      const admin = new pg.Client({ connectionString: database.url })
      await admin.connect()
      try {
        const { rowCount } = await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid()`,
        )
        expect(rowCount).toBeGreaterThan(0)
      } finally {
        await admin.end()
      }
      // Lets the dropped connections' errors arrive before the next request.
      await new Promise((resolve) => setTimeout(resolve, 200))
      const after = await createVpc('10.4.0.0/16', 'after')
      const found = await client.send(new DescribeVpcsCommand({ VpcIds: [before, after] }))
      expect(found.Vpcs?.map((v) => v.VpcId)).toEqual([before, after])
    })
  },
)

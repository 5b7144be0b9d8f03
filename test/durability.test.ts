import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateVpcCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ec2Client } from './support/server.js'
import { runCli, type ServerProcess, spawnServer } from './support/server-process.js'

let dataDir: string
const running: ServerProcess[] = []

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'vpcpeer-durability-'))
})
afterEach(async () => {
  for (const server of running.splice(0)) await server.stop('SIGKILL')
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const serve = async (...args: string[]) => {
  const server = await spawnServer(['--log-level', 'info', ...args])
  running.push(server)
  return server
}

describe('the server as a process', () => {
  it('keeps every acknowledged VPC and its tags through kill -9 and a restart', async () => {
    const first = await serve('--data-dir', dataDir)
    const client = ec2Client(first.url)
    const count = 30
    const acknowledged = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const { Vpc } = await client.send(
          new CreateVpcCommand({
            CidrBlock: `10.${i}.0.0/16`,
            TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: `vpc-number-${i}` }] }],
          }),
        )
        return { vpcId: Vpc!.VpcId!, name: `vpc-number-${i}`, cidr: `10.${i}.0.0/16` }
      }),
    )
    client.destroy()
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' })

    const second = await serve('--data-dir', dataDir)
    const { Vpcs = [] } = await ec2Client(second.url).send(new DescribeVpcsCommand({}))
    const found = Vpcs.map((vpc) => ({
      vpcId: vpc.VpcId,
      name: vpc.Tags?.find((tag) => tag.Key === 'Name')?.Value,
      cidr: vpc.CidrBlock,
    }))
    const byId = (a: { vpcId?: string }, b: { vpcId?: string }) => (a.vpcId! < b.vpcId! ? -1 : 1)
    expect(found.sort(byId)).toEqual(acknowledged.sort(byId))
  })

  it('shuts down with exit code 0 on SIGTERM', async () => {
    const server = await serve('--ephemeral')
    expect(await server.stop('SIGTERM')).toEqual({ code: 0, signal: null })
    expect(server.output()).toContain('SIGTERM: shutting down')
    await expect(fetch(`${server.url}/_vpcpeer/health`)).rejects.toThrow()
  })

  it.each([
    { flags: ['--port', '99999'], message: /--port.*99999.*0 to 65535/ },
    { flags: ['--auth', 'strict'], message: /--auth strict needs --credentials/ },
    { flags: ['--database-url', 'mysql://x'], message: /must be a postgres:\/\/ or postgresql:\/\/ URL/ },
    { flags: ['--log-level', 'loud'], message: /--log-level.*loud.*Allowed choices/ },
    { flags: ['--region', 'nowhere'], message: /must be a region name like us-east-1/ },
    { flags: ['--credentials', 'no-such-file.json', '--auth', 'strict'], message: /cannot read credentials/ },
  ])('refuses $flags with a message on stderr and exit code 2', async ({ flags, message }) => {
    const run = await runCli(['serve', '--port', '0', '--ephemeral', ...flags])
    expect(run.stderr).toMatch(message)
    expect(run.stdout).not.toContain('listening')
    expect(run.code).toBe(2)
  })

  it('refuses a bad value from the environment the same way', async () => {
    const run = await runCli(['serve', '--ephemeral'], { env: { VPCPEER_PORT: 'http' } })
    expect(run.stderr).toMatch(/--port.*http/)
    expect(run.code).toBe(2)
  })
})

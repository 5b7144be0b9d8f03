import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  CreateNetworkInterfaceCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { callApi } from '../src/cli/client.js'
import { applyPlan, applySteps } from '../src/cli/plan-apply.js'
import { overlaps, parsePrefix } from '../src/net/prefix.js'
import { designPlan, type Plan } from '../src/plan/design.js'
import { runVpcpeer } from './support/cli.js'
import { askedPairs, auditFindings, builtPairs, examplePath, readExample } from './support/plan.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const connectionTo = (url: string) => ({
  endpoint: url,
  accessKeyId: '111111111111',
  secretAccessKey: 'vpcpeer',
  region: 'us-east-1',
})

describe('vpcpeer plan', () => {
  it('prints the design as a table, and as JSON with -o json', async () => {
    const table = await runVpcpeer(server.url, '111111111111', 'plan', examplePath('six-vpcs.yaml'))
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/^VPCs\n/)
    expect(table.stdout).toContain('payments--tools')
    expect(table.stdout).toMatch(/14 routes, 30 security-group rules, 0 transit gateways/)
    const json = await runVpcpeer(
      server.url,
      '111111111111',
      'plan',
      examplePath('six-vpcs.yaml'),
      '-o',
      'json',
    )
    const plan = JSON.parse(json.stdout) as Plan
    expect(plan.vpcs.map((v) => v.name)).toEqual([
      'edge',
      'orders',
      'payments',
      'reporting',
      'tools',
      'staging',
    ])
    expect(plan.decisions.every((d) => d.topology === 'mesh')).toBe(true)
  })

  it('--terraform writes main.tf into the folder, and no transit-gateway.tf for a mesh', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vpcpeer-plan-out-'))
    try {
      const result = await runVpcpeer(
        server.url,
        '111111111111',
        'plan',
        examplePath('six-vpcs.yaml'),
        '--terraform',
        dir,
      )
      expect(result.code, result.stderr).toBe(0)
      expect(result.stderr).toContain(`wrote ${join(dir, 'main.tf')}`)
      expect(await readdir(dir)).toEqual(['main.tf'])
      expect(await readFile(join(dir, 'main.tf'), 'utf8')).toContain(
        'resource "aws_vpc_peering_connection_accepter" "payments__tools"',
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('names the bad field of a plan file and exits 2', async () => {
    const file = join(tmpdir(), `vpcpeer-plan-bad-${process.pid}.yaml`)
    await writeFile(
      file,
      'vpcs:\n  web: { account: 1234, region: us-east-1, size: /12 }\ngroups:\n  - { name: g, members: [web, nope], ports: [443] }\n',
    )
    const result = await runVpcpeer(server.url, '111111111111', 'plan', file)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('vpcs.web.account: must be a 12-digit account id')
    expect(result.stderr).toContain('vpcs.web.size: a VPC block is /16 to /28')
  })

  it('--apply builds the six-VPC estate with progress; a second plan with --existing keeps clear of it', async () => {
    const applied = await runVpcpeer(
      server.url,
      '111111111111',
      'plan',
      examplePath('six-vpcs.yaml'),
      '--apply',
      '-o',
      'json',
    )
    expect(applied.code, applied.stderr).toBe(0)
    expect(applied.stderr).toMatch(/applying \[.*\] 1\d\d\/1\d\d calls/)
    const first = JSON.parse(applied.stdout) as Plan & { applied: { vpcs: Record<string, string> } }
    expect(Object.keys(first.applied.vpcs)).toHaveLength(6)
    // The payments data tier admits 5432 from the reporting VPC only, and nothing else.
    const payments = ec2Client(server.url, { accountId: '222222222222' })
    const groups = await payments.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['payments-data'] }] }),
    )
    const groupId = groups.SecurityGroups![0]!.GroupId!
    const rules = await payments.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    )
    const reporting = first.vpcs.find((v) => v.name === 'reporting')!
    expect(
      rules.SecurityGroupRules!.map((r) => [r.IsEgress, r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4]),
    ).toEqual([[false, 'tcp', 5432, 5432, reporting.cidr]])

    const again = await runVpcpeer(
      server.url,
      '111111111111',
      'plan',
      examplePath('six-vpcs.yaml'),
      '--existing',
      '-o',
      'json',
    )
    const second = JSON.parse(again.stdout) as Plan
    // The server knows the blocks, not the growth room the first plan kept beside them.
    for (const a of second.vpcs)
      for (const b of first.vpcs) expect(overlaps(parsePrefix(a.cidr)!, parsePrefix(b.cidr)!)).toBe(false)
    expect(second.vpcs.map((v) => v.cidr)).not.toEqual(first.vpcs.map((v) => v.cidr))
  })

  it('refuses to --apply a hub design, which needs transit gateways vpcpeer does not emulate yet', async () => {
    const file = readExample('six-vpcs.yaml')
    const plan = designPlan({ ...file, quotas: { ...file.quotas, activePeeringsPerVpc: 2 } })
    expect(plan.decisions.find((d) => d.name === 'monitoring')!.topology).toBe('hub')
    await expect(applyPlan(plan, connectionTo(server.url), () => {})).rejects.toThrow(
      /monitoring needs a transit gateway hub, which vpcpeer does not emulate yet/,
    )
  })
})

describe('the applied six-VPC estate, with an interface in every tier', () => {
  const plan = designPlan(readExample('six-vpcs.yaml'))
  let own: TestServer
  /** Interface id and address per tier, `vpc.tier`. */
  const interfaces = new Map<string, { id: string; address: string }>()
  beforeAll(async () => {
    own = await startTestServer()
    const ids = await applyPlan(plan, connectionTo(own.url), () => {})
    for (const vpc of plan.vpcs) {
      const client = ec2Client(own.url, { accountId: vpc.account, region: vpc.region })
      for (const tier of vpc.tiers) {
        const key = `${vpc.name}.${tier.name}`
        const made = await client.send(
          new CreateNetworkInterfaceCommand({
            SubnetId: ids.subnets[`${key}.${tier.subnets[0]!.availabilityZone}`],
            Groups: [ids.securityGroups[key]!],
          }),
        )
        const eni = made.NetworkInterface!
        interfaces.set(key, { id: eni.NetworkInterfaceId!, address: eni.PrivateIpAddress! })
      }
    }
  })
  afterAll(() => own.close())

  /** Traces one tcp flow from a tier's interface to another's, as the source's account. */
  const trace = async (from: string, to: string, port: number) => {
    const vpc = plan.vpcs.find((v) => v.name === from.split('.')[0])!
    const answer = await callApi<{ reachable: boolean; explanations: { explanationCode: string }[] }>(
      { ...connectionTo(own.url), accessKeyId: vpc.account, region: vpc.region },
      'POST',
      '/trace',
      { body: { from: interfaces.get(from)!.id, to: interfaces.get(to)!.address, protocol: 'tcp', port } },
    )
    return answer.reachable ? 'reachable' : answer.explanations.map((e) => e.explanationCode).join(' ')
  }

  it('lets through exactly the named ports, the way a connection names them', async () => {
    expect(await trace('reporting.app', 'payments.data', 5432)).toBe('reachable')
    expect(await trace('reporting.app', 'payments.data', 443)).toMatch(/SG_RULES_MISMATCH/)
    expect(await trace('edge.app', 'orders.app', 443)).toBe('reachable')
    // A connection is one way: orders may answer edge, not open connections to it.
    expect(await trace('orders.app', 'edge.app', 443)).toMatch(/SG_RULES_MISMATCH/)
    // A group both ways, on its port only.
    expect(await trace('tools.app', 'payments.app', 9100)).toBe('reachable')
    expect(await trace('payments.app', 'tools.app', 9100)).toBe('reachable')
    expect(await trace('tools.app', 'payments.app', 8443)).toMatch(/SG_RULES_MISMATCH/)
  })

  it('vpcpeer audit finds nothing above low; PostgreSQL across a peering is the low advice to encrypt', async () => {
    const findings = await auditFindings(own.url, plan)
    expect(findings.filter((f) => f.severity !== 'low')).toEqual([])
    const plaintext = findings.filter((f) => f.ruleId === 'plaintext-service-across-peering')
    expect(plaintext.map((f) => f.problem)).toEqual([expect.stringContaining('PostgreSQL (tcp 5432)')])
  })

  it('vpcpeer audit does flag the same plan built without flow logs (medium)', async () => {
    const unlogged = await startTestServer()
    try {
      const withoutLogs = designPlan({ ...readExample('six-vpcs.yaml'), flowLogs: false })
      await applyPlan(withoutLogs, connectionTo(unlogged.url), () => {})
      const findings = await auditFindings(unlogged.url, withoutLogs)
      expect(new Set(findings.filter((f) => f.severity === 'medium').map((f) => f.ruleId))).toEqual(
        new Set(['peering-without-flow-logs']),
      )
    } finally {
      await unlogged.close()
    }
  })

  it('routes only the tiers that talk: the data tier of orders and the staging VPC reach no one', async () => {
    expect(await trace('orders.data', 'payments.data', 5432)).not.toBe('reachable')
    expect(await trace('staging.app', 'edge.app', 443)).not.toBe('reachable')
    expect(await trace('edge.app', 'staging.app', 443)).not.toBe('reachable')
  })
})

describe('vpcpeer plan --apply on the 40-VPC, 3-account, 2-region example', () => {
  const file = readExample('forty-vpcs.yaml')
  const plan = designPlan(file)
  let own: TestServer
  let ids: Awaited<ReturnType<typeof applyPlan>>
  let calls = 0
  // Building the estate (about 850 EC2 calls, some seconds) is the fixture the checks share.
  beforeAll(async () => {
    own = await startTestServer()
    ids = await applyPlan(plan, connectionTo(own.url), () => calls++)
  })
  afterAll(() => own.close())

  it('builds 40 VPCs in three accounts and two regions, one call per step it announced', () => {
    expect(new Set(plan.vpcs.map((v) => v.account)).size).toBe(3)
    expect(new Set(plan.vpcs.map((v) => v.region)).size).toBe(2)
    expect(Object.keys(ids.vpcs)).toHaveLength(40)
    expect(Object.keys(ids.peerings)).toHaveLength(plan.peerings.length)
    expect(calls).toBe(applySteps(plan))
  })

  it('the VPC matrix holds exactly the VPC pairs the file asks for, and the subnet matrix exactly its tier pairs', async () => {
    const asked = askedPairs(file)
    const built = await builtPairs(own.url, plan, ids.vpcs, 443)
    expect([...built.vpcPairs].sort()).toEqual([...asked.vpcPairs].sort())
    expect([...built.tierPairs].sort()).toEqual([...asked.tierPairs].sort())
  })

  it('vpcpeer audit of each of its accounts finds nothing above low', async () => {
    const findings = await auditFindings(own.url, plan)
    expect(findings.filter((f) => f.severity !== 'low')).toEqual([])
  })
})

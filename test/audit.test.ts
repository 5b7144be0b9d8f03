import { CreateFlowLogsCommand, type EC2Client, RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditReport } from '../src/app/audit.js'
import { ApiCallError, callApi } from '../src/cli/client.js'
import { runVpcpeer } from './support/cli.js'
import { appAndDatabase } from './support/estates.js'
import { startTestServer, type TestServer } from './support/server.js'

type Client = EC2Client & { accountId: string }

let server: TestServer
let estate: Awaited<ReturnType<typeof appAndDatabase>>
beforeAll(async () => {
  server = await startTestServer()
  estate = await appAndDatabase(server.url)
})
afterAll(() => server.close())

const audit = (client: Client, query: Record<string, string> = {}) =>
  callApi<AuditReport>(
    { endpoint: server.url, accessKeyId: client.accountId, secretAccessKey: 'x', region: 'us-east-1' },
    'GET',
    '/audit',
    { query },
  )

const rulesOf = (report: AuditReport) =>
  report.findings.map((f) => `${f.severity} ${f.ruleId} ${f.resource.id}`)

const flowLogOn = (client: Client, vpcId: string) =>
  client.send(
    new CreateFlowLogsCommand({
      ResourceType: 'VPC',
      ResourceIds: [vpcId],
      TrafficType: 'ALL',
      LogGroupName: 'audit-test',
      DeliverLogsPermissionArn: `arn:aws:iam::${client.accountId}:role/flow-logs`,
    }),
  )

// The suite's steps build on each other: flow logs are added, then the plaintext rule revoked.
describe('vpcpeer audit against a running server', () => {
  it('GET /audit reports each account its own findings: no flow logs, and B’s PostgreSQL open to A', async () => {
    const { a, b, app, db, dbGroup } = estate
    const forA = await audit(a)
    expect(rulesOf(forA)).toEqual([`medium peering-without-flow-logs ${app.vpcId}`])
    expect(forA.accountId).toBe(a.accountId)
    expect(forA.summary).toEqual({ high: 0, medium: 1, low: 0, total: 1 })
    const forB = await audit(b)
    expect(rulesOf(forB)).toEqual([
      `medium peering-without-flow-logs ${db.vpcId}`,
      `low plaintext-service-across-peering ${dbGroup}`,
    ])
    expect(forB.findings[1]!.problem).toMatch(
      /^PostgreSQL \(tcp 5432\) on eni-\w+ \(10\.2\.1\.20\) is reachable/,
    )
  })

  it('answers an invalid query with InvalidParameterValue', async () => {
    const error = await audit(estate.a, { expiryWindowHours: '0' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiCallError)
    expect((error as ApiCallError).code).toBe('InvalidParameterValue')
    expect((error as ApiCallError).status).toBe(400)
  })

  it('prints a table, and --fail-on sets the exit code', async () => {
    const { a } = estate
    const table = await runVpcpeer(server.url, a.accountId, 'audit')
    expect(table.code).toBe(0)
    expect(table.stdout).toContain(`Audit of account ${a.accountId}`)
    expect(table.stdout).toContain('0 high, 1 medium, 0 low')
    expect(table.stdout).toContain('peering-without-flow-logs')
    expect((await runVpcpeer(server.url, a.accountId, 'audit', '--fail-on', 'medium')).code).toBe(1)
    expect((await runVpcpeer(server.url, a.accountId, 'audit', '--fail-on', 'high')).code).toBe(0)
    const usage = await runVpcpeer(server.url, a.accountId, 'audit', '--fail-on', 'severe')
    expect(usage.code).toBe(2)
  })

  it('prints SARIF 2.1.0 with -o sarif, a result per finding', async () => {
    const { b, dbGroup } = estate
    const sarif = await runVpcpeer(server.url, b.accountId, 'audit', '-o', 'sarif')
    expect(sarif.code).toBe(0)
    const log = JSON.parse(sarif.stdout) as {
      version: string
      runs: {
        results: { ruleId: string; level: string; locations: { logicalLocations: { name: string }[] }[] }[]
      }[]
    }
    expect(log.version).toBe('2.1.0')
    expect(
      log.runs[0]!.results.map((r) => [r.ruleId, r.level, r.locations[0]!.logicalLocations[0]!.name]),
    ).toEqual([
      ['peering-without-flow-logs', 'warning', estate.db.vpcId],
      ['plaintext-service-across-peering', 'note', dbGroup],
    ])
  })

  it('prints JSON with -o json; a finding fixed by its own command is gone', async () => {
    const { a, b, app, db, dbGroup } = estate
    await flowLogOn(a, app.vpcId)
    await flowLogOn(b, db.vpcId)
    const json = await runVpcpeer(server.url, a.accountId, 'audit', '-o', 'json', '--fail-on', 'low')
    expect(json.code).toBe(0)
    expect((JSON.parse(json.stdout) as AuditReport).findings).toEqual([])
    const forB = await audit(b)
    expect(rulesOf(forB)).toEqual([`low plaintext-service-across-peering ${dbGroup}`])
    // The fix names the rule; revoking it is what the command does.
    const ruleId = /--security-group-rule-ids (sgr-\w+)/.exec(forB.findings[0]!.fix)![1]!
    await b.send(new RevokeSecurityGroupIngressCommand({ GroupId: dbGroup, SecurityGroupRuleIds: [ruleId] }))
    expect((await audit(b)).findings).toEqual([])
  })
})

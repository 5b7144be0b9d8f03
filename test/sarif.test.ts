import { readFileSync } from 'node:fs'
import Ajv from 'ajv'
import AjvFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import type { AuditReport } from '../src/app/audit.js'
import { toSarif } from '../src/cli/sarif.js'
import { auditEstate, countBySeverity } from '../src/dataplane/audit.js'
import { compileSnapshot } from '../src/dataplane/snapshot.js'
import { allowAll, allowTcp, EstateBuilder } from '../src/dataplane/test-estate.js'

/** The OASIS SARIF 2.1.0 JSON schema (JSON Schema draft-07), kept in the fixtures so the test needs no network. */
const schema = JSON.parse(
  readFileSync(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as object
// Both are CommonJS modules whose class sits on `default`.
const ajv = new Ajv.default({ allErrors: true, strict: false })
AjvFormats.default(ajv)
const validate = ajv.compile(schema)

/** A report with a finding of every severity, from a small estate. */
function reportOf(): AuditReport {
  const b = new EstateBuilder()
  const left = b.vpc('10.1.0.0/16')
  const right = b.vpc('10.2.0.0/16')
  const db = b.group(right, { ingress: [allowTcp(5432, '10.1.0.0/16'), allowAll('0.0.0.0/0')] })
  b.interface(b.subnet(left, '10.1.1.0/24'), '10.1.1.10')
  b.interface(b.subnet(right, '10.2.1.0/24'), '10.2.1.10', { groups: [db] })
  const peering = b.peering(left, right)
  b.routeToPeering(left, '10.2.0.0/16', peering).routeToPeering(right, '10.1.0.0/16', peering)
  const estate = b.build()
  const findings = auditEstate({ snapshot: compileSnapshot(estate), flowLogs: [], accountId: '111111111111' })
  return {
    accountId: '111111111111',
    at: estate.at.toISOString(),
    findings,
    summary: { ...countBySeverity(findings), total: findings.length },
  }
}

describe('vpcpeer audit -o sarif', () => {
  it('validates against the SARIF 2.1.0 schema, a result per finding with its level', () => {
    const report = reportOf()
    expect(countBySeverity(report.findings)).toEqual({ high: 1, medium: 2, low: 5 })
    const log = toSarif(report)
    const valid = validate(log)
    expect(validate.errors ?? []).toEqual([])
    expect(valid).toBe(true)
    const results = log.runs[0]!.results
    expect(results.map((r) => r.level)).toEqual(
      report.findings.map((f) => ({ high: 'error', medium: 'warning', low: 'note' })[f.severity]),
    )
    const rules = log.runs[0]!.tool.driver.rules
    for (const result of results) expect(rules[result.ruleIndex]!.id).toBe(result.ruleId)
    expect(results[0]!.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toBe(
      report.findings[0]!.resource.arn,
    )
  })

  it('an empty report is a valid log too, and the schema rejects a broken one', () => {
    const log = toSarif({ ...reportOf(), findings: [], summary: { high: 0, medium: 0, low: 0, total: 0 } })
    expect(validate(log)).toBe(true)
    expect(validate({ ...log, version: '2.0.0' })).toBe(false)
    expect(validate({ ...log, runs: [{ results: [] }] })).toBe(false)
  })
})

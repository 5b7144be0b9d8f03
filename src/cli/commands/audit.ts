import Table from 'cli-table3'
import { Command, Option } from 'commander'
import type { AuditReport } from '../../app/audit.js'
import { atLeast, SEVERITIES, type Severity } from '../../dataplane/audit.js'
import { callApi } from '../client.js'
import { toSarif } from '../sarif.js'
import { type ClientOptions, connectionOf, withConnection } from './connection.js'
import { wholeNumber } from './traffic.js'

/** Exit codes: 0 nothing at or above --fail-on, 1 something is, 2 the audit could not run. */
const EXIT = { clean: 0, failed: 1, usage: 2 } as const

interface AuditOptions extends Omit<ClientOptions, 'output'> {
  readonly output: 'table' | 'json' | 'sarif'
  readonly failOn?: Severity
  readonly expiryWindow?: number
}

function printTable(report: AuditReport) {
  const { summary } = report
  process.stdout.write(
    `Audit of account ${report.accountId} at ${report.at}: ${summary.high} high, ${summary.medium} medium, ${summary.low} low\n`,
  )
  if (report.findings.length === 0) return
  // Problems and fixes are long: wrapped in a fixed-width column, the fix under the problem.
  const table = new Table({
    head: ['Severity', 'Rule', 'Resource', 'What is wrong, and the fix'],
    colWidths: [10, 34, 24, 72],
    wordWrap: true,
    style: { head: [], border: [] },
  })
  for (const f of report.findings) {
    table.push([f.severity, f.ruleId, `${f.resource.id}\n${f.region}`, `${f.problem}\n\nFix: ${f.fix}`])
  }
  process.stdout.write(`${table.toString()}\n`)
}

export function auditCommand(): Command {
  const audit = withConnection(
    new Command('audit')
      .description(
        "your account's peerings, routes, security groups and flow logs checked against peering practice (exit 1 with a finding at --fail-on or above, 2 usage or no answer)",
      )
      .addOption(
        new Option('--fail-on <severity>', 'exit 1 when a finding is at least this severe').choices(
          SEVERITIES,
        ),
      )
      .option(
        '--expiry-window <hours>',
        'report pending requests that expire within this many hours (default 48)',
        wholeNumber(1, 168),
      ),
  )
  // The shared -o option knows table and json; an audit also prints as SARIF 2.1.0 for CI.
  const output = audit.options.find((option: Option) => option.long === '--output')!
  output.choices(['table', 'json', 'sarif'])
  output.description = 'table for people, json or sarif (2.1.0) for scripts and CI'
  audit.action(async (options: AuditOptions) => {
    let report: AuditReport
    try {
      report = await callApi<AuditReport>(connectionOf({ ...options, output: 'json' }), 'GET', '/audit', {
        query: { expiryWindowHours: options.expiryWindow },
      })
    } catch (error) {
      process.stderr.write(`vpcpeer: ${error instanceof Error ? error.message : String(error)}\n`)
      process.exitCode = EXIT.usage
      return
    }
    if (options.output === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
    else if (options.output === 'sarif') process.stdout.write(`${JSON.stringify(toSarif(report), null, 2)}\n`)
    else printTable(report)
    const threshold = options.failOn
    const failed = threshold !== undefined && report.findings.some((f) => atLeast(f.severity, threshold))
    process.exitCode = failed ? EXIT.failed : EXIT.clean
  })
  return audit
}

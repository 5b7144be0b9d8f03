import type { AuditReport } from '../app/audit.js'
import { AUDIT_RULES, type Severity } from '../dataplane/audit.js'

/**
 * An audit report as a SARIF 2.1.0 log, so CI systems show the findings. Resources are cloud
 * resources, not files, so each result's location is a logical location named by the ARN; the
 * AWS CLI fix and the impact travel in the result's properties.
 */

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'

const LEVELS: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  high: 'error',
  medium: 'warning',
  low: 'note',
}

/** GitHub code scanning ranks security results by this 0–10 score (its bands: 7 high, 4 medium, 0.1 low). */
const SCORES: Readonly<Record<Severity, string>> = { high: '8.0', medium: '5.0', low: '2.0' }

const RULES = Object.values(AUDIT_RULES)

export function toSarif(report: AuditReport, version = '0.1.0') {
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vpcpeer-audit',
            fullName: 'vpcpeer audit',
            version,
            rules: RULES.map((rule) => ({
              id: rule.id,
              shortDescription: { text: rule.title },
              fullDescription: { text: rule.description },
              help: { text: rule.description },
              properties: { tags: ['security', 'vpc-peering'] },
            })),
          },
        },
        invocations: [{ executionSuccessful: true, endTimeUtc: report.at }],
        results: report.findings.map((finding) => ({
          ruleId: finding.ruleId,
          ruleIndex: RULES.findIndex((rule) => rule.id === finding.ruleId),
          level: LEVELS[finding.severity],
          message: { text: `${finding.problem} Fix: ${finding.fix}` },
          locations: [
            {
              logicalLocations: [
                {
                  name: finding.resource.id,
                  fullyQualifiedName: finding.resource.arn,
                  kind: 'resource',
                },
              ],
            },
          ],
          partialFingerprints: {
            resourceProblem: `${finding.ruleId}:${finding.resource.arn}:${finding.problem}`,
          },
          properties: {
            severity: finding.severity,
            'security-severity': SCORES[finding.severity],
            region: finding.region,
            impact: finding.impact,
            fix: finding.fix,
            related: finding.related,
          },
        })),
      },
    ],
  }
}

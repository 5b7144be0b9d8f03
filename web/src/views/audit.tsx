import type { AuditFinding, AuditReport, Severity } from '../../../src/dataplane/audit.js'
import { ErrorNote, Section, useClient } from '../components.tsx'
import { when } from '../format.ts'
import { useLoad } from '../use-load.ts'

/** The account checked against peering practice (GET /audit): the findings of `vpcpeer audit`. */

const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low']

function FindingRow({ finding }: { finding: AuditFinding }) {
  return (
    <tr data-rule={finding.ruleId} data-severity={finding.severity}>
      <td>
        <span className={`badge severity-${finding.severity}`}>{finding.severity}</span>
      </td>
      <td className="mono">{finding.ruleId}</td>
      <td className="mono">
        {finding.resource.id}
        <div className="muted">{finding.region}</div>
      </td>
      <td>
        {finding.problem}
        <div className="muted">{finding.impact}</div>
        <pre className="fix" data-testid="fix">
          {finding.fix}
        </pre>
      </td>
    </tr>
  )
}

export function AuditView() {
  const client = useClient()
  const { data, error, reload, loading } = useLoad(() => client.get<AuditReport>('/audit'), 'audit')
  return (
    <Section title="Audit" id="audit">
      <p className="muted">
        Your account, in every region, checked against the security practice of VPC peering; each finding
        comes with the AWS CLI command that fixes it. The same report is <code>vpcpeer audit</code>.
      </p>
      <button type="button" onClick={() => void reload()} disabled={loading}>
        Run again
      </button>
      <ErrorNote error={error} />
      {data ? (
        <>
          <p data-testid="audit-summary">
            {SEVERITIES.map((s) => `${data.summary[s]} ${s}`).join(', ')} · checked {when(data.at)}
          </p>
          {data.findings.length === 0 ? (
            <p className="muted">No findings.</p>
          ) : (
            <table>
              <caption className="sr-only">Audit findings, most severe first</caption>
              <thead>
                <tr>
                  <th scope="col">Severity</th>
                  <th scope="col">Rule</th>
                  <th scope="col">Resource</th>
                  <th scope="col">What is wrong, why it matters, and the fix</th>
                </tr>
              </thead>
              <tbody>
                {data.findings.map((finding) => (
                  <FindingRow
                    key={`${finding.ruleId}|${finding.resource.id}|${finding.problem}`}
                    finding={finding}
                  />
                ))}
              </tbody>
            </table>
          )}
        </>
      ) : null}
    </Section>
  )
}

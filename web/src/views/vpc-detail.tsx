import type { RuleView, SecurityGroupView, VpcDetail } from '../../../src/app/console-views.js'
import { ErrorNote, Section, useClient } from '../components.tsx'
import { portsLabel, protocolLabel } from '../format.ts'
import { hrefOf } from '../router.ts'
import { useLoad } from '../use-load.ts'

const subnetNames = (detail: VpcDetail, ids: readonly string[]) =>
  ids.map((id) => detail.subnets.find((s) => s.subnetId === id)?.name ?? id).join(', ') || '—'

function RulesTable({ group, direction }: { group: SecurityGroupView; direction: 'ingress' | 'egress' }) {
  const rules: readonly RuleView[] = group[direction]
  const caption = `${direction === 'ingress' ? 'Inbound' : 'Outbound'} rules of ${group.groupId}`
  if (rules.length === 0)
    return <p className="muted">No {direction === 'ingress' ? 'inbound' : 'outbound'} rules.</p>
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">Protocol</th>
          <th scope="col">Ports</th>
          <th scope="col">{direction === 'ingress' ? 'Source' : 'Destination'}</th>
          <th scope="col">Description</th>
          <th scope="col">Stale</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((rule) => (
          <tr key={rule.ruleId} className={rule.stale ? 'stale' : ''} data-rule-id={rule.ruleId}>
            <td className="mono">{rule.ruleId}</td>
            <td>{protocolLabel(rule.protocol)}</td>
            <td>{portsLabel(rule.protocol, rule.fromPort, rule.toPort)}</td>
            <td className="mono">{rule.peer}</td>
            <td>{rule.description ?? ''}</td>
            <td>
              {rule.stale ? (
                <span className="flag stale">
                  ⚠ stale{rule.peeringStatus ? ` (peering ${rule.peeringStatus})` : ''}
                </span>
              ) : (
                'no'
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Everything the caller's account has in one VPC: blocks, subnets, routes, groups, ACLs, interfaces, flow logs. */
export function VpcDetailView({ vpcId }: { vpcId: string }) {
  const client = useClient()
  const { data, error, loading, reload } = useLoad(
    () => client.get<VpcDetail>(`/vpcs/${encodeURIComponent(vpcId)}`),
    vpcId,
  )
  return (
    <div className="view vpc-view">
      <div className="view-header">
        <h1>
          {data?.name ? `${data.name} ` : ''}
          <span className="mono">{vpcId}</span>
        </h1>
        <button type="button" onClick={() => void reload()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
        <a href={hrefOf('topology', { params: { selected: vpcId } })}>Show on the graph</a>
      </div>
      <ErrorNote error={error} />
      {data ? <Detail detail={data} /> : loading ? <p>Loading {vpcId}…</p> : null}
    </div>
  )
}

function Detail({ detail }: { detail: VpcDetail }) {
  const blackholes = detail.routeTables.flatMap((t) => t.routes.filter((r) => r.state === 'blackhole'))
  const staleRules = detail.securityGroups.flatMap((g) => [...g.ingress, ...g.egress].filter((r) => r.stale))
  return (
    <>
      <p>
        Account {detail.accountId} · {detail.region}
        {blackholes.length > 0 ? (
          <span className="flag blackhole"> · ⚠ {blackholes.length} blackhole route(s)</span>
        ) : null}
        {staleRules.length > 0 ? (
          <span className="flag stale"> · ⚠ {staleRules.length} stale rule(s)</span>
        ) : null}
      </p>
      <Section title="CIDR blocks" id="cidr-blocks">
        <ul>
          {detail.cidrBlocks.map((block) => (
            <li key={block.associationId}>
              <span className="mono">{block.cidrBlock}</span>{' '}
              <span className="muted">{block.associationId}</span>
            </li>
          ))}
          {detail.ipv6CidrBlocks.map((block) => (
            <li key={block.associationId}>
              <span className="mono">{block.ipv6CidrBlock}</span>{' '}
              <span className="muted">{block.associationId}</span>
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Subnets" id="subnets">
        {detail.subnets.length === 0 ? (
          <p className="muted">No subnets.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Subnet</th>
                <th scope="col">Name</th>
                <th scope="col">CIDR</th>
                <th scope="col">Zone</th>
                <th scope="col">Free addresses</th>
              </tr>
            </thead>
            <tbody>
              {detail.subnets.map((subnet) => (
                <tr key={subnet.subnetId}>
                  <td className="mono">{subnet.subnetId}</td>
                  <td>{subnet.name ?? ''}</td>
                  <td className="mono">
                    {[subnet.cidrBlock, ...subnet.ipv6CidrBlocks].filter(Boolean).join(', ')}
                  </td>
                  <td>{subnet.availabilityZone}</td>
                  <td>{subnet.availableAddresses}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Route tables" id="route-tables">
        {detail.routeTables.map((table) => (
          <table key={table.routeTableId} data-route-table-id={table.routeTableId}>
            <caption>
              <span className="mono">{table.routeTableId}</span>
              {table.name ? ` ${table.name}` : ''} {table.main ? '(main)' : ''} — subnets:{' '}
              {table.main && table.subnetIds.length === 0
                ? 'every subnet without a table of its own'
                : subnetNames(detail, table.subnetIds)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">Target</th>
                <th scope="col">State</th>
                <th scope="col">Origin</th>
              </tr>
            </thead>
            <tbody>
              {table.routes.map((route) => (
                <tr
                  key={`${route.destination}-${route.target}`}
                  className={route.state === 'blackhole' ? 'blackhole-row' : ''}
                  data-state={route.state}
                >
                  <td className="mono">{route.destination}</td>
                  <td className="mono">{route.target}</td>
                  <td>
                    {route.state === 'blackhole' ? (
                      <strong className="flag blackhole">⚠ blackhole</strong>
                    ) : (
                      route.state
                    )}
                  </td>
                  <td>{route.origin}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </Section>
      <Section title="Security groups" id="security-groups">
        {detail.securityGroups.map((group) => (
          <div key={group.groupId} className="group" data-group-id={group.groupId}>
            <h3>
              <span className="mono">{group.groupId}</span> {group.groupName}
              {group.name ? ` (${group.name})` : ''}
            </h3>
            <p className="muted">{group.description}</p>
            <RulesTable group={group} direction="ingress" />
            <RulesTable group={group} direction="egress" />
          </div>
        ))}
      </Section>
      <Section title="Network ACLs" id="network-acls">
        {detail.networkAcls.map((acl) => (
          <table key={acl.networkAclId} data-network-acl-id={acl.networkAclId}>
            <caption>
              <span className="mono">{acl.networkAclId}</span>
              {acl.name ? ` ${acl.name}` : ''} {acl.isDefault ? '(default)' : ''} — subnets:{' '}
              {subnetNames(detail, acl.subnetIds)}
            </caption>
            <thead>
              <tr>
                <th scope="col">Direction</th>
                <th scope="col">Rule #</th>
                <th scope="col">Protocol</th>
                <th scope="col">Ports</th>
                <th scope="col">CIDR</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {[...acl.entries]
                .sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber)
                .map((entry) => (
                  <tr
                    key={`${entry.egress}-${entry.ruleNumber}`}
                    className={entry.ruleAction === 'deny' ? 'deny' : ''}
                  >
                    <td>{entry.egress ? 'outbound' : 'inbound'}</td>
                    <td>{entry.ruleNumber}</td>
                    <td>{protocolLabel(entry.protocol)}</td>
                    <td>
                      {entry.icmpTypeCode
                        ? portsLabel('1', entry.icmpTypeCode.type, entry.icmpTypeCode.code)
                        : portsLabel(entry.protocol, entry.portRange?.from, entry.portRange?.to)}
                    </td>
                    <td className="mono">{entry.cidr}</td>
                    <td>{entry.ruleAction}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        ))}
      </Section>
      <Section title="Network interfaces" id="interfaces">
        {detail.networkInterfaces.length === 0 ? (
          <p className="muted">No network interfaces.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Interface</th>
                <th scope="col">Instance</th>
                <th scope="col">Subnet</th>
                <th scope="col">Addresses</th>
                <th scope="col">Groups</th>
                <th scope="col">Trace</th>
              </tr>
            </thead>
            <tbody>
              {detail.networkInterfaces.map((eni) => (
                <tr key={eni.networkInterfaceId}>
                  <td className="mono">
                    {eni.networkInterfaceId}
                    {eni.name ? <div className="muted">{eni.name}</div> : null}
                  </td>
                  <td className="mono">{eni.instanceId ?? ''}</td>
                  <td className="mono">{eni.subnetId}</td>
                  <td className="mono">
                    {[eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses, ...eni.ipv6Addresses].join(
                      ', ',
                    )}
                  </td>
                  <td className="mono">{eni.groupIds.join(', ')}</td>
                  <td>
                    <a href={hrefOf('trace', { params: { source: eni.networkInterfaceId } })}>
                      Trace from {eni.networkInterfaceId}
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Flow logs" id="flow-logs">
        {detail.flowLogs.length === 0 ? (
          <p className="muted">No flow logs for this VPC, its subnets or its interfaces.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Flow log</th>
                <th scope="col">Resource</th>
                <th scope="col">Traffic</th>
                <th scope="col">Destination</th>
                <th scope="col">Format</th>
              </tr>
            </thead>
            <tbody>
              {detail.flowLogs.map((log) => (
                <tr key={log.flowLogId}>
                  <td className="mono">{log.flowLogId}</td>
                  <td className="mono">{log.resourceId}</td>
                  <td>{log.trafficType}</td>
                  <td>
                    {log.destinationType}: <span className="mono">{log.destination}</span>
                  </td>
                  <td className="mono small">{log.logFormat}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <a href={hrefOf('flows')}>Tail the flow logs</a>
        </p>
      </Section>
    </>
  )
}

import { type FormEvent, useEffect, useMemo, useState } from 'react'
import type { Topology } from '../../../src/app/console-views.js'
import { ErrorNote, Section, useClient } from '../components.tsx'
import type { Explanation, PathComponent, TraceAnswer } from '../dataplane-shapes.ts'
import { plainWords } from '../explanations.ts'
import { portsLabel } from '../format.ts'
import { type Highlight, type Mark, mark } from '../graph/highlight.ts'
import { type Route, useViewParams } from '../router.ts'
import { GraphWithControls, useTopology } from './topology.tsx'

/** What the form asks; POST /trace calls the two ends `from` and `to`. */
export interface TraceRequest {
  readonly source: string
  readonly destination: string
  readonly protocol: string
  readonly port?: number
}

export interface SavedAnalysis {
  readonly networkInsightsPathId: string
  readonly networkInsightsAnalysisId: string
  readonly status: string
  readonly networkPathFound?: boolean
}

const PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6']
const isResourceId = (text: string) => text.startsWith('eni-') || text.startsWith('i-')
const hasPorts = (protocol: string) => protocol === 'tcp' || protocol === 'udp'

/** Which VPCs, subnets and peerings each hop crosses, and where the path was blocked. */
export function highlightOf(answer: TraceAnswer): Highlight {
  const vpcs = new Map<string, Mark>()
  const subnets = new Map<string, Mark>()
  const peerings = new Map<string, Mark>()
  const place = (ref: { kind: string; id: string } | undefined, hop: string, blocked: boolean) => {
    if (!ref) return
    if (ref.kind === 'vpc') mark(vpcs, ref.id, hop, blocked)
    else if (ref.kind === 'subnet') mark(subnets, ref.id, hop, blocked)
    else if (ref.kind === 'vpc-peering-connection') mark(peerings, ref.id, hop, blocked)
  }
  const walk = (path: readonly PathComponent[], prefix: string) => {
    for (const step of path) {
      const hop = `${prefix}${step.sequenceNumber}`
      const blocked = step.explanations.length > 0
      place(step.component, hop, blocked)
      place(step.vpc, hop, blocked)
      place(step.subnet, hop, blocked)
    }
  }
  walk(answer.forwardPath, '')
  walk(answer.returnPath, 'r')
  // A peering that blocks is marked even when the path never reached it as a hop.
  for (const explanation of answer.explanations) {
    const peering = explanation.vpcPeeringConnection ?? explanation.component
    if (peering.kind === 'vpc-peering-connection' && !peerings.has(peering.id)) {
      mark(peerings, peering.id, '✕', true)
    }
  }
  return { vpcs, subnets, peerings }
}

/** What decided at a hop: the route, rule or ACL entry, in one line. */
function decidedBy(step: Pick<PathComponent, 'routeTableRoute' | 'securityGroupRule' | 'aclRule'>): string {
  if (step.routeTableRoute) {
    const route = step.routeTableRoute
    return `route ${route.destinationCidr} → ${route.target} (${route.state})`
  }
  if (step.securityGroupRule) {
    const rule = step.securityGroupRule
    const peer = rule.cidr ?? rule.referencedGroupId ?? ''
    return `${rule.direction} rule ${rule.ruleId} of ${rule.groupId}: ${rule.protocol} ${portsLabel(rule.protocol, rule.portRange?.from, rule.portRange?.to)} ${peer}`
  }
  if (step.aclRule) {
    const entry = step.aclRule
    return `${entry.networkAclId} ${entry.egress ? 'outbound' : 'inbound'} rule ${entry.ruleNumber}: ${entry.ruleAction} ${entry.cidr}`
  }
  return ''
}

function ExplanationItem({ explanation }: { explanation: Explanation }) {
  const decided = decidedBy(explanation)
  const where =
    explanation.vpcPeeringConnection ?? explanation.routeTable ?? explanation.acl ?? explanation.component
  return (
    <li className="explanation" data-code={explanation.explanationCode}>
      <p>
        <strong className="code">{explanation.explanationCode}</strong> at{' '}
        <span className="mono">
          {explanation.component.kind} {explanation.component.id}
        </span>{' '}
        ({explanation.leg === 'forward' ? 'on the way there' : 'on the way back'}
        {explanation.direction ? `, ${explanation.direction}` : ''})
      </p>
      <p className="plain">{plainWords(explanation.explanationCode)}</p>
      <p>{explanation.message}</p>
      {decided ? (
        <p>
          Decided by: <span className="mono">{decided}</span>
        </p>
      ) : where !== explanation.component ? (
        <p>
          Decided by: <span className="mono">{where.id}</span>
        </p>
      ) : null}
    </li>
  )
}

function HopTable({ path, caption }: { path: readonly PathComponent[]; caption: string }) {
  if (path.length === 0) return null
  return (
    <table className="hops">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Hop</th>
          <th scope="col">Component</th>
          <th scope="col">Where</th>
          <th scope="col">Decided by</th>
          <th scope="col">Verdict</th>
        </tr>
      </thead>
      <tbody>
        {path.map((step) => (
          <tr key={step.sequenceNumber} className={step.explanations.length > 0 ? 'blocked' : ''}>
            <td>{step.sequenceNumber}</td>
            <td className="mono">
              {step.component.kind} {step.component.id}
            </td>
            <td className="mono">{[step.vpc?.id, step.subnet?.id].filter(Boolean).join(' / ')}</td>
            <td className="mono">{decidedBy(step)}</td>
            <td>
              {step.explanations.length > 0
                ? step.explanations.map((e) => e.explanationCode).join(', ')
                : 'passed'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function TraceForm({
  topology,
  initial,
  onTrace,
  busy,
}: {
  topology: Topology
  initial: TraceRequest
  onTrace: (request: TraceRequest) => void
  busy: boolean
}) {
  const [source, setSource] = useState(initial.source)
  const [destination, setDestination] = useState(initial.destination)
  const [protocol, setProtocol] = useState(initial.protocol)
  const [port, setPort] = useState(initial.port === undefined ? '' : String(initial.port))
  const submit = (event: FormEvent) => {
    event.preventDefault()
    onTrace({
      source: source.trim(),
      destination: destination.trim(),
      protocol,
      ...(hasPorts(protocol) && port.trim() ? { port: Number(port) } : {}),
    })
  }
  const addresses = topology.interfaces.flatMap((eni) => [eni.privateIpAddress, ...eni.ipv6Addresses])
  return (
    <form className="trace-form" onSubmit={submit} aria-label="Trace a flow">
      <label>
        Source (interface, instance or address)
        <input
          name="source"
          value={source}
          onChange={(event) => setSource(event.target.value)}
          list="trace-sources"
          required
          spellCheck={false}
        />
        <datalist id="trace-sources">
          {topology.interfaces.map((eni) => (
            <option key={eni.networkInterfaceId} value={eni.networkInterfaceId}>
              {eni.name ?? eni.privateIpAddress} in {eni.vpcId}
            </option>
          ))}
          {topology.interfaces.flatMap((eni) =>
            eni.instanceId ? [<option key={eni.instanceId} value={eni.instanceId} />] : [],
          )}
          {addresses.map((address) => (
            <option key={address} value={address} />
          ))}
        </datalist>
      </label>
      <label>
        Destination address
        <input
          name="destination"
          value={destination}
          onChange={(event) => setDestination(event.target.value)}
          list="trace-destinations"
          required
          spellCheck={false}
        />
        <datalist id="trace-destinations">
          {addresses.map((address) => (
            <option key={address} value={address} />
          ))}
        </datalist>
      </label>
      <label>
        Protocol
        <select
          name="protocol"
          aria-label="Protocol"
          value={protocol}
          onChange={(event) => setProtocol(event.target.value)}
        >
          {PROTOCOLS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Port
        <input
          name="port"
          value={port}
          onChange={(event) => setPort(event.target.value)}
          inputMode="numeric"
          disabled={!hasPorts(protocol)}
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Tracing…' : 'Trace'}
      </button>
    </form>
  )
}

function requestFrom(get: (key: string) => string, topology: Topology | undefined): TraceRequest {
  const fromVpc = get('from')
  const firstInVpc = topology?.interfaces.find((eni) => eni.vpcId === fromVpc)?.networkInterfaceId
  const port = get('port')
  return {
    source: get('source') || firstInVpc || '',
    destination: get('destination'),
    protocol: get('protocol') || 'tcp',
    ...(port ? { port: Number(port) } : {}),
  }
}

/** Traces one flow through the data plane and draws its path on the graph, hop by hop. */
export function TraceView({ route }: { route: Route }) {
  const client = useClient()
  const topology = useTopology()
  const params = useViewParams(route)
  const request = requestFrom(params.get, topology.data)
  const [answer, setAnswer] = useState<TraceAnswer>()
  const [error, setError] = useState<unknown>()
  const [busy, setBusy] = useState(false)
  const [saved, setSaved] = useState<SavedAnalysis>()
  const [saveError, setSaveError] = useState<unknown>()
  const key = JSON.stringify(request)

  // The address holds the question, so a shared or reloaded trace runs again by itself.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` is the request, serialised
  useEffect(() => {
    if (!request.source || !request.destination) return
    let current = true
    setBusy(true)
    setError(undefined)
    setSaved(undefined)
    setSaveError(undefined)
    const { source, destination, ...rest } = request
    client
      .post<TraceAnswer>('/trace', { from: source, to: destination, ...rest })
      .then(
        (result) => current && setAnswer(result),
        (failure: unknown) => {
          if (!current) return
          setAnswer(undefined)
          setError(failure)
        },
      )
      .finally(() => current && setBusy(false))
    return () => {
      current = false
    }
  }, [client, key])

  const highlight = useMemo(() => (answer ? highlightOf(answer) : undefined), [answer])

  const trace = (next: TraceRequest) =>
    params.set({
      source: next.source,
      destination: next.destination,
      protocol: next.protocol,
      port: next.port === undefined ? '' : String(next.port),
      from: '',
    })

  const save = async (traced: TraceAnswer) => {
    setSaveError(undefined)
    try {
      setSaved(
        await client.post<SavedAnalysis>('/insights', {
          source: traced.flow.sourceInterfaceId,
          ...(isResourceId(request.source) ? {} : { sourceIp: request.source }),
          destinationIp: traced.flow.destination,
          protocol: request.protocol,
          ...(request.port !== undefined ? { port: request.port } : {}),
        }),
      )
    } catch (failure) {
      setSaveError(failure)
    }
  }

  return (
    <div className="view trace-view">
      <div className="view-header">
        <h1>Trace a flow</h1>
      </div>
      <ErrorNote error={topology.error} />
      {topology.data ? (
        <TraceForm key={key} topology={topology.data} initial={request} onTrace={trace} busy={busy} />
      ) : null}
      <ErrorNote error={error} />
      {answer ? (
        <div className="trace-result" data-testid="trace-result">
          <p className={answer.reachable ? 'verdict reachable' : 'verdict blocked'} role="status">
            {answer.reachable
              ? `Reachable: ${request.source} reaches ${request.destination} and the reply comes back.`
              : `Not reachable: ${answer.explanations.length} blocking finding(s).`}
          </p>
          {answer.explanations.length > 0 ? (
            <Section title="Why it is blocked" id="why">
              <ul className="explanations">
                {answer.explanations.map((explanation) => (
                  <ExplanationItem
                    key={`${explanation.leg}-${explanation.direction}-${explanation.explanationCode}-${explanation.component.id}`}
                    explanation={explanation}
                  />
                ))}
              </ul>
            </Section>
          ) : null}
          <div className="save">
            <button type="button" onClick={() => void save(answer)}>
              Save as a Network Insights path and analysis
            </button>
            {saved ? (
              <span role="status">
                Saved path <span className="mono">{saved.networkInsightsPathId}</span> and analysis{' '}
                <span className="mono">{saved.networkInsightsAnalysisId}</span> ({saved.status}).
              </span>
            ) : null}
            <ErrorNote error={saveError} />
          </div>
        </div>
      ) : null}
      {topology.data ? (
        <GraphWithControls
          topology={topology.data}
          route={route}
          filters={false}
          onChanged={topology.reload}
          {...(highlight ? { highlight } : {})}
        />
      ) : null}
      {answer ? (
        <>
          <HopTable path={answer.forwardPath} caption="The way there, hop by hop" />
          <HopTable path={answer.returnPath} caption="The way back, hop by hop" />
        </>
      ) : null}
    </div>
  )
}

import { useCallback, useMemo } from 'react'
import type { PeeringEdge, Topology, VpcNode } from '../../../src/app/console-views.js'
import { ErrorNote, PeeringActions, useClient } from '../components.tsx'
import { byText, plural, when } from '../format.ts'
import type { Highlight } from '../graph/highlight.ts'
import { type Selection, TopologyGraph } from '../graph/topology-graph.tsx'
import { hrefOf, type Route, useViewParams } from '../router.ts'
import { useLoad } from '../use-load.ts'

/** How often the graph refreshes itself, so transitions (provisioning → active) show up. */
export const TOPOLOGY_POLL_MS = 10_000

export function useTopology() {
  const client = useClient()
  return useLoad(() => client.get<Topology>('/topology'), 'topology', TOPOLOGY_POLL_MS)
}

/** `key=value`, `key` alone, or words to find in the name: which VPCs a tag filter keeps. */
export function tagMatcher(filter: string): (vpc: VpcNode) => boolean {
  const text = filter.trim()
  if (!text) return () => true
  const eq = text.indexOf('=')
  if (eq >= 0) {
    const key = text.slice(0, eq).trim()
    const value = text
      .slice(eq + 1)
      .trim()
      .toLowerCase()
    return (vpc) => vpc.tags.some((tag) => tag.key === key && tag.value.toLowerCase().includes(value))
  }
  const lower = text.toLowerCase()
  return (vpc) =>
    vpc.tags.some((tag) => tag.key === text || tag.value.toLowerCase().includes(lower)) ||
    vpc.vpcId.includes(lower)
}

const setOf = (text: string) => new Set(text.split(',').filter(Boolean))

/** The graph with its filters and expansion kept in the address, and a side panel for what is selected. */
export function GraphWithControls({
  topology,
  route,
  highlight,
  filters = true,
  onChanged,
}: {
  topology: Topology
  route: Route
  highlight?: Highlight
  filters?: boolean
  onChanged: () => unknown
}) {
  const params = useViewParams(route)
  const account = params.get('account')
  const region = params.get('region')
  const tag = params.get('tag')
  const expandedText = params.get('expanded')
  const selectedText = params.get('selected')
  const expanded = useMemo(() => setOf(expandedText), [expandedText])
  const selection: Selection = useMemo(
    () =>
      selectedText
        ? { kind: selectedText.startsWith('pcx-') ? 'peering' : 'vpc', id: selectedText }
        : undefined,
    [selectedText],
  )

  const shown = useMemo(() => {
    const matchesTag = tagMatcher(tag)
    return (vpc: VpcNode) =>
      (!account || vpc.accountId === account) && (!region || vpc.region === region) && matchesTag(vpc)
  }, [account, region, tag])

  const { set } = params
  const onToggleSubnets = useCallback(
    (vpcId: string) => {
      const next = setOf(expandedText)
      if (next.has(vpcId)) next.delete(vpcId)
      else next.add(vpcId)
      set({ expanded: [...next].join(',') })
    },
    [expandedText, set],
  )
  const onSelect = useCallback((next: Selection) => set({ selected: next?.id }), [set])

  const accounts = [...new Set(topology.vpcs.map((vpc) => vpc.accountId))].sort(byText)
  const regions = [...new Set(topology.vpcs.map((vpc) => vpc.region))].sort(byText)
  const shownCount = topology.vpcs.filter(shown).length

  return (
    <div className="graph-layout">
      {filters ? (
        <fieldset className="filters" aria-label="Filter the graph">
          <legend className="sr-only">Filter the graph</legend>
          <label>
            Account{' '}
            <select
              aria-label="Account"
              value={account}
              onChange={(event) => set({ account: event.target.value })}
            >
              <option value="">all accounts</option>
              {accounts.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Region{' '}
            <select
              aria-label="Region"
              value={region}
              onChange={(event) => set({ region: event.target.value })}
            >
              <option value="">all regions</option>
              {regions.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Tag{' '}
            <input
              type="search"
              value={tag}
              placeholder="Name=app or env"
              onChange={(event) => set({ tag: event.target.value })}
            />
          </label>
          <span className="muted" role="status">
            {shownCount === topology.vpcs.length
              ? plural(topology.vpcs.length, 'VPC')
              : `${shownCount} of ${plural(topology.vpcs.length, 'VPC')}`}
            , {plural(topology.peerings.length, 'peering connection')}
          </span>
        </fieldset>
      ) : null}
      <div className="graph-and-panel">
        <TopologyGraph
          topology={topology}
          shown={shown}
          expanded={expanded}
          onToggleSubnets={onToggleSubnets}
          selection={selection}
          onSelect={onSelect}
          {...(highlight ? { highlight } : {})}
        />
        {selection ? (
          <SelectionPanel
            topology={topology}
            selection={selection}
            onClose={() => onSelect(undefined)}
            onChanged={onChanged}
          />
        ) : null}
      </div>
      <Legend />
    </div>
  )
}

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="swatch state-active" /> active
      </li>
      <li>
        <span className="swatch state-pending" /> pending (dashed)
      </li>
      <li>
        <span className="swatch state-ended" /> failed, rejected, deleted or expired (grey)
      </li>
      <li>
        <span className="flag blackhole">⚠</span> routes that are blackholes
      </li>
      <li>
        <span className="badge cross-account">cross-account</span>{' '}
        <span className="badge cross-region">cross-region</span>
      </li>
    </ul>
  )
}

function SelectionPanel({
  topology,
  selection,
  onClose,
  onChanged,
}: {
  topology: Topology
  selection: NonNullable<Selection>
  onClose: () => void
  onChanged: () => unknown
}) {
  const vpc = selection.kind === 'vpc' ? topology.vpcs.find((v) => v.vpcId === selection.id) : undefined
  const peering =
    selection.kind === 'peering' ? topology.peerings.find((p) => p.peeringId === selection.id) : undefined
  return (
    <aside className="side-panel" aria-label="Selected item" data-testid="side-panel">
      <button type="button" className="close" onClick={onClose} aria-label="Close the side panel">
        ×
      </button>
      {vpc ? <VpcSummary vpc={vpc} /> : null}
      {peering ? <PeeringSummary peering={peering} onChanged={onChanged} /> : null}
      {!vpc && !peering ? <p>{selection.id} is not in this account's view any more.</p> : null}
    </aside>
  )
}

function VpcSummary({ vpc }: { vpc: VpcNode }) {
  return (
    <>
      <h2>{vpc.name ?? vpc.vpcId}</h2>
      <dl className="facts">
        <dt>VPC</dt>
        <dd className="mono">{vpc.vpcId}</dd>
        <dt>Blocks</dt>
        <dd className="mono">{[...vpc.cidrBlocks, ...vpc.ipv6CidrBlocks].join(', ') || 'not shown'}</dd>
        <dt>Account</dt>
        <dd>{vpc.accountId}</dd>
        <dt>Region</dt>
        <dd>{vpc.region}</dd>
        {vpc.owned ? (
          <>
            <dt>Subnets</dt>
            <dd>{vpc.subnets.length}</dd>
            <dt>Blackhole routes</dt>
            <dd className={vpc.blackholeRoutes > 0 ? 'flag blackhole' : ''}>{vpc.blackholeRoutes}</dd>
          </>
        ) : null}
      </dl>
      {vpc.owned ? (
        <p className="links">
          <a href={hrefOf('vpc', { vpcId: vpc.vpcId })}>Open the VPC detail</a>
          <a href={hrefOf('trace', { params: { from: vpc.vpcId } })}>Trace from this VPC</a>
        </p>
      ) : (
        <p className="muted">
          This VPC belongs to another account or region; only what the peering shows is known.
        </p>
      )}
    </>
  )
}

export function PeeringSummary({ peering, onChanged }: { peering: PeeringEdge; onChanged: () => unknown }) {
  return (
    <>
      <h2>{peering.name ?? peering.peeringId}</h2>
      <dl className="facts">
        <dt>Connection</dt>
        <dd className="mono">{peering.peeringId}</dd>
        <dt>Status</dt>
        <dd data-testid="peering-status">
          {peering.status.code} — {peering.status.message}
        </dd>
        <dt>Requester</dt>
        <dd>
          {peering.requester.vpcId} ({peering.requester.accountId}, {peering.requester.region})
        </dd>
        <dt>Accepter</dt>
        <dd>
          {peering.accepter.vpcId} ({peering.accepter.accountId}, {peering.accepter.region})
        </dd>
        {peering.expirationTime ? (
          <>
            <dt>Expires</dt>
            <dd>{when(peering.expirationTime)}</dd>
          </>
        ) : null}
      </dl>
      {peering.blackholeRoutes.length > 0 ? (
        <div className="flag blackhole">
          <p>Your routes through this connection are blackholes:</p>
          <ul>
            {peering.blackholeRoutes.map((route) => (
              <li key={`${route.routeTableId}-${route.destination}`}>
                <a href={hrefOf('vpc', { vpcId: route.vpcId })}>{route.routeTableId}</a> →{' '}
                <span className="mono">{route.destination}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <PeeringActions peering={peering} onDone={onChanged} />
    </>
  )
}

export function TopologyView({ route }: { route: Route }) {
  const { data, error, loading, reload } = useTopology()
  return (
    <div className="view topology-view">
      <div className="view-header">
        <h1>Topology</h1>
        <button type="button" onClick={() => void reload()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ErrorNote error={error} />
      {data ? (
        data.vpcs.length === 0 ? (
          <p>
            This account has no VPCs in {data.region} yet. Create one with any AWS tool pointed at this
            server, then refresh.
          </p>
        ) : (
          <GraphWithControls topology={data} route={route} onChanged={reload} />
        )
      ) : loading ? (
        <p>Loading the topology…</p>
      ) : null}
    </div>
  )
}

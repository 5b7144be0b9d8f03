import { type FormEvent, useState } from 'react'
import type { PeeringEdge, PeeringRequestBody, Topology } from '../../../src/app/console-views.js'
import { ErrorNote, PeeringActions, Section, useClient } from '../components.tsx'
import { isFinished, when } from '../format.ts'
import { useTopology } from './topology.tsx'

function PeeringRow({ peering, onChanged }: { peering: PeeringEdge; onChanged: () => unknown }) {
  return (
    <tr data-peering-id={peering.peeringId} data-state={peering.status.code}>
      <td className="mono">
        {peering.peeringId}
        {peering.name ? <div className="muted">{peering.name}</div> : null}
      </td>
      <td>
        {peering.requester.vpcId}
        <div className="muted">
          {peering.requester.accountId} · {peering.requester.region}
        </div>
      </td>
      <td>
        {peering.accepter.vpcId}
        <div className="muted">
          {peering.accepter.accountId} · {peering.accepter.region}
        </div>
      </td>
      <td>
        <span className={`state-text state-${peering.status.code}`}>{peering.status.code}</span>
        <div className="muted">{peering.status.message}</div>
      </td>
      <td>
        {peering.expirationTime ? `expires ${when(peering.expirationTime)}` : when(peering.statusChangedAt)}
        {peering.crossAccount || peering.crossRegion ? (
          <div>
            {peering.crossAccount ? <span className="badge cross-account">cross-account</span> : null}{' '}
            {peering.crossRegion ? <span className="badge cross-region">cross-region</span> : null}
          </div>
        ) : null}
      </td>
      <td>
        <PeeringActions peering={peering} onDone={onChanged} />
      </td>
    </tr>
  )
}

function PeeringTable({
  peerings,
  empty,
  caption,
  onChanged,
}: {
  peerings: readonly PeeringEdge[]
  empty: string
  caption: string
  onChanged: () => unknown
}) {
  if (peerings.length === 0) return <p className="muted">{empty}</p>
  return (
    <table>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Connection</th>
          <th scope="col">Requester</th>
          <th scope="col">Accepter</th>
          <th scope="col">Status</th>
          <th scope="col">When</th>
          <th scope="col">Actions</th>
        </tr>
      </thead>
      <tbody>
        {peerings.map((peering) => (
          <PeeringRow key={peering.peeringId} peering={peering} onChanged={onChanged} />
        ))}
      </tbody>
    </table>
  )
}

function RequestForm({ topology, onCreated }: { topology: Topology; onCreated: () => unknown }) {
  const client = useClient()
  const own = topology.vpcs.filter((vpc) => vpc.owned)
  const [vpcId, setVpcId] = useState(own[0]?.vpcId ?? '')
  const [peerVpcId, setPeerVpcId] = useState('')
  const [peerOwnerId, setPeerOwnerId] = useState(topology.accountId)
  const [peerRegion, setPeerRegion] = useState(topology.region)
  const [name, setName] = useState('')
  const [error, setError] = useState<unknown>()
  const [outcome, setOutcome] = useState('')
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    setOutcome('')
    const body: PeeringRequestBody = { vpcId, peerVpcId, peerOwnerId, peerRegion, ...(name ? { name } : {}) }
    try {
      const created = await client.post<{ peeringId: string; status: { code: string; message: string } }>(
        '/peerings',
        body,
      )
      setOutcome(
        `Requested ${created.peeringId}: ${created.status.code}${created.status.message ? ` (${created.status.message})` : ''}.`,
      )
      await onCreated()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form
      className="request-form"
      onSubmit={(event) => void submit(event)}
      aria-label="Request a peering connection"
    >
      <label>
        Your VPC
        <select
          aria-label="Your VPC"
          value={vpcId}
          onChange={(event) => setVpcId(event.target.value)}
          required
        >
          {own.length === 0 ? <option value="">no VPC in {topology.region}</option> : null}
          {own.map((vpc) => (
            <option key={vpc.vpcId} value={vpc.vpcId}>
              {vpc.name ? `${vpc.name} (${vpc.vpcId})` : vpc.vpcId} {vpc.cidrBlocks.join(', ')}
            </option>
          ))}
        </select>
      </label>
      <label>
        Peer VPC id
        <input
          value={peerVpcId}
          onChange={(event) => setPeerVpcId(event.target.value)}
          list="known-vpcs"
          placeholder="vpc-…"
          required
          spellCheck={false}
        />
        <datalist id="known-vpcs">
          {topology.vpcs
            .filter((vpc) => vpc.vpcId !== vpcId)
            .map((vpc) => (
              <option key={vpc.vpcId} value={vpc.vpcId}>
                {vpc.name ?? vpc.vpcId}
              </option>
            ))}
        </datalist>
      </label>
      <label>
        Peer account
        <input
          value={peerOwnerId}
          onChange={(event) => setPeerOwnerId(event.target.value)}
          inputMode="numeric"
          required
          spellCheck={false}
        />
      </label>
      <label>
        Peer region
        <input
          value={peerRegion}
          onChange={(event) => setPeerRegion(event.target.value)}
          required
          spellCheck={false}
        />
      </label>
      <label>
        Name tag (optional)
        <input value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={busy || !vpcId}>
        Request peering
      </button>
      <p role="status" className="outcome">
        {outcome}
      </p>
      <ErrorNote error={error} />
    </form>
  )
}

const isOutstanding = (p: PeeringEdge) =>
  p.status.code === 'pending-acceptance' || p.status.code === 'initiating-request'

/** Requests waiting for this account, requests it sent, live and finished connections, and a request form. */
export function InboxView() {
  const { data, error, loading, reload } = useTopology()
  const peerings = data?.peerings ?? []
  const waiting = peerings.filter((p) => p.awaitingCaller)
  const sent = peerings.filter((p) => isOutstanding(p) && p.role !== 'accepter')
  const live = peerings.filter((p) => !isOutstanding(p) && !isFinished(p.status.code))
  const finished = peerings
    .filter((p) => isFinished(p.status.code))
    .sort((a, b) => b.statusChangedAt.localeCompare(a.statusChangedAt))
  return (
    <div className="view inbox-view">
      <div className="view-header">
        <h1>Peering inbox</h1>
        <button type="button" onClick={() => void reload()} disabled={loading}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      <ErrorNote error={error} />
      {data ? (
        <>
          {[
            {
              id: 'waiting',
              title: 'Waiting for your answer',
              peerings: waiting,
              empty: 'No request is waiting for this account in this region.',
              caption: 'Requests waiting for your answer',
            },
            {
              id: 'sent',
              title: 'Sent by you',
              peerings: sent,
              empty: 'No request from this account is outstanding.',
              caption: 'Requests you sent',
            },
            {
              id: 'live',
              title: 'Active and changing',
              peerings: live,
              empty: 'No connection is active.',
              caption: 'Active connections',
            },
            {
              id: 'finished',
              title: 'Recently finished',
              peerings: finished,
              empty: 'No connection has failed, been rejected, deleted or expired recently.',
              caption: 'Recently finished connections',
            },
          ].map((section) => (
            <Section key={section.id} title={`${section.title} (${section.peerings.length})`} id={section.id}>
              <PeeringTable
                peerings={section.peerings}
                empty={section.empty}
                caption={section.caption}
                onChanged={reload}
              />
            </Section>
          ))}
          <Section title="Request a peering connection" id="request">
            <RequestForm topology={data} onCreated={reload} />
          </Section>
        </>
      ) : null}
    </div>
  )
}

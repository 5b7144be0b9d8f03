import { createContext, type ReactNode, useContext, useState } from 'react'
import type { PeeringEdge } from '../../src/app/console-views.js'
import { type Client, describeFailure } from './api.ts'

/** The signed API client of the account the console acts as. */
export const ClientContext = createContext<Client | undefined>(undefined)

export function useClient(): Client {
  const client = useContext(ClientContext)
  if (!client) throw new Error('No account is chosen yet.')
  return client
}

/** An API error as the API worded it (code and message), announced to screen readers. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === undefined || error === null) return null
  return (
    <div className="error-note" role="alert" data-testid="error">
      {describeFailure(error)}
    </div>
  )
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/\W+/g, '-')}-heading`
  return (
    <section aria-labelledby={headingId} className="section">
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  )
}

/** Accept, reject or delete a connection, as far as the caller's side may; the server has the last word. */
export function PeeringActions({ peering, onDone }: { peering: PeeringEdge; onDone: () => unknown }) {
  const client = useClient()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>()
  const [done, setDone] = useState('')
  const act = (verb: string, action: () => Promise<unknown>) => async () => {
    setBusy(true)
    setError(undefined)
    try {
      await action()
      setDone(`${verb} ${peering.peeringId}.`)
      await onDone()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  const id = encodeURIComponent(peering.peeringId)
  const code = peering.status.code
  const mayDelete = code === 'active' || (code === 'pending-acceptance' && peering.role !== 'accepter')
  return (
    <div className="peering-actions">
      {peering.awaitingCaller ? (
        <>
          <button
            type="button"
            className="primary"
            disabled={busy}
            aria-label={`Accept ${peering.peeringId}`}
            onClick={act('Accepted', () => client.post(`/peerings/${id}/accept`))}
          >
            Accept
          </button>
          <button
            type="button"
            disabled={busy}
            aria-label={`Reject ${peering.peeringId}`}
            onClick={act('Rejected', () => client.post(`/peerings/${id}/reject`))}
          >
            Reject
          </button>
        </>
      ) : null}
      {mayDelete ? (
        <button
          type="button"
          className="danger"
          disabled={busy}
          aria-label={`${code === 'active' ? 'Delete' : 'Withdraw'} ${peering.peeringId}`}
          onClick={act('Deleted', () => client.del(`/peerings/${id}`))}
        >
          {code === 'active' ? 'Delete' : 'Withdraw'}
        </button>
      ) : null}
      <span className="sr-status" role="status">
        {done}
      </span>
      <ErrorNote error={error} />
    </div>
  )
}

import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react'
import { ErrorNote, useClient } from '../components.tsx'
import type { FlowRecord, FlowsAnswer, TrafficAnswer } from '../dataplane-shapes.ts'
import { protocolLabel } from '../format.ts'
import { type Route, useViewParams } from '../router.ts'

/** How often the tail asks for new records. */
export const TAIL_POLL_MS = 2000
/** How many records the tail keeps on screen. */
const KEPT = 500

const field = (record: FlowRecord, name: string) => record.fields[name] ?? '-'

function SendFlowForm({ onSent }: { onSent: () => unknown }) {
  const client = useClient()
  const [from, setFrom] = useState('')
  const [to, setTo] = useState('')
  const [protocol, setProtocol] = useState('tcp')
  const [port, setPort] = useState('443')
  const [error, setError] = useState<unknown>()
  const [outcome, setOutcome] = useState('')
  const send = async (event: FormEvent) => {
    event.preventDefault()
    setError(undefined)
    setOutcome('')
    try {
      const answer = await client.post<TrafficAnswer>('/traffic', {
        from: from.trim(),
        to: to.trim(),
        protocol,
        ...(port.trim() ? { port: Number(port) } : {}),
      })
      setOutcome(
        `${answer.reachable ? 'Delivered' : 'Not delivered'}; ${answer.records.length} flow-log record(s) written.`,
      )
      await onSent()
    } catch (failure) {
      setError(failure)
    }
  }
  return (
    <details className="send-flow">
      <summary>Send a flow</summary>
      <form onSubmit={(event) => void send(event)} aria-label="Send a flow through the data plane">
        <label>
          From (interface, instance or address)
          <input value={from} onChange={(event) => setFrom(event.target.value)} required spellCheck={false} />
        </label>
        <label>
          To (address)
          <input value={to} onChange={(event) => setTo(event.target.value)} required spellCheck={false} />
        </label>
        <label>
          Protocol
          <select
            aria-label="Protocol"
            value={protocol}
            onChange={(event) => setProtocol(event.target.value)}
          >
            <option value="tcp">tcp</option>
            <option value="udp">udp</option>
            <option value="icmp">icmp</option>
          </select>
        </label>
        <label>
          Port
          <input value={port} onChange={(event) => setPort(event.target.value)} inputMode="numeric" />
        </label>
        <button type="submit">Send</button>
        <span role="status">{outcome}</span>
        <ErrorNote error={error} />
      </form>
    </details>
  )
}

/** A live tail of the caller's flow-log records (CloudWatch Logs destinations), with filters. */
export function FlowsView({ route }: { route: Route }) {
  const client = useClient()
  const params = useViewParams(route)
  const action = params.get('action')
  const address = params.get('address')
  const port = params.get('port')
  const [records, setRecords] = useState<FlowRecord[]>([])
  const [error, setError] = useState<unknown>()
  const [paused, setPaused] = useState(false)
  const cursor = useRef<string | undefined>(undefined)

  const poll = useCallback(async () => {
    try {
      const answer = await client.get<FlowsAnswer>('/flows', {
        action,
        address,
        port,
        after: cursor.current,
        limit: cursor.current ? undefined : 100,
      })
      setError(undefined)
      cursor.current = answer.cursor ?? cursor.current
      if (answer.records.length > 0) setRecords((shown) => [...answer.records, ...shown].slice(0, KEPT))
    } catch (failure) {
      setError(failure)
    }
  }, [client, action, address, port])

  // New filters start a new tail.
  useEffect(() => {
    cursor.current = undefined
    setRecords([])
    void poll()
  }, [poll])

  useEffect(() => {
    if (paused) return
    const timer = setInterval(() => void poll(), TAIL_POLL_MS)
    return () => clearInterval(timer)
  }, [paused, poll])

  return (
    <div className="view flows-view">
      <div className="view-header">
        <h1>Flow logs</h1>
        <button type="button" onClick={() => setPaused((value) => !value)} aria-pressed={paused}>
          {paused ? 'Resume the tail' : 'Pause the tail'}
        </button>
      </div>
      <fieldset className="filters">
        <legend>Filters</legend>
        <label>
          Action{' '}
          <select
            aria-label="Action"
            value={action}
            onChange={(event) => params.set({ action: event.target.value })}
          >
            <option value="">any</option>
            <option value="ACCEPT">ACCEPT</option>
            <option value="REJECT">REJECT</option>
          </select>
        </label>
        <label>
          Address{' '}
          <input
            type="search"
            defaultValue={address}
            placeholder="10.1.0.5"
            onBlur={(event) => params.set({ address: event.target.value.trim() })}
            onKeyDown={(event) => {
              if (event.key === 'Enter') params.set({ address: event.currentTarget.value.trim() })
            }}
            spellCheck={false}
          />
        </label>
        <label>
          Port{' '}
          <input
            type="search"
            defaultValue={port}
            inputMode="numeric"
            placeholder="5432"
            onBlur={(event) => params.set({ port: event.target.value.trim() })}
            onKeyDown={(event) => {
              if (event.key === 'Enter') params.set({ port: event.currentTarget.value.trim() })
            }}
          />
        </label>
        <span className="muted" role="status">
          {paused ? 'Paused' : 'Live'} · {records.length} record(s)
        </span>
      </fieldset>
      <ErrorNote error={error} />
      <SendFlowForm onSent={poll} />
      {records.length === 0 ? (
        <p className="muted">
          No records yet. Flow logs with a CloudWatch Logs destination collect a record for each interface a
          flow touches (create one with CreateFlowLogs, then send traffic).
        </p>
      ) : (
        <table className="flow-table" data-testid="flow-records">
          <caption className="sr-only">Flow-log records, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Interface</th>
              <th scope="col">Source</th>
              <th scope="col">Destination</th>
              <th scope="col">Protocol</th>
              <th scope="col">Action</th>
              <th scope="col">Record</th>
            </tr>
          </thead>
          <tbody>
            {records.map((record) => (
              <tr key={record.cursor} className={field(record, 'action') === 'REJECT' ? 'reject' : ''}>
                <td>{new Date(record.start * 1000).toLocaleTimeString()}</td>
                <td className="mono">{record.logStreamName ?? field(record, 'interface-id')}</td>
                <td className="mono">
                  {field(record, 'srcaddr')}:{field(record, 'srcport')}
                </td>
                <td className="mono">
                  {field(record, 'dstaddr')}:{field(record, 'dstport')}
                </td>
                <td>{protocolLabel(field(record, 'protocol'))}</td>
                <td data-action={field(record, 'action')}>{field(record, 'action')}</td>
                <td className="mono small">{record.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

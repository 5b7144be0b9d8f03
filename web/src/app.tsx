import { useCallback, useEffect, useMemo, useState } from 'react'
import type { WhoAmI } from '../../src/app/console-views.js'
import { call, clientFor } from './api.ts'
import { ClientContext, ErrorNote } from './components.tsx'
import { hrefOf, type Route, useRoute, type ViewName } from './router.ts'
import {
  type AuthMode,
  deepLink,
  enter,
  identityOf,
  leave,
  probeAuthMode,
  recentIdentities,
  type Session,
  storedSecret,
} from './session.ts'
import { AuditView } from './views/audit.tsx'
import { FlowsView } from './views/flows.tsx'
import { InboxView } from './views/inbox.tsx'
import { LoginView } from './views/login.tsx'
import { TopologyView } from './views/topology.tsx'
import { TraceView } from './views/trace.tsx'
import { VpcDetailView } from './views/vpc-detail.tsx'

type Phase =
  | { readonly kind: 'probing' }
  | { readonly kind: 'unreachable'; readonly error: unknown }
  | {
      readonly kind: 'login'
      readonly initial: Partial<Session>
      readonly error?: unknown
      readonly busy?: boolean
    }
  | { readonly kind: 'in'; readonly session: Session; readonly who: WhoAmI }

const NAV: readonly { view: ViewName; label: string }[] = [
  { view: 'topology', label: 'Topology' },
  { view: 'inbox', label: 'Peering inbox' },
  { view: 'trace', label: 'Trace' },
  { view: 'flows', label: 'Flow logs' },
  { view: 'audit', label: 'Audit' },
]

export function App() {
  // Settled by the probe before any account is chosen.
  const [auth, setAuth] = useState<{ mode: AuthMode; regions: readonly string[] }>({
    mode: 'open',
    regions: [],
  })
  const [phase, setPhase] = useState<Phase>({ kind: 'probing' })
  const route = useRoute()

  const open = useCallback(async (session: Session) => {
    setPhase({ kind: 'login', initial: session, busy: true })
    try {
      const who = await call<WhoAmI>(identityOf(session), 'GET', '/whoami')
      enter(session)
      setPhase({ kind: 'in', session, who })
    } catch (error) {
      setPhase({ kind: 'login', initial: session, error })
    }
  }, [])

  useEffect(() => {
    probeAuthMode().then(
      (found) => {
        setAuth(found)
        const link = deepLink()
        if (!link.accessKeyId) {
          setPhase({ kind: 'login', initial: link })
          return
        }
        const secret = found.mode === 'open' ? '' : storedSecret(link.accessKeyId)
        const region = link.region ?? 'us-east-1'
        if (secret === undefined) setPhase({ kind: 'login', initial: { ...link, region } })
        else void open({ accessKeyId: link.accessKeyId, secretAccessKey: secret, region })
      },
      (error: unknown) => setPhase({ kind: 'unreachable', error }),
    )
  }, [open])

  if (phase.kind === 'probing') return <p className="loading">Connecting to vpcpeer…</p>
  if (phase.kind === 'unreachable') {
    return (
      <main className="login" id="main">
        <h1>vpcpeer console</h1>
        <ErrorNote error={phase.error} />
      </main>
    )
  }
  if (phase.kind === 'login') {
    return (
      <LoginView
        mode={auth.mode}
        regions={auth.regions}
        initial={phase.initial}
        error={phase.error}
        busy={phase.busy ?? false}
        onSubmit={(session) => void open(session)}
      />
    )
  }
  return (
    <Console
      session={phase.session}
      who={phase.who}
      mode={auth.mode}
      route={route}
      onSwitch={(session) => void open(session)}
      onLeave={() => {
        leave()
        setPhase({ kind: 'login', initial: { region: phase.session.region } })
      }}
    />
  )
}

function Console({
  session,
  who,
  mode,
  route,
  onSwitch,
  onLeave,
}: {
  session: Session
  who: WhoAmI
  mode: AuthMode
  route: Route
  onSwitch: (session: Session) => void
  onLeave: () => void
}) {
  const client = useMemo(() => clientFor(identityOf(session)), [session])
  const others = recentIdentities()
    .filter((r) => r.accessKeyId !== session.accessKeyId || r.region !== session.region)
    .filter((r) => mode === 'open' || storedSecret(r.accessKeyId) !== undefined)
    .slice(0, 3)
  const secretOf = (accessKeyId: string) => (mode === 'open' ? '' : (storedSecret(accessKeyId) ?? ''))
  const active = route.view === 'vpc' ? 'topology' : route.view
  return (
    <ClientContext.Provider value={client}>
      <a className="skip-link" href="#main">
        Skip to the content
      </a>
      <header className="top">
        <span className="brand">vpcpeer</span>
        <nav aria-label="Views">
          {NAV.map((item) => (
            <a
              key={item.view}
              href={hrefOf(item.view)}
              aria-current={active === item.view ? 'page' : undefined}
            >
              {item.label}
            </a>
          ))}
        </nav>
        <div className="identity">
          <span data-testid="acting-as">
            Acting as <strong>{who.accountId}</strong>
            {who.accessKeyId !== who.accountId ? (
              <span className="muted"> (key {who.accessKeyId})</span>
            ) : null}
          </span>
          <label>
            Region{' '}
            <select
              value={session.region}
              onChange={(event) => onSwitch({ ...session, region: event.target.value })}
              aria-label="Region to act in"
            >
              {[...new Set([session.region, ...who.regions])].map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          {others.map((r) => (
            <button
              key={`${r.accessKeyId}-${r.region}`}
              type="button"
              onClick={() => onSwitch({ ...r, secretAccessKey: secretOf(r.accessKeyId) })}
            >
              Act as {r.accessKeyId} ({r.region})
            </button>
          ))}
          <button type="button" onClick={onLeave}>
            Switch account…
          </button>
        </div>
      </header>
      <main id="main" key={`${session.accessKeyId}|${session.region}`}>
        <CurrentView route={route} />
      </main>
    </ClientContext.Provider>
  )
}

function CurrentView({ route }: { route: Route }) {
  switch (route.view) {
    case 'vpc':
      return <VpcDetailView vpcId={route.vpcId ?? ''} />
    case 'inbox':
      return <InboxView />
    case 'trace':
      return <TraceView route={route} />
    case 'flows':
      return <FlowsView route={route} />
    case 'audit':
      return <AuditView />
    default:
      return <TopologyView route={route} />
  }
}

import { type FormEvent, useId, useState } from 'react'
import { ErrorNote } from '../components.tsx'
import {
  type AuthMode,
  type RecentIdentity,
  recentIdentities,
  type Session,
  storedSecret,
} from '../session.ts'

const FALLBACK_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1']

/** Asks which account (access key id, and the secret in strict mode) and region to act as. */
export function LoginView({
  mode,
  regions,
  initial,
  error,
  busy,
  onSubmit,
}: {
  mode: AuthMode
  regions: readonly string[]
  initial: Partial<Session>
  error: unknown
  busy: boolean
  onSubmit: (session: Session) => void
}) {
  const [accessKeyId, setAccessKeyId] = useState(initial.accessKeyId ?? '')
  const [secretAccessKey, setSecret] = useState(initial.secretAccessKey ?? '')
  const [region, setRegion] = useState(initial.region ?? 'us-east-1')
  const regionListId = useId()
  const recent = recentIdentities()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    onSubmit({ accessKeyId: accessKeyId.trim(), secretAccessKey, region: region.trim() })
  }
  const chooseRecent = (identity: RecentIdentity) => {
    const secret = mode === 'open' ? '' : storedSecret(identity.accessKeyId)
    if (secret !== undefined) onSubmit({ ...identity, secretAccessKey: secret })
    else {
      setAccessKeyId(identity.accessKeyId)
      setRegion(identity.region)
    }
  }

  return (
    <main className="login" id="main">
      <h1>vpcpeer console</h1>
      <p>
        Choose the account to act as.{' '}
        {mode === 'open'
          ? 'This server runs in open mode: a 12-digit access key id is that account, any other key is account 000000000000, and no secret is needed.'
          : 'This server runs in strict mode: give an access key id and its secret from the server’s credentials file.'}
      </p>
      <form onSubmit={submit} aria-label="Act as an account">
        <label>
          Access key id
          <input
            name="accessKeyId"
            value={accessKeyId}
            onChange={(event) => setAccessKeyId(event.target.value)}
            required
            autoComplete="username"
            spellCheck={false}
            // biome-ignore lint/a11y/noAutofocus: the form is the whole page; the first field is where typing starts
            autoFocus
          />
        </label>
        {mode === 'strict' ? (
          <label>
            Secret access key
            <input
              name="secretAccessKey"
              type="password"
              value={secretAccessKey}
              onChange={(event) => setSecret(event.target.value)}
              required
              autoComplete="current-password"
            />
          </label>
        ) : null}
        <label>
          Region
          <input
            name="region"
            value={region}
            onChange={(event) => setRegion(event.target.value)}
            list={regionListId}
            required
            spellCheck={false}
          />
          <datalist id={regionListId}>
            {(regions.length > 0 ? regions : FALLBACK_REGIONS).map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Open the console'}
        </button>
      </form>
      <ErrorNote error={error} />
      {recent.length > 0 ? (
        <section aria-labelledby="recent-heading">
          <h2 id="recent-heading">Recently used</h2>
          <ul className="recent">
            {recent.map((identity) => (
              <li key={`${identity.accessKeyId}-${identity.region}`}>
                <button type="button" onClick={() => chooseRecent(identity)}>
                  {identity.accessKeyId} in {identity.region}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </main>
  )
}

import { ApiFailure, call, type Identity } from './api.ts'

/**
 * Who the console acts as. The access key id and region live in the page address, so a link
 * opens the console as that account; a secret (strict mode only) stays in this tab's session
 * storage and never enters an address.
 */
export interface Session {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
}

export type AuthMode = 'open' | 'strict'

const SECRETS_KEY = 'vpcpeer.secrets'
const RECENT_KEY = 'vpcpeer.recent'
const RECENT_LIMIT = 6

export const identityOf = (session: Session): Identity => ({
  credentials: { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey },
  region: session.region,
})

function readJson<T>(storage: Storage, key: string, fallback: T): T {
  try {
    return (JSON.parse(storage.getItem(key) ?? 'null') as T | null) ?? fallback
  } catch {
    return fallback
  }
}

export function deepLink(): { accessKeyId?: string; region?: string } {
  const params = new URLSearchParams(window.location.search)
  const accessKeyId = params.get('accessKeyId') ?? undefined
  const region = params.get('region') ?? undefined
  return { ...(accessKeyId ? { accessKeyId } : {}), ...(region ? { region } : {}) }
}

export const storedSecret = (accessKeyId: string): string | undefined =>
  readJson<Record<string, string>>(window.sessionStorage, SECRETS_KEY, {})[accessKeyId]

export interface RecentIdentity {
  readonly accessKeyId: string
  readonly region: string
}

export const recentIdentities = (): RecentIdentity[] => readJson(window.localStorage, RECENT_KEY, [])

/** Records the session: the address (key and region, keeping the view), the secret, the recent list. */
export function enter(session: Session) {
  const secrets = readJson<Record<string, string>>(window.sessionStorage, SECRETS_KEY, {})
  window.sessionStorage.setItem(
    SECRETS_KEY,
    JSON.stringify({ ...secrets, [session.accessKeyId]: session.secretAccessKey }),
  )
  const recent = [
    { accessKeyId: session.accessKeyId, region: session.region },
    ...recentIdentities().filter((r) => r.accessKeyId !== session.accessKeyId || r.region !== session.region),
  ].slice(0, RECENT_LIMIT)
  window.localStorage.setItem(RECENT_KEY, JSON.stringify(recent))
  const query = new URLSearchParams({ accessKeyId: session.accessKeyId, region: session.region })
  window.history.replaceState(null, '', `${window.location.pathname}?${query}${window.location.hash}`)
}

/** Leaves the account: the address no longer names it. */
export function leave() {
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.hash}`)
}

/**
 * Whether the server checks signatures. An unsigned call is answered as the default account in
 * open mode and refused with MissingAuthenticationToken in strict mode.
 */
export async function probeAuthMode(): Promise<{ mode: AuthMode; regions: readonly string[] }> {
  try {
    const who = await call<{ regions: string[] }>(undefined, 'GET', '/whoami')
    return { mode: 'open', regions: who.regions }
  } catch (error) {
    if (error instanceof ApiFailure && error.code === 'MissingAuthenticationToken')
      return { mode: 'strict', regions: [] }
    throw error
  }
}

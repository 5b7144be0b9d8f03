import { useCallback, useEffect, useState } from 'react'

/**
 * Every view has its own address in the hash (`#/vpcs/vpc-…`, `#/trace?source=…`), so it can
 * be shared and reloaded; the account and region sit in the query string before it.
 */
export type ViewName = 'topology' | 'inbox' | 'vpc' | 'trace' | 'flows' | 'audit'

export interface Route {
  readonly view: ViewName
  /** The VPC of the detail view. */
  readonly vpcId?: string
  readonly params: URLSearchParams
}

const SIMPLE_VIEWS: readonly ViewName[] = ['topology', 'inbox', 'trace', 'flows', 'audit']

export function parseHash(hash: string): Route {
  const text = hash.replace(/^#\/?/, '')
  const queryStart = text.indexOf('?')
  const path = queryStart < 0 ? text : text.slice(0, queryStart)
  const params = new URLSearchParams(queryStart < 0 ? '' : text.slice(queryStart + 1))
  const [first = '', second] = path.split('/').map(decodeURIComponent)
  if (first === 'vpcs' && second) return { view: 'vpc', vpcId: second, params }
  const view = SIMPLE_VIEWS.find((name) => name === first) ?? 'topology'
  return { view, params }
}

export function hrefOf(
  view: ViewName,
  options: { vpcId?: string; params?: Record<string, string> } = {},
): string {
  const path = view === 'vpc' ? `vpcs/${encodeURIComponent(options.vpcId ?? '')}` : view
  const params = new URLSearchParams(
    Object.entries(options.params ?? {}).filter(([, value]) => value !== ''),
  ).toString()
  return `#/${path}${params ? `?${params}` : ''}`
}

/** The current route, following the hash. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash))
  useEffect(() => {
    const follow = () => setRoute(parseHash(window.location.hash))
    window.addEventListener('hashchange', follow)
    return () => window.removeEventListener('hashchange', follow)
  }, [])
  return route
}

/** Goes to a view; `replace` rewrites the current history entry (for filters typed into a view). */
export function navigate(href: string, { replace = false } = {}) {
  if (replace) {
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${href}`)
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  } else {
    window.location.hash = href
  }
}

/**
 * A view's parameters kept in its address: reading one, and setting some (replacing the
 * entry). Setting reads the address afresh, so two changes in one event both stick.
 */
export function useViewParams(route: Route) {
  const set = useCallback((changes: Record<string, string | undefined>) => {
    const current = parseHash(window.location.hash)
    const params = new URLSearchParams(current.params)
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') params.delete(key)
      else params.set(key, value)
    }
    const vpc = current.vpcId ? { vpcId: current.vpcId } : {}
    navigate(hrefOf(current.view, { ...vpc, params: Object.fromEntries(params) }), { replace: true })
  }, [])
  return { get: (key: string) => route.params.get(key) ?? '', set }
}

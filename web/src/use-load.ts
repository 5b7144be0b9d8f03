import { useCallback, useEffect, useRef, useState } from 'react'

export interface Loaded<T> {
  readonly data: T | undefined
  readonly error: unknown
  readonly loading: boolean
  readonly reload: () => Promise<void>
}

/**
 * Loads data for a view, again whenever `key` changes, on demand, and every `pollMs` while
 * the page is visible. Views are mounted afresh for each account, so the key names only what
 * differs within one. A reload that answers the same JSON keeps the old object, so nothing re-renders.
 */
export function useLoad<T>(load: () => Promise<T>, key: string, pollMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true })
  const lastText = useRef('')
  const current = useRef(load)
  current.current = load
  const generation = useRef(0)

  const reload = useCallback(async () => {
    const mine = ++generation.current
    setState((previous) => ({ ...previous, loading: true }))
    try {
      const data = await current.current()
      if (mine !== generation.current) return
      const text = JSON.stringify(data)
      const changed = text !== lastText.current
      lastText.current = text
      setState((previous) => ({ data: changed ? data : previous.data, loading: false }))
    } catch (error) {
      if (mine !== generation.current) return
      setState((previous) => ({ ...previous, error, loading: false }))
    }
  }, [])

  // A new key (another VPC, say) starts afresh.
  useEffect(() => {
    lastText.current = key
    setState({ loading: true })
    void reload()
  }, [key, reload])

  useEffect(() => {
    if (!pollMs) return
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void reload()
    }, pollMs)
    return () => clearInterval(timer)
  }, [pollMs, reload])

  return { data: state.data, error: state.error, loading: state.loading, reload }
}

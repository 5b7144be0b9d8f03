import type { PeeringEdge } from '../../src/app/console-views.js'

const PROTOCOL_NAMES: Record<string, string> = {
  '-1': 'all',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
}

/** `tcp`, `udp`, `all` … for a protocol given by name or number. */
export const protocolLabel = (protocol: string) => PROTOCOL_NAMES[protocol] ?? protocol

export function portsLabel(protocol: string, from?: number, to?: number): string {
  const name = protocolLabel(protocol)
  if (name === 'all') return 'all'
  if (name.startsWith('icmp')) {
    const type = from === undefined || from === -1 ? 'any type' : `type ${from}`
    const code = to === undefined || to === -1 ? 'any code' : `code ${to}`
    return `${type}, ${code}`
  }
  if (from === undefined) return 'all'
  if (from === 0 && to === 65535) return 'all'
  return from === to ? String(from) : `${from}–${to}`
}

export type PeeringStyle = 'pending' | 'active' | 'ended' | 'transition'

/** Pending requests are drawn dashed, active ones solid, finished ones grey. */
export function peeringStyle(code: PeeringEdge['status']['code']): PeeringStyle {
  switch (code) {
    case 'active':
      return 'active'
    case 'pending-acceptance':
    case 'initiating-request':
      return 'pending'
    case 'provisioning':
    case 'deleting':
      return 'transition'
    default:
      return 'ended'
  }
}

export const isFinished = (code: PeeringEdge['status']['code']) => peeringStyle(code) === 'ended'

export const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`

export const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

export const when = (iso: string) => new Date(iso).toLocaleString()

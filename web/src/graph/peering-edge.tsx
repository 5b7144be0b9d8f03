import {
  BaseEdge,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  type InternalNode,
  useInternalNode,
} from '@xyflow/react'
import { memo } from 'react'
import type { PeeringEdge } from '../../../src/app/console-views.js'
import { peeringStyle, plural } from '../format.ts'
import { type Mark, markClass } from './highlight.ts'

export interface PeeringEdgeData extends Record<string, unknown> {
  readonly peering: PeeringEdge
  /** This edge's place among the edges joining the same two VPCs, so parallel edges fan out. */
  readonly lane: number
  readonly lanes: number
  readonly mark?: Mark
  readonly onSelect: (peeringId: string) => void
}

export type PeeringFlowEdge = Edge<PeeringEdgeData, 'peering'>

export function peeringLabel(peering: PeeringEdge): string {
  const flags = [
    peering.crossAccount ? 'cross-account' : '',
    peering.crossRegion ? 'cross-region' : '',
    peering.blackholeRoutes.length > 0 ? plural(peering.blackholeRoutes.length, 'blackhole route') : '',
  ].filter(Boolean)
  return `Peering ${peering.name ? `${peering.name} ` : ''}${peering.peeringId}, ${peering.status.code}, from ${peering.requester.vpcId} to ${peering.accepter.vpcId}${flags.length ? `, ${flags.join(', ')}` : ''}`
}

interface Box {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

const boxOf = (node: InternalNode): Box => ({
  x: node.internals.positionAbsolute.x,
  y: node.internals.positionAbsolute.y,
  width: node.measured.width ?? 0,
  height: node.measured.height ?? 0,
})

/** Where the line from the box's centre towards `toward` leaves the box. */
function borderPoint(box: Box, toward: { x: number; y: number }) {
  const cx = box.x + box.width / 2
  const cy = box.y + box.height / 2
  const dx = toward.x - cx
  const dy = toward.y - cy
  if (dx === 0 && dy === 0) return { x: cx, y: cy }
  const scale = Math.min(
    dx === 0 ? Number.POSITIVE_INFINITY : box.width / 2 / Math.abs(dx),
    dy === 0 ? Number.POSITIVE_INFINITY : box.height / 2 / Math.abs(dy),
  )
  return { x: cx + dx * scale, y: cy + dy * scale }
}

const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 })

/** A peering between two VPCs: straight, or bowed when several join the same pair, from border to border. */
export const PeeringEdgeView = memo(function PeeringEdgeView({
  id,
  source,
  target,
  data,
}: EdgeProps<PeeringFlowEdge>) {
  const from = useInternalNode(source)
  const to = useInternalNode(target)
  if (!from || !to || !data) return null
  const a = boxOf(from)
  const b = boxOf(to)
  const bow = (data.lane - (data.lanes - 1) / 2) * 70
  const [ca, cb] = [centre(a), centre(b)]
  const length = Math.hypot(cb.x - ca.x, cb.y - ca.y) || 1
  const control = {
    x: (ca.x + cb.x) / 2 - ((cb.y - ca.y) / length) * bow,
    y: (ca.y + cb.y) / 2 + ((cb.x - ca.x) / length) * bow,
  }
  const start = borderPoint(a, control)
  const end = borderPoint(b, control)
  const path = `M ${start.x},${start.y} Q ${control.x},${control.y} ${end.x},${end.y}`
  const labelX = 0.25 * start.x + 0.5 * control.x + 0.25 * end.x
  const labelY = 0.25 * start.y + 0.5 * control.y + 0.25 * end.y
  const { peering, mark } = data
  const style = peeringStyle(peering.status.code)
  const blackholes = peering.blackholeRoutes.length
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        className={`peering-line state-${style} ${blackholes > 0 ? 'has-blackhole' : ''} ${peering.crossRegion ? 'cross-region' : ''} ${markClass(mark)}`}
      />
      <EdgeLabelRenderer>
        <button
          type="button"
          className={`peering-label nodrag nopan state-${style} ${markClass(mark)}`}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          data-peering-id={peering.peeringId}
          data-state={peering.status.code}
          data-testid="peering-label"
          aria-label={`Select ${peeringLabel(peering)}`}
          onClick={() => data.onSelect(peering.peeringId)}
        >
          <span className="peering-name">{peering.name ?? peering.peeringId}</span>
          <span className="peering-state">{peering.status.code}</span>
          {peering.crossAccount ? <span className="badge cross-account">cross-account</span> : null}
          {peering.crossRegion ? <span className="badge cross-region">cross-region</span> : null}
          {blackholes > 0 ? (
            <span className="flag blackhole" data-testid="peering-blackhole">
              ⚠ {plural(blackholes, 'blackhole route')}
            </span>
          ) : null}
          {mark ? <span className="hop-badge">hop {mark.hops.join(', ')}</span> : null}
        </button>
      </EdgeLabelRenderer>
    </>
  )
})

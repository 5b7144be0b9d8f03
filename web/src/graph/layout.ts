import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type SimulationNodeDatum,
} from 'd3-force'

/**
 * Positions for the VPC graph from d3-force, run for a fixed number of ticks and never
 * animated: the picture is stable, deterministic (d3 seeds its own start positions) and
 * computed once. Nodes that already have a position keep it, so a refresh after an accept or
 * a new VPC moves nothing the user has seen.
 */
export interface LayoutInput {
  readonly id: string
  /** Nodes of one group (an account) are drawn towards one another. */
  readonly group: string
}

export interface Point {
  readonly x: number
  readonly y: number
}

interface SimNode extends SimulationNodeDatum {
  readonly id: string
  readonly group: string
}

export const LAYOUT_TICKS = 300
/** About a node's half diagonal, so that nodes do not overlap. */
const NODE_RADIUS = 170
const LINK_DISTANCE = 320

/** Where each group's nodes gather: points on a circle that grows with the estate. */
function groupCentres(groups: readonly string[], nodeCount: number): Map<string, Point> {
  const radius = groups.length > 1 ? 120 * Math.sqrt(nodeCount) + 200 : 0
  return new Map(
    groups.map((group, index) => {
      const angle = (2 * Math.PI * index) / groups.length - Math.PI / 2
      return [group, { x: radius * Math.cos(angle), y: radius * Math.sin(angle) }]
    }),
  )
}

/**
 * Where a new node starts when others are already placed: beside a placed neighbour, on the
 * side away from the middle of the graph, where there is room. Without placed nodes d3 seeds
 * the positions itself.
 */
function startingPoints(
  fresh: readonly LayoutInput[],
  links: readonly { readonly source: string; readonly target: string }[],
  known: ReadonlyMap<string, Point>,
): Map<string, Point> {
  const starts = new Map<string, Point>()
  if (known.size === 0) return starts
  const placed = [...known.values()]
  const middle = {
    x: placed.reduce((sum, p) => sum + p.x, 0) / placed.length,
    y: placed.reduce((sum, p) => sum + p.y, 0) / placed.length,
  }
  const right = Math.max(...placed.map((p) => p.x))
  for (const [index, node] of fresh.entries()) {
    const neighbour = links
      .flatMap((link) =>
        link.source === node.id ? [link.target] : link.target === node.id ? [link.source] : [],
      )
      .map((id) => known.get(id))
      .find((point) => point !== undefined)
    if (!neighbour) {
      starts.set(node.id, { x: right + LINK_DISTANCE, y: middle.y + index * 2 * NODE_RADIUS })
      continue
    }
    const dx = neighbour.x - middle.x
    const dy = neighbour.y - middle.y
    const length = Math.hypot(dx, dy) || 1
    starts.set(node.id, {
      x: neighbour.x + (dx / length) * LINK_DISTANCE,
      y: neighbour.y + (dy / length) * LINK_DISTANCE + index,
    })
  }
  return starts
}

export function layoutGraph(
  nodes: readonly LayoutInput[],
  links: readonly { readonly source: string; readonly target: string }[],
  known: ReadonlyMap<string, Point>,
): Map<string, Point> {
  const fresh = nodes.filter((node) => !known.has(node.id))
  if (fresh.length === 0) return new Map(nodes.map((node) => [node.id, known.get(node.id)!]))
  const groups = [...new Set(nodes.map((node) => node.group))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const centres = groupCentres(groups, nodes.length)
  const start = startingPoints(fresh, links, known)
  const simNodes: SimNode[] = nodes.map((node) => {
    const place = known.get(node.id)
    if (place) return { id: node.id, group: node.group, x: place.x, y: place.y, fx: place.x, fy: place.y }
    const near = start.get(node.id)
    return near ? { ...node, x: near.x, y: near.y } : { ...node }
  })
  const ids = new Set(nodes.map((node) => node.id))
  const simLinks = links
    .filter((link) => ids.has(link.source) && ids.has(link.target) && link.source !== link.target)
    .map((link) => ({ ...link }))
  const simulation = forceSimulation(simNodes)
    .force(
      'link',
      forceLink<SimNode, { source: string; target: string }>(simLinks)
        .id((node) => node.id)
        .distance(LINK_DISTANCE)
        .strength(0.3),
    )
    .force('charge', forceManyBody<SimNode>().strength(-1200).distanceMax(2000))
    .force('collide', forceCollide<SimNode>(NODE_RADIUS))
    .force('x', forceX<SimNode>((node) => centres.get(node.group)?.x ?? 0).strength(0.06))
    .force('y', forceY<SimNode>((node) => centres.get(node.group)?.y ?? 0).strength(0.06))
    .stop()
  // Large estates get fewer ticks, so the page never freezes; the cooling is set to the
  // budget so the layout still settles within it.
  const ticks = nodes.length > 200 ? Math.round(LAYOUT_TICKS / 3) : LAYOUT_TICKS
  simulation.alphaDecay(1 - simulation.alphaMin() ** (1 / ticks)).tick(ticks)
  return new Map(simNodes.map((node) => [node.id, { x: node.x ?? 0, y: node.y ?? 0 }]))
}

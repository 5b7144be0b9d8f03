import { describe, expect, it } from 'vitest'
import { layoutGraph, type Point } from '../../web/src/graph/layout.js'

/** A VPC node's box on the graph is about 250 × 120 pixels. */
const overlapping = (positions: ReadonlyMap<string, Point>) => {
  const points = [...positions.entries()]
  const pairs: string[] = []
  for (const [i, [a, p]] of points.entries()) {
    for (const [b, q] of points.slice(i + 1)) {
      if (Math.abs(p.x - q.x) < 255 && Math.abs(p.y - q.y) < 125) pairs.push(`${a}/${b}`)
    }
  }
  return pairs
}

/** `count` VPCs in five accounts, each peered with an earlier one (a tree), plus a few cross links. */
function estate(count: number) {
  const nodes = Array.from({ length: count }, (_, i) => ({ id: `vpc-${i}`, group: `acct-${i % 5}` }))
  const links = [
    ...nodes.slice(1).map((node, i) => ({ source: node.id, target: `vpc-${Math.floor(i / 2)}` })),
    ...nodes.slice(0, count / 5).map((node, i) => ({ source: node.id, target: `vpc-${count - 1 - i}` })),
  ]
  return { nodes, links }
}

describe('the graph layout (d3-force, a fixed number of ticks)', () => {
  it('lays out 50 VPCs without overlapping boxes, the same way every time', () => {
    const { nodes, links } = estate(50)
    const first = layoutGraph(nodes, links, new Map())
    expect(first.size).toBe(50)
    expect(overlapping(first)).toEqual([])
    expect(layoutGraph(nodes, links, new Map())).toEqual(first)
  })

  it('keeps every VPC already placed where it is, and finds room for a new one', () => {
    const { nodes, links } = estate(20)
    const placed = layoutGraph(nodes, links, new Map())
    const grown = layoutGraph(
      [...nodes, { id: 'vpc-new', group: 'acct-0' }],
      [...links, { source: 'vpc-new', target: 'vpc-3' }],
      placed,
    )
    for (const [id, point] of placed) expect(grown.get(id)).toEqual(point)
    expect(overlapping(grown).filter((pair) => pair.includes('vpc-new'))).toEqual([])
  })

  it('places 500 VPCs, every one at a real position, and almost all clear of the others', () => {
    const { nodes, links } = estate(500)
    const placed = layoutGraph(nodes, links, new Map())
    expect(placed.size).toBe(500)
    for (const point of placed.values())
      expect(Number.isFinite(point.x) && Number.isFinite(point.y)).toBe(true)
    expect(overlapping(placed).length).toBeLessThan(25)
  })
})

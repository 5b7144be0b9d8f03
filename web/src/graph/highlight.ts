/** What a traced path marks on the graph: the hops at each VPC, subnet and peering, and where it stopped. */
export interface Mark {
  /** Hop numbers along the path (forward hops first, then return hops as `r1`, `r2` …). */
  readonly hops: readonly string[]
  readonly blocked: boolean
}

export interface Highlight {
  readonly vpcs: ReadonlyMap<string, Mark>
  readonly subnets: ReadonlyMap<string, Mark>
  readonly peerings: ReadonlyMap<string, Mark>
}

export const NO_HIGHLIGHT: Highlight = { vpcs: new Map(), subnets: new Map(), peerings: new Map() }

/** Adds a hop to an element's mark. */
export function mark(marks: Map<string, Mark>, id: string, hop: string, blocked: boolean) {
  const current = marks.get(id)
  marks.set(id, {
    hops: current?.hops.includes(hop) ? current.hops : [...(current?.hops ?? []), hop],
    blocked: (current?.blocked ?? false) || blocked,
  })
}

export const markClass = (value: Mark | undefined) =>
  value ? (value.blocked ? 'on-path blocked' : 'on-path') : ''

/**
 * The contract between `npm run soak` (scripts/soak.ts) and its parts: each part runs its long
 * campaign from a seed and returns the counts it prints, and the problems it found (any problem
 * fails the run). The CI-sized suites run the same campaigns with smaller numbers.
 */
export interface SoakOptions {
  readonly seed: number
  /** Progress lines, so a long run shows it is moving. */
  readonly log: (line: string) => void
}

export interface SoakResult {
  /** What ran and what was seen, by name: `requests`, `5xx`, `leaks`… */
  readonly counts: Readonly<Record<string, number>>
  /** Each a sentence with what to run to reproduce it; empty when the part held. */
  readonly failures: readonly string[]
}

export type SoakPart = (options: SoakOptions) => Promise<SoakResult>

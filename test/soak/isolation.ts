/**
 * The isolation part of `npm run soak`: 5,000 attempts by outsiders on a peering estate in each
 * of open and strict mode, and every leak or change with the seed that reproduces it.
 */
import { runIsolation } from '../support/isolation.js'
import type { SoakPart } from '../support/soak.js'

export const soakIsolation: SoakPart = async ({ seed, log }) => {
  const counts: Record<string, number> = {}
  const failures: string[] = []
  for (const mode of ['open', 'strict'] as const) {
    const result = await runIsolation({ mode, seed, attempts: 5000 })
    for (const [name, value] of Object.entries(result.counts)) counts[`${mode} ${name}`] = value
    failures.push(...result.failures.map((failure) => `${mode}: ${failure}`))
    log(`${mode}: ${result.counts.attempts} attempts, ${result.counts.leaks} leaks`)
  }
  return { counts, failures }
}

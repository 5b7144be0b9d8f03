import { describe, expect, it } from 'vitest'
import { runIsolation } from './support/isolation.js'

/**
 * Isolation (test/support/isolation.ts says how): outsiders to a peering estate see nothing and
 * change nothing of it, in open and in strict mode. `npm run soak` runs many more attempts;
 * `VPCPEER_FUZZ_SEED=<seed>` replays a seed.
 */
const seed = Number(process.env.VPCPEER_FUZZ_SEED ?? 20_261_203)
const ATTEMPTS = 300

describe.each(['open', 'strict'] as const)('an outsider in %s mode', (mode) => {
  it(`sees nothing and changes nothing of a peering estate in ${ATTEMPTS} attempts (seed ${seed})`, async () => {
    const result = await runIsolation({ mode, seed, attempts: ATTEMPTS })
    expect(result.failures).toEqual([])
    expect(result.counts.leaks).toBe(0)
    expect(result.counts.changedViews).toBe(0)
    expect(result.counts.attempts).toBe(ATTEMPTS)
    // Most attempts name the estate's resources, and most actions and every console route were tried.
    expect(result.counts.comparedWithDecoys).toBeGreaterThan(ATTEMPTS / 2)
    expect(result.counts.actionsAndRoutesTried).toBeGreaterThan(60)
  })
})

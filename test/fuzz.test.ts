import { describe, expect, it } from 'vitest'
import { runCampaign } from './support/fuzz-campaign.js'

/**
 * The protocol fuzzer, CI-sized (`npm run soak` runs 100,000). A failure names the batch seed;
 * `VPCPEER_FUZZ_SEED=<seed> npx vitest run test/fuzz.test.ts` replays the campaign.
 */
const seed = Number(process.env.VPCPEER_FUZZ_SEED ?? 20_261_203)

describe.each([
  ['open', 1000],
  ['strict', 400],
] as const)('fuzzing a %s-mode server', (auth, requests) => {
  it(`answers ${requests} generated requests (seed ${seed}) without a 5xx, each error documented`, async () => {
    const result = await runCampaign({ seed, requests, auth })
    expect(result.failures).toEqual([])
    expect(result.counts.requests).toBe(requests)
    expect(result.counts['5xx']).toBe(0)
    expect(result.counts.healthChecks).toBe(result.counts.batches)
    // The campaign reached the actions themselves, not only the envelope checks.
    expect(result.counts['2xx']).toBeGreaterThan(requests / 50)
    expect(Object.keys(result.byCode).length).toBeGreaterThan(20)
  })
})

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FuzzServer, runCampaign, startFuzzServer } from './support/fuzz-campaign.js'

/**
 * The protocol fuzzer, CI-sized: a few campaigns of a few hundred requests each at one real
 * server per mode (`npm run soak` runs 100,000). A failure names its batch seed;
 * `VPCPEER_FUZZ_SEED=<seed> npx vitest run test/fuzz.test.ts` replays the campaigns. They send
 * one request at a time, so a seed replays the same requests against the same states (with eight
 * in flight the order of creates varied, and with it how many later calls found their ids);
 * the soak keeps eight in flight.
 */
const seed = Number(process.env.VPCPEER_FUZZ_SEED ?? 20_261_203)

describe.each([
  ['open', 3, 350],
  ['strict', 2, 200],
] as const)('fuzzing a %s-mode server', (auth, campaigns, requests) => {
  let target: FuzzServer
  beforeAll(async () => {
    target = await startFuzzServer(auth)
  })
  afterAll(() => target.stop())

  it.each(Array.from({ length: campaigns }, (_, i) => seed + i * 1000))(
    `answers ${requests} generated requests from seed %i without a 5xx, each error documented`,
    async (campaignSeed) => {
      const result = await runCampaign({
        seed: campaignSeed,
        requests,
        auth,
        server: target,
        batchSize: requests,
        concurrency: 1,
      })
      expect(result.failures).toEqual([])
      expect(result.counts.requests).toBe(requests)
      expect(result.counts['5xx']).toBe(0)
      expect(result.counts.healthChecks).toBe(result.counts.batches)
      // The campaign reached the actions themselves, not only the envelope checks.
      expect(result.counts['2xx']).toBeGreaterThan(requests / 50)
      expect(Object.keys(result.byCode).length).toBeGreaterThan(15)
    },
  )
})

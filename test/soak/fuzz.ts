/**
 * The fuzzing part of `npm run soak`: 100,000 requests at an open-mode server and 10,000 at a
 * strict-mode one, the counts of each, and every problem with the seed that reproduces it.
 */
import { type CampaignResult, runCampaign } from '../support/fuzz-campaign.js'
import type { SoakPart } from '../support/soak.js'

export const SOAK_REQUESTS = { open: 100_000, strict: 10_000 } as const

export const soakFuzz: SoakPart = async ({ seed, log }) => {
  const counts: Record<string, number> = {}
  const failures: string[] = []
  for (const auth of ['open', 'strict'] as const) {
    const result: CampaignResult = await runCampaign({
      seed,
      requests: SOAK_REQUESTS[auth],
      auth,
      log: (line) => log(`${auth}: ${line}`),
    })
    for (const [name, value] of Object.entries(result.counts)) counts[`${auth} ${name}`] = value
    failures.push(...result.failures.map((failure) => `${auth}: ${failure}`))
    log(`${auth}: requests by kind ${JSON.stringify(result.byKind)}`)
    log(`${auth}: errors by code ${JSON.stringify(result.byCode)}`)
  }
  return { counts, failures }
}

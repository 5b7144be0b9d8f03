import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Random } from '../bench/estate.js'
import {
  CLOCK_SETTINGS,
  clockAndSweepers,
  PeeringRaces,
  RACE_SETTINGS,
  twoServers,
} from './support/peering-races.js'
import { createScratchDatabase, postgresServerUrl, postgresSkipped } from './support/postgres.js'

/**
 * Two servers on one PostgreSQL database, racing on the same peering connections, and moving
 * their clocks and sweeping at once (see support/peering-races.ts). VPCPEER_RACE_SEED replays a
 * run's choices; `npm run soak` runs 1,000 races.
 */

const BATCHES = 4
const RACES_PER_BATCH = 25
const CLOCK_TIMELINES = 6
const seed = Number(process.env.VPCPEER_RACE_SEED ?? Math.floor(Math.random() * 2 ** 31))

/** A scratch database with two servers on it, for the describe block it is called in. */
function twoServersOnScratch(settings: typeof RACE_SETTINGS) {
  const cleanups: (() => Promise<void>)[] = []
  const estate = { servers: undefined as unknown as Awaited<ReturnType<typeof twoServers>>['servers'] }
  beforeAll(async () => {
    const database = await createScratchDatabase(postgresServerUrl!)
    cleanups.push(database.drop)
    const pair = await twoServers(database.url, settings)
    cleanups.push(pair.close)
    estate.servers = pair.servers
  })
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  return estate
}

describe.skipIf(!postgresServerUrl)(
  postgresServerUrl ? 'postgres: two servers racing on one database' : postgresSkipped,
  () => {
    const estate = twoServersOnScratch(RACE_SETTINGS)
    let races: PeeringRaces | undefined
    beforeAll(() => {
      races = new PeeringRaces(estate.servers, seed)
    })
    afterAll(() => {
      if (!races) return
      races.close()
      const f = races.figures
      console.log(
        `races: seed ${seed}, ${f.races} races, ${f.winners} winners, ${f.doubleWinners} double winners, ${f.nonLinearizable} not linearizable, losers ${JSON.stringify(f.losers)}`,
      )
    })

    it.each(Array.from({ length: BATCHES }, (_, i) => i + 1))(
      `races batch %i of ${BATCHES} (${RACES_PER_BATCH} races, seed ${seed}): at most the winners a serial order allows, every loser the serial error, a linearizable history`,
      async () => {
        const before = races!.figures
        for (let i = 0; i < RACES_PER_BATCH; i++) await races!.race()
        const after = races!.figures
        expect(after.failures.slice(before.failures.length)).toEqual([])
        expect(after.doubleWinners - before.doubleWinners).toBe(0)
      },
    )
  },
)

describe.skipIf(!postgresServerUrl)(
  postgresServerUrl ? 'postgres: two servers moving their clocks and sweeping at once' : postgresSkipped,
  () => {
    const estate = twoServersOnScratch(CLOCK_SETTINGS)

    it(`applies each transition once and forgets each record once (${CLOCK_TIMELINES} timelines, seed ${seed})`, async () => {
      const rng = new Random(seed)
      let forgotten = 0
      for (let i = 0; i < CLOCK_TIMELINES; i++) {
        const report = await clockAndSweepers(estate.servers, rng)
        expect(report.failures).toEqual([])
        forgotten += report.forgotten
      }
      expect(forgotten).toBeGreaterThanOrEqual(2 * CLOCK_TIMELINES)
    })
  },
)

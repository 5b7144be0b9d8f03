/**
 * The crash and race parts of `npm run soak`: the crash suite's rounds (100 on SQLite, 100 on
 * PostgreSQL) and the race suite's races (1,000) and clock timelines (100), with their counts
 * and every broken promise. PostgreSQL runs need VPCPEER_TEST_DATABASE_URL; without it they are
 * skipped, and the counts say so.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Random } from '../../bench/estate.js'
import { CrashRun } from '../support/crash-load.js'
import {
  CLOCK_SETTINGS,
  clockAndSweepers,
  PeeringRaces,
  RACE_SETTINGS,
  twoServers,
} from '../support/peering-races.js'
import { createScratchDatabase, postgresServerUrl, postgresSkipped } from '../support/postgres.js'
import type { SoakOptions, SoakPart } from '../support/soak.js'

export const SOAK_CRASH_ROUNDS = 100
export const SOAK_RACES = 1000
export const SOAK_CLOCK_TIMELINES = 100

async function crashRounds(name: string, database: string[], { seed, log }: SoakOptions) {
  const run = new CrashRun({ database, seed })
  const failures: string[] = []
  await run.start()
  try {
    for (let round = 1; round <= SOAK_CRASH_ROUNDS; round++) {
      const report = await run.round()
      failures.push(...report.violations.map((v) => `${name} round ${round}: ${v}`))
      if (round % 10 === 0) {
        const f = run.figures
        log(`${name}: ${f.rounds} rounds, ${f.acknowledged} writes acknowledged, ${f.lost} lost`)
      }
    }
  } finally {
    await run.stop()
  }
  const f = run.figures
  return {
    counts: {
      [`${name} rounds`]: f.rounds,
      [`${name} writes acknowledged`]: f.acknowledged,
      [`${name} writes lost`]: f.lost,
      [`${name} writes in flight at a kill`]: f.inFlight,
      [`${name} of them applied`]: f.applied,
      [`${name} broken promises`]: f.violations.length,
    },
    failures,
  }
}

export const soakCrash: SoakPart = async (options) => {
  const dir = mkdtempSync(join(tmpdir(), 'vpcpeer-soak-crash-'))
  let sqlite: Awaited<ReturnType<typeof crashRounds>>
  try {
    sqlite = await crashRounds('sqlite', ['--data-dir', dir], options)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  if (!postgresServerUrl) {
    options.log(postgresSkipped)
    return { counts: { ...sqlite.counts, 'postgres rounds (skipped)': 0 }, failures: sqlite.failures }
  }
  const database = await createScratchDatabase(postgresServerUrl)
  try {
    const postgres = await crashRounds('postgres', ['--database-url', database.url], options)
    return {
      counts: { ...sqlite.counts, ...postgres.counts },
      failures: [...sqlite.failures, ...postgres.failures],
    }
  } finally {
    await database.drop()
  }
}

export const soakRaces: SoakPart = async ({ seed, log }) => {
  if (!postgresServerUrl) {
    log(postgresSkipped)
    return { counts: { 'races (skipped)': 0 }, failures: [] }
  }
  const failures: string[] = []
  const counts: Record<string, number> = {}
  const raceDatabase = await createScratchDatabase(postgresServerUrl)
  const pair = await twoServers(raceDatabase.url, RACE_SETTINGS)
  const races = new PeeringRaces(pair.servers, seed)
  try {
    for (let i = 1; i <= SOAK_RACES; i++) {
      const report = await races.race()
      if (!report.linearizable) failures.push(`race ${i} not linearizable: ${report.history}`)
      if (report.doubleWinner) failures.push(`race ${i} had a double winner: ${report.history}`)
      if (i % 100 === 0) {
        const f = races.figures
        log(`${f.races} races, ${f.doubleWinners} double winners, ${f.nonLinearizable} not linearizable`)
      }
    }
  } finally {
    races.close()
    await pair.close()
    await raceDatabase.drop()
  }
  const f = races.figures
  Object.assign(counts, {
    races: f.races,
    winners: f.winners,
    'double winners': f.doubleWinners,
    'not linearizable': f.nonLinearizable,
  })
  for (const [code, n] of Object.entries(f.losers)) counts[`losers: ${code}`] = n

  const clockDatabase = await createScratchDatabase(postgresServerUrl)
  const clockPair = await twoServers(clockDatabase.url, CLOCK_SETTINGS)
  let forgotten = 0
  let clockFailures = 0
  const expiryRaces = { accepted: 0, expired: 0 }
  try {
    const rng = new Random(seed)
    for (let i = 1; i <= SOAK_CLOCK_TIMELINES; i++) {
      const report = await clockAndSweepers(clockPair.servers, rng)
      failures.push(...report.failures.map((failure) => `clock timeline ${i}: ${failure}`))
      clockFailures += report.failures.length
      forgotten += report.forgotten
      if (report.acceptWon !== undefined) expiryRaces[report.acceptWon ? 'accepted' : 'expired']++
      if (i % 20 === 0) log(`${i} clock timelines, ${forgotten} records forgotten`)
    }
  } finally {
    await clockPair.close()
    await clockDatabase.drop()
  }
  Object.assign(counts, {
    'clock timelines': SOAK_CLOCK_TIMELINES,
    'records forgotten': forgotten,
    'accepts racing the expiry that won': expiryRaces.accepted,
    'accepts racing the expiry that lost': expiryRaces.expired,
    'transitions applied twice or shown differently': clockFailures,
  })
  return { counts, failures }
}

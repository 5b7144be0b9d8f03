import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Random } from '../../bench/estate.js'
import { type CrashFigures, CrashRun } from './crash-load.js'
import {
  CLOCK_SETTINGS,
  clockAndSweepers,
  PeeringRaces,
  RACE_SETTINGS,
  type RaceFigures,
  twoServers,
} from './peering-races.js'
import { createScratchDatabase, postgresServerUrl } from './postgres.js'

/**
 * The soak's crash and race part: the suites' rounds and races, many more of them. Prints a
 * line per database and a total, and says whether every promise held.
 */

export interface CrashSoakOptions {
  readonly crashRounds: number
  readonly races: number
  readonly clockTimelines: number
  readonly seed: number
  readonly log: (line: string) => void
}

export interface CrashSoakResult {
  readonly crash: Readonly<Record<string, CrashFigures>>
  readonly races?: RaceFigures
  readonly clockFailures?: readonly string[]
  /** No write lost, no broken invariant, no double winner, every history linearizable. */
  readonly ok: boolean
}

async function crashOn(name: string, database: string[], options: CrashSoakOptions) {
  const run = new CrashRun({ database, seed: options.seed })
  await run.start()
  try {
    for (let round = 1; round <= options.crashRounds; round++) {
      const report = await run.round()
      for (const violation of report.violations) options.log(`  ${name} round ${round}: ${violation}`)
      if (round % 10 === 0 || round === options.crashRounds) {
        const f = run.figures
        options.log(
          `${name}: ${f.rounds} crash rounds, ${f.acknowledged} writes acknowledged, ${f.lost} lost`,
        )
      }
    }
  } finally {
    await run.stop()
  }
  return run.figures
}

export async function crashSoak(options: CrashSoakOptions): Promise<CrashSoakResult> {
  const { log, seed } = options
  log(`crash and races: seed ${seed}`)
  const crash: Record<string, CrashFigures> = {}
  const dir = mkdtempSync(join(tmpdir(), 'vpcpeer-soak-crash-'))
  try {
    crash.sqlite = await crashOn('sqlite', ['--data-dir', dir], options)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  if (!postgresServerUrl) {
    log('postgres: skipped, set VPCPEER_TEST_DATABASE_URL to run the crash rounds and races on PostgreSQL')
    return { crash, ok: crash.sqlite.violations.length === 0 }
  }

  const crashDatabase = await createScratchDatabase(postgresServerUrl)
  try {
    crash.postgres = await crashOn('postgres', ['--database-url', crashDatabase.url], options)
  } finally {
    await crashDatabase.drop()
  }

  const raceDatabase = await createScratchDatabase(postgresServerUrl)
  const pair = await twoServers(raceDatabase.url, RACE_SETTINGS)
  const races = new PeeringRaces(pair.servers, seed)
  try {
    for (let i = 1; i <= options.races; i++) {
      const report = await races.race()
      if (!report.linearizable) log(`  race ${i} not linearizable: ${report.history}`)
      if (i % 100 === 0 || i === options.races) {
        const f = races.figures
        log(
          `races: ${f.races} races, ${f.winners} winners, ${f.doubleWinners} double winners, ${f.nonLinearizable} not linearizable`,
        )
      }
    }
  } finally {
    races.close()
    await pair.close()
    await raceDatabase.drop()
  }
  log(`race losers by error: ${JSON.stringify(races.figures.losers)}`)

  const clockDatabase = await createScratchDatabase(postgresServerUrl)
  const clockPair = await twoServers(clockDatabase.url, CLOCK_SETTINGS)
  const clockFailures: string[] = []
  let forgotten = 0
  try {
    const rng = new Random(seed)
    for (let i = 0; i < options.clockTimelines; i++) {
      const report = await clockAndSweepers(clockPair.servers, rng)
      clockFailures.push(...report.failures)
      forgotten += report.forgotten
    }
  } finally {
    await clockPair.close()
    await clockDatabase.drop()
  }
  log(
    `clocks: ${options.clockTimelines} timelines on two servers, ${forgotten} records forgotten, ${clockFailures.length} transitions applied twice or shown differently`,
  )
  for (const failure of clockFailures) log(`  ${failure}`)

  const figures = races.figures
  const ok =
    Object.values(crash).every((f) => f.violations.length === 0) &&
    figures.doubleWinners === 0 &&
    figures.nonLinearizable === 0 &&
    clockFailures.length === 0
  return { crash, races: figures, clockFailures, ok }
}

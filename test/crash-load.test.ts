import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CrashRun } from './support/crash-load.js'
import { createScratchDatabase, postgresServerUrl, postgresSkipped } from './support/postgres.js'

/**
 * Crash under load (see support/crash-load.ts): 8 writers, kill -9 at a random moment, restart,
 * and after each restart every acknowledged write is there, the write in flight is whole or
 * absent, and the invariants hold. VPCPEER_CRASH_SEED replays a run; `npm run soak` runs 100 rounds.
 */

const ROUNDS = 10
const seed = Number(process.env.VPCPEER_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
const rounds = Array.from({ length: ROUNDS }, (_, i) => i + 1)

function crashRounds(openDatabase: () => Promise<{ args: string[]; drop(): Promise<void> | void }>) {
  let run: CrashRun | undefined
  let drop: () => Promise<void> | void = () => {}
  beforeAll(async () => {
    const database = await openDatabase()
    drop = database.drop
    run = new CrashRun({ database: database.args, seed })
    await run.start()
  })
  afterAll(async () => {
    if (run) {
      await run.stop()
      const { rounds: done, acknowledged, inFlight, applied, lost } = run.figures
      console.log(
        `crash: seed ${seed}, ${done} rounds, ${acknowledged} writes acknowledged, ${lost} lost, ${inFlight} in flight at a kill (${applied} took effect)`,
      )
    }
    await drop()
  })

  it.each(rounds)(
    `round %i (seed ${seed}): every acknowledged write survives kill -9, nothing half-done, invariants hold`,
    async () => {
      const report = await run!.round()
      expect(report.violations).toEqual([])
      expect(report.lost).toBe(0)
      expect(report.inFlight).toBeGreaterThan(0)
    },
  )
}

describe('sqlite: crash under load', () => {
  crashRounds(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpcpeer-crash-'))
    return { args: ['--data-dir', dir], drop: () => rmSync(dir, { recursive: true, force: true }) }
  })
})

describe.skipIf(!postgresServerUrl)(
  postgresServerUrl ? 'postgres: crash under load' : postgresSkipped,
  () => {
    crashRounds(async () => {
      const database = await createScratchDatabase(postgresServerUrl!)
      return { args: ['--database-url', database.url], drop: database.drop }
    })
  },
)

/**
 * The long runs of the trust suites (issue 12), each a named part with its figures:
 *
 *   npm run soak                      every part, a random seed (printed)
 *   npm run soak -- fuzz --seed 42    one part, a given seed
 *
 * Prints each part's counts as a table (or JSON with --output json) and exits 1 when any part
 * found a problem, naming the seed that reproduces it.
 */
import Table from 'cli-table3'
import type { SoakPart } from '../test/support/soak.js'

/** Each part is loaded only when it runs; a part adds itself here with one line. */
const parts: Record<string, () => Promise<SoakPart>> = {
  fuzz: async () => (await import('../test/soak/fuzz.js')).soakFuzz,
  crash: async () => (await import('../test/soak/crash.js')).soakCrash,
  races: async () => (await import('../test/soak/crash.js')).soakRaces,
  isolation: async () => (await import('../test/soak/isolation.js')).soakIsolation,
}

function parseArgs(argv: readonly string[]) {
  const names: string[] = []
  let seed = Math.floor(Math.random() * 2 ** 31)
  let json = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--seed') seed = Number(argv[++i])
    else if (arg === '--output') json = argv[++i] === 'json'
    else names.push(arg)
  }
  if (!Number.isSafeInteger(seed)) throw new Error('--seed takes an integer')
  const unknown = names.filter((name) => !Object.hasOwn(parts, name))
  if (unknown.length > 0)
    throw new Error(`unknown part ${unknown.join(', ')}; parts: ${Object.keys(parts).join(', ')}`)
  return { names: names.length > 0 ? names : Object.keys(parts), seed, json }
}

const { names, seed, json } = parseArgs(process.argv.slice(2))
const report: {
  part: string
  seed: number
  seconds: number
  counts: Record<string, number>
  failures: readonly string[]
}[] = []
for (const name of names) {
  const part = await parts[name]!()
  const begin = performance.now()
  const log = (line: string) => console.error(`[${name}] ${line}`)
  log(`seed ${seed}`)
  const result = await part({ seed, log })
  report.push({
    part: name,
    seed,
    seconds: Math.round(performance.now() - begin) / 1000,
    counts: { ...result.counts },
    failures: result.failures,
  })
}

if (json) {
  console.log(JSON.stringify(report, null, 2))
} else {
  for (const entry of report) {
    const table = new Table({ head: [entry.part, 'count'] })
    for (const [key, value] of Object.entries(entry.counts)) table.push([key, String(value)])
    table.push(['seconds', String(entry.seconds)])
    console.log(table.toString())
    for (const failure of entry.failures) console.log(`FAIL ${entry.part}: ${failure}`)
  }
  console.log(`seed ${seed}; rerun with: npm run soak -- ${names.join(' ')} --seed ${seed}`)
}
process.exitCode = report.some((entry) => entry.failures.length > 0) ? 1 : 0

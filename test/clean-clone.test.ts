import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCOUNT_A, startTestServer, type TestServer } from './support/server.js'

/**
 * Every `npx vpcpeer …` line of the README and docs/, run as written in a fresh clone of the
 * committed HEAD, checked out as CI checks it out, after `npm install`: npm links the package's
 * own bin (a `file:.` devDependency), and the launcher runs the TypeScript source. The lines are
 * read from the markdown, so a new example is tested the day it is written.
 *
 * To keep the install to seconds, the clone's node_modules starts as hard links to this
 * checkout's (less vpcpeer's own link, which npm must make) and npm installs offline over it.
 */

const run = promisify(execFile)
const root = new URL('..', import.meta.url).pathname

/** Why the suite cannot run here, if it cannot: it needs git, cp and an installed checkout. */
async function missingTool(): Promise<string | undefined> {
  try {
    await run('git', ['-C', root, 'rev-parse', 'HEAD'])
  } catch {
    return 'not a git checkout, or git is not installed'
  }
  if (!existsSync(join(root, 'node_modules/tsx'))) return 'this checkout has no node_modules (run npm ci)'
  return undefined
}
const skipReason = await missingTool()
if (skipReason) console.warn(`clean-clone suite skipped: ${skipReason}`)

/** The markdown files whose shell examples are run. */
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).map((name) => `docs/${name}`)].filter((path) =>
  path.endsWith('.md'),
)

/**
 * The `npx vpcpeer` command lines of a markdown file's sh/shell/bash blocks: continuation lines
 * joined, trailing comments cut, optional `VAR=value` assignments in front kept.
 */
function vpcpeerLines(markdown: string): string[] {
  const lines: string[] = []
  for (const block of markdown.matchAll(/^```(?:sh|shell|bash)\n([\s\S]*?)^```/gm)) {
    const joined = block[1]!.replace(/\\\n\s*/g, ' ')
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim()
      if (/^(?:[A-Z_]+=\S+\s+)*npx vpcpeer(?:\s|$)/.test(command)) lines.push(command)
    }
  }
  return lines
}

let clone: string
let server: TestServer
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  if (skipReason) return
  const head = (await run('git', ['-C', root, 'rev-parse', 'HEAD'])).stdout.trim()
  clone = join(mkdtempSync(join(tmpdir(), 'vpcpeer-clone-')), 'vpcpeer')
  await run('git', ['clone', '--quiet', '--no-checkout', root, clone])
  await run('git', ['-C', clone, 'checkout', '--quiet', head])
  // Hard links where the temporary directory shares the checkout's file system, a copy where not.
  await run('cp', ['-al', join(root, 'node_modules'), join(clone, 'node_modules')]).catch(async () => {
    rmSync(join(clone, 'node_modules'), { recursive: true, force: true })
    await run('cp', ['-a', '--reflink=auto', join(root, 'node_modules'), join(clone, 'node_modules')])
  })
  for (const made of ['vpcpeer', '.bin/vpcpeer', '.package-lock.json'])
    rmSync(join(clone, 'node_modules', made), { force: true })
  // No npm_* variables of the npm running this suite, no node_modules/.bin of this checkout on
  // PATH, and offline, so npx can only find the clone's own bin and never asks a registry.
  env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)))
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.includes('node_modules'))
    .join(':')
  Object.assign(env, {
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
  })
  await run('npm', ['install', '--ignore-scripts', '--no-audit'], { cwd: clone, env })
  server = await startTestServer()
  Object.assign(env, {
    VPCPEER_ENDPOINT: server.url,
    AWS_ACCESS_KEY_ID: ACCOUNT_A,
    // `serve` lines listen on a free port of loopback and keep their state in the clone.
    VPCPEER_HOST: '127.0.0.1',
    VPCPEER_PORT: '0',
    VPCPEER_DATA_DIR: join(clone, '.vpcpeer'),
    VPCPEER_LOG_LEVEL: 'info',
  })
})

afterAll(async () => {
  await server?.close()
  if (clone) rmSync(join(clone, '..'), { recursive: true, force: true })
})

interface LineResult {
  readonly line: string
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** Still serving or tailing when it had shown it works, and stopped by the test. */
  readonly stillRunning: boolean
}

/** Gives up on a line that shows nothing in this long (it then fails). */
const LINE_DEADLINE_MS = 25_000

/**
 * Runs one line with sh in the clone. A line that would run until stopped is stopped once it has
 * shown it works: a server once it logs that it listens, a tail once it has read its first page
 * (it gets a server of its own, to see the request). A `$VAR` the docs set earlier is a placeholder.
 */
async function runLine(line: string): Promise<LineResult> {
  const tail = /\bflows tail\b(?!.*--once)/.test(line)
  const serve = /\bserve\b(?!.*--help)/.test(line)
  const own = tail ? await startTestServer() : undefined
  const placeholders = Object.fromEntries(
    [...line.matchAll(/\$([A-Z_]+)/g)].map((m) => [m[1]!, 'placeholder']),
  )
  const lineEnv = {
    ...placeholders,
    ...env,
    PATH: `${join(clone, 'node_modules/.bin')}:${env.PATH}`,
    ...(own ? { VPCPEER_ENDPOINT: own.url } : {}),
  }
  // `npx vpcpeer` runs node_modules/.bin/vpcpeer, as the first test shows with npx itself; here a
  // shell function stands in for npx, whose own start-up would take seconds per line.
  const script = `npx() { "$@"; }\n${line}`
  const child = spawn('sh', ['-c', script], { cwd: clone, env: lineEnv, detached: true })
  let stdout = ''
  let stderr = ''
  let stillRunning = false
  const stop = (works: boolean) => {
    stillRunning = works
    // The whole process group: a line may leave a server in the background (`serve &`).
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM')
    } catch {
      // Nothing of the group is left.
    }
  }
  const deadline = setTimeout(() => stop(false), LINE_DEADLINE_MS)
  own?.app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith('/_vpcpeer/api/flows'))
      response.on('finish', () => stop(response.statusCode === 200))
  })
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk
    if (serve && stdout.includes('vpcpeer listening on')) stop(true)
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk
  })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(deadline)
  await own?.close()
  return { line, code, stdout, stderr, stillRunning }
}

/** Runs lines a few at a time: each starts node, and the machine may be small. */
async function runAll(lines: readonly string[]): Promise<LineResult[]> {
  const results: LineResult[] = []
  let next = 0
  const worker = async () => {
    while (next < lines.length) results.push(await runLine(lines[next++]!))
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  return results
}

/**
 * What "works as written" means for a line whose ids are placeholders (`pcx-…`): vpcpeer ran it
 * and it parsed. Help exits 0; a server or tail was up; anything else exited with vpcpeer's own
 * answer (output, or a `vpcpeer: …` error from the server or the configuration), never npm's
 * "not found", never a usage error.
 */
function expectWorks(result: LineResult) {
  const shown = { line: result.line, code: result.code, stderr: result.stderr.slice(0, 300) }
  expect(result.stderr, result.line).not.toMatch(/^sh: .*not found|could not determine executable/im)
  expect(result.stderr, result.line).not.toMatch(/^error: /m)
  if (/--help/.test(result.line)) {
    expect(shown).toMatchObject({ code: 0 })
    expect(result.stdout).toMatch(/^Usage: vpcpeer/)
  } else if (!result.stillRunning) {
    expect([0, 1, 2], JSON.stringify(shown)).toContain(result.code)
    expect(result.code === 0 || /^vpcpeer: /m.test(result.stderr), JSON.stringify(shown)).toBe(true)
  }
}

describe.skipIf(skipReason !== undefined)('a fresh clone, as CI checks it out', () => {
  it('links vpcpeer into node_modules/.bin on install, and leaves the lockfile as committed', async () => {
    expect(existsSync(join(clone, 'node_modules/.bin/vpcpeer'))).toBe(true)
    expect((await run('git', ['-C', clone, 'status', '--porcelain'])).stdout).toBe('')
    // npx itself, as a user runs it: it finds the clone's own bin, and never asks a registry.
    const help = await run('npx', ['vpcpeer', '--help'], { cwd: clone, env })
    expect(help.stdout).toMatch(/^Usage: vpcpeer/)
    expect(help.stdout).toContain('Commands:')
  })

  // Each line once, under the first file that shows it.
  const seen = new Set<string>()
  const documented = DOCS.map((path) => {
    const lines = vpcpeerLines(readFileSync(join(root, path), 'utf8'))
    const fresh = [...new Set(lines)].filter((line) => !seen.has(line))
    for (const line of fresh) seen.add(line)
    return [path, fresh] as const
  })
  // A few lines per test, so that each test stays well inside its time on a loaded machine; a
  // line that builds an estate on the server (`--apply`) gets a test of its own.
  const CHUNK = 4
  const chunks = documented.flatMap(([path, lines]) => {
    const groups: string[][] = []
    for (const line of lines) {
      const last = groups.at(-1)
      const alone = (l: string) => l.includes('--apply')
      if (!last || last.length >= CHUNK || alone(line) || alone(last[0]!)) groups.push([line])
      else last.push(line)
    }
    let first = 1
    return groups.map((group) => {
      const label = `${path} (lines ${first}–${first + group.length - 1})`
      first += group.length
      return [label, group] as const
    })
  })

  it('finds the examples it runs', () => {
    const all = documented.flatMap(([, lines]) => lines)
    expect(all.length).toBeGreaterThan(30)
    expect(all).toContain('npx vpcpeer serve --help')
    expect(all).toContain('npx vpcpeer peering accept pcx-... --access-key-id 222222222222')
    expect(all).toContain('VPCPEER_AUTH=strict VPCPEER_CREDENTIALS=keys.json npx vpcpeer serve')
  })

  it.each(chunks)('runs the npx vpcpeer lines of %s as written', async (_path, lines) => {
    for (const result of await runAll(lines)) expectWorks(result)
  })
})

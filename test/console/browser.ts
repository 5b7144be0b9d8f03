import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { DEFAULT_CONSOLE_ROOT } from '../../src/server/app.js'

/**
 * What the console's browser suites and scripts/screenshot.ts share: finding Debian's
 * Chromium (never a downloaded one), building the console when web/dist is missing or older
 * than its sources, launching the browser, and opening the console as an account.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const hasChromium = existsSync(CHROMIUM_PATH)
/** The suite's name when it cannot run, so the skip says why. */
export const suiteName = (name: string) =>
  hasChromium ? name : `${name} (skipped: no Chromium at ${CHROMIUM_PATH}; apt-get install chromium)`

const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url))
const BUILT_INDEX = join(DEFAULT_CONSOLE_ROOT, 'index.html')

function newestSource(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(0, ...readdirSync(path).map((name) => newestSource(join(path, name))))
}

const isStale = () =>
  !existsSync(BUILT_INDEX) ||
  statSync(BUILT_INDEX).mtimeMs <
    Math.max(
      newestSource(join(WEB_ROOT, 'src')),
      newestSource(join(WEB_ROOT, 'index.html')),
      newestSource(join(WEB_ROOT, 'vite.config.ts')),
    )

/**
 * Builds the console into web/dist unless it is up to date. Several suites may ask at once, so
 * each builds into a folder of its own and swaps it in with a rename.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  if (!isStale()) return
  const { build } = await import('vite')
  // Vite takes NODE_ENV from the environment, and vitest sets it to `test`: that would build React's development bundle.
  const nodeEnv = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  const scratch = join(WEB_ROOT, `.dist-${process.pid}-${Date.now()}`)
  mkdirSync(scratch, { recursive: true })
  try {
    await build({
      configFile: join(WEB_ROOT, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: scratch, emptyOutDir: true },
    })
    if (!isStale()) return
    rmSync(DEFAULT_CONSOLE_ROOT, { recursive: true, force: true })
    renameSync(scratch, DEFAULT_CONSOLE_ROOT)
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = nodeEnv
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** Debian's Chromium, headless, with nothing that calls out to the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Opens the console by deep link as `accessKeyId` in `region`, at a view (`#/inbox` …). */
export async function openConsole(
  page: Page,
  serverUrl: string,
  { accessKeyId, region = 'us-east-1', view = '' }: { accessKeyId: string; region?: string; view?: string },
) {
  const query = new URLSearchParams({ accessKeyId, region })
  await page.goto(`${serverUrl}/console/?${query}${view}`)
}

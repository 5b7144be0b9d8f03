import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { rename } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

/** The repository root, so the CLI is found whatever the working directory. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

const cliArgs = (args: readonly string[]) => ['--import', 'tsx', 'src/cli/main.ts', ...args]

let bundling: Promise<string> | undefined

/**
 * The CLI bundled into one file (once per test process), for suites that start servers many
 * times: it starts in about a third of the time tsx needs. It lies two folders below the root,
 * as src/cli/main.ts does, so paths the code resolves from its own module still hold.
 */
export function bundledCli(): Promise<string> {
  bundling ??= (async () => {
    const { build } = await import('esbuild')
    const file = `${repoRoot}node_modules/.cache/vpcpeer-cli.mjs`
    const partial = `${file}.${process.pid}`
    await build({
      entryPoints: [`${repoRoot}src/cli/main.ts`],
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: partial,
      logLevel: 'warning',
    })
    // Renamed into place whole, so test files bundling side by side never run half a file.
    await rename(partial, file)
    return file
  })()
  return bundling
}

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface ServerProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process wrote to stdout (its pino log) and stderr so far. */
  readonly output: () => string
  readonly exited: Promise<Exit>
  /** Sends `signal` and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<Exit>
}

/** Resolves when a just-spawned child has ended and its output is all read ('close', not 'exit'). */
const exitOf = (child: ChildProcess): Promise<Exit> =>
  once(child, 'close').then(([code, signal]) => ({ code, signal }) as Exit)

export interface SpawnOptions {
  readonly env?: Record<string, string>
  readonly timeoutMs?: number
  /**
   * A fixed port, for a server whose log level hides the startup line: readiness is then
   * polled on /_vpcpeer/health. Without it the server takes port 0 and its startup log line
   * (at level info or lower) tells the port.
   */
  readonly port?: number
  /** Runs the bundled CLI (see `bundledCli`) rather than the sources through tsx. */
  readonly bundled?: boolean
}

/** Starts `vpcpeer serve` on 127.0.0.1 in a child process and resolves once it is listening. */
export async function spawnServer(
  args: readonly string[],
  { env = {}, timeoutMs = 30_000, port, bundled = false }: SpawnOptions = {},
): Promise<ServerProcess> {
  const serveArgs = ['serve', '--port', String(port ?? 0), ...args]
  const command = bundled ? [await bundledCli(), ...serveArgs] : cliArgs(serveArgs)
  const child = spawn(process.execPath, command, {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8')
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  let ended: Exit | undefined
  const exited = exitOf(child).then((exit) => {
    ended = exit
    return exit
  })

  const listeningUrl = async () => {
    if (port === undefined) return /vpcpeer listening on (http:\/\/\S+)/.exec(output)?.[1]
    const url = `http://127.0.0.1:${port}`
    const healthy = await fetch(`${url}/_vpcpeer/health`).then(
      (response) => response.ok,
      () => false,
    )
    return healthy ? url : undefined
  }
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const url = await listeningUrl()
    if (url) {
      return {
        url,
        child,
        output: () => output,
        exited,
        async stop(signal: NodeJS.Signals = 'SIGTERM') {
          if (!ended) child.kill(signal)
          return exited
        },
      }
    }
    if (ended) throw new Error(`vpcpeer exited (${ended.code ?? ended.signal}) before listening:\n${output}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      await exited
      throw new Error(`vpcpeer did not start within ${timeoutMs} ms:\n${output}`)
    }
    await sleep(50)
  }
}

export interface CliRun extends Exit {
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI to completion (for commands that should exit by themselves). */
export async function runCli(
  args: readonly string[],
  { env = {}, timeoutMs = 30_000 }: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, cliArgs(args), {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8')
  })
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8')
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exit = await exitOf(child)
  clearTimeout(timer)
  return { ...exit, stdout, stderr }
}

import { execFile, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { devNull } from 'node:os'
import { promisify } from 'node:util'

export const awsCliInstalled = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0

/**
 * Runs every ```sh block of a doc in order, as one bash script against `serverUrl` instead of
 * the documented 127.0.0.1:4566, with no AWS settings inherited from the machine.
 */
export async function runWalkthrough(docPath: URL, serverUrl: string): Promise<string> {
  const doc = readFileSync(docPath, 'utf8')
  const script = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((block) => block[1])
    .join('\n')
    .replaceAll('http://127.0.0.1:4566', serverUrl)
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))
  const env = {
    ...Object.fromEntries(inherited),
    AWS_PAGER: '',
    AWS_CONFIG_FILE: devNull,
    AWS_SHARED_CREDENTIALS_FILE: devNull,
  }
  const { stdout } = await promisify(execFile)('bash', ['-euc', script], { env, maxBuffer: 16 << 20 })
  return stdout
}

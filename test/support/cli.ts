import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface CliResult {
  readonly stdout: string
  readonly stderr: string
  readonly code: number
}

/** Runs `vpcpeer <args>` as a user would, against `endpoint`, acting as `accountId` in us-east-1. */
export async function runVpcpeer(endpoint: string, accountId: string, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: {
        ...process.env,
        VPCPEER_ENDPOINT: endpoint,
        AWS_ACCESS_KEY_ID: accountId,
        AWS_REGION: 'us-east-1',
      },
      timeout: 30_000,
    })
    return { stdout, stderr, code: 0 }
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number }
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code }
  }
}

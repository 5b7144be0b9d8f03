import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

/** Terraform's path, or undefined when it is not installed. */
export function findTerraform(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/**
 * A local filesystem mirror holding hashicorp/aws: TF_PLUGIN_MIRROR if set, else the first
 * first folder on this machine that holds the hashicorp/aws provider binary in the mirror layout.
 * Tests never fetch providers from the network.
 */
export function findProviderMirror(): string | undefined {
  const configured = process.env.TF_PLUGIN_MIRROR
  if (configured)
    return existsSync(join(configured, 'registry.terraform.io', 'hashicorp', 'aws')) ? configured : undefined
  try {
    // The provider binary itself, as a regular file: a workspace's `.terraform` holds only links
    // into a mirror, and must never be taken for one.
    const found = execFileSync(
      'sh',
      [
        '-c',
        "find / -maxdepth 8 \\( -path /proc -o -path /sys -o -path /dev -o -name node_modules -o -name .terraform \\) -prune -o -type f -name 'terraform-provider-aws_*' -path '*/registry.terraform.io/hashicorp/aws/*' -print 2>/dev/null | head -n 1",
      ],
      { encoding: 'utf8', timeout: 20_000 },
    ).trim()
    const marker = '/registry.terraform.io/'
    return found ? found.slice(0, found.indexOf(marker)) : undefined
  } catch {
    return undefined
  }
}

export interface TerraformRun {
  readonly code: number
  readonly output: string
}

/** A working folder with one configuration and a CLI config that installs only from the mirror. */
export async function terraformWorkspace(
  configFile: string,
  mirror: string,
  /** How long one terraform command may run before it is stopped. */
  { commandTimeoutMs = 300_000 } = {},
) {
  const dir = await mkdtemp(join(tmpdir(), 'vpcpeer-tf-'))
  await copyFile(configFile, join(dir, 'main.tf'))
  const cliConfig = join(dir, 'cli.tfrc')
  await writeFile(
    cliConfig,
    `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`,
  )
  const env = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    TF_INPUT: '0',
    AWS_EC2_METADATA_DISABLED: 'true',
  }
  return {
    dir,
    /** Deletes the folder, so no stale `.terraform` is left behind on the machine. */
    remove: () => rm(dir, { recursive: true, force: true }),
    run: (...args: string[]) =>
      new Promise<TerraformRun>((resolve) => {
        execFile(
          'terraform',
          [...args, '-no-color'],
          { cwd: dir, env, timeout: commandTimeoutMs, maxBuffer: 32 << 20 },
          (error, stdout, stderr) => {
            const code = error ? ((error as { code?: number }).code ?? 1) : 0
            resolve({ code: typeof code === 'number' ? code : 1, output: `${stdout}\n${stderr}` })
          },
        )
      }),
  }
}

import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runVpcpeer } from './support/cli.js'

/** What the README and docs/ say about the command, checked against the command itself. */

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')

/** Flag and variable of each row of a markdown table whose first cells are `--flag …` and `VAR`. */
function flagTable(markdown: string): Map<string, string> {
  const rows = markdown.matchAll(/^\| `(--[a-z-]+)[^`]*` \| `(VPCPEER_[A-Z_]+)` \|/gm)
  return new Map([...rows].map((row) => [row[1]!, row[2]!]))
}

describe('the configuration tables', () => {
  it('list every flag of `vpcpeer serve --help` with its variable, in the README and in docs/configuration.md', async () => {
    const help = await runVpcpeer('http://127.0.0.1:9', '000000000000', 'serve', '--help')
    expect(help.code).toBe(0)
    // Each option starts a line; its description (with `env: VAR`) may wrap onto the next ones.
    const options = help.stdout.split(/\n(?= {2}-)/).filter((block) => /^ {2}--/.test(block))
    const flags = new Map(
      options.map((block) => [
        block.match(/^ {2}(--[a-z-]+)/)![1]!,
        block.replace(/\s+/g, ' ').match(/env: (VPCPEER_[A-Z_]+)/)?.[1],
      ]),
    )
    expect(flags.size).toBeGreaterThan(10)
    expect(flags.get('--flow-log-dir')).toBe('VPCPEER_FLOW_LOG_DIR')
    for (const doc of ['README.md', 'docs/configuration.md']) {
      expect(Object.fromEntries(flagTable(read(doc))), doc).toEqual(Object.fromEntries(flags))
    }
  })
})

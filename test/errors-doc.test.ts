import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/** Every AWS error code the server can answer, read from the sources where errors are made. */
function codesInSource(dir: string): Set<string> {
  const codes = new Set<string>()
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      for (const code of codesInSource(path)) codes.add(code)
      continue
    }
    if (!path.endsWith('.ts') || path.endsWith('.test.ts')) continue
    const text = readFileSync(path, 'utf8')
    // A code built at run time would escape this test (NetworkInsights${end}.NotFound did).
    expect(text, path).not.toMatch(/fail\(\s*`/)
    for (const match of text.matchAll(/(?:fail|limitExceeded)\(\s*'([A-Za-z0-9.]+)'/g)) codes.add(match[1]!)
    if (name === 'ids.ts') {
      for (const match of text.matchAll(
        /'([A-Za-z0-9]+\.(?:NotFound|Malformed)|[A-Za-z]+(?:NotFound|Malformed))'/g,
      )) {
        codes.add(match[1]!)
      }
    }
  }
  return codes
}

describe('docs/errors.md', () => {
  it('lists every error code the code can answer, and no other', () => {
    const root = new URL('..', import.meta.url).pathname
    const documented = new Set(
      [...readFileSync(join(root, 'docs/errors.md'), 'utf8').matchAll(/^\| `([A-Za-z0-9.]+)` \|/gm)].map(
        (m) => m[1]!,
      ),
    )
    const inSource = codesInSource(join(root, 'src'))
    expect(inSource.size).toBeGreaterThan(50)
    expect([...inSource].filter((code) => !documented.has(code)).sort()).toEqual([])
    expect([...documented].filter((code) => !inSource.has(code)).sort()).toEqual([])
  })
})

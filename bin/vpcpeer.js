#!/usr/bin/env node
// The `vpcpeer` command. In a clone (src/ present) it runs the TypeScript source through tsx, so
// `npx vpcpeer` works right after `npm install` and never runs a stale build; the published
// package ships only dist/, and runs that.
import { existsSync } from 'node:fs'

const source = new URL('../src/cli/main.ts', import.meta.url)
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api')
  register()
  await import(source.href)
} else {
  await import(new URL('../dist/cli/main.js', import.meta.url).href)
}

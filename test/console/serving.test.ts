import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildServer } from '../../src/server/app.js'
import { openStore } from '../../src/storage/kysely-store.js'
import { startTestServer, type TestServer } from '../support/server.js'
import { ensureConsoleBuilt } from './browser.js'

describe('serving the console', () => {
  let server: TestServer
  beforeAll(async () => {
    await ensureConsoleBuilt()
    server = await startTestServer()
  })
  afterAll(() => server?.close())

  it('serves the built page at /console/, and redirects /console there with its query', async () => {
    const page = await fetch(`${server.url}/console/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(await page.text()).toContain('<div id="root"></div>')

    const redirect = await fetch(`${server.url}/console?accessKeyId=111111111111&region=eu-west-1`, {
      redirect: 'manual',
    })
    expect(redirect.status).toBe(302)
    expect(redirect.headers.get('location')).toBe('/console/?accessKeyId=111111111111&region=eu-west-1')
  })

  it('says how to build the console when it has not been built', async () => {
    const store = await openStore({ sqlitePath: ':memory:' })
    const app = await buildServer({
      store,
      auth: { kind: 'open', defaultRegion: 'us-east-1' },
      logLevel: 'silent',
      consoleRoot: fileURLToPath(new URL('./no-console-here/', import.meta.url)),
    })
    try {
      const response = await app.inject({ method: 'GET', url: '/console/' })
      expect(response.statusCode).toBe(404)
      expect(response.json()).toEqual({
        error: 'the console is not built: run `npm run build` (or `npm start`, which builds it)',
      })
    } finally {
      await app.close()
      await store.close()
    }
  })
})

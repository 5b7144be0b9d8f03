import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appAndDatabase } from '../support/estates.js'
import { startTestServer, type TestServer } from '../support/server.js'
import { ensureConsoleBuilt, hasChromium, launchChromium, openConsole, suiteName } from './browser.js'

describe.skipIf(!hasChromium)(suiteName('console in Chromium: the audit view'), () => {
  let server: TestServer
  let browser: Browser
  let page: Page
  let estate: Awaited<ReturnType<typeof appAndDatabase>>

  beforeAll(async () => {
    await ensureConsoleBuilt()
    server = await startTestServer()
    browser = await launchChromium()
    estate = await appAndDatabase(server.url)
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    page.setDefaultTimeout(10_000)
  })
  afterAll(async () => {
    await page?.close()
    await browser?.close()
    await server?.close()
  })

  it("shows the account's findings, most severe first, each with its fix", async () => {
    const { b, db, dbGroup } = estate
    await openConsole(page, server.url, { accessKeyId: b.accountId, view: '#/audit' })
    const summary = page.getByTestId('audit-summary')
    await summary.waitFor()
    expect(await summary.textContent()).toContain('0 high, 1 medium, 1 low')
    const rows = page.locator('tr[data-rule]')
    expect(await rows.evaluateAll((all) => all.map((row) => row.getAttribute('data-rule')))).toEqual([
      'peering-without-flow-logs',
      'plaintext-service-across-peering',
    ])
    expect(await rows.first().getByTestId('fix').textContent()).toContain(
      `aws ec2 create-flow-logs --region us-east-1 --resource-type VPC --resource-ids ${db.vpcId}`,
    )
    expect(await rows.nth(1).textContent()).toContain(dbGroup)
  })
})

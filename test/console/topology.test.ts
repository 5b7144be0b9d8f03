import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { byCodeUnit } from '../support/ec2.js'
import { startTestServer, type TestServer } from '../support/server.js'
import { ensureConsoleBuilt, hasChromium, launchChromium, openConsole, suiteName } from './browser.js'
import { ACCOUNT_A, ACCOUNT_B, AWAY, buildEstate, type Estate } from './estate.js'

describe.skipIf(!hasChromium)(suiteName('console in Chromium: topology and peering inbox'), () => {
  let server: TestServer
  let browser: Browser
  let estate: Estate
  let page: Page

  beforeAll(async () => {
    await ensureConsoleBuilt()
    server = await startTestServer()
    browser = await launchChromium()
    estate = await buildEstate(server.url)
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    page.setDefaultTimeout(10_000)
  })
  afterEach(() => page.close())

  const node = (vpcId: string) => page.locator(`[data-testid="vpc-node"][data-vpc-id="${vpcId}"]`)
  const edge = (peeringId: string) =>
    page.locator(`[data-testid="peering-label"][data-peering-id="${peeringId}"]`)
  const nodeIds = async () => {
    const nodes = await page.locator('[data-testid="vpc-node"]').all()
    return (await Promise.all(nodes.map(async (n) => (await n.getAttribute('data-vpc-id')) ?? ''))).sort(
      byCodeUnit,
    )
  }

  it('draws the caller’s VPCs and, across its peerings, the VPCs of other accounts and regions', async () => {
    const { vpcs, peerings } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A })
    await node(vpcs.app.vpcId).waitFor()
    expect(await nodeIds()).toEqual(
      Object.values(vpcs)
        .map((v) => v.vpcId)
        .sort(),
    )

    const app = await node(vpcs.app.vpcId).textContent()
    expect(app).toContain('app')
    expect(app).toContain('10.1.0.0/16')
    expect(app).toContain(`acct ${ACCOUNT_A}`)
    // Another account's VPC is known only by what the peering shows: no name, marked as such.
    const db = await node(vpcs.db.vpcId).textContent()
    expect(db).toContain(`acct ${ACCOUNT_B}`)
    expect(db).toContain('10.2.0.0/16')
    expect(db).toContain('via peering')
    expect(db).not.toContain('Details')
    expect(await node(vpcs.dr.vpcId).textContent()).toContain(AWAY)

    expect(await edge(peerings.appDb).getAttribute('data-state')).toBe('active')
    expect(await edge(peerings.appDb).textContent()).toContain('cross-account')
    expect(await edge(peerings.appDr).textContent()).toContain('cross-region')
    expect(await edge(peerings.webApp).textContent()).not.toMatch(/cross-/)
    expect(await edge(peerings.analyticsApp).getAttribute('data-state')).toBe('pending-acceptance')
    const pendingLine = page.locator(
      `.react-flow__edge[data-id="${peerings.analyticsApp}"] path.peering-line`,
    )
    expect(await pendingLine.getAttribute('class')).toContain('state-pending')
    expect(await page.locator('.react-flow__edge').count()).toBe(Object.keys(peerings).length)
  })

  it('shows another account only its own side: B sees db, app across the peering, and one edge', async () => {
    const { vpcs, peerings } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_B })
    await node(vpcs.db.vpcId).waitFor()
    expect(await nodeIds()).toEqual([vpcs.app.vpcId, vpcs.db.vpcId].sort(byCodeUnit))
    expect(await page.locator('[data-testid="peering-label"]').count()).toBe(1)
    expect(await edge(peerings.appDb).textContent()).not.toContain('app-db')
    expect(await page.getByTestId('acting-as').textContent()).toContain(ACCOUNT_B)
  })

  it('filters by account, region and tag, keeps the filters in the address, and expands a VPC to its subnets', async () => {
    const { vpcs } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A })
    await node(vpcs.app.vpcId).waitFor()
    await page.getByLabel('Account', { exact: true }).selectOption(ACCOUNT_A)
    await expect
      .poll(nodeIds)
      .toEqual([vpcs.app, vpcs.web, vpcs.legacy, vpcs.dr].map((v) => v.vpcId).sort(byCodeUnit))
    await page.getByLabel('Region', { exact: true }).selectOption(AWAY)
    await expect.poll(nodeIds).toEqual([vpcs.dr.vpcId])
    expect(page.url()).toContain(`account=${ACCOUNT_A}`)
    expect(page.url()).toContain(`region=${AWAY}`)

    // The filtered view survives a reload: its address says everything.
    await page.reload()
    await expect.poll(nodeIds).toEqual([vpcs.dr.vpcId])
    await page.getByLabel('Region', { exact: true }).selectOption('')
    await page.getByLabel('Account', { exact: true }).selectOption('')
    await page.getByLabel('Tag', { exact: true }).fill('Name=web')
    await expect.poll(nodeIds).toEqual([vpcs.web.vpcId])
    await page.getByLabel('Tag', { exact: true }).fill('')

    await page.getByRole('button', { name: `Show the 2 subnets of ${vpcs.app.vpcId}` }).click()
    const subnets = node(vpcs.app.vpcId).locator('[data-subnet-id]')
    await expect.poll(() => subnets.count()).toBe(2)
    expect(await subnets.first().textContent()).toContain('app-a')
    expect(await subnets.first().textContent()).toContain('10.1.1.0/24')
    expect(page.url()).toContain(`expanded=${vpcs.app.vpcId}`)
  })

  it('accepts a pending request from the inbox, and its edge turns active on the graph', async () => {
    const { peerings } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A, view: '#/inbox' })
    const waiting = page.getByRole('region', { name: /Waiting for your answer/ })
    const row = waiting.locator(`tr[data-peering-id="${peerings.analyticsApp}"]`)
    await row.waitFor()
    expect(await row.textContent()).toContain('Pending Acceptance by 111111111111')
    await row.getByRole('button', { name: `Accept ${peerings.analyticsApp}` }).click()
    await expect.poll(() => waiting.locator('tr[data-peering-id]').count()).toBe(0)

    await page.getByRole('link', { name: 'Topology' }).click()
    await edge(peerings.analyticsApp).waitFor()
    await expect.poll(() => edge(peerings.analyticsApp).getAttribute('data-state')).toBe('active')
    const line = page.locator(`.react-flow__edge[data-id="${peerings.analyticsApp}"] path.peering-line`)
    expect(await line.getAttribute('class')).toContain('state-active')
  })

  it('requests a peering from the console: the request shows as sent, then waits in the peer’s inbox', async () => {
    const { vpcs } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A, view: '#/inbox' })
    const form = page.getByRole('form', { name: 'Request a peering connection' })
    await form.getByLabel('Your VPC').selectOption(vpcs.web.vpcId)
    await form.getByLabel('Peer VPC id').fill(vpcs.db.vpcId)
    await form.getByLabel('Peer account').fill(ACCOUNT_B)
    await form.getByLabel('Name tag (optional)').fill('web-db')
    await form.getByRole('button', { name: 'Request peering' }).click()
    await expect
      .poll(() => form.getByRole('status').textContent())
      .toMatch(/Requested pcx-\w+: initiating-request/)
    const sent = page.getByRole('region', { name: /Sent by you/ })
    await expect.poll(() => sent.textContent()).toContain('web-db')

    await openConsole(page, server.url, { accessKeyId: ACCOUNT_B, view: '#/inbox' })
    const waiting = page.getByRole('region', { name: /Waiting for your answer/ })
    await expect.poll(() => waiting.textContent()).toContain(vpcs.web.vpcId)

    // An API error reads as the API's code and message.
    await form.getByLabel('Peer VPC id').fill('vpc-0000')
    await form.getByRole('button', { name: 'Request peering' }).click()
    await expect
      .poll(() => form.getByRole('alert').textContent())
      .toMatch(/^InvalidVpcID\.(NotFound|Malformed): /)
  })

  it('flags the routes a deleted connection leaves behind as blackholes', async () => {
    const { vpcs, peerings } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A })
    await edge(peerings.legacyApp).click()
    const panel = page.getByTestId('side-panel')
    expect(await panel.getByTestId('peering-status').textContent()).toContain('active')
    expect(await edge(peerings.legacyApp).textContent()).not.toContain('blackhole')
    await panel.getByRole('button', { name: `Delete ${peerings.legacyApp}` }).click()

    await expect.poll(() => edge(peerings.legacyApp).getAttribute('data-state')).toBe('deleted')
    expect(await edge(peerings.legacyApp).textContent()).toContain('2 blackhole routes')
    expect(await node(vpcs.legacy.vpcId).getByTestId('vpc-blackhole').textContent()).toContain(
      '1 blackhole route',
    )
    expect(await panel.textContent()).toContain('Your routes through this connection are blackholes')

    await node(vpcs.legacy.vpcId)
      .getByRole('link', { name: `Details of ${vpcs.legacy.vpcId}` })
      .click()
    const table = page.locator(`table[data-route-table-id="${vpcs.legacy.mainTableId}"]`)
    const blackhole = table.locator('tr[data-state="blackhole"]')
    await blackhole.waitFor()
    expect(await blackhole.textContent()).toContain('10.1.0.0/16')
    expect(await blackhole.textContent()).toContain(peerings.legacyApp)
    expect(await blackhole.textContent()).toContain('blackhole')
    expect(page.url()).toContain(`#/vpcs/${vpcs.legacy.vpcId}`)
  })
})

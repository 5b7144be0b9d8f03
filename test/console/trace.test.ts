import { CreateFlowLogsCommand, DescribeNetworkInsightsAnalysesCommand } from '@aws-sdk/client-ec2'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/server.js'
import { ensureConsoleBuilt, hasChromium, launchChromium, openConsole, suiteName } from './browser.js'
import { ACCOUNT_A, buildEstate, type Estate } from './estate.js'

describe.skipIf(!hasChromium)(suiteName('console in Chromium: trace and flow logs'), () => {
  let server: TestServer
  let browser: Browser
  let estate: Estate
  let page: Page

  beforeAll(async () => {
    await ensureConsoleBuilt()
    server = await startTestServer()
    browser = await launchChromium()
    estate = await buildEstate(server.url)
    const { clients, vpcs } = estate
    const logged = await clients.a.send(
      new CreateFlowLogsCommand({
        ResourceType: 'VPC',
        ResourceIds: [vpcs.web.vpcId, vpcs.app.vpcId],
        TrafficType: 'ALL',
        LogGroupName: 'estate-flows',
        DeliverLogsPermissionArn: `arn:aws:iam::${ACCOUNT_A}:role/flow-logs`,
      }),
    )
    expect(logged.Unsuccessful).toEqual([])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    page.setDefaultTimeout(10_000)
  })
  afterEach(() => page.close())

  const edge = (peeringId: string) =>
    page.locator(`[data-testid="peering-label"][data-peering-id="${peeringId}"]`)
  const node = (vpcId: string) => page.locator(`[data-testid="vpc-node"][data-vpc-id="${vpcId}"]`)

  it('traces web → db through app, and explains that peering is not transitive', async () => {
    const { interfaces, peerings, vpcs } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A, view: '#/trace' })
    const form = page.getByRole('form', { name: 'Trace a flow' })
    await form
      .getByLabel('Source (interface, instance or address)')
      .fill(interfaces.webServer.networkInterfaceId)
    await form.getByLabel('Destination address').fill(interfaces.dbServer.address)
    await form.getByLabel('Port').fill('5432')
    await form.getByRole('button', { name: 'Trace' }).click()

    const result = page.getByTestId('trace-result')
    await result.waitFor()
    expect(await result.getByRole('status').first().textContent()).toContain('Not reachable')
    const explanation = result.locator('.explanation[data-code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"]')
    const words = await explanation.textContent()
    expect(words).toContain(`vpc-peering-connection ${peerings.webApp}`)
    expect(words).toContain('Peering is not transitive')
    expect(words).toContain(interfaces.dbServer.address)

    // On the graph: web carries the first hops, the web–app peering is where the path stops.
    await expect.poll(() => edge(peerings.webApp).getAttribute('class')).toContain('blocked')
    expect(await node(vpcs.web.vpcId).locator('.hop-badge').first().textContent()).toMatch(/^hop 1/)
    expect(await edge(peerings.appDb).getAttribute('class')).not.toContain('on-path')
    const hops = page.getByRole('table', { name: 'The way there, hop by hop' })
    expect(await hops.locator('tr.blocked').textContent()).toContain(peerings.webApp)

    // The question is in the address: a reload answers it again.
    expect(page.url()).toContain(`source=${interfaces.webServer.networkInterfaceId}`)
    await page.reload()
    await page.locator('.explanation[data-code="PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"]').waitFor()
  })

  it('saves a trace as a Network Insights path and analysis that the EC2 API then describes', async () => {
    const { interfaces, clients } = estate
    const question = new URLSearchParams({
      source: interfaces.webServer.networkInterfaceId,
      destination: interfaces.dbServer.address,
      protocol: 'tcp',
      port: '5432',
    })
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A, view: `#/trace?${question}` })
    await page.getByTestId('trace-result').waitFor()
    await page.getByRole('button', { name: 'Save as a Network Insights path and analysis' }).click()
    const saved = page.locator('.save [role="status"]')
    await expect
      .poll(() => saved.textContent())
      .toMatch(/Saved path nip-\w+ and analysis nia-\w+ \(succeeded\)/)
    const analysisId = /nia-\w+/.exec((await saved.textContent()) ?? '')![0]
    const described = await clients.a.send(
      new DescribeNetworkInsightsAnalysesCommand({ NetworkInsightsAnalysisIds: [analysisId] }),
    )
    const analysis = described.NetworkInsightsAnalyses![0]!
    expect(analysis.NetworkPathFound).toBe(false)
    expect(analysis.Explanations?.map((e) => e.ExplanationCode)).toContain('PCX_REQUIRES_ADDRESS_IN_VPC_CIDR')
  })

  it('shows an API refusal as the API worded it', async () => {
    await openConsole(page, server.url, {
      accessKeyId: ACCOUNT_A,
      view: `#/trace?source=eni-00000000000000000&destination=10.2.1.4&protocol=tcp&port=5432`,
    })
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe(
        "InvalidNetworkInterfaceID.NotFound: The networkInterface ID 'eni-00000000000000000' does not exist",
      )
  })

  it('tails the flow logs live, filtered by action, address and port', async () => {
    const { interfaces } = estate
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A, view: '#/flows' })
    await page.getByRole('heading', { name: 'Flow logs' }).waitFor()
    const records = page.getByTestId('flow-records').locator('tbody tr')

    // Sent while the tail is open: web's egress is accepted, app's ingress refused by its group.
    await page.getByText('Send a flow').click()
    const send = page.getByRole('form', { name: 'Send a flow through the data plane' })
    await send
      .getByLabel('From (interface, instance or address)')
      .fill(interfaces.webServer.networkInterfaceId)
    await send.getByLabel('To (address)').fill(interfaces.appServer.address)
    await send.getByLabel('Port').fill('443')
    await send.getByRole('button', { name: 'Send' }).click()
    await expect
      .poll(() => send.getByRole('status').textContent())
      .toMatch(/Not delivered; \d+ flow-log record/)
    await expect.poll(() => records.count()).toBeGreaterThanOrEqual(2)
    const actions = await records.locator('td[data-action]').allTextContents()
    expect(actions).toContain('ACCEPT')
    expect(actions).toContain('REJECT')

    const filters = page.getByRole('group', { name: 'Filters' })
    await filters.getByLabel('Action', { exact: true }).selectOption('REJECT')
    await expect.poll(() => records.locator('td[data-action]').allTextContents()).toEqual(['REJECT'])
    expect(await records.first().textContent()).toContain(`${interfaces.appServer.address}:443`)
    expect(page.url()).toContain('action=REJECT')

    await filters.getByLabel('Action', { exact: true }).selectOption('')
    const port = filters.getByLabel('Port', { exact: true })
    await port.fill('22')
    await port.press('Enter')
    await expect.poll(() => page.locator('main').textContent()).toContain('No records yet')
    await port.fill('443')
    await port.press('Enter')
    await expect.poll(() => records.count()).toBeGreaterThanOrEqual(2)

    const address = filters.getByLabel('Address', { exact: true })
    await address.fill(interfaces.dbServer.address)
    await address.press('Enter')
    await expect.poll(() => page.locator('main').textContent()).toContain('No records yet')
  })
})

import {
  AcceptVpcPeeringConnectionCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
} from '@aws-sdk/client-ec2'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ec2Client, startTestServer, type TestServer } from '../support/server.js'
import { ensureConsoleBuilt, hasChromium, launchChromium, openConsole, suiteName } from './browser.js'
import { ACCOUNT_A } from './estate.js'

const VPCS = 500
const PEERINGS = 60

describe.skipIf(!hasChromium)(suiteName('console in Chromium: an estate of 500 VPCs'), () => {
  let server: TestServer
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    await ensureConsoleBuilt()
    server = await startTestServer()
    browser = await launchChromium()
    const client = ec2Client(server.url, { accountId: ACCOUNT_A })
    const vpcIds: string[] = []
    // A few callers at once: the server writes one transaction at a time anyway.
    const lanes = 4
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let n = lane; n < VPCS; n += lanes) {
          const created = await client.send(
            new CreateVpcCommand({
              CidrBlock: `10.${n >> 4}.${(n & 15) * 16}.0/20`,
              TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: `net-${n}` }] }],
            }),
          )
          vpcIds[n] = created.Vpc!.VpcId!
        }
      }),
    )
    for (let n = 1; n <= PEERINGS; n++) {
      const request = await client.send(
        new CreateVpcPeeringConnectionCommand({ VpcId: vpcIds[n]!, PeerVpcId: vpcIds[Math.floor(n / 2)]! }),
      )
      const id = request.VpcPeeringConnection!.VpcPeeringConnectionId!
      await client.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))
    }
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    page.setDefaultTimeout(30_000)
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  const rendered = () => page.locator('[data-testid="vpc-node"]').count()
  /** A point on the bare pane (no node, edge or label on it), where a drag pans. */
  async function emptySpot() {
    const box = (await page.locator('.react-flow__pane').boundingBox())!
    for (let y = box.y + box.height - 30; y > box.y; y -= 25) {
      for (let x = box.x + box.width * 0.7; x > box.x; x -= 25) {
        const hit = await page.evaluate(
          `document.elementFromPoint(${x}, ${y})?.classList.contains('react-flow__pane')`,
        )
        if (hit) return { x, y }
      }
    }
    throw new Error('no empty spot on the pane')
  }
  const renderedIds = async () => {
    const nodes = await page.locator('[data-testid="vpc-node"]').all()
    return Promise.all(nodes.map(async (node) => (await node.getAttribute('data-vpc-id')) ?? ''))
  }

  it('draws all 500, then draws only what is on screen as the user zooms and pans', async () => {
    await openConsole(page, server.url, { accessKeyId: ACCOUNT_A })
    await expect.poll(rendered, { timeout: 30_000 }).toBe(VPCS)
    expect(await page.locator('[data-testid="peering-label"]').count()).toBe(PEERINGS)

    const zoomIn = page.getByRole('button', { name: 'Zoom In' })
    for (let step = 0; step < 6; step++) await zoomIn.click()
    await expect.poll(rendered).toBeLessThan(VPCS)
    const before = await renderedIds()

    // Drag the pane: other VPCs come into view, the page keeps answering.
    const start = await emptySpot()
    await page.mouse.move(start.x, start.y)
    await page.mouse.down()
    await page.mouse.move(start.x - 500, start.y - 300, { steps: 10 })
    await page.mouse.up()
    await expect
      .poll(async () => (await renderedIds()).filter((id) => !before.includes(id)).length)
      .toBeGreaterThan(0)

    await page.getByRole('button', { name: 'Fit View' }).click()
    await page.getByLabel('Tag', { exact: true }).fill('Name=net-421')
    await expect.poll(rendered).toBe(1)
  }, 90_000)
})

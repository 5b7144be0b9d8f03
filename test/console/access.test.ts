import { CreateVpcCommand, CreateVpcPeeringConnectionCommand } from '@aws-sdk/client-ec2'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Credential } from '../../src/ports/credentials.js'
import { ec2Client, startTestServer, type TestServer } from '../support/server.js'
import { ensureConsoleBuilt, hasChromium, launchChromium, openConsole, suiteName } from './browser.js'
import { ACCOUNT_A, ACCOUNT_B } from './estate.js'

/** Keys of a strict-mode server: the console must sign with WebCrypto exactly as the server verifies. */
const KEY_A = { accessKeyId: 'AKIACONSOLEEXAMPLEA', secretAccessKey: 'secret-of-a' }
const KEY_B = { accessKeyId: 'AKIACONSOLEEXAMPLEB', secretAccessKey: 'secret-of-b' }
const credentials = new Map<string, Credential>([
  [KEY_A.accessKeyId, { secretAccessKey: KEY_A.secretAccessKey, accountId: ACCOUNT_A }],
  [KEY_B.accessKeyId, { secretAccessKey: KEY_B.secretAccessKey, accountId: ACCOUNT_B }],
])

/** Presses Tab until the element `selector` names has the focus; fails after `limit` presses. */
async function tabTo(page: Page, selector: string, limit = 60) {
  const target = page.locator(selector)
  const focused = () =>
    target.evaluate((element) => element === element.ownerDocument.activeElement).catch(() => false)
  for (let presses = 0; !(await focused()); presses++) {
    if (presses === limit) throw new Error(`${limit} presses of Tab never reached ${selector}`)
    await page.keyboard.press('Tab')
  }
}

/** Roles of controls the accessibility tree shows without a name (a snapshot line like `- button` with no `"…"`). */
const unnamedControls = (snapshot: string) =>
  snapshot
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^- (button|link|combobox|textbox|searchbox|checkbox)\b(?! ")/.test(line))

describe.skipIf(!hasChromium)(
  suiteName('console in Chromium: strict-mode sign-in, keyboard and labels'),
  () => {
    let server: TestServer
    let browser: Browser
    let page: Page
    let appVpc: string
    let dbVpc: string
    let peeringId: string

    beforeAll(async () => {
      await ensureConsoleBuilt()
      server = await startTestServer({ auth: { kind: 'strict', lookup: (key) => credentials.get(key) } })
      browser = await launchChromium()
      const a = ec2Client(server.url, { accountId: KEY_A.accessKeyId, secret: KEY_A.secretAccessKey })
      const b = ec2Client(server.url, { accountId: KEY_B.accessKeyId, secret: KEY_B.secretAccessKey })
      appVpc = (await a.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!
      dbVpc = (await b.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!
      const request = await a.send(
        new CreateVpcPeeringConnectionCommand({ VpcId: appVpc, PeerVpcId: dbVpc, PeerOwnerId: ACCOUNT_B }),
      )
      peeringId = request.VpcPeeringConnection!.VpcPeeringConnectionId!
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

    async function signIn(key: { accessKeyId: string; secretAccessKey: string }) {
      await page.getByLabel('Access key id').fill(key.accessKeyId)
      await page.getByLabel('Secret access key').fill(key.secretAccessKey)
      await page.getByRole('button', { name: 'Open the console' }).click()
    }

    it('asks for the secret in strict mode, shows a refusal as the API words it, and signs in with the right one', async () => {
      await openConsole(page, server.url, { accessKeyId: KEY_A.accessKeyId })
      // The deep link fills in the key; only the secret is asked for.
      expect(await page.getByLabel('Access key id').inputValue()).toBe(KEY_A.accessKeyId)
      await page.getByLabel('Secret access key').fill('not-the-secret')
      await page.getByRole('button', { name: 'Open the console' }).click()
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toMatch(/^SignatureDoesNotMatch: The request signature we calculated does not match/)

      await signIn(KEY_A)
      await expect.poll(() => page.getByTestId('acting-as').textContent()).toContain(ACCOUNT_A)
      await page.locator(`[data-testid="vpc-node"][data-vpc-id="${appVpc}"]`).waitFor()
      // The secret stays in this tab's session, never in the address: a reload goes straight back in.
      expect(page.url()).not.toContain(KEY_A.secretAccessKey)
      await page.reload()
      await expect.poll(() => page.getByTestId('acting-as').textContent()).toContain(ACCOUNT_A)
    })

    it('switches between accounts in one click, each seeing only its own side', async () => {
      await openConsole(page, server.url, { accessKeyId: KEY_A.accessKeyId, view: '#/inbox' })
      await signIn(KEY_A)
      await expect.poll(() => page.getByTestId('acting-as').textContent()).toContain(ACCOUNT_A)
      await page.getByRole('button', { name: 'Switch account…' }).click()
      await signIn(KEY_B)
      await expect.poll(() => page.getByTestId('acting-as').textContent()).toContain(ACCOUNT_B)
      const waiting = page.getByRole('region', { name: /Waiting for your answer/ })
      await expect.poll(() => waiting.locator(`tr[data-peering-id="${peeringId}"]`).count()).toBe(1)

      await page.getByRole('button', { name: `Act as ${KEY_A.accessKeyId} (us-east-1)` }).click()
      await expect.poll(() => page.getByTestId('acting-as').textContent()).toContain(ACCOUNT_A)
      await expect.poll(() => waiting.textContent()).toContain('No request is waiting')
      expect(page.url()).toContain(`accessKeyId=${KEY_A.accessKeyId}`)
      expect(page.url()).toContain('#/inbox')
    })

    it('is usable from the keyboard: accept a request and open a VPC without a mouse', async () => {
      await openConsole(page, server.url, { accessKeyId: KEY_B.accessKeyId })
      await signIn(KEY_B)
      await page.locator(`[data-testid="vpc-node"][data-vpc-id="${dbVpc}"]`).waitFor()

      // The first Tab lands on the skip link.
      await tabTo(page, '.skip-link', 1)
      await tabTo(page, 'nav[aria-label="Views"] a[href="#/inbox"]')
      await page.keyboard.press('Enter')
      const accept = `button[aria-label="Accept ${peeringId}"]`
      await page.locator(accept).waitFor()
      await tabTo(page, accept)
      await page.keyboard.press('Enter')
      const live = page.getByRole('region', { name: /Active and changing/ })
      await expect
        .poll(() => live.locator(`tr[data-peering-id="${peeringId}"]`).getAttribute('data-state'))
        .toBe('active')

      // On the graph a VPC is a focusable node: Enter selects it and the side panel shows it.
      await page.getByRole('link', { name: 'Topology' }).click()
      const dbNode = `.react-flow__node[data-id="${dbVpc}"]`
      await page.locator(dbNode).waitFor()
      await tabTo(page, dbNode)
      await page.keyboard.press('Enter')
      await expect.poll(() => page.getByTestId('side-panel').textContent()).toContain(dbVpc)
      await tabTo(page, `a[aria-label="Details of ${dbVpc}"]`)
      await page.keyboard.press('Enter')
      await page.getByRole('heading', { name: 'Route tables' }).waitFor()
    })

    it('names every control for screen readers, and shows API errors instead of a blank page', async () => {
      await openConsole(page, server.url, { accessKeyId: KEY_A.accessKeyId })
      await signIn(KEY_A)
      await page.locator(`[data-testid="vpc-node"][data-vpc-id="${appVpc}"]`).waitFor()
      const views = ['#/topology', '#/inbox', `#/vpcs/${appVpc}`, '#/trace', '#/flows']
      for (const view of views) {
        await page.goto(`${server.url}/console/?accessKeyId=${KEY_A.accessKeyId}&region=us-east-1${view}`)
        await page.getByTestId('acting-as').waitFor()
        await page.locator('main h1').first().waitFor()
        expect(unnamedControls(await page.locator('body').ariaSnapshot()), view).toEqual([])
      }
      await page.goto(`${server.url}/console/?accessKeyId=${KEY_A.accessKeyId}&region=us-east-1#/topology`)
      await page.getByRole('group', { name: new RegExp(`^VPC ${appVpc}, 10\\.1\\.0\\.0/16`) }).waitFor()
      await page.getByRole('combobox', { name: 'Region to act in' }).waitFor()
      await page.getByRole('button', { name: 'Zoom In' }).waitFor()

      // Another account's VPC is not this account's to read: the API's NotFound, word for word.
      await page.goto(
        `${server.url}/console/?accessKeyId=${KEY_A.accessKeyId}&region=us-east-1#/vpcs/${dbVpc}`,
      )
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toBe(`InvalidVpcID.NotFound: The vpc ID '${dbVpc}' does not exist`)
      expect(await page.getByRole('navigation', { name: 'Views' }).isVisible()).toBe(true)
    })
  },
)

/**
 * Regenerates docs/images/topology.png from a real run: a server on 127.0.0.1, the estate of
 * test/console/estate.ts built through the SDK (with one peering deleted, so its routes show
 * as blackholes), and the console opened in Debian's Chromium as account 111111111111.
 *
 *   npm run screenshot            (CHROMIUM_PATH overrides /usr/bin/chromium)
 */
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DeleteVpcPeeringConnectionCommand } from '@aws-sdk/client-ec2'
import {
  CHROMIUM_PATH,
  ensureConsoleBuilt,
  hasChromium,
  launchChromium,
  openConsole,
} from '../test/console/browser.js'
import { ACCOUNT_A, buildEstate } from '../test/console/estate.js'
import { startTestServer } from '../test/support/server.js'

const output = fileURLToPath(new URL('../docs/images/topology.png', import.meta.url))

if (!hasChromium) {
  console.error(`No Chromium at ${CHROMIUM_PATH}: apt-get install chromium, or set CHROMIUM_PATH.`)
  process.exit(1)
}
await ensureConsoleBuilt()
const server = await startTestServer()
const browser = await launchChromium()
try {
  const estate = await buildEstate(server.url)
  await estate.clients.a.send(
    new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: estate.peerings.legacyApp }),
  )
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  await openConsole(page, server.url, {
    accessKeyId: ACCOUNT_A,
    view: `#/topology?expanded=${estate.vpcs.app.vpcId}`,
  })
  await page.locator('[data-testid="vpc-node"]').first().waitFor()
  // The view fits itself to the graph on the next frame.
  await page.waitForTimeout(500)
  mkdirSync(fileURLToPath(new URL('../docs/images/', import.meta.url)), { recursive: true })
  await page.screenshot({ path: output })
  console.log(`wrote ${output}`)
} finally {
  await browser.close()
  await server.close()
}

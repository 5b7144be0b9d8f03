import { CreateNetworkInterfaceCommand, CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ApiCallError, callApi } from '../src/cli/client.js'
import { runVpcpeer } from './support/cli.js'
import { activePeering, appAndDatabase, peeringRoute } from './support/estates.js'
import { subnetIn, vpcWithMainTable } from './support/routing.js'
import { startTestServer, type TestServer } from './support/server.js'

type Client = EC2Client & { accountId: string }

let server: TestServer
let estate: Awaited<ReturnType<typeof buildEstate>>
beforeAll(async () => {
  server = await startTestServer()
  estate = await buildEstate()
})
afterAll(() => server.close())

const name = (client: Client, id: string, value: string) =>
  client.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: value }] }))

/**
 * Account A's app VPC peers with account B's database VPC, routed both ways; B's database group
 * lets A in on 5432 only. A's app VPC also peers with A's own batch VPC, which has no route back.
 * Each account names its own resources.
 */
async function buildEstate() {
  const base = await appAndDatabase(server.url)
  const { a, app } = base
  const batch = await vpcWithMainTable(a, '10.3.0.0/16')
  const batchSubnet = await subnetIn(a, batch.vpcId, '10.3.1.0/24')
  const appToBatch = await activePeering(a, app.vpcId, a, batch.vpcId)
  await peeringRoute(a, app.mainTableId, '10.3.0.0/16', appToBatch)
  await name(a, app.vpcId, 'app-vpc')
  await name(a, base.appSubnet, 'app-subnet')
  await name(a, base.appEni, 'app-1')
  await name(base.b, base.db.vpcId, 'b-only-db-vpc')
  await name(base.b, base.dbEni, 'b-only-db-1')
  return { ...base, batch, batchSubnet, appToBatch }
}

const vpcpeer = (client: Client, ...args: string[]) => runVpcpeer(server.url, client.accountId, ...args)

const api = <T>(client: Client, path: string, body: unknown) =>
  callApi<T>(
    {
      endpoint: server.url,
      accessKeyId: client.accountId,
      secretAccessKey: 'test-secret',
      region: 'us-east-1',
    },
    'POST',
    path,
    { body },
  )

async function apiError(call: Promise<unknown>, code: string) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ApiCallError)
  expect((error as ApiCallError).code).toBe(code)
  return (error as ApiCallError).message
}

// Each case runs the CLI as a child process; a loaded machine makes that slow, never wrong.
describe('vpcpeer reach <source> <destination>', { timeout: 90_000 }, () => {
  it('explains a delivered flow hop by hop, both ways, with the names the caller gave', async () => {
    const { a, appEni, appToDb, app } = estate
    const result = await vpcpeer(a, 'reach', appEni, '10.2.1.20', '--port', '5432')
    expect(result.code).toBe(0)
    const out = result.stdout
    expect(out).toMatch(
      new RegExp(`^REACHABLE: tcp 10\\.1\\.1\\.10 \\(${appEni} \\(app-1\\)\\) -> 10\\.2\\.1\\.20 port 5432`),
    )
    expect(out).toContain('Forward')
    expect(out).toContain('Return')
    expect(out).toContain(`route 10.2.0.0/16 -> ${appToDb} (active)`)
    expect(out).toContain(`vpc-peering-connection ${appToDb}`)
    expect(out).toContain('inbound rule 100 allow all from 0.0.0.0/0')
    expect(out).toContain('ingress rule sgr-')
    expect(out).toContain(`${app.vpcId} -> ${estate.db.vpcId}`)
    // B's names are B's: A never sees them.
    expect(out).not.toContain('b-only')
    expect(out).not.toContain('Blockers')
  })

  it('names every blocker with its code and message, and exits 1', async () => {
    const { a, appEni, dbGroup } = estate
    const result = await vpcpeer(a, 'reach', appEni, '10.2.1.20', '--port', '22')
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/^NOT REACHABLE: tcp /)
    expect(result.stdout).toContain(
      `ENI_SG_RULES_MISMATCH (forward, ingress) at ${estate.dbEni}: No inbound rule of ${dbGroup} allows tcp port 22 from 10.1.1.10`,
    )
  })

  it('reports a missing return route on the return leg', async () => {
    const { a, appEni, batchSubnet } = estate
    // Batch has no route back to app: the reply is lost.
    const batchEni = (
      await a.send(
        new CreateNetworkInterfaceCommand({ SubnetId: batchSubnet, PrivateIpAddress: '10.3.1.30' }),
      )
    ).NetworkInterface!.NetworkInterfaceId!
    const answer = await api<{
      reachable: boolean
      explanations: { explanationCode: string; leg: string }[]
    }>(a, '/trace', { from: appEni, to: batchEni, port: 443 })
    expect(answer.reachable).toBe(false)
    // The default group lets in only its own members; the reply then has no way back.
    expect(answer.explanations.map((e) => [e.explanationCode, e.leg])).toEqual([
      ['ENI_SG_RULES_MISMATCH', 'forward'],
      ['NO_ROUTE_TO_DESTINATION', 'return'],
    ])
  })

  it('prints the whole result as JSON, names filled in', async () => {
    const { a, appEni } = estate
    const result = await vpcpeer(a, 'reach', '10.1.1.10', '10.2.1.20', '--port', '5432', '-o', 'json')
    expect(result.code).toBe(0)
    const answer = JSON.parse(result.stdout)
    expect(answer.reachable).toBe(true)
    expect(answer.flow).toMatchObject({ sourceInterfaceId: appEni, sourceAddress: '10.1.1.10', port: 5432 })
    expect(answer.forwardPath[0].component).toMatchObject({
      kind: 'network-interface',
      id: appEni,
      name: 'app-1',
    })
    expect(answer.forwardPath.at(-1).component).not.toHaveProperty('name')
    expect(answer.touched.map((t: { flowDirection: string }) => t.flowDirection)).toEqual([
      'egress',
      'ingress',
      'egress',
      'ingress',
    ])
  })

  it('exits 2 when the question cannot be asked: missing arguments, or a source that is not yours', async () => {
    const { a, dbEni } = estate
    const missing = await vpcpeer(a, 'reach', estate.appEni)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("missing required argument 'destination'")
    const foreign = await vpcpeer(a, 'reach', dbEni, '10.1.1.10', '--port', '5432')
    expect(foreign.code).toBe(2)
    expect(foreign.stderr).toContain('InvalidNetworkInterfaceID.NotFound')
  })
})

describe('POST /_vpcpeer/api/trace', () => {
  it("accepts only the caller's own sources, but any destination", async () => {
    const { a, b, appEni } = estate
    // B may trace into A's VPC (A's default group then stops it), never from it.
    const intoA = await api<{ explanations: { explanationCode: string; component: { id: string } }[] }>(
      b,
      '/trace',
      { from: '10.2.1.20', to: '10.1.1.10', port: 5432 },
    )
    expect(intoA.explanations.map((e) => [e.explanationCode, e.component.id])).toEqual([
      ['ENI_SG_RULES_MISMATCH', appEni],
    ])
    expect(
      await apiError(
        api(b, '/trace', { from: '10.1.1.10', to: '10.2.1.20', port: 5432 }),
        'InvalidParameterValue',
      ),
    ).toContain('None of your network interfaces in this region holds it')
    await apiError(
      api(b, '/trace', { from: appEni, to: '10.2.1.20', port: 5432 }),
      'InvalidNetworkInterfaceID.NotFound',
    )
    await apiError(api(a, '/trace', { from: appEni, to: '10.2.1.20' }), 'MissingParameter')
    await apiError(api(a, '/trace', { from: appEni, to: '10.2.1.20', port: 70000 }), 'InvalidParameterValue')
    await apiError(
      api(a, '/trace', { from: 'eni-nope', to: '10.2.1.20', port: 1 }),
      'InvalidNetworkInterfaceId.Malformed',
    )
  })
})

interface VpcMatrix {
  vpcs: { vpcId: string; own: boolean; name?: string }[]
  pairs: {
    source: string
    destination: string
    reachable: boolean
    blockers: { code: string; leg: string }[]
  }[]
}

describe('vpcpeer reach matrix', { timeout: 90_000 }, () => {
  it('gives the VPC matrix of your VPCs and their peers, with the deciding routes', async () => {
    const { a, app, batch, db, appToDb } = estate
    const result = await vpcpeer(a, 'reach', 'matrix', '-o', 'json')
    expect(result.code).toBe(0)
    const matrix = JSON.parse(result.stdout) as VpcMatrix & {
      pairs: { peering?: { id: string }; forwardRoute?: unknown }[]
    }
    const pair = (s: string, d: string) => matrix.pairs.find((p) => p.source === s && p.destination === d)
    expect(pair(app.vpcId, app.vpcId)?.reachable).toBe(true)
    expect(pair(app.vpcId, db.vpcId)).toMatchObject({
      reachable: true,
      peering: { id: appToDb, status: 'active' },
      forwardRoute: { routeTableId: app.mainTableId, route: { destinationCidr: '10.2.0.0/16' } },
      returnRoute: { routeTableId: db.mainTableId, route: { destinationCidr: '10.1.0.0/16' } },
    })
    expect(pair(app.vpcId, batch.vpcId)).toMatchObject({
      reachable: false,
      blockers: [{ code: 'NO_ROUTE_TO_DESTINATION', leg: 'return' }],
    })
    expect(pair(batch.vpcId, app.vpcId)?.blockers.map((b) => b.leg)).toEqual(['forward'])
    // Sources are A's own VPCs only; B's VPC appears as a destination, without B's name.
    expect(matrix.pairs.some((p) => p.source === db.vpcId)).toBe(false)
    expect(matrix.vpcs.find((v) => v.vpcId === db.vpcId)).toMatchObject({ own: false })
    expect(matrix.vpcs.find((v) => v.vpcId === db.vpcId)).not.toHaveProperty('name')
    expect(matrix.vpcs.find((v) => v.vpcId === app.vpcId)).toMatchObject({ own: true, name: 'app-vpc' })

    const table = await vpcpeer(a, 'reach', 'matrix')
    expect(table.stdout).toContain(`${app.vpcId} (app-vpc)`)
    expect(table.stdout).toContain('3 of 5 VPC pairs reachable.')
  })

  it('gives the subnet matrix for one port as CSV, with a progress bar on stderr', async () => {
    const { a, appSubnet, dbSubnet, batchSubnet } = estate
    const result = await vpcpeer(a, 'reach', 'matrix', '--level', 'subnet', '--port', '5432', '-o', 'csv')
    expect(result.code).toBe(0)
    const [header, ...rows] = result.stdout.trimEnd().split('\n')
    expect(header).toBe(
      'source_subnet,source_vpc,destination_subnet,destination_vpc,protocol,port,reachable,blockers',
    )
    const row = (s: string, d: string) => rows.find((r) => r.startsWith(`${s},`) && r.split(',')[2] === d)
    expect(row(appSubnet, dbSubnet)).toMatch(/,tcp,5432,true,$/)
    expect(row(appSubnet, batchSubnet)).toMatch(/,false,NO_ROUTE_TO_DESTINATION \(return\) at rtb-/)
    expect(result.stderr).toContain('source VPCs')
  })

  it('refuses a subnet matrix without a port, or for a protocol without ports', async () => {
    const { a, b, app } = estate
    const cli = await vpcpeer(a, 'reach', 'matrix', '--level', 'subnet')
    expect(cli.code).toBe(2)
    expect(cli.stderr).toContain('--port is required')
    await apiError(api(a, '/matrix', { level: 'subnet' }), 'MissingParameter')
    await apiError(api(a, '/matrix', { level: 'subnet', protocol: 'icmp', port: 8 }), 'InvalidParameterValue')
    await apiError(api(b, '/matrix', { level: 'vpc', vpcIds: [app.vpcId] }), 'InvalidVpcID.NotFound')
  })

  it("lets the other account see its side: B's VPC reaches A's", async () => {
    const { b, app, db } = estate
    const matrix = await api<VpcMatrix>(b, '/matrix', { level: 'vpc' })
    expect(matrix.pairs.map((p) => [p.source, p.destination, p.reachable])).toEqual([
      [db.vpcId, db.vpcId, true],
      [db.vpcId, app.vpcId, true],
    ])
    expect(matrix.vpcs.find((v) => v.vpcId === db.vpcId)?.name).toBe('b-only-db-vpc')
  })
})

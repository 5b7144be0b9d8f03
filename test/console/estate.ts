import {
  AcceptVpcPeeringConnectionCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2'
import { ec2Client } from '../support/server.js'

/**
 * A small estate of three accounts and two regions, built through the SDK, for the console's
 * suites and its screenshot:
 *
 *   app (A) ── active, cross-account ── db (B)
 *   app (A) ── active ── web (A)           web routes 10.2/16 via app too: peering is not transitive
 *   app (A) ── active, cross-region ── dr (A, eu-west-1)
 *   app (A) ── active ── legacy (A)        deleted by `retireLegacy`: its routes become blackholes
 *   analytics (C) ── pending acceptance by A ── app (A)
 */
export const ACCOUNT_A = '111111111111'
export const ACCOUNT_B = '222222222222'
export const ACCOUNT_C = '333333333333'
export const HOME = 'us-east-1'
export const AWAY = 'eu-west-1'

export interface Vpc {
  readonly vpcId: string
  readonly mainTableId: string
  readonly subnetIds: readonly string[]
}

const tagged = (
  resourceType: 'vpc' | 'subnet' | 'vpc-peering-connection' | 'network-interface',
  name: string,
) => [{ ResourceType: resourceType, Tags: [{ Key: 'Name', Value: name }] }]

async function vpc(client: EC2Client, name: string, cidr: string, subnets: readonly string[]): Promise<Vpc> {
  const created = await client.send(
    new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: tagged('vpc', name) }),
  )
  const vpcId = created.Vpc!.VpcId!
  const subnetIds: string[] = []
  for (const [index, block] of subnets.entries()) {
    const subnet = await client.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: block,
        TagSpecifications: tagged('subnet', `${name}-${String.fromCharCode(97 + index)}`),
      }),
    )
    subnetIds.push(subnet.Subnet!.SubnetId!)
  }
  const tables = await client.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'association.main', Values: ['true'] },
      ],
    }),
  )
  return { vpcId, mainTableId: tables.RouteTables![0]!.RouteTableId!, subnetIds }
}

async function request(
  client: EC2Client,
  from: Vpc,
  to: Vpc,
  name: string,
  peer: { owner?: string; region?: string },
) {
  const created = await client.send(
    new CreateVpcPeeringConnectionCommand({
      VpcId: from.vpcId,
      PeerVpcId: to.vpcId,
      ...(peer.owner ? { PeerOwnerId: peer.owner } : {}),
      ...(peer.region ? { PeerRegion: peer.region } : {}),
      TagSpecifications: tagged('vpc-peering-connection', name),
    }),
  )
  return created.VpcPeeringConnection!.VpcPeeringConnectionId!
}

const accept = (client: EC2Client, peeringId: string) =>
  client.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: peeringId }))

const route = (client: EC2Client, table: string, destination: string, peeringId: string) =>
  client.send(
    new CreateRouteCommand({
      RouteTableId: table,
      DestinationCidrBlock: destination,
      VpcPeeringConnectionId: peeringId,
    }),
  )

async function networkInterface(client: EC2Client, subnetId: string, name: string) {
  const created = await client.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: subnetId,
      TagSpecifications: tagged('network-interface', name),
    }),
  )
  const eni = created.NetworkInterface!
  return { networkInterfaceId: eni.NetworkInterfaceId!, address: eni.PrivateIpAddress! }
}

export type Estate = Awaited<ReturnType<typeof buildEstate>>

export async function buildEstate(url: string) {
  const a = ec2Client(url, { accountId: ACCOUNT_A, region: HOME })
  const aAway = ec2Client(url, { accountId: ACCOUNT_A, region: AWAY })
  const b = ec2Client(url, { accountId: ACCOUNT_B, region: HOME })
  const c = ec2Client(url, { accountId: ACCOUNT_C, region: HOME })

  const app = await vpc(a, 'app', '10.1.0.0/16', ['10.1.1.0/24', '10.1.2.0/24'])
  const web = await vpc(a, 'web', '10.3.0.0/16', ['10.3.1.0/24'])
  const legacy = await vpc(a, 'legacy', '10.5.0.0/16', ['10.5.1.0/24'])
  const dr = await vpc(aAway, 'dr', '10.9.0.0/16', ['10.9.1.0/24'])
  const db = await vpc(b, 'db', '10.2.0.0/16', ['10.2.1.0/24'])
  const analytics = await vpc(c, 'analytics', '10.4.0.0/16', ['10.4.1.0/24'])

  const appDb = await request(a, app, db, 'app-db', { owner: ACCOUNT_B })
  await accept(b, appDb)
  const webApp = await request(a, web, app, 'web-app', {})
  await accept(a, webApp)
  const appDr = await request(a, app, dr, 'app-dr', { region: AWAY })
  await accept(aAway, appDr)
  const legacyApp = await request(a, legacy, app, 'legacy-app', {})
  await accept(a, legacyApp)
  const analyticsApp = await request(c, analytics, app, 'analytics-app', { owner: ACCOUNT_A })

  await route(a, app.mainTableId, '10.2.0.0/16', appDb)
  await route(b, db.mainTableId, '10.1.0.0/16', appDb)
  await route(a, app.mainTableId, '10.3.0.0/16', webApp)
  await route(a, web.mainTableId, '10.1.0.0/16', webApp)
  // web hopes to reach db through app: the route exists, the peering will not carry it.
  await route(a, web.mainTableId, '10.2.0.0/16', webApp)
  await route(a, legacy.mainTableId, '10.1.0.0/16', legacyApp)
  await route(a, app.mainTableId, '10.5.0.0/16', legacyApp)

  const webServer = await networkInterface(a, web.subnetIds[0]!, 'web-server')
  const appServer = await networkInterface(a, app.subnetIds[0]!, 'app-server')
  const dbServer = await networkInterface(b, db.subnetIds[0]!, 'db-server')

  return {
    clients: { a, aAway, b, c },
    vpcs: { app, web, legacy, dr, db, analytics },
    peerings: { appDb, webApp, appDr, legacyApp, analyticsApp },
    interfaces: { webServer, appServer, dbServer },
  }
}

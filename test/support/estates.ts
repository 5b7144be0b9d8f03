import {
  AcceptVpcPeeringConnectionCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateVpcPeeringConnectionCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2'
import { freshClient } from './ec2.js'
import { subnetIn, vpcWithMainTable } from './routing.js'

type Client = EC2Client & { accountId: string }

/** A peering requested by one account and accepted by the other (possibly the same one). */
export async function activePeering(requester: Client, vpcId: string, accepter: Client, peerVpcId: string) {
  const pcx = (
    await requester.send(
      new CreateVpcPeeringConnectionCommand({
        VpcId: vpcId,
        PeerVpcId: peerVpcId,
        PeerOwnerId: accepter.accountId,
      }),
    )
  ).VpcPeeringConnection!.VpcPeeringConnectionId!
  await accepter.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }))
  return pcx
}

export const peeringRoute = (client: EC2Client, routeTableId: string, cidr: string, pcx: string) =>
  client.send(
    new CreateRouteCommand({
      RouteTableId: routeTableId,
      DestinationCidrBlock: cidr,
      VpcPeeringConnectionId: pcx,
    }),
  )

/**
 * Two fresh accounts: A's app VPC (10.1.0.0/16) peered with B's database VPC (10.2.0.0/16),
 * routed both ways; an app interface 10.1.1.10 (default group) and a database interface
 * 10.2.1.20 whose group lets 10.1.0.0/16 in on tcp 5432 only.
 */
export async function appAndDatabase(url: string) {
  const a = freshClient(url)
  const b = freshClient(url)
  const app = await vpcWithMainTable(a, '10.1.0.0/16')
  const db = await vpcWithMainTable(b, '10.2.0.0/16')
  const appSubnet = await subnetIn(a, app.vpcId, '10.1.1.0/24')
  const dbSubnet = await subnetIn(b, db.vpcId, '10.2.1.0/24')
  const appToDb = await activePeering(a, app.vpcId, b, db.vpcId)
  await peeringRoute(a, app.mainTableId, '10.2.0.0/16', appToDb)
  await peeringRoute(b, db.mainTableId, '10.1.0.0/16', appToDb)
  const dbGroup = (
    await b.send(new CreateSecurityGroupCommand({ VpcId: db.vpcId, GroupName: 'db', Description: 'db' }))
  ).GroupId!
  await b.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: dbGroup,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.1.0.0/16' }] },
      ],
    }),
  )
  const appEni = (
    await a.send(new CreateNetworkInterfaceCommand({ SubnetId: appSubnet, PrivateIpAddress: '10.1.1.10' }))
  ).NetworkInterface!.NetworkInterfaceId!
  const dbEni = (
    await b.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: dbSubnet,
        PrivateIpAddress: '10.2.1.20',
        Groups: [dbGroup],
      }),
    )
  ).NetworkInterface!.NetworkInterfaceId!
  return { a, b, app, db, appSubnet, dbSubnet, appToDb, dbGroup, appEni, dbEni }
}

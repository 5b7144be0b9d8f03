import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeRouteTablesCommand,
  type DescribeRouteTablesCommandInput,
  type EC2Client,
  type RouteTable,
} from '@aws-sdk/client-ec2'

/** A VPC (optionally with an Amazon IPv6 block) and its main route table id. */
export async function vpcWithMainTable(client: EC2Client, cidr: string, ipv6 = false) {
  const vpc = (
    await client.send(new CreateVpcCommand({ CidrBlock: cidr, AmazonProvidedIpv6CidrBlock: ipv6 }))
  ).Vpc!
  const main = await describeTables(client, {
    Filters: [
      { Name: 'vpc-id', Values: [vpc.VpcId!] },
      { Name: 'association.main', Values: ['true'] },
    ],
  })
  return {
    vpcId: vpc.VpcId!,
    ipv6CidrBlock: vpc.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock,
    mainTableId: main[0]!.RouteTableId!,
  }
}

export async function subnetIn(client: EC2Client, vpcId: string, cidr: string) {
  return (await client.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId!
}

export async function describeTables(
  client: EC2Client,
  input: DescribeRouteTablesCommandInput,
): Promise<RouteTable[]> {
  return (await client.send(new DescribeRouteTablesCommand(input))).RouteTables ?? []
}

export async function describeTable(client: EC2Client, routeTableId: string): Promise<RouteTable> {
  return (await describeTables(client, { RouteTableIds: [routeTableId] }))[0]!
}

/** The route of a table for one destination, as DescribeRouteTables shows it. */
export async function routeTo(client: EC2Client, routeTableId: string, destination: string) {
  const table = await describeTable(client, routeTableId)
  return table.Routes?.find(
    (r) => r.DestinationCidrBlock === destination || r.DestinationIpv6CidrBlock === destination,
  )
}

import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2'
import { vpcWithMainTable } from './routing.js'

/** A VPC (10.0.0.0/16) with one subnet (and, with IPv6, the VPC's first /64), and the VPC's default group. */
export async function network(client: EC2Client, subnetCidr = '10.0.1.0/24', ipv6 = false) {
  const { vpcId, ipv6CidrBlock } = await vpcWithMainTable(client, '10.0.0.0/16', ipv6)
  const ipv6Subnet = ipv6CidrBlock?.replace('::/56', '::/64')
  const subnet = await client.send(
    new CreateSubnetCommand({
      VpcId: vpcId,
      CidrBlock: subnetCidr,
      ...(ipv6Subnet ? { Ipv6CidrBlock: ipv6Subnet } : {}),
    }),
  )
  const groups = await client.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  )
  return {
    vpcId,
    subnetId: subnet.Subnet!.SubnetId!,
    ipv6Subnet,
    defaultGroupId: groups.SecurityGroups![0]!.GroupId!,
  }
}

/** A new security group in the VPC, named (and described) `name`. */
export async function securityGroup(client: EC2Client, vpcId: string, name: string) {
  const created = await client.send(
    new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }),
  )
  return created.GroupId!
}

/** The subnet's availableIpAddressCount. */
export const availableIn = async (client: EC2Client, subnetId: string) =>
  (await client.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }))).Subnets![0]!
    .AvailableIpAddressCount

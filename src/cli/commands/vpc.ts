import { Command } from 'commander'
import { describeAll } from '../client.js'
import { nameTag, printRows } from '../output.js'
import { type ClientOptions, connectionOf, withConnection } from './connection.js'

export function vpcCommand(): Command {
  const vpc = new Command('vpc').description('VPCs of the account and region you act as')
  withConnection(vpc.command('list').description('list VPCs with their blocks')).action(
    async (options: ClientOptions) => {
      const vpcs = await describeAll(connectionOf(options), 'DescribeVpcs', 'vpcSet')
      printRows(
        options.output,
        vpcs,
        ['VPC', 'Name', 'IPv4 blocks', 'IPv6 blocks', 'State', 'Owner'],
        vpcs.map((v) => [
          v.vpcId,
          nameTag(v),
          (v.cidrBlockAssociationSet ?? []).map((a: { cidrBlock: string }) => a.cidrBlock).join(', '),
          (v.ipv6CidrBlockAssociationSet ?? [])
            .map((a: { ipv6CidrBlock: string }) => a.ipv6CidrBlock)
            .join(', ') || undefined,
          v.state,
          v.ownerId,
        ]),
      )
    },
  )
  return vpc
}

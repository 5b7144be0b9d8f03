import { Command } from 'commander'
import { callEc2, describeAll } from '../client.js'
import { nameTag, printRecord, printRows } from '../output.js'
import { type ClientOptions, connectionOf, withConnection } from './connection.js'

type Peering = Record<string, any>

const side = (info: Peering | undefined) =>
  info ? `${info.ownerId}/${info.vpcId} (${info.region})` : undefined
const blocks = (info: Peering | undefined) =>
  (info?.cidrBlockSet ?? []).map((b: { cidrBlock: string }) => b.cidrBlock).join(', ') || undefined

function printPeering(options: ClientOptions, peering: Peering) {
  printRecord(options.output, peering, [
    ['ID', peering.vpcPeeringConnectionId],
    ['Name', nameTag(peering)],
    ['Status', `${peering.status?.code} (${peering.status?.message})`],
    ['Requester', side(peering.requesterVpcInfo)],
    ['Requester blocks', blocks(peering.requesterVpcInfo)],
    ['Accepter', side(peering.accepterVpcInfo)],
    ['Accepter blocks', blocks(peering.accepterVpcInfo) ?? '(shown once active)'],
    ['Expires', peering.expirationTime],
  ])
}

async function show(options: ClientOptions, id: string) {
  const [peering] = await describeAll(
    connectionOf(options),
    'DescribeVpcPeeringConnections',
    'vpcPeeringConnectionSet',
    {
      'VpcPeeringConnectionId.1': id,
    },
  )
  printPeering(options, peering!)
}

export function peeringCommand(): Command {
  const peering = new Command('peering').description(
    'VPC peering connections: request, accept, reject, delete, inspect',
  )

  withConnection(peering.command('list').description('list the connections this account sees in this region'))
    .option('--status <code>', 'only connections in this state (e.g. pending-acceptance, active)')
    .action(async (options: ClientOptions & { status?: string }) => {
      const filter = options.status
        ? { 'Filter.1.Name': 'status-code', 'Filter.1.Value.1': options.status }
        : {}
      const list = await describeAll(
        connectionOf(options),
        'DescribeVpcPeeringConnections',
        'vpcPeeringConnectionSet',
        filter,
      )
      printRows(
        options.output,
        list,
        ['ID', 'Name', 'Status', 'Requester', 'Accepter'],
        list.map((p) => [
          p.vpcPeeringConnectionId,
          nameTag(p),
          p.status?.code,
          side(p.requesterVpcInfo),
          side(p.accepterVpcInfo),
        ]),
      )
    })

  withConnection(
    peering.command('show').description('show one connection').argument('<id>', 'pcx- id'),
  ).action((id: string, options: ClientOptions) => show(options, id))

  withConnection(
    peering
      .command('request')
      .description('request a connection from one of your VPCs to another VPC')
      .requiredOption('--vpc <id>', 'your VPC (the requester)')
      .requiredOption('--peer-vpc <id>', 'the VPC to peer with (the accepter)')
      .option('--peer-owner <account>', 'the accepter VPC owner (default: your account)')
      .option('--peer-region <region>', 'the accepter VPC region (default: your region)')
      .option('--name <name>', 'a Name tag for your view of the connection'),
  ).action(
    async (
      options: ClientOptions & {
        vpc: string
        peerVpc: string
        peerOwner?: string
        peerRegion?: string
        name?: string
      },
    ) => {
      const result = await callEc2(connectionOf(options), 'CreateVpcPeeringConnection', {
        VpcId: options.vpc,
        PeerVpcId: options.peerVpc,
        PeerOwnerId: options.peerOwner,
        PeerRegion: options.peerRegion,
        ...(options.name
          ? {
              'TagSpecification.1.ResourceType': 'vpc-peering-connection',
              'TagSpecification.1.Tag.1.Key': 'Name',
              'TagSpecification.1.Tag.1.Value': options.name,
            }
          : {}),
      })
      printPeering(options, result.vpcPeeringConnection)
    },
  )

  withConnection(
    peering.command('accept').description('accept a request made to your VPC').argument('<id>', 'pcx- id'),
  ).action(async (id: string, options: ClientOptions) => {
    const result = await callEc2(connectionOf(options), 'AcceptVpcPeeringConnection', {
      VpcPeeringConnectionId: id,
    })
    printPeering(options, result.vpcPeeringConnection)
  })

  for (const [verb, action, description] of [
    ['reject', 'RejectVpcPeeringConnection', 'reject a request made to your VPC'],
    ['delete', 'DeleteVpcPeeringConnection', 'delete an active connection, or withdraw your request'],
  ] as const) {
    withConnection(peering.command(verb).description(description).argument('<id>', 'pcx- id')).action(
      async (id: string, options: ClientOptions) => {
        await callEc2(connectionOf(options), action, { VpcPeeringConnectionId: id })
        await show(options, id)
      },
    )
  }
  return peering
}

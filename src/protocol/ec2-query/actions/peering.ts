import * as peering from '../../../app/peering.js'
import {
  isOutstandingRequest,
  type PeeringConnection,
  type PeeringOptions,
  type PeeringSide,
} from '../../../domain/peering.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { bool, required, type StructOf, string, struct, tagSpecifications } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'

const optionsShape = (options: PeeringOptions) => ({
  allowDnsResolutionFromRemoteVpc: options.allowDnsResolutionFromRemoteVpc,
  allowEgressFromLocalClassicLinkToRemoteVpc: options.allowEgressFromLocalClassicLinkToRemoteVpc,
  allowEgressFromLocalVpcToRemoteClassicLink: options.allowEgressFromLocalVpcToRemoteClassicLink,
})

/** A side's VpcPeeringConnectionVpcInfo; the blocks and options only when they may be shown. */
function vpcInfo(side: PeeringSide, showDetails: boolean) {
  const identity = { ownerId: side.ownerId, vpcId: side.vpcId, region: side.region }
  if (!showDetails) return identity
  return {
    cidrBlock: side.cidrBlocks[0],
    cidrBlockSet: side.cidrBlocks.map((cidrBlock) => ({ cidrBlock })),
    ipv6CidrBlockSet: side.ipv6CidrBlocks.length
      ? side.ipv6CidrBlocks.map((ipv6CidrBlock) => ({ ipv6CidrBlock }))
      : undefined,
    ...identity,
    peeringOptions: optionsShape(side.options),
  }
}

/**
 * The requester's blocks are always shown; the accepter's only once the connection has been
 * active (spec §2.1), and `expirationTime` only while the request is outstanding.
 */
export function peeringShape(p: PeeringConnection, tags: readonly Tag[]) {
  return {
    vpcPeeringConnectionId: p.vpcPeeringConnectionId,
    requesterVpcInfo: vpcInfo(p.requester, true),
    accepterVpcInfo: vpcInfo(p.accepter, p.activatedAt !== undefined),
    status: { code: p.status.code, message: p.status.message },
    expirationTime: isOutstandingRequest(p) ? new Date(p.expirationTime) : undefined,
    tagSet: tagSet(tags),
  }
}

const optionsMembers = {
  AllowDnsResolutionFromRemoteVpc: bool(),
  AllowEgressFromLocalClassicLinkToRemoteVpc: bool(),
  AllowEgressFromLocalVpcToRemoteClassicLink: bool(),
}
const optionsParam = struct(optionsMembers)

const optionsChange = (input: StructOf<typeof optionsMembers>): peering.OptionsChange =>
  defined({
    allowDnsResolutionFromRemoteVpc: input.AllowDnsResolutionFromRemoteVpc,
    allowEgressFromLocalClassicLinkToRemoteVpc: input.AllowEgressFromLocalClassicLinkToRemoteVpc,
    allowEgressFromLocalVpcToRemoteClassicLink: input.AllowEgressFromLocalVpcToRemoteClassicLink,
  })

const id = { VpcPeeringConnectionId: required(string()) }

export const peeringActions = {
  CreateVpcPeeringConnection: command(
    {
      VpcId: required(string()),
      PeerVpcId: string(),
      PeerOwnerId: string(),
      PeerRegion: string(),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const result = await peering.createPeering(ctx, {
        ...defined({
          peerVpcId: input.PeerVpcId,
          peerOwnerId: input.PeerOwnerId,
          peerRegion: input.PeerRegion,
        }),
        vpcId: input.VpcId,
        tagSpecifications: input.TagSpecification,
      })
      return { vpcPeeringConnection: peeringShape(result.peering, result.tags) }
    },
  ),

  AcceptVpcPeeringConnection: command(id, async (ctx, input) => {
    const result = await peering.acceptPeering(ctx, input.VpcPeeringConnectionId)
    return { vpcPeeringConnection: peeringShape(result.peering, result.tags) }
  }),

  RejectVpcPeeringConnection: command(id, async (ctx, input) => {
    await peering.rejectPeering(ctx, input.VpcPeeringConnectionId)
    return {}
  }),

  DeleteVpcPeeringConnection: command(id, async (ctx, input) => {
    await peering.deletePeering(ctx, input.VpcPeeringConnectionId)
    return {}
  }),

  DescribeVpcPeeringConnections: query(
    describeParams('VpcPeeringConnectionId', { min: 5, max: 1000 }),
    async (ctx, input) => {
      const page = await peering.describePeerings(
        ctx,
        describeRequest(input.VpcPeeringConnectionId, input, ctx),
      )
      return {
        vpcPeeringConnectionSet: page.items.map((item) => peeringShape(item.peering, item.tags)),
        nextToken: page.nextToken,
      }
    },
  ),

  ModifyVpcPeeringConnectionOptions: command(
    {
      ...id,
      RequesterPeeringConnectionOptions: optionsParam,
      AccepterPeeringConnectionOptions: optionsParam,
    },
    async (ctx, input) => {
      const result = await peering.modifyPeeringOptions(ctx, input.VpcPeeringConnectionId, {
        ...(input.RequesterPeeringConnectionOptions
          ? { requester: optionsChange(input.RequesterPeeringConnectionOptions) }
          : {}),
        ...(input.AccepterPeeringConnectionOptions
          ? { accepter: optionsChange(input.AccepterPeeringConnectionOptions) }
          : {}),
      })
      // AWS answers with the side(s) changed, showing the DNS option (spec §2.7).
      return {
        requesterPeeringConnectionOptions: result.requester && {
          allowDnsResolutionFromRemoteVpc: result.requester.allowDnsResolutionFromRemoteVpc,
        },
        accepterPeeringConnectionOptions: result.accepter && {
          allowDnsResolutionFromRemoteVpc: result.accepter.allowDnsResolutionFromRemoteVpc,
        },
      }
    },
  ),
}

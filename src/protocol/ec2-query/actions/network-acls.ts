import * as networkAcls from '../../../app/network-acls.js'
import { entriesInOrder, type NetworkAcl, type NetworkAclEntry } from '../../../domain/network-acl.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { bool, int, oneOf, required, type StructOf, string, struct, tagSpecifications } from '../params.js'
import { describeParams, describeRequest, tagSet } from '../shapes.js'

const pageRange = { min: 5, max: 1000 }

const entryShape = (entry: NetworkAclEntry) => ({
  ruleNumber: entry.ruleNumber,
  protocol: entry.protocol,
  ruleAction: entry.ruleAction,
  egress: entry.egress,
  cidrBlock: entry.cidrBlock,
  ipv6CidrBlock: entry.ipv6CidrBlock,
  icmpTypeCode: entry.icmpTypeCode && { code: entry.icmpTypeCode.code, type: entry.icmpTypeCode.type },
  portRange: entry.portRange && { from: entry.portRange.from, to: entry.portRange.to },
})

/** The NetworkAcl shape; the model's `default` member is IsDefault in the SDKs. */
export function networkAclShape(acl: NetworkAcl, tags: readonly Tag[]) {
  return {
    networkAclId: acl.networkAclId,
    vpcId: acl.vpcId,
    default: acl.isDefault,
    entrySet: entriesInOrder(acl.entries).map(entryShape),
    associationSet: acl.associations.map((a) => ({
      networkAclAssociationId: a.networkAclAssociationId,
      networkAclId: acl.networkAclId,
      subnetId: a.subnetId,
    })),
    tagSet: tagSet(tags),
    ownerId: acl.ownerId,
  }
}

/** Create and Replace take the same entry; `Icmp` is the wire name of the model's IcmpTypeCode. */
const entryParams = {
  NetworkAclId: required(string()),
  RuleNumber: required(int()),
  Protocol: required(string()),
  RuleAction: required(oneOf(['allow', 'deny'])),
  Egress: required(bool()),
  CidrBlock: string(),
  Ipv6CidrBlock: string(),
  Icmp: struct({ Code: int(), Type: int() }),
  PortRange: struct({ From: int(), To: int() }),
}

const entryRequest = (input: StructOf<typeof entryParams>) => ({
  ruleNumber: input.RuleNumber,
  egress: input.Egress,
  protocol: input.Protocol,
  ruleAction: input.RuleAction,
  cidrBlock: input.CidrBlock,
  ipv6CidrBlock: input.Ipv6CidrBlock,
  portRange: input.PortRange && { from: input.PortRange.From, to: input.PortRange.To },
  icmpTypeCode: input.Icmp && { type: input.Icmp.Type, code: input.Icmp.Code },
})

export const networkAclActions = {
  CreateNetworkAcl: command(
    { VpcId: required(string()), ClientToken: string(), TagSpecification: tagSpecifications },
    async (ctx, input) => {
      const { acl, tags } = await networkAcls.createNetworkAcl(ctx, {
        vpcId: input.VpcId,
        ...(input.ClientToken !== undefined ? { clientToken: input.ClientToken } : {}),
        tagSpecifications: input.TagSpecification,
      })
      return { networkAcl: networkAclShape(acl, tags), clientToken: input.ClientToken }
    },
  ),

  DeleteNetworkAcl: command({ NetworkAclId: required(string()) }, async (ctx, input) => {
    await networkAcls.deleteNetworkAcl(ctx, input.NetworkAclId)
    return {}
  }),

  DescribeNetworkAcls: query(describeParams('NetworkAclId', pageRange), async (ctx, input) => {
    const page = await networkAcls.describeNetworkAcls(ctx, describeRequest(input.NetworkAclId, input, ctx))
    return {
      networkAclSet: page.items.map((i) => networkAclShape(i.resource.body, i.tags)),
      nextToken: page.nextToken,
    }
  }),

  CreateNetworkAclEntry: command(entryParams, async (ctx, input) => {
    await networkAcls.createNetworkAclEntry(ctx, input.NetworkAclId, entryRequest(input))
    return {}
  }),

  ReplaceNetworkAclEntry: command(entryParams, async (ctx, input) => {
    await networkAcls.replaceNetworkAclEntry(ctx, input.NetworkAclId, entryRequest(input))
    return {}
  }),

  DeleteNetworkAclEntry: command(
    { NetworkAclId: required(string()), RuleNumber: required(int()), Egress: required(bool()) },
    async (ctx, input) => {
      await networkAcls.deleteNetworkAclEntry(ctx, input.NetworkAclId, input.RuleNumber, input.Egress)
      return {}
    },
  ),

  ReplaceNetworkAclAssociation: command(
    { AssociationId: required(string()), NetworkAclId: required(string()) },
    async (ctx, input) => {
      const newAssociationId = await networkAcls.replaceNetworkAclAssociation(
        ctx,
        input.AssociationId,
        input.NetworkAclId,
      )
      return { newAssociationId }
    },
  ),
}

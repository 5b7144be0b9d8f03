import { errors } from '../domain/errors.js'
import {
  buildEntry,
  checkRuleNumber,
  customAclEntries,
  type EntryRequest,
  NETWORK_ACL_LIMITS,
  type NetworkAcl,
  type NetworkAclEntry,
  protocolName,
  withEntryAdded,
  withEntryRemoved,
  withEntryReplaced,
} from '../domain/network-acl.js'
import type { Vpc } from '../domain/vpc.js'
import type { Stored } from '../ports/store.js'
import type { Context } from './context.js'
import { type DescribeRequest, describe, findOwned, findVpcForCreate, kinds, tagsOf } from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

export interface CreateNetworkAclInput {
  readonly vpcId: string
  readonly clientToken?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

/** The ACL an earlier call with this ClientToken made; the same token for another VPC is refused. */
async function earlierCreate(ctx: Context, input: CreateNetworkAclInput) {
  if (input.clientToken === undefined) return undefined
  const acls = await ctx.tx.list<NetworkAcl>(kinds.networkAcl.type, { visibleTo: ctx.caller })
  const earlier = acls.find((acl) => acl.body.clientToken === input.clientToken)
  if (earlier && earlier.body.vpcId !== input.vpcId) {
    throw errors.idempotentParameterMismatch(input.clientToken)
  }
  return earlier
}

export async function createNetworkAcl(ctx: Context, input: CreateNetworkAclInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, kinds.networkAcl.type)
  const earlier = await earlierCreate(ctx, input)
  if (earlier) return { acl: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const vpc = await findVpcForCreate(ctx, input.vpcId)
  const siblings = await ctx.tx.list<NetworkAcl>(kinds.networkAcl.type, { vpcId: vpc.id })
  if (siblings.length >= NETWORK_ACL_LIMITS.aclsPerVpc) {
    throw errors.limitExceeded(
      'NetworkAclLimitExceeded',
      `The maximum number of network ACLs (${NETWORK_ACL_LIMITS.aclsPerVpc}) has been reached for ${vpc.id}.`,
    )
  }
  const networkAclId = ctx.newId('acl')
  const acl: NetworkAcl = {
    networkAclId,
    vpcId: vpc.id,
    ownerId: ctx.caller.accountId,
    isDefault: false,
    entries: customAclEntries(),
    associations: [],
    ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
  }
  await ctx.tx.insert<NetworkAcl>({
    id: networkAclId,
    kind: kinds.networkAcl.type,
    owner: ctx.caller,
    vpcId: vpc.id,
    body: acl,
  })
  await applyTags(ctx, networkAclId, tags)
  return { acl, tags }
}

/** A VPC's default ACL lives as long as the VPC; any other goes once no subnet uses it. */
export async function deleteNetworkAcl(ctx: Context, networkAclId: string) {
  const acl = await findOwned<NetworkAcl>(ctx, kinds.networkAcl, networkAclId)
  if (acl.body.isDefault) {
    throw errors.invalidParameterValue(`cannot delete default network ACL ${networkAclId}`)
  }
  if (acl.body.associations.length > 0) throw errors.dependencyViolation('networkAcl', networkAclId)
  await ctx.tx.remove(acl)
}

async function changeEntries(
  ctx: Context,
  networkAclId: string,
  change: (entries: readonly NetworkAclEntry[]) => NetworkAclEntry[],
) {
  const acl = await findOwned<NetworkAcl>(ctx, kinds.networkAcl, networkAclId)
  await ctx.tx.update(acl, { ...acl.body, entries: change(acl.body.entries) })
}

export function createNetworkAclEntry(ctx: Context, networkAclId: string, request: EntryRequest) {
  const entry = buildEntry(request)
  return changeEntries(ctx, networkAclId, (entries) => withEntryAdded(entries, entry))
}

export function replaceNetworkAclEntry(ctx: Context, networkAclId: string, request: EntryRequest) {
  const entry = buildEntry(request)
  return changeEntries(ctx, networkAclId, (entries) => withEntryReplaced(entries, entry))
}

export function deleteNetworkAclEntry(
  ctx: Context,
  networkAclId: string,
  ruleNumber: number,
  egress: boolean,
) {
  checkRuleNumber(ruleNumber)
  return changeEntries(ctx, networkAclId, (entries) => withEntryRemoved(entries, ruleNumber, egress))
}

/**
 * Moves a subnet to another ACL of its VPC. The subnet's current association is named, not the
 * subnet; it is replaced by a new association with a new id, even when the ACL stays the same.
 */
export async function replaceNetworkAclAssociation(
  ctx: Context,
  associationId: string,
  networkAclId: string,
) {
  const acls = await ctx.tx.list<NetworkAcl>(kinds.networkAcl.type, { visibleTo: ctx.caller })
  const current = acls.find((acl) =>
    acl.body.associations.some((a) => a.networkAclAssociationId === associationId),
  )
  if (!current) throw errors.associationNotFound(associationId)
  const target = await findOwned<NetworkAcl>(ctx, kinds.networkAcl, networkAclId)
  const { subnetId } = current.body.associations.find((a) => a.networkAclAssociationId === associationId)!
  if (target.body.vpcId !== current.body.vpcId) {
    throw errors.invalidParameterValue(
      `Network ACL ${networkAclId} and subnet ${subnetId} belong to different networks`,
    )
  }
  const newAssociation = { networkAclAssociationId: ctx.newId('aclassoc'), subnetId }
  const without = (acl: Stored<NetworkAcl>) =>
    acl.body.associations.filter((a) => a.networkAclAssociationId !== associationId)
  if (target.id !== current.id)
    await ctx.tx.update(current, { ...current.body, associations: without(current) })
  await ctx.tx.update(target, { ...target.body, associations: [...without(target), newAssociation] })
  return newAssociation.networkAclAssociationId
}

export function describeNetworkAcls(ctx: Context, request: DescribeRequest) {
  const entryField =
    (pick: (entry: NetworkAclEntry) => string | number | boolean | undefined) =>
    ({ resource }: { resource: Stored<NetworkAcl> }) =>
      resource.body.entries.map(pick)
  return describe<NetworkAcl>(ctx, kinds.networkAcl, request, {
    idParameter: 'NetworkAclId',
    fields: {
      'association.association-id': ({ resource }) =>
        resource.body.associations.map((a) => a.networkAclAssociationId),
      'association.network-acl-id': ({ resource }) => resource.body.associations.map(() => resource.id),
      'association.subnet-id': ({ resource }) => resource.body.associations.map((a) => a.subnetId),
      default: ({ resource }) => resource.body.isDefault,
      'entry.cidr': entryField((e) => e.cidrBlock),
      'entry.icmp.code': entryField((e) => e.icmpTypeCode?.code),
      'entry.icmp.type': entryField((e) => e.icmpTypeCode?.type),
      'entry.ipv6-cidr': entryField((e) => e.ipv6CidrBlock),
      'entry.port-range.from': entryField((e) => e.portRange?.from),
      'entry.port-range.to': entryField((e) => e.portRange?.to),
      // AWS documents `tcp | udp | icmp or a protocol number` for this filter.
      'entry.protocol': ({ resource }) =>
        resource.body.entries.flatMap((e) => [e.protocol, protocolName(e.protocol)]),
      'entry.rule-action': entryField((e) => e.ruleAction),
      'entry.egress': entryField((e) => e.egress),
      'entry.rule-number': entryField((e) => e.ruleNumber),
      'network-acl-id': ({ resource }) => resource.id,
      'owner-id': ({ resource }) => resource.body.ownerId,
      'vpc-id': ({ resource }) => resource.body.vpcId,
    },
  })
}

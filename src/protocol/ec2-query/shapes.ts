import type { Context } from '../../app/context.js'
import type { Filter } from '../../app/describe.js'
import { availableAddresses } from '../../app/subnets.js'
import { dhcpOptionsId } from '../../app/vpcs.js'
import type { Subnet } from '../../domain/subnet.js'
import { subnetArn } from '../../domain/subnet.js'
import type { Vpc } from '../../domain/vpc.js'
import type { Tag } from '../../ports/store.js'
import { filters, int, list, string } from './params.js'

/** Domain records rendered with the model's element names (Appendix A's shape dictionary). */
export const tagSet = (tags: readonly Tag[]) => tags.map((t) => ({ key: t.key, value: t.value }))

export function vpcShape(vpc: Vpc, tags: readonly Tag[], state: 'pending' | 'available' = 'available') {
  return {
    vpcId: vpc.vpcId,
    ownerId: vpc.ownerId,
    instanceTenancy: vpc.instanceTenancy,
    ipv6CidrBlockAssociationSet: vpc.ipv6CidrBlockAssociations.map((a) => ipv6AssociationShape(a)),
    cidrBlockAssociationSet: vpc.cidrBlockAssociations.map((a) => cidrAssociationShape(a)),
    isDefault: false,
    blockPublicAccessStates: { internetGatewayBlockMode: 'off' },
    tagSet: tagSet(tags),
    state,
    cidrBlock: vpc.cidrBlock,
    dhcpOptionsId: dhcpOptionsId(vpc.ownerId, vpc.region),
  }
}

export const cidrAssociationShape = (
  a: { associationId: string; cidrBlock: string },
  state = 'associated',
) => ({ associationId: a.associationId, cidrBlock: a.cidrBlock, cidrBlockState: { state } })

export const ipv6AssociationShape = (
  a: { associationId: string; ipv6CidrBlock: string; networkBorderGroup: string },
  state = 'associated',
) => ({
  associationId: a.associationId,
  ipv6CidrBlock: a.ipv6CidrBlock,
  ipv6CidrBlockState: { state },
  networkBorderGroup: a.networkBorderGroup,
  ipv6Pool: 'Amazon',
  ipv6AddressAttribute: 'public',
  ipSource: 'amazon',
})

export const subnetIpv6AssociationShape = (
  a: { associationId: string; ipv6CidrBlock: string },
  state = 'associated',
) => ({
  associationId: a.associationId,
  ipv6CidrBlock: a.ipv6CidrBlock,
  ipv6CidrBlockState: { state },
  ipv6AddressAttribute: 'public',
  ipSource: 'amazon',
})

export function subnetShape(
  subnet: Subnet,
  tags: readonly Tag[],
  state: 'pending' | 'available' = 'available',
) {
  return {
    subnetId: subnet.subnetId,
    subnetArn: subnetArn(subnet),
    vpcId: subnet.vpcId,
    ownerId: subnet.ownerId,
    state,
    cidrBlock: subnet.cidrBlock,
    availableIpAddressCount: availableAddresses(subnet),
    availabilityZone: subnet.availabilityZone,
    availabilityZoneId: subnet.availabilityZoneId,
    defaultForAz: false,
    mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
    mapCustomerOwnedIpOnLaunch: false,
    assignIpv6AddressOnCreation: subnet.assignIpv6AddressOnCreation,
    ipv6CidrBlockAssociationSet: subnet.ipv6CidrBlockAssociations.map((a) => subnetIpv6AssociationShape(a)),
    tagSet: tagSet(tags),
    enableDns64: subnet.enableDns64,
    ipv6Native: subnet.ipv6Native,
    privateDnsNameOptionsOnLaunch: {
      hostnameType: subnet.hostnameType,
      enableResourceNameDnsARecord: subnet.enableResourceNameDnsARecord,
      enableResourceNameDnsAAAARecord: subnet.enableResourceNameDnsAAAARecord,
    },
    blockPublicAccessStates: { internetGatewayBlockMode: 'off' },
  }
}

/** Drops members whose value is undefined, for optional inputs under exactOptionalPropertyTypes-style code. */
export const defined = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }

/** The parameters every paginated Describe takes: an id list, filters, MaxResults and NextToken. */
export function describeParams<K extends string>(idName: K, range: { min: number; max: number }) {
  return {
    [idName]: list(string()),
    Filter: filters,
    MaxResults: int(range),
    NextToken: string(),
  } as { [P in K]: ReturnType<typeof list<string>> } & {
    Filter: typeof filters
    MaxResults: ReturnType<typeof int>
    NextToken: ReturnType<typeof string>
  }
}

/** The describe request the app layer takes, from decoded describe parameters. */
export function describeRequest(
  ids: readonly string[],
  input: { Filter: readonly Filter[]; MaxResults?: number; NextToken?: string },
  ctx: Context,
) {
  return {
    ids,
    filters: input.Filter,
    ...(input.MaxResults !== undefined ? { maxResults: input.MaxResults } : {}),
    ...(input.NextToken !== undefined ? { nextToken: input.NextToken } : {}),
    ...(ids.length === 0 ? { pageLimit: ctx.settings.maxPageSize } : {}),
  }
}

import { errors } from '../domain/errors.js'
import { availabilityZones, isRegionName, knownRegions, regionEndpoint } from '../domain/regions.js'
import type { Context } from './context.js'
import { compileFilters, type Filter } from './describe.js'

export interface RegionInfo {
  readonly regionName: string
  readonly regionEndpoint: string
  readonly optInStatus: 'opt-in-not-required'
}

export function describeRegions(
  ctx: Context,
  request: { regionNames: readonly string[]; filters: readonly Filter[] },
): RegionInfo[] {
  const names = [...new Set([...knownRegions, ctx.caller.region])]
  for (const name of request.regionNames) {
    if (!names.includes(name)) throw errors.invalidParameterValue(`Invalid region: ${name}`)
  }
  const matches = compileFilters<RegionInfo>(request.filters, {
    endpoint: (r) => r.regionEndpoint,
    'region-name': (r) => r.regionName,
    'opt-in-status': (r) => r.optInStatus,
  })
  return names
    .filter((name) => request.regionNames.length === 0 || request.regionNames.includes(name))
    .map((name) => ({
      regionName: name,
      regionEndpoint: regionEndpoint(name),
      optInStatus: 'opt-in-not-required' as const,
    }))
    .filter(matches)
}

export interface ZoneInfo {
  readonly zoneName: string
  readonly zoneId: string
  readonly regionName: string
  readonly zoneState: 'available'
  readonly zoneType: 'availability-zone'
  readonly groupName: string
  readonly networkBorderGroup: string
  readonly optInStatus: 'opt-in-not-required'
}

export function describeAvailabilityZones(
  ctx: Context,
  request: { zoneNames: readonly string[]; zoneIds: readonly string[]; filters: readonly Filter[] },
): ZoneInfo[] {
  const region = ctx.caller.region
  if (!isRegionName(region)) throw errors.invalidParameterValue(`Invalid region: ${region}`)
  const zones: ZoneInfo[] = availabilityZones(region).map((zone) => ({
    ...zone,
    zoneState: 'available',
    zoneType: 'availability-zone',
    groupName: region,
    networkBorderGroup: region,
    optInStatus: 'opt-in-not-required',
  }))
  for (const name of request.zoneNames) {
    if (!zones.some((z) => z.zoneName === name)) throw errors.invalidValue('ZoneName', name)
  }
  for (const id of request.zoneIds) {
    if (!zones.some((z) => z.zoneId === id)) throw errors.invalidValue('ZoneId', id)
  }
  const matches = compileFilters<ZoneInfo>(request.filters, {
    'group-name': (z) => z.groupName,
    'network-border-group': (z) => z.networkBorderGroup,
    'opt-in-status': (z) => z.optInStatus,
    'region-name': (z) => z.regionName,
    state: (z) => z.zoneState,
    'zone-id': (z) => z.zoneId,
    'zone-name': (z) => z.zoneName,
    'zone-type': (z) => z.zoneType,
  })
  return zones.filter(
    (zone) =>
      (request.zoneNames.length === 0 || request.zoneNames.includes(zone.zoneName)) &&
      (request.zoneIds.length === 0 || request.zoneIds.includes(zone.zoneId)) &&
      matches(zone),
  )
}

/** What DescribeAccountAttributes reports: a VPC-only account with no default VPC. */
const ACCOUNT_ATTRIBUTES: Record<string, string[]> = {
  'supported-platforms': ['VPC'],
  'default-vpc': ['none'],
  'max-instances': ['20'],
  'vpc-max-security-groups-per-interface': ['5'],
  'max-elastic-ips': ['5'],
  'vpc-max-elastic-ips': ['5'],
}

export function describeAccountAttributes(attributeNames: readonly string[]) {
  for (const name of attributeNames) {
    if (!(name in ACCOUNT_ATTRIBUTES)) throw errors.invalidValue('AttributeName', name)
  }
  const names = attributeNames.length > 0 ? attributeNames : Object.keys(ACCOUNT_ATTRIBUTES)
  return names.map((name) => ({ attributeName: name, attributeValues: ACCOUNT_ATTRIBUTES[name]! }))
}

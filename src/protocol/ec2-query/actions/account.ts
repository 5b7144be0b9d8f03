import * as account from '../../../app/account.js'
import { query } from '../action.js'
import { bool, filters, list, string } from '../params.js'

export const accountActions = {
  DescribeRegions: query(
    { RegionName: list(string()), Filter: filters, AllRegions: bool() },
    (ctx, input) => ({
      regionInfo: account.describeRegions(ctx, { regionNames: input.RegionName, filters: input.Filter }),
    }),
  ),

  DescribeAvailabilityZones: query(
    { ZoneName: list(string()), ZoneId: list(string()), Filter: filters, AllAvailabilityZones: bool() },
    (ctx, input) => ({
      availabilityZoneInfo: account
        .describeAvailabilityZones(ctx, {
          zoneNames: input.ZoneName,
          zoneIds: input.ZoneId,
          filters: input.Filter,
        })
        .map(({ zoneState, ...zone }) => ({ ...zone, zoneState, messageSet: [] })),
    }),
  ),

  DescribeAccountAttributes: query({ AttributeName: list(string()) }, (_ctx, input) => ({
    accountAttributeSet: account.describeAccountAttributes(input.AttributeName).map((a) => ({
      attributeName: a.attributeName,
      attributeValueSet: a.attributeValues.map((value) => ({ attributeValue: value })),
    })),
  })),
}

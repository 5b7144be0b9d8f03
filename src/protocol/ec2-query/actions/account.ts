import * as account from '../../../app/account.js'
import * as tags from '../../../app/tags.js'
import { command, query } from '../action.js'
import { bool, filters, int, list, string, tag } from '../params.js'

export const accountActions = {
  CreateTags: command({ ResourceId: list(string()), Tag: list(tag) }, async (ctx, input) => {
    await tags.createTags(ctx, input.ResourceId, input.Tag)
    return {}
  }),

  DeleteTags: command({ ResourceId: list(string()), Tag: list(tag) }, async (ctx, input) => {
    await tags.deleteTags(ctx, input.ResourceId, input.Tag)
    return {}
  }),

  DescribeTags: query(
    { Filter: filters, MaxResults: int({ min: 5, max: 1000 }), NextToken: string() },
    async (ctx, input) => {
      const page = await tags.describeTags(ctx, {
        filters: input.Filter,
        ...(input.MaxResults !== undefined ? { maxResults: input.MaxResults } : {}),
        ...(input.NextToken !== undefined ? { nextToken: input.NextToken } : {}),
      })
      return { tagSet: page.tags, nextToken: page.nextToken }
    },
  ),

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

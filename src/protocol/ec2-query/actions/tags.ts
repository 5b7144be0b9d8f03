import * as tags from '../../../app/tags.js'
import { command, query } from '../action.js'
import { filters, int, list, string, tag } from '../params.js'

export const tagActions = {
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
}

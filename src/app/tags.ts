import { errors } from '../domain/errors.js'
import { isWellFormed } from '../domain/ids.js'
import { MAX_TAGS_PER_RESOURCE, type TagInput, validateTags } from '../domain/tags.js'
import type { Tag } from '../ports/store.js'
import type { Context } from './context.js'
import { compileFilters, type Filter, paginate } from './describe.js'
import { isVisibleId, kindOfId } from './resources.js'

/** `TagSpecification.N` of a create action: the resource type it is for, and its tags. */
export interface TagSpecification {
  readonly resourceType?: string
  readonly tags: readonly TagInput[]
}

async function putTags(ctx: Context, resourceId: string, tags: readonly Tag[]) {
  const current = (await ctx.tx.tagsOf(ctx.caller, [resourceId])).get(resourceId) ?? []
  // A key named twice keeps its last value [INF]; one upsert may not touch a row twice.
  const unique = [...new Map(tags.map((t) => [t.key, t])).values()]
  const keys = new Set([...current.map((t) => t.key), ...unique.map((t) => t.key)])
  if (keys.size > MAX_TAGS_PER_RESOURCE) throw errors.tagLimitExceeded()
  await ctx.tx.putTags(ctx.caller, resourceId, unique)
}

/**
 * Tags from `TagSpecification.N` on a create action. Each specification must name the type
 * the action creates; its tags go to the caller's view of the new resource.
 */
export function checkTagSpecifications(specs: readonly TagSpecification[], resourceType: string): Tag[] {
  const tags: Tag[] = []
  for (const spec of specs) {
    if (spec.resourceType === undefined) throw errors.missingParameter('TagSpecification.N.ResourceType')
    if (spec.resourceType !== resourceType) {
      throw errors.invalidParameterValue(
        `'${spec.resourceType}' is not a valid taggable resource type for this operation.`,
      )
    }
    tags.push(...validateTags(spec.tags))
  }
  if (new Set(tags.map((t) => t.key)).size > MAX_TAGS_PER_RESOURCE) throw errors.tagLimitExceeded()
  return tags
}

export async function applyTags(ctx: Context, resourceId: string, tags: readonly Tag[]) {
  if (tags.length > 0) await putTags(ctx, resourceId, tags)
}

/** Checks that every id names a resource the caller sees; tags are per caller view. */
async function resolveResources(ctx: Context, resourceIds: readonly string[]) {
  if (resourceIds.length === 0) throw errors.missingParameter('ResourceId')
  if (resourceIds.length > 1000)
    throw errors.invalidParameterValue('The maximum number of ResourceId values is 1000.')
  for (const id of resourceIds) {
    const kind = kindOfId(id)
    // Tags answer any id that is not one vpcpeer could have made InvalidID, not a kind's Malformed.
    if (!kind || !isWellFormed(kind.id, id)) throw errors.invalidId(id)
    if (!(await isVisibleId(ctx, kind, id))) throw errors.notFound(kind.id, id)
  }
}

export async function createTags(ctx: Context, resourceIds: readonly string[], tags: readonly TagInput[]) {
  if (tags.length === 0) throw errors.missingParameter('Tag')
  const valid = validateTags(tags)
  await resolveResources(ctx, resourceIds)
  for (const id of resourceIds) await putTags(ctx, id, valid)
}

/**
 * A key alone removes the tag whatever its value; a key with a value (even empty) removes it
 * only when the value matches; no tags at all removes every tag but the `aws:` ones.
 */
export async function deleteTags(ctx: Context, resourceIds: readonly string[], tags: readonly TagInput[]) {
  for (const tag of tags) {
    if (!tag.key) throw errors.invalidTagKey('')
    if (tag.key.toLowerCase().startsWith('aws:')) throw errors.invalidTagKey(tag.key)
  }
  await resolveResources(ctx, resourceIds)
  const selection =
    tags.length === 0
      ? undefined
      : tags.map((t) => ({ key: t.key!, ...(t.value !== undefined ? { value: t.value } : {}) }))
  for (const id of resourceIds) await ctx.tx.removeTags(ctx.caller, id, selection)
}

export interface TagDescription {
  readonly resourceId: string
  readonly resourceType: string
  readonly key: string
  readonly value: string
}

export async function describeTags(
  ctx: Context,
  request: { filters: readonly Filter[]; maxResults?: number; nextToken?: string },
) {
  const rows = await ctx.tx.listTags(ctx.caller)
  const described: TagDescription[] = rows.map((row) => ({
    resourceId: row.resourceId,
    resourceType: kindOfId(row.resourceId)?.type ?? 'unknown',
    key: row.key,
    value: row.value,
  }))
  const matches = compileFilters<TagDescription>(
    request.filters.map((f) => (f.name.startsWith('tag:') ? { name: 'key', values: [f.name.slice(4)] } : f)),
    {
      key: (t) => t.key,
      value: (t) => t.value,
      'resource-id': (t) => t.resourceId,
      'resource-type': (t) => t.resourceType,
    },
  )
  // `tag:<key>=<v>` means key and value both match; handled as two conditions on one row.
  const tagValueFilters = request.filters.filter((f) => f.name.startsWith('tag:'))
  const matchesTagValues = compileFilters<TagDescription>(
    tagValueFilters.map((f) => ({ name: 'value', values: f.values })),
    { value: (t) => t.value },
  )
  const filtered = described.filter((t) => matches(t) && matchesTagValues(t))
  const page = paginate(filtered, request, (t) => [0, `${t.resourceId}\n${t.key}`])
  return { tags: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

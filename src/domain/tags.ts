import { errors } from './errors.js'

/** One tag as a caller's view of a resource holds it. */
export interface Tag {
  readonly key: string
  readonly value: string
}

export const MAX_TAGS_PER_RESOURCE = 50

/** Checks tags a caller sets: key 1–127 characters not starting with `aws:`, value up to 256. */
/** A tag as a request gives it: either part may be missing, which validation answers. */
export interface TagInput {
  readonly key?: string
  readonly value?: string
}

export function validateTags(tags: readonly TagInput[]): Tag[] {
  return tags.map(({ key = '', value }) => {
    if (key === '' || key.toLowerCase().startsWith('aws:')) throw errors.invalidTagKey(key)
    if (key.length > 127)
      throw errors.invalidParameterValue(`Tag key exceeds the maximum length of 127 characters`)
    if (value === undefined)
      throw errors.invalidParameterValue('Tag value cannot be null. Use empty string instead.')
    if (value.length > 256)
      throw errors.invalidParameterValue(`Tag value exceeds the maximum length of 256 characters`)
    return { key, value }
  })
}

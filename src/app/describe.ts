import { errors } from '../domain/errors.js'
import type { Stored, Tag } from '../ports/store.js'

/**
 * The one filter and pagination engine behind every Describe action: filters are ANDed, the
 * values of one filter ORed, values may use `*` and `?` (and `\` to escape them), and
 * `tag:<key>`, `tag-key` and `tag-value` work on every resource that has tags.
 */
export interface Filter {
  readonly name: string
  readonly values: readonly string[]
}

export type FieldValue =
  | string
  | number
  | boolean
  | undefined
  | null
  | readonly (string | number | boolean | undefined)[]

/** Filter name → the values a resource shows for it. */
export type FilterFields<T> = Readonly<Record<string, (item: T) => FieldValue>>

/** A compiled filter value: `test` says whether a resource's value matches it. */
export interface Matcher {
  test(value: string): boolean
}

const ANY_ONE = Symbol('?')
const ANY_RUN = Symbol('*')
type Token = string | typeof ANY_ONE | typeof ANY_RUN

/**
 * Compiled short patterns, at most 10,000 of them. Long ones are compiled each time: a cache
 * of megabyte-long values that callers can choose would hold gigabytes (the soak's server grew
 * from 184 MB to 980 MB before this bound).
 */
const patternCache = new Map<string, Matcher>()
export const CACHED_PATTERN_LENGTH = 256
/** How many compiled patterns are held (for the test that long ones are not). */
export const cachedPatternCount = () => patternCache.size

/**
 * A filter value as a matcher. Matched by walking the pattern, never by building a regular
 * expression: a caller's value may be megabytes long (too large for a RegExp) or full of `*`
 * (which backtracking regexes take exponential time over); this takes at most
 * pattern × value steps.
 */
export function wildcard(pattern: string): Matcher {
  let matcher = patternCache.get(pattern)
  if (!matcher) {
    const tokens: Token[] = []
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i]!
      if (ch === '\\' && i + 1 < pattern.length) tokens.push(pattern[++i]!)
      else if (ch === '*') tokens.push(ANY_RUN)
      else if (ch === '?') tokens.push(ANY_ONE)
      else tokens.push(ch)
    }
    matcher = { test: (value) => globMatch(tokens, value) }
    if (pattern.length <= CACHED_PATTERN_LENGTH) {
      if (patternCache.size >= 10_000) patternCache.clear()
      patternCache.set(pattern, matcher)
    }
  }
  return matcher
}

/** Greedy matching that, on a mismatch, lets the last `*` take one more character. */
function globMatch(tokens: readonly Token[], value: string): boolean {
  let t = 0
  let v = 0
  let star = -1
  let resume = 0
  while (v < value.length) {
    const token = tokens[t]
    if (token === ANY_RUN) {
      star = t++
      resume = v
    } else if (token !== undefined && (token === ANY_ONE || token === value[v])) {
      t++
      v++
    } else if (star >= 0) {
      t = star + 1
      v = ++resume
    } else {
      return false
    }
  }
  while (tokens[t] === ANY_RUN) t++
  return t === tokens.length
}

const asStrings = (value: FieldValue): string[] => {
  if (value === undefined || value === null) return []
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(String)
  return [String(value)]
}

/** Builds one predicate from the request's filters; an unknown filter name is refused up front. */
export function compileFilters<T>(
  filters: readonly Filter[],
  fields: FilterFields<T>,
  tagsOf: (item: T) => readonly Tag[] = () => [],
): (item: T) => boolean {
  const tests = filters.map((filter): ((item: T) => boolean) => {
    const patterns = filter.values.map(wildcard)
    const anyMatch = (values: string[]) => values.some((value) => patterns.some((p) => p.test(value)))
    if (filter.name.startsWith('tag:')) {
      const key = filter.name.slice(4)
      return (item) =>
        anyMatch(
          tagsOf(item)
            .filter((t) => t.key === key)
            .map((t) => t.value),
        )
    }
    if (filter.name === 'tag-key') return (item) => anyMatch(tagsOf(item).map((t) => t.key))
    if (filter.name === 'tag-value') return (item) => anyMatch(tagsOf(item).map((t) => t.value))
    const field = Object.hasOwn(fields, filter.name) ? fields[filter.name] : undefined
    if (!field) throw errors.invalidFilter(filter.name)
    return (item) => anyMatch(asStrings(field(item)))
  })
  return (item) => tests.every((test) => test(item))
}

export interface PageRequest {
  readonly maxResults?: number
  readonly nextToken?: string
  /** The page size when maxResults is absent (a Describe from the wire); unbounded if absent too. */
  readonly pageLimit?: number
}

export interface Page<T> {
  readonly items: T[]
  readonly nextToken?: string
}

/** Where an item stands in a listing: creation revision, then a tiebreaking string. */
export type Position = readonly [number, string]

export const storedPosition = (item: Stored<unknown>): Position => [item.createdRevision, item.id]

// A token names the last item returned, so a page stays right when earlier items are
// deleted between calls.
const encodeToken = (position: Position) => Buffer.from(JSON.stringify(position)).toString('base64url')

function decodeToken(token: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString())
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string')
      return [value[0], value[1]]
  } catch {}
  throw errors.invalidNextToken(token)
}

const compare = (a: Position, b: Position) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)
const after = (a: Position, b: Position) => compare(a, b) > 0

/**
 * One page of items in position order. They are sorted here, by code unit, rather than trusted
 * to arrive sorted: a database's collation may order the tiebreaking strings differently, and
 * the token's `after` test must agree with the order of the listing.
 */
export function paginate<T>(
  unordered: readonly T[],
  request: PageRequest,
  positionOf: (item: T) => Position,
): Page<T> {
  const items = unordered
    .map((item) => ({ item, position: positionOf(item) }))
    .sort((a, b) => compare(a.position, b.position))
    .map(({ item }) => item)
  let start = 0
  if (request.nextToken) {
    const last = decodeToken(request.nextToken)
    start = items.findIndex((item) => after(positionOf(item), last))
    if (start < 0) start = items.length
  }
  const limit = request.maxResults ?? Math.min(items.length, request.pageLimit ?? items.length)
  const pageItems = items.slice(start, start + limit)
  const last = pageItems.at(-1)
  return start + limit < items.length && last !== undefined
    ? { items: pageItems, nextToken: encodeToken(positionOf(last)) }
    : { items: pageItems }
}

/** AWS refuses an id list together with MaxResults. */
export function checkIdsWithoutMaxResults(
  ids: readonly string[],
  maxResults: number | undefined,
  idName: string,
) {
  if (ids.length > 0 && maxResults !== undefined) {
    throw errors.invalidParameterCombination(
      `The parameter ${idName} cannot be used with the parameter maxResults`,
    )
  }
}

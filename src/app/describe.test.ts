import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../domain/errors.js'
import type { Tag } from '../ports/store.js'
import {
  CACHED_PATTERN_LENGTH,
  cachedPatternCount,
  checkIdsWithoutMaxResults,
  compileFilters,
  type Filter,
  type FilterFields,
  type Page,
  type Position,
  paginate,
  wildcard,
} from './describe.js'

interface Item {
  readonly id: string
  readonly cidr: string
  readonly blocks: string[]
  readonly isDefault: boolean
  readonly tags: Tag[]
}

const fields: FilterFields<Item> = {
  'vpc-id': (i) => i.id,
  cidr: (i) => i.cidr,
  'cidr-block-association.cidr-block': (i) => i.blocks,
  'is-default': (i) => i.isDefault,
}

const items: Item[] = [
  {
    id: 'vpc-1',
    cidr: '10.0.0.0/16',
    blocks: ['10.0.0.0/16', '10.1.0.0/16'],
    isDefault: false,
    tags: [
      { key: 'Name', value: 'alpha' },
      { key: 'env', value: 'prod' },
    ],
  },
  {
    id: 'vpc-2',
    cidr: '10.2.0.0/16',
    blocks: ['10.2.0.0/16'],
    isDefault: true,
    tags: [
      { key: 'Name', value: 'beta*' },
      { key: 'team', value: 'prod' },
    ],
  },
  { id: 'vpc-3', cidr: '192.168.0.0/24', blocks: ['192.168.0.0/24'], isDefault: false, tags: [] },
]

const select = (filters: Filter[]) =>
  items.filter(compileFilters(filters, fields, (i) => i.tags)).map((i) => i.id)

const apiError = (fn: () => unknown): ApiError => {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected an ApiError')
}

describe('wildcard', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['a*', 'a', true],
    ['a*', 'abc', true],
    ['a*', 'ba', false],
    ['*c', 'abc', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['*', '', true],
    ['?', '', false],
    // Backslash escapes: \* and \? are literal, \\ is one backslash.
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['a\\?', 'a?', true],
    ['a\\?', 'ab', false],
    ['a\\\\b', 'a\\b', true],
    ['a\\\\*', 'a\\anything', true],
    // Regex metacharacters are plain text.
    ['10.0.0.0/16', '10.0.0.0/16', true],
    ['10.0.0.0/16', '10x0x0x0/16', false],
    ['(a|b)[c]{1}^$+', '(a|b)[c]{1}^$+', true],
    // Wildcards cross any character, newlines included.
    ['a*b', 'a\nb', true],
  ])('%j matches %j: %s', (pattern, value, expected) => {
    expect(wildcard(pattern).test(value)).toBe(expected)
  })

  it('takes values too long for a regular expression (the fuzzer sent a 390 KB one)', () => {
    const long = 'v'.repeat(400_000)
    expect(wildcard(long).test(long)).toBe(true)
    expect(wildcard(long).test(`${long}w`)).toBe(false)
    expect(wildcard(`${long}*`).test(`${long}w`)).toBe(true)
  })

  it('keeps no compiled long pattern, so callers cannot fill the memory with them (the soak grew to 980 MB)', () => {
    const before = cachedPatternCount()
    for (let i = 0; i < 100; i++) wildcard(`${i}${'x'.repeat(CACHED_PATTERN_LENGTH)}`)
    expect(cachedPatternCount()).toBe(before)
    wildcard('x'.repeat(CACHED_PATTERN_LENGTH))
    expect(cachedPatternCount()).toBe(before + 1)
  })

  it('answers many stars against a long value without backtracking exponentially', () => {
    expect(wildcard(`${'*a'.repeat(30)}*b`).test('a'.repeat(5000))).toBe(false)
    expect(wildcard(`${'*a'.repeat(30)}*b`).test(`${'a'.repeat(5000)}b`)).toBe(true)
  })

  it('agrees with a regular expression built from the same pattern', () => {
    const toRegex = (pattern: string) =>
      new RegExp(
        `^${[...pattern].map((ch) => (ch === '*' ? '[\\s\\S]*' : ch === '?' ? '[\\s\\S]' : ch === 'a' ? 'a' : 'b')).join('')}$`,
      )
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*?]{0,8}$/), fc.stringMatching(/^[ab]{0,10}$/), (pattern, value) => {
        expect(wildcard(pattern).test(value)).toBe(toRegex(pattern).test(value))
      }),
    )
  })

  it('without wildcards matches exactly the same string and nothing else', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[*?\\]/.test(s)),
        fc.string(),
        (pattern, other) => {
          expect(wildcard(pattern).test(pattern)).toBe(true)
          expect(wildcard(pattern).test(other)).toBe(other === pattern)
        },
      ),
    )
  })
})

describe('compileFilters', () => {
  it('with no filters keeps everything', () => {
    expect(select([])).toEqual(['vpc-1', 'vpc-2', 'vpc-3'])
  })

  it('ORs the values of one filter', () => {
    expect(select([{ name: 'vpc-id', values: ['vpc-1', 'vpc-3'] }])).toEqual(['vpc-1', 'vpc-3'])
  })

  it('ANDs separate filters', () => {
    expect(
      select([
        { name: 'cidr', values: ['10.*'] },
        { name: 'tag:env', values: ['prod'] },
      ]),
    ).toEqual(['vpc-1'])
    expect(
      select([
        { name: 'vpc-id', values: ['vpc-1'] },
        { name: 'vpc-id', values: ['vpc-2'] },
      ]),
    ).toEqual([])
  })

  it('matches any element of a list-valued field', () => {
    expect(select([{ name: 'cidr-block-association.cidr-block', values: ['10.1.0.0/16'] }])).toEqual([
      'vpc-1',
    ])
    expect(select([{ name: 'cidr', values: ['10.1.0.0/16'] }])).toEqual([])
  })

  it('compares booleans as the strings true and false, case-sensitively', () => {
    expect(select([{ name: 'is-default', values: ['true'] }])).toEqual(['vpc-2'])
    expect(select([{ name: 'is-default', values: ['false'] }])).toEqual(['vpc-1', 'vpc-3'])
    expect(select([{ name: 'is-default', values: ['TRUE'] }])).toEqual([])
  })

  it('tag:<key> matches key and value of the same tag', () => {
    expect(select([{ name: 'tag:Name', values: ['alpha'] }])).toEqual(['vpc-1'])
    expect(select([{ name: 'tag:Name', values: ['*'] }])).toEqual(['vpc-1', 'vpc-2'])
    // 'prod' is vpc-2's team tag, not its env tag.
    expect(select([{ name: 'tag:env', values: ['prod'] }])).toEqual(['vpc-1'])
    // Keys are case-sensitive.
    expect(select([{ name: 'tag:name', values: ['alpha'] }])).toEqual([])
    expect(select([{ name: 'tag:Name', values: ['beta\\*'] }])).toEqual(['vpc-2'])
  })

  it('tag-key and tag-value match a key or a value on its own', () => {
    expect(select([{ name: 'tag-key', values: ['team', 'env'] }])).toEqual(['vpc-1', 'vpc-2'])
    expect(select([{ name: 'tag-key', values: ['t*'] }])).toEqual(['vpc-2'])
    expect(select([{ name: 'tag-value', values: ['prod'] }])).toEqual(['vpc-1', 'vpc-2'])
    expect(select([{ name: 'tag-value', values: ['beta?'] }])).toEqual(['vpc-2'])
  })

  it('refuses an unknown filter name up front, even with nothing to filter', () => {
    const error = apiError(() => compileFilters([{ name: 'x', values: ['1'] }], fields))
    expect(error.code).toBe('InvalidParameterValue')
    expect(error.message).toBe("The filter 'x' is invalid")
    expect(error.status).toBe(400)
    // Filter names are case-sensitive.
    expect(apiError(() => compileFilters([{ name: 'VPC-ID', values: [] }], fields)).message).toBe(
      "The filter 'VPC-ID' is invalid",
    )
  })

  it('does not treat Object.prototype members as filter names', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(apiError(() => compileFilters([{ name: name, values: ['x'] }], fields)).message).toBe(
        `The filter '${name}' is invalid`,
      )
    }
  })
})

describe('paginate', () => {
  interface Row {
    readonly rev: number
    readonly id: string
  }
  const positionOf = (row: Row): Position => [row.rev, row.id]
  const rows = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ rev: i + 1, id: `r-${i}` }))

  function drain(all: readonly Row[], maxResults: number): Row[] {
    const seen: Row[] = []
    let page: Page<Row> = paginate(all, { maxResults }, positionOf)
    for (;;) {
      expect(page.items.length).toBeLessThanOrEqual(maxResults)
      seen.push(...page.items)
      if (!page.nextToken) return seen
      page = paginate(all, { maxResults, nextToken: page.nextToken }, positionOf)
    }
  }

  it('returns everything without MaxResults', () => {
    const page = paginate(rows(7), {}, positionOf)
    expect(page.items).toHaveLength(7)
    expect(page.nextToken).toBeUndefined()
  })

  it('walks every item exactly once, in order, and ends without a token', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 12 }), (n, max) => {
        expect(drain(rows(n), max)).toEqual(rows(n))
      }),
    )
  })

  it('walks items exactly once even when they arrive in another order (a database collation)', () => {
    // DescribeTags positions tie on the revision and differ in strings a linguistic collation
    // sorts differently from code units ('Name' / 'name' / '_x' / 'a-b' / 'ab').
    const keys = ['name', 'Name', '_x', 'a-b', 'ab', 'B', 'b', '~', 'Ä', 'a b']
    fc.assert(
      fc.property(
        fc.shuffledSubarray(keys, { minLength: keys.length }),
        fc.integer({ min: 1, max: 4 }),
        (shuffled, max) => {
          const listed = shuffled.map((key) => ({ rev: 0, id: `vpc-1\n${key}` }))
          const seen = drain(listed, max).map((r) => r.id)
          expect(seen).toHaveLength(keys.length)
          expect(new Set(seen).size).toBe(keys.length)
        },
      ),
    )
  })

  it('gives no token when the last page is exactly full', () => {
    const first = paginate(rows(10), { maxResults: 5 }, positionOf)
    const second = paginate(rows(10), { maxResults: 5, nextToken: first.nextToken! }, positionOf)
    expect(second.items.map((r) => r.id)).toEqual(['r-5', 'r-6', 'r-7', 'r-8', 'r-9'])
    expect(second.nextToken).toBeUndefined()
  })

  it('keeps its place when earlier items, or the last one returned, are deleted between pages', () => {
    const all = rows(10)
    const first = paginate(all, { maxResults: 4 }, positionOf)
    expect(first.items.map((r) => r.id)).toEqual(['r-0', 'r-1', 'r-2', 'r-3'])
    const remaining = all.filter((r) => !['r-0', 'r-2', 'r-3'].includes(r.id))
    const second = paginate(remaining, { maxResults: 4, nextToken: first.nextToken! }, positionOf)
    expect(second.items.map((r) => r.id)).toEqual(['r-4', 'r-5', 'r-6', 'r-7'])
  })

  it('does not skip items created after the token was issued', () => {
    const first = paginate(rows(5), { maxResults: 5 }, positionOf)
    expect(first.nextToken).toBeUndefined()
    const before = paginate(rows(6), { maxResults: 3 }, positionOf)
    const rest = paginate(rows(8), { maxResults: 10, nextToken: before.nextToken! }, positionOf)
    expect(rest.items.map((r) => r.id)).toEqual(['r-3', 'r-4', 'r-5', 'r-6', 'r-7'])
  })

  it('answers an empty page when everything after the token is gone', () => {
    const first = paginate(rows(6), { maxResults: 5 }, positionOf)
    const page = paginate(rows(5), { maxResults: 5, nextToken: first.nextToken! }, positionOf)
    expect(page.items).toEqual([])
    expect(page.nextToken).toBeUndefined()
  })

  it.each([
    'garbage',
    '!!!',
    Buffer.from('{"a":1}').toString('base64url'),
    Buffer.from('[1]').toString('base64url'),
    Buffer.from('["1","x"]').toString('base64url'),
  ])('refuses the token %j with InvalidNextToken', (token) => {
    const error = apiError(() => paginate(rows(3), { maxResults: 5, nextToken: token }, positionOf))
    expect(error.code).toBe('InvalidNextToken')
    expect(error.status).toBe(400)
  })
})

describe('checkIdsWithoutMaxResults', () => {
  it('refuses ids together with MaxResults, and allows either alone', () => {
    const error = apiError(() => checkIdsWithoutMaxResults(['vpc-1'], 5, 'VpcId'))
    expect(error.code).toBe('InvalidParameterCombination')
    expect(error.message).toContain('VpcId')
    expect(() => checkIdsWithoutMaxResults(['vpc-1'], undefined, 'VpcId')).not.toThrow()
    expect(() => checkIdsWithoutMaxResults([], 5, 'VpcId')).not.toThrow()
  })
})

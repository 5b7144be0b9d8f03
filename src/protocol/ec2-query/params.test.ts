import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../domain/errors.js'
import {
  bool,
  decodeMembers,
  decodeTree,
  filters,
  int,
  list,
  oneOf,
  required,
  string,
  struct,
  tag,
  tagSpecifications,
  timestamp,
} from './params.js'

const tree = (params: Record<string, string> | string) => decodeTree(new URLSearchParams(params))

const apiError = (fn: () => unknown): ApiError => {
  try {
    fn()
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected an ApiError')
}

const describeMembers = {
  VpcId: list(string()),
  Filter: filters,
  MaxResults: int({ min: 5, max: 1000 }),
  NextToken: string(),
  DryRun: bool(),
}

describe('decodeTree', () => {
  it('splits names on dots into a tree and drops the envelope parameters', () => {
    const root = tree(
      'Action=DescribeVpcs&Version=2016-11-15&X-Amz-Date=20240101T000000Z&Filter.1.Name=a&Filter.1.Value.2=y&Filter.1.Value.1=x',
    )
    expect([...root.children!.keys()]).toEqual(['Filter'])
    const filter1 = root.children!.get('Filter')!.children!.get('1')!
    expect(filter1.children!.get('Name')!.value).toBe('a')
    expect([...filter1.children!.get('Value')!.children!.keys()]).toEqual(['2', '1'])
  })

  it('keeps a name that is both a value and a parent', () => {
    const root = tree('A=1&A.B=2')
    expect(root.children!.get('A')!.value).toBe('1')
    expect(root.children!.get('A')!.children!.get('B')!.value).toBe('2')
  })
})

describe('decodeMembers', () => {
  it('orders numbered lists by index, not by arrival or string order', () => {
    const input = decodeMembers(describeMembers, tree('VpcId.10=ten&VpcId.2=two&VpcId.1=one&VpcId.9=nine'))
    expect(input.VpcId).toEqual(['one', 'two', 'nine', 'ten'])
  })

  it('keeps gaps out: a sparse list is just its present items in order', () => {
    expect(decodeMembers(describeMembers, tree('VpcId.3=c&VpcId.1=a')).VpcId).toEqual(['a', 'c'])
  })

  it('decodes nested structures and lists inside lists', () => {
    const input = decodeMembers(
      describeMembers,
      tree({
        'Filter.2.Name': 'tag:Name',
        'Filter.2.Value.1': 'b',
        'Filter.1.Name': 'vpc-id',
        'Filter.1.Value.2': 'vpc-2',
        'Filter.1.Value.1': 'vpc-1',
        MaxResults: '5',
        DryRun: 'false',
      }),
    )
    expect(input).toEqual({
      VpcId: [],
      Filter: [
        { name: 'vpc-id', values: ['vpc-1', 'vpc-2'] },
        { name: 'tag:Name', values: ['b'] },
      ],
      MaxResults: 5,
      DryRun: false,
    })
  })

  it('gives absent lists their empty default and leaves absent scalars out', () => {
    const input = decodeMembers(describeMembers, tree(''))
    expect(input).toEqual({ VpcId: [], Filter: [] })
    expect('MaxResults' in input).toBe(false)
  })

  it('decodes TagSpecification.N.Tag.M into camelCase domain input, and structs like EnableDnsSupport.Value', () => {
    const input = decodeMembers(
      { TagSpecification: tagSpecifications, EnableDnsSupport: struct({ Value: bool() }) },
      tree({
        'TagSpecification.1.ResourceType': 'vpc',
        'TagSpecification.1.Tag.1.Key': 'Name',
        'TagSpecification.1.Tag.1.Value': '',
        'EnableDnsSupport.Value': 'true',
      }),
    )
    expect(input.TagSpecification).toEqual([{ resourceType: 'vpc', tags: [{ key: 'Name', value: '' }] }])
    expect(input.EnableDnsSupport).toEqual({ Value: true })
  })

  it.each([
    ['Filter.1.Nme=x', 'Filter.1.Nme'],
    ['Filter.1.Name=x&Filter.1.Values.1=y', 'Filter.1.Values.1'],
    ['VpcIds.1=vpc-1', 'VpcIds.1'],
    ['vpcId.1=vpc-1', 'vpcId.1'],
    ['VpcId=vpc-1', 'VpcId'],
    ['VpcId.0=vpc-1', 'VpcId.0'],
    ['VpcId.01=vpc-1', 'VpcId.01'],
    ['VpcId.x=vpc-1', 'VpcId.x'],
    ['VpcId.1.Extra=vpc-1', 'VpcId.1.Extra'],
    ['MaxResults.1=5', 'MaxResults.1'],
    ['Filter=x', 'Filter'],
    ['Filter.1.Value.1.Deep=x&Filter.1.Name=n', 'Filter.1.Value.1.Deep'],
    ['Bogus=1', 'Bogus'],
    ['Bogus.1.Deeper=1', 'Bogus.1.Deeper'],
    // Names of Object.prototype members are no parameters either.
    ['constructor=1', 'constructor'],
    ['toString=1', 'toString'],
    ['__proto__=1', '__proto__'],
    ['Filter.1.hasOwnProperty=1', 'Filter.1.hasOwnProperty'],
  ])('%s answers UnknownParameter naming %s', (query, name) => {
    const error = apiError(() => decodeMembers(describeMembers, tree(query)))
    expect(error.code).toBe('UnknownParameter')
    expect(error.message).toBe(`The parameter ${name} is not recognized`)
    expect(error.status).toBe(400)
  })

  it('answers MissingParameter with the full wire name', () => {
    const top = apiError(() => decodeMembers({ VpcId: required(string()) }, tree('')))
    expect(top.code).toBe('MissingParameter')
    expect(top.message).toBe('The request must contain the parameter VpcId')
    const nested = apiError(() => decodeMembers(describeMembers, tree('Filter.1.Value.1=x')))
    expect(nested.code).toBe('MissingParameter')
    expect(nested.message).toBe('The request must contain the parameter Filter.1.Name')
  })

  it.each([
    ['MaxResults=abc', 'MaxResults', 'abc'],
    ['MaxResults=', 'MaxResults', ''],
    ['MaxResults=5.5', 'MaxResults', '5.5'],
    ['MaxResults=1e3', 'MaxResults', '1e3'],
    ['MaxResults=4', 'MaxResults', '4'],
    ['MaxResults=1001', 'MaxResults', '1001'],
    ['DryRun=maybe', 'DryRun', 'maybe'],
    ['DryRun=1', 'DryRun', '1'],
  ])('%s answers InvalidParameterValue', (query, name, value) => {
    const error = apiError(() => decodeMembers(describeMembers, tree(query)))
    expect(error.code).toBe('InvalidParameterValue')
    expect(error.message).toMatch(
      new RegExp(`^Value \\(${value.replace('.', '\\.')}\\) for parameter ${name} is invalid`),
    )
  })

  it('checks enums case-sensitively and names the valid values', () => {
    const members = { InstanceTenancy: oneOf(['default', 'dedicated', 'host']) }
    expect(decodeMembers(members, tree('InstanceTenancy=host')).InstanceTenancy).toBe('host')
    for (const bad of ['weird', 'Default', '']) {
      const error = apiError(() => decodeMembers(members, tree({ InstanceTenancy: bad })))
      expect(error.code).toBe('InvalidParameterValue')
      expect(error.message).toContain('default, dedicated, host')
    }
  })

  it('reads booleans in any case and integers at the range ends', () => {
    expect(decodeMembers(describeMembers, tree('DryRun=TRUE&MaxResults=1000'))).toMatchObject({
      DryRun: true,
      MaxResults: 1000,
    })
    expect(decodeMembers(describeMembers, tree('MaxResults=5')).MaxResults).toBe(5)
  })

  it('reads timestamps and refuses garbage ones', () => {
    const members = { At: timestamp() }
    expect(decodeMembers(members, tree('At=2024-02-03T04:05:06.789Z')).At?.toISOString()).toBe(
      '2024-02-03T04:05:06.789Z',
    )
    expect(apiError(() => decodeMembers(members, tree('At=yesterday'))).code).toBe('InvalidParameterValue')
  })

  it('caps filters at 50', () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`Filter.${i + 1}.Name`, 'x']))
    expect(apiError(() => decodeMembers(describeMembers, tree(many))).code).toBe('InvalidParameterValue')
    expect(decodeMembers({ Tag: list(tag) }, tree('Tag.1.Key=k')).Tag).toEqual([{ key: 'k' }])
  })

  it('never throws anything but an ApiError, whatever the parameters', () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'Filter',
        'Name',
        'Value',
        'VpcId',
        'MaxResults',
        'DryRun',
        '1',
        '2',
        '0',
        '',
        '__proto__',
      ),
      fc.string({ maxLength: 6 }),
    )
    const key = fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'))
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.string({ maxLength: 8 })), { maxLength: 8 }), (pairs) => {
        try {
          decodeMembers(describeMembers, decodeTree(new URLSearchParams(pairs)))
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError)
        }
      }),
      { numRuns: 500 },
    )
  })
})

import {
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  paginateDescribeTags,
  type Tag,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { byCodeUnit, expectError, freshClient } from './support/ec2.js'
import { startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const createVpc = async (client: EC2Client, Tags?: Tag[]) =>
  (
    await client.send(
      new CreateVpcCommand({
        CidrBlock: '10.0.0.0/16',
        ...(Tags ? { TagSpecifications: [{ ResourceType: 'vpc', Tags }] } : {}),
      }),
    )
  ).Vpc!.VpcId!

const tagsOf = async (client: EC2Client, vpcId: string) =>
  ((await client.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!.Tags ?? [])
    .map((t) => [t.Key, t.Value])
    .sort()

const describeTags = async (client: EC2Client, Filters: Filter[] = []) =>
  ((await client.send(new DescribeTagsCommand({ Filters }))).Tags ?? []).map((t) => [
    t.ResourceId,
    t.ResourceType,
    t.Key,
    t.Value,
  ])

describe('CreateTags', () => {
  it('adds and overwrites tags on several resources at once', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, [{ Key: 'Name', Value: 'a' }])
    const subnet = (await client.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.0.0.0/24' })))
      .Subnet!.SubnetId!
    await client.send(
      new CreateTagsCommand({
        Resources: [vpc, subnet],
        Tags: [
          { Key: 'Name', Value: 'b' },
          { Key: 'empty', Value: '' },
        ],
      }),
    )
    expect(await tagsOf(client, vpc)).toEqual([
      ['Name', 'b'],
      ['empty', ''],
    ])
    expect(await describeTags(client)).toEqual(
      [
        [subnet, 'subnet', 'Name', 'b'],
        [subnet, 'subnet', 'empty', ''],
        [vpc, 'vpc', 'Name', 'b'],
        [vpc, 'vpc', 'empty', ''],
      ].sort((x, y) => (`${x[0]}${x[2]}` < `${y[0]}${y[2]}` ? -1 : 1)),
    )
  })

  it('keeps keys case-sensitive and values exact, special characters included', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client)
    const values = ['<a & "b">', "it's", 'ünïcødé ✓ 😀', 'line\nbreak', 'crlf\r\nend', ' padded ', '']
    await client.send(
      new CreateTagsCommand({
        Resources: [vpc],
        Tags: [
          { Key: 'name', Value: 'lower' },
          { Key: 'Name', Value: 'upper' },
          ...values.map((Value, i) => ({ Key: `k${i}`, Value })),
        ],
      }),
    )
    const tags = Object.fromEntries(await tagsOf(client, vpc))
    expect(tags.name).toBe('lower')
    expect(tags.Name).toBe('upper')
    values.forEach((value, i) => {
      expect(tags[`k${i}`]).toBe(value)
    })
  })

  it('allows 50 tags per resource and answers TagLimitExceeded past that, changing nothing', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client)
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `${i}` }))
    await client.send(new CreateTagsCommand({ Resources: [vpc], Tags: fifty }))
    // Overwriting existing keys at the limit is fine.
    await client.send(new CreateTagsCommand({ Resources: [vpc], Tags: [{ Key: 'k0', Value: 'again' }] }))
    await expectError(
      client.send(new CreateTagsCommand({ Resources: [vpc], Tags: [{ Key: 'one-more', Value: 'x' }] })),
      'TagLimitExceeded',
    )
    expect(await tagsOf(client, vpc)).toHaveLength(50)

    const other = await createVpc(client)
    const fiftyOne = [...fifty, { Key: 'k50', Value: '50' }]
    await expectError(
      client.send(new CreateTagsCommand({ Resources: [other], Tags: fiftyOne })),
      'TagLimitExceeded',
    )
    expect(await tagsOf(client, other)).toEqual([])
    await expectError(
      client.send(
        new CreateVpcCommand({
          CidrBlock: '10.0.0.0/16',
          TagSpecifications: [{ ResourceType: 'vpc', Tags: fiftyOne }],
        }),
      ),
      'TagLimitExceeded',
    )
  })

  it('refuses reserved, empty and oversized keys and oversized values', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client)
    for (const Key of ['aws:foo', 'AWS:Foo', '']) {
      await expectError(
        client.send(new CreateTagsCommand({ Resources: [vpc], Tags: [{ Key, Value: 'x' }] })),
        'InvalidTagKey.Malformed',
      )
    }
    await expectError(
      client.send(new CreateTagsCommand({ Resources: [vpc], Tags: [{ Key: 'k'.repeat(128), Value: 'x' }] })),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(new CreateTagsCommand({ Resources: [vpc], Tags: [{ Key: 'k', Value: 'v'.repeat(257) }] })),
      'InvalidParameterValue',
    )
    await client.send(
      new CreateTagsCommand({
        Resources: [vpc],
        Tags: [
          { Key: 'k'.repeat(127), Value: 'v'.repeat(256) },
          { Key: 'awsome', Value: 'not reserved' },
        ],
      }),
    )
    expect(await tagsOf(client, vpc)).toHaveLength(2)
    // [EMU] A key without a value is refused rather than stored as null.
    await expectError(
      client.send(new CreateTagsCommand({ Resources: [vpc], Tags: [{ Key: 'novalue' }] })),
      'InvalidParameterValue',
      'Tag value cannot be null. Use empty string instead.',
    )
    await expectError(
      client.send(
        new CreateVpcCommand({
          CidrBlock: '10.0.0.0/16',
          TagSpecifications: [
            { ResourceType: 'vpc', Tags: [{ Key: 'aws:cloudformation:stack', Value: 'x' }] },
          ],
        }),
      ),
      'InvalidTagKey.Malformed',
    )
  })

  it('refuses unknown, malformed and missing resources, tagging none of the list', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client)
    const missing = 'vpc-0123456789abcdef0'
    await expectError(
      client.send(new CreateTagsCommand({ Resources: [vpc, missing], Tags: [{ Key: 'k', Value: 'v' }] })),
      'InvalidVpcID.NotFound',
      `The vpc ID '${missing}' does not exist`,
    )
    expect(await tagsOf(client, vpc)).toEqual([])
    await expectError(
      client.send(
        new CreateTagsCommand({ Resources: ['ami-0123456789abcdef0'], Tags: [{ Key: 'k', Value: 'v' }] }),
      ),
      'InvalidID',
    )
    await expectError(
      client.send(new CreateTagsCommand({ Resources: [], Tags: [{ Key: 'k', Value: 'v' }] })),
      'MissingParameter',
    )
    await expectError(client.send(new CreateTagsCommand({ Resources: [vpc], Tags: [] })), 'MissingParameter')
  })

  it('takes the last value when one request names a key twice', async () => {
    // [INF] Not documented; we store the last one rather than refuse the request.
    const client = freshClient(server.url)
    const vpc = await createVpc(client)
    await client.send(
      new CreateTagsCommand({
        Resources: [vpc],
        Tags: [
          { Key: 'dup', Value: 'first' },
          { Key: 'dup', Value: 'second' },
        ],
      }),
    )
    expect(await tagsOf(client, vpc)).toEqual([['dup', 'second']])
  })
})

describe('TagSpecification on create', () => {
  it('must name the type the action creates', async () => {
    const client = freshClient(server.url)
    await expectError(
      client.send(
        new CreateVpcCommand({
          CidrBlock: '10.0.0.0/16',
          TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'k', Value: 'v' }] }],
        }),
      ),
      'InvalidParameterValue',
      "'subnet' is not a valid taggable resource type for this operation.",
    )
    const vpc = await createVpc(client)
    await expectError(
      client.send(
        new CreateSubnetCommand({
          VpcId: vpc,
          CidrBlock: '10.0.0.0/24',
          TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'k', Value: 'v' }] }],
        }),
      ),
      'InvalidParameterValue',
    )
    // Refused creates made nothing.
    expect((await client.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId)).toEqual([vpc])
  })
})

describe('DeleteTags', () => {
  it('removes by key alone, by key and matching value, and everything with no tags given', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, [
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
      { Key: 'c', Value: '' },
      { Key: 'd', Value: 'x' },
      { Key: 'e', Value: '5' },
    ])
    await client.send(new DeleteTagsCommand({ Resources: [vpc], Tags: [{ Key: 'a' }] }))
    expect((await tagsOf(client, vpc)).map(([k]) => k)).toEqual(['b', 'c', 'd', 'e'])
    // A value that does not match leaves the tag.
    await client.send(new DeleteTagsCommand({ Resources: [vpc], Tags: [{ Key: 'b', Value: 'nope' }] }))
    await client.send(new DeleteTagsCommand({ Resources: [vpc], Tags: [{ Key: 'e', Value: '5' }] }))
    expect((await tagsOf(client, vpc)).map(([k]) => k)).toEqual(['b', 'c', 'd'])
    // An empty value removes only a tag whose value is empty.
    await client.send(
      new DeleteTagsCommand({
        Resources: [vpc],
        Tags: [
          { Key: 'c', Value: '' },
          { Key: 'd', Value: '' },
        ],
      }),
    )
    expect((await tagsOf(client, vpc)).map(([k]) => k)).toEqual(['b', 'd'])
    // Deleting a key that is not there is no error.
    await client.send(new DeleteTagsCommand({ Resources: [vpc], Tags: [{ Key: 'zzz' }] }))
    await client.send(new DeleteTagsCommand({ Resources: [vpc] }))
    expect(await tagsOf(client, vpc)).toEqual([])
  })

  it('refuses aws: keys and unknown resources', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client, [{ Key: 'k', Value: 'v' }])
    await expectError(
      client.send(new DeleteTagsCommand({ Resources: [vpc], Tags: [{ Key: 'aws:x' }] })),
      'InvalidTagKey.Malformed',
    )
    await expectError(
      client.send(new DeleteTagsCommand({ Resources: ['vpc-0123456789abcdef0'], Tags: [{ Key: 'k' }] })),
      'InvalidVpcID.NotFound',
    )
    await expectError(client.send(new DeleteTagsCommand({ Resources: [] })), 'MissingParameter')
    expect(await tagsOf(client, vpc)).toEqual([['k', 'v']])
  })

  it('drops a resource’s tags when the resource is deleted', async () => {
    const client = freshClient(server.url)
    const vpc = await createVpc(client)
    const subnet = (
      await client.send(
        new CreateSubnetCommand({
          VpcId: vpc,
          CidrBlock: '10.0.0.0/24',
          TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'k', Value: 'v' }] }],
        }),
      )
    ).Subnet!.SubnetId!
    expect(await describeTags(client, [{ Name: 'resource-id', Values: [subnet] }])).toHaveLength(1)
    await client.send(new DeleteSubnetCommand({ SubnetId: subnet }))
    expect(await describeTags(client, [{ Name: 'resource-id', Values: [subnet] }])).toEqual([])
  })
})

describe('DescribeTags', () => {
  it('filters by key, value, resource-id, resource-type and tag:<key>', async () => {
    const client = freshClient(server.url)
    const v1 = await createVpc(client, [
      { Key: 'Name', Value: 'one' },
      { Key: 'env', Value: 'prod' },
    ])
    const v2 = await createVpc(client, [
      { Key: 'Name', Value: 'two' },
      { Key: 'team', Value: 'prod' },
    ])
    const subnet = (
      await client.send(
        new CreateSubnetCommand({
          VpcId: v1,
          CidrBlock: '10.0.0.0/24',
          TagSpecifications: [{ ResourceType: 'subnet', Tags: [{ Key: 'Name', Value: 'one' }] }],
        }),
      )
    ).Subnet!.SubnetId!
    const pairs = async (filters: Filter[]) =>
      (await describeTags(client, filters)).map(([id, , key]) => `${id}:${key}`).sort()

    expect(await pairs([{ Name: 'key', Values: ['env', 'team'] }])).toEqual(
      [`${v1}:env`, `${v2}:team`].sort(byCodeUnit),
    )
    expect(await pairs([{ Name: 'value', Values: ['prod'] }])).toEqual(
      [`${v1}:env`, `${v2}:team`].sort(byCodeUnit),
    )
    expect(await pairs([{ Name: 'value', Values: ['t*'] }])).toEqual([`${v2}:Name`])
    expect(await pairs([{ Name: 'resource-id', Values: [v2] }])).toEqual(
      [`${v2}:Name`, `${v2}:team`].sort(byCodeUnit),
    )
    expect(await pairs([{ Name: 'resource-type', Values: ['subnet'] }])).toEqual([`${subnet}:Name`])
    // tag:<key> selects that key with that value.
    expect(await pairs([{ Name: 'tag:Name', Values: ['one'] }])).toEqual(
      [`${v1}:Name`, `${subnet}:Name`].sort(byCodeUnit),
    )
    expect(
      await pairs([
        { Name: 'tag:Name', Values: ['one'] },
        { Name: 'resource-type', Values: ['vpc'] },
      ]),
    ).toEqual([`${v1}:Name`])
    expect(await pairs([{ Name: 'key', Values: ['name'] }])).toEqual([])
    await expectError(
      client.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource', Values: ['x'] }] })),
      'InvalidParameterValue',
      "The filter 'resource' is invalid",
    )
  })

  it('pages with MaxResults 5 to 1000; the paginator returns every tag exactly once', async () => {
    const client = freshClient(server.url)
    const keys = ['name', 'Name', '_x', 'a-b', 'ab', 'B', 'b', '~', 'Ä', 'a b', 'z9', '0']
    const vpcs = [await createVpc(client), await createVpc(client)]
    for (const vpc of vpcs) {
      await client.send(
        new CreateTagsCommand({ Resources: [vpc], Tags: keys.map((Key) => ({ Key, Value: 'v' })) }),
      )
    }
    const seen: string[] = []
    for await (const page of paginateDescribeTags({ client, pageSize: 5 }, {})) {
      expect(page.Tags!.length).toBeLessThanOrEqual(5)
      seen.push(...page.Tags!.map((t) => `${t.ResourceId}:${t.Key}`))
    }
    expect(seen).toHaveLength(keys.length * 2)
    expect(new Set(seen).size).toBe(keys.length * 2)
    for (const MaxResults of [4, 1001]) {
      await expectError(client.send(new DescribeTagsCommand({ MaxResults })), 'InvalidParameterValue')
    }
    await expectError(
      client.send(new DescribeTagsCommand({ MaxResults: 5, NextToken: 'x' })),
      'InvalidNextToken',
    )
  })
})

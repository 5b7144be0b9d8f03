import {
  DescribeAccountAttributesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRegionsCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError, freshClient } from './support/ec2.js'
import { startTestServer, type TestServer } from './support/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

describe('DescribeRegions', () => {
  it('lists regions with their endpoints, by name and by filter', async () => {
    const client = freshClient(server.url)
    const all = (await client.send(new DescribeRegionsCommand({}))).Regions!
    expect(all.length).toBeGreaterThan(10)
    expect(all).toContainEqual({
      RegionName: 'eu-west-1',
      Endpoint: 'ec2.eu-west-1.amazonaws.com',
      OptInStatus: 'opt-in-not-required',
    })
    const named = await client.send(new DescribeRegionsCommand({ RegionNames: ['us-east-1', 'eu-west-1'] }))
    expect(named.Regions!.map((r) => r.RegionName).sort()).toEqual(['eu-west-1', 'us-east-1'])
    const filtered = await client.send(
      new DescribeRegionsCommand({ Filters: [{ Name: 'region-name', Values: ['eu-*'] }] }),
    )
    expect(filtered.Regions!.length).toBeGreaterThan(1)
    expect(filtered.Regions!.every((r) => r.RegionName!.startsWith('eu-'))).toBe(true)
    const byEndpoint = await client.send(
      new DescribeRegionsCommand({
        Filters: [{ Name: 'endpoint', Values: ['ec2.us-west-2.amazonaws.com'] }],
      }),
    )
    expect(byEndpoint.Regions!.map((r) => r.RegionName)).toEqual(['us-west-2'])
    // Decided: an unknown region name is InvalidParameterValue.
    await expectError(
      client.send(new DescribeRegionsCommand({ RegionNames: ['mars-north-1'] })),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(new DescribeRegionsCommand({ Filters: [{ Name: 'zone', Values: ['x'] }] })),
      'InvalidParameterValue',
      "The filter 'zone' is invalid",
    )
  })
})

describe('DescribeAvailabilityZones', () => {
  it('lists the caller region’s three zones with names and ids', async () => {
    const client = freshClient(server.url, 'eu-west-1')
    const zones = (await client.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!
    expect(zones.map((z) => [z.ZoneName, z.ZoneId])).toEqual([
      ['eu-west-1a', 'euw1-az1'],
      ['eu-west-1b', 'euw1-az2'],
      ['eu-west-1c', 'euw1-az3'],
    ])
    expect(zones[0]).toMatchObject({
      RegionName: 'eu-west-1',
      State: 'available',
      ZoneType: 'availability-zone',
      GroupName: 'eu-west-1',
      NetworkBorderGroup: 'eu-west-1',
      OptInStatus: 'opt-in-not-required',
      Messages: [],
    })
    const byName = await client.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['eu-west-1b'] }))
    expect(byName.AvailabilityZones!.map((z) => z.ZoneId)).toEqual(['euw1-az2'])
    const byId = await client.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ['euw1-az3'] }))
    expect(byId.AvailabilityZones!.map((z) => z.ZoneName)).toEqual(['eu-west-1c'])
    const filtered = await client.send(
      new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['*a', '*c'] }] }),
    )
    expect(filtered.AvailabilityZones!.map((z) => z.ZoneName)).toEqual(['eu-west-1a', 'eu-west-1c'])
    await expectError(
      client.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1a'] })),
      'InvalidParameterValue',
    )
    // [OBS] the wording seen for an unsupported DescribeAvailabilityZones filter.
    await expectError(
      client.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone', Values: ['x'] }] })),
      'InvalidParameterValue',
      "The filter 'zone' is invalid",
    )
  })
})

describe('DescribeAccountAttributes', () => {
  it('reports a VPC-only account without a default VPC', async () => {
    const client = freshClient(server.url)
    const all = (await client.send(new DescribeAccountAttributesCommand({}))).AccountAttributes!
    const byName = Object.fromEntries(
      all.map((a) => [a.AttributeName, a.AttributeValues!.map((v) => v.AttributeValue)]),
    )
    expect(byName['supported-platforms']).toEqual(['VPC'])
    expect(byName['default-vpc']).toEqual(['none'])
    const one = await client.send(new DescribeAccountAttributesCommand({ AttributeNames: ['default-vpc'] }))
    expect(one.AccountAttributes).toEqual([
      { AttributeName: 'default-vpc', AttributeValues: [{ AttributeValue: 'none' }] },
    ])
    await expectError(
      client.send(new DescribeAccountAttributesCommand({ AttributeNames: ['bogus' as 'default-vpc'] })),
      'InvalidParameterValue',
    )
  })
})

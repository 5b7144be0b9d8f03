import { describe, expect, it } from 'vitest'
import { PlanFileError, readPlanFile } from './input.js'

const errorOf = (text: string) => {
  try {
    readPlanFile(text)
  } catch (error) {
    if (error instanceof PlanFileError) return error.message
    throw error
  }
  throw new Error('the file was accepted')
}

const vpcs = `vpcs:
  web: { account: "111111111111", region: us-east-1, tiers: [app, data] }
  db: { account: "222222222222", region: eu-west-1, size: large }
`

describe('readPlanFile', () => {
  it('fills in the defaults and reads sizes, ports and endpoints', () => {
    const file = readPlanFile(
      `${vpcs}connections:\n  - { from: web.app, to: [db], ports: [443, "8000-8100", "udp/53"] }\n`,
    )
    expect(file.pools).toEqual(['10.0.0.0/8'])
    expect(file.growth).toBe(1)
    expect(file.quotas).toEqual({ activePeeringsPerVpc: 50, routesPerRouteTable: 50 })
    expect(file.flowLogs).toEqual({ bucket: 'vpcpeer-flow-logs' })
    expect(file.vpcs.web!.size).toBe(20)
    expect(file.vpcs.db!.size).toBe(18)
    expect(file.vpcs.db!.tiers).toEqual(['app'])
    expect(file.connections[0]!.from).toEqual(['web.app'])
    expect(file.connections[0]!.ports).toEqual([
      { protocol: 'tcp', from: 443, to: 443 },
      { protocol: 'tcp', from: 8000, to: 8100 },
      { protocol: 'udp', from: 53, to: 53 },
    ])
  })

  it('reads JSON as well', () => {
    const file = readPlanFile(
      JSON.stringify({ vpcs: { a: { account: '111111111111', region: 'us-east-1', size: '/24' } } }),
    )
    expect(file.vpcs.a!.size).toBe(24)
  })

  it('names the path of every bad field', () => {
    const message = errorOf(`pools: [10.0.0.0/33]
vpcs:
  web: { account: 111111111111, region: useast, size: /12, tiers: [app, app] }
  db: { account: "222222222222", region: eu-west-1, colour: blue }
connections:
  - { from: web.nope, to: db, ports: [70000] }
groups:
  - { name: g, members: [db, db, ghost], ports: ["8100-8000"] }
`)
    expect(message).toContain('errors:')
    for (const line of [
      'pools[0]: must be an IPv4 CIDR block like 10.0.0.0/8',
      'vpcs.web.account: must be a 12-digit account id, in quotes',
      'vpcs.web.region: must be a region name like us-east-1',
      'vpcs.web.size: a VPC block is /16 to /28 (AWS)',
      'vpcs.db: Unrecognized key: "colour"',
      'connections[0].ports[0]: a port is 0-65535',
      'groups[0].ports[0]: a port is 0-65535',
    ])
      expect(message).toContain(line)
  })

  it('checks that endpoints name VPCs and tiers that exist, distinct within a group', () => {
    const message = errorOf(`${vpcs}connections:
  - { from: web.nope, to: [db, web.data], ports: [443] }
groups:
  - { name: g, members: [db, db, ghost], ports: [443] }
`)
    expect(message).toContain('connections[0].from: VPC web has no tier nope (tiers: app, data)')
    expect(message).toContain('connections[0].to[1]: web.data is in the same VPC as a from')
    expect(message).toContain('groups[0].members[1]: VPC db is already a member of this group')
    expect(message).toContain('groups[0].members[2]: no VPC named ghost in vpcs')
  })

  it('takes names with single hyphens only, so generated names stay unambiguous', () => {
    expect(errorOf('vpcs:\n  a--b: { account: "111111111111", region: us-east-1 }\n')).toContain(
      'vpcs.a--b: must start with a letter and hold a-z, 0-9 and single hyphens inside',
    )
  })

  it('says when the text is not YAML at all, or names no VPC', () => {
    expect(errorOf('vpcs: [unclosed')).toMatch(/^not YAML or JSON/)
    expect(errorOf('vpcs: {}')).toContain('vpcs: name at least one VPC')
  })
})

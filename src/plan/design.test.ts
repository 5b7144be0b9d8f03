import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { contains, formatPrefix, overlaps, parsePrefix, prefixAt } from '../net/prefix.js'
import { designPlan, PlanError } from './design.js'
import { type PlanFile, planFileSchema, readPlanFile } from './input.js'

const p = (text: string) => parsePrefix(text)!

const six = readPlanFile(`
pools: [10.0.0.0/8]
reserved: [10.0.0.0/16]
vpcs:
  edge: { account: "111111111111", region: us-east-1, environment: prod, size: small }
  orders: { account: "111111111111", region: us-east-1, environment: prod, tiers: [app, data] }
  payments: { account: "222222222222", region: us-east-1, environment: prod, tiers: [app, data] }
  reporting: { account: "222222222222", region: eu-west-1, environment: prod, size: small }
  tools: { account: "111111111111", region: eu-west-1, environment: shared, size: /22 }
  staging: { account: "111111111111", region: us-east-1, environment: staging, size: small }
connections:
  - { from: edge, to: orders.app, ports: [443] }
  - { from: orders.app, to: payments.app, ports: [8443], gbPerMonth: 500 }
  - { from: reporting, to: payments.data, ports: [5432] }
groups:
  - { name: monitoring, members: [tools, edge, orders.app, payments.app], ports: [9100], gbPerMonth: 20 }
`)

const withQuotas = (file: PlanFile, quotas: Partial<PlanFile['quotas']>): PlanFile => ({
  ...file,
  quotas: { ...file.quotas, ...quotas },
})

describe('designPlan', () => {
  it('gives each VPC its own aligned block off the reserved ranges, and tiers and subnets inside it', () => {
    const plan = designPlan(six)
    const blocks = plan.vpcs.map((v) => p(v.reserve))
    for (let i = 0; i < blocks.length; i++) {
      expect(overlaps(blocks[i]!, p('10.0.0.0/16'))).toBe(false)
      for (let j = i + 1; j < blocks.length; j++) expect(overlaps(blocks[i]!, blocks[j]!)).toBe(false)
    }
    const orders = plan.vpcs.find((v) => v.name === 'orders')!
    expect(p(orders.cidr).length).toBe(20)
    expect(p(orders.reserve).length).toBe(19)
    expect(orders.tiers.map((t) => p(t.cidr).length)).toEqual([21, 21])
    for (const tier of orders.tiers) {
      expect(contains(p(orders.cidr), p(tier.cidr))).toBe(true)
      expect(tier.subnets.map((s) => s.availabilityZone)).toEqual(['us-east-1a', 'us-east-1b'])
      for (const subnet of tier.subnets) expect(contains(p(tier.cidr), p(subnet.cidr))).toBe(true)
    }
  })

  it('routes each tier only to the tiers it talks with, both ways, over their peering', () => {
    const plan = designPlan(six)
    const cidrOf = (vpc: string, tier: string) =>
      plan.vpcs.find((v) => v.name === vpc)!.tiers.find((t) => t.name === tier)!.cidr
    const tableOf = (vpc: string, tier: string) =>
      plan.routes.filter((r) => r.vpc === vpc && r.tier === tier).map((r) => [r.destination, r.target])
    expect(tableOf('payments', 'data')).toEqual([
      [cidrOf('reporting', 'app'), { peering: 'payments--reporting' }],
    ])
    expect(tableOf('reporting', 'app')).toEqual([
      [cidrOf('payments', 'data'), { peering: 'payments--reporting' }],
    ])
    expect(tableOf('orders', 'data')).toEqual([])
    expect(tableOf('staging', 'app')).toEqual([])
    expect(plan.peerings.find((x) => x.name === 'payments--tools')).toEqual({
      name: 'payments--tools',
      requester: 'payments',
      accepter: 'tools',
      crossAccount: true,
      crossRegion: true,
    })
  })

  it('writes security-group rules for exactly the named ports, one way for a connection', () => {
    const plan = designPlan(six)
    const cidrOf = (vpc: string) => plan.vpcs.find((v) => v.name === vpc)!.tiers[0]!.cidr
    const rulesOf = (vpc: string, tier: string) =>
      plan.rules
        .filter((r) => r.vpc === vpc && r.tier === tier)
        .map((r) => `${r.direction} ${r.protocol} ${r.fromPort}-${r.toPort} ${r.peer} ${r.cidr}`)
    const payments = plan.vpcs.find((v) => v.name === 'payments')!
    expect(rulesOf('payments', 'data')).toEqual([
      `ingress tcp 5432-5432 reporting.app ${cidrOf('reporting')}`,
    ])
    expect(rulesOf('reporting', 'app')).toEqual([
      `egress tcp 5432-5432 payments.data ${payments.tiers[1]!.cidr}`,
    ])
    // A group admits its port both ways between every two members.
    expect(rulesOf('tools', 'app').sort()).toEqual(
      ['edge', 'orders', 'payments']
        .flatMap((peer) => [
          `egress tcp 9100-9100 ${peer}.app ${cidrOf(peer)}`,
          `ingress tcp 9100-9100 ${peer}.app ${cidrOf(peer)}`,
        ])
        .sort(),
    )
  })

  it('prices both designs: transfer across zones and regions, and the hub`s hours and processing', () => {
    const plan = designPlan(six)
    const cost = (name: string) => plan.decisions.find((d) => d.name === name)!.cost
    // 100 GB in one region: half crosses zones, $0.01 out and $0.01 in. A hub adds two
    // attachments for 730 hours at $0.05 and $0.02 per GB processed.
    expect(cost('connections[0]')).toEqual({ mesh: 1, hub: 76 })
    // 100 GB across regions at $0.02; the hub adds a peering attachment billed on both sides.
    expect(cost('connections[2]')).toEqual({ mesh: 2, hub: 2 + 2 + 4 * 730 * 0.05 })
    expect(plan.monthlyCost).toBe(9.8)
  })

  it('chooses a hub when a mesh would break the active-peerings quota, and says so', () => {
    const plan = designPlan(withQuotas(six, { activePeeringsPerVpc: 2 }))
    const monitoring = plan.decisions.find((d) => d.name === 'monitoring')!
    expect(monitoring.topology).toBe('hub')
    expect(monitoring.applicable).toBe(false)
    expect(monitoring.reason).toMatch(
      /^a mesh would break a quota: VPC \w+ would have 3 active peerings \(quota 2\)/,
    )
    expect(plan.peerings.map((x) => x.name)).toEqual([
      'edge--orders',
      'orders--payments',
      'payments--reporting',
    ])
    expect(plan.transitGateways).toEqual([
      { region: 'eu-west-1', account: '111111111111', attachments: ['tools'], peerRegions: ['us-east-1'] },
      {
        region: 'us-east-1',
        account: '111111111111',
        attachments: ['edge', 'orders', 'payments'],
        peerRegions: ['eu-west-1'],
      },
    ])
    const hubRoutes = plan.routes.filter((r) => 'transitGateway' in r.target)
    expect(hubRoutes.map((r) => `${r.vpc}.${r.tier} ${r.destination}`).sort()).toEqual(
      ['edge.app', 'orders.app', 'payments.app', 'tools.app'].map((t) => `${t} 10.0.0.0/8`),
    )
  })

  it('chooses a hub when a mesh would overfill a route table, counting the local route', () => {
    const plan = designPlan(withQuotas(six, { routesPerRouteTable: 3 }))
    const monitoring = plan.decisions.find((d) => d.name === 'monitoring')!
    expect(monitoring.reason).toMatch(/route table of \S+ would hold 4 routes with the local one \(quota 3\)/)
  })

  it('refuses a mesh the file insists on when it breaks a quota', () => {
    const forced = { ...six, groups: six.groups.map((g) => ({ ...g, topology: 'mesh' as const })) }
    expect(() => designPlan(withQuotas(forced, { activePeeringsPerVpc: 2 }))).toThrow(
      /monitoring: topology mesh, but VPC \w+ would have 3 active peerings/,
    )
  })

  it('keeps clear of existing VPCs, and says when the pools are full', () => {
    const plan = designPlan(six, [{ vpcId: 'vpc-1', cidrBlocks: ['10.1.0.0/16', '10.2.0.0/17'] }])
    for (const vpc of plan.vpcs) {
      expect(overlaps(p(vpc.reserve), p('10.1.0.0/16'))).toBe(false)
      expect(overlaps(p(vpc.reserve), p('10.2.0.0/17'))).toBe(false)
    }
    expect(() => designPlan({ ...six, pools: ['10.0.0.0/17'] })).toThrow(
      /no room in the pools \(10\.0\.0\.0\/17\) for .*orders \(\/20\)/,
    )
  })

  it('refuses tiers and zones that would make subnets smaller than /28', () => {
    const tiny = readPlanFile(
      'vpcs:\n  a: { account: "111111111111", region: us-east-1, size: /27, tiers: [x, y] }\n',
    )
    expect(() => designPlan(tiny)).toThrow(
      /vpcs\.a: a \/27 split into 2 tiers of 2 subnets gives \/29 subnets/,
    )
  })
})

describe('designPlan over random plan files', () => {
  const regions = ['us-east-1', 'eu-west-1']
  const vpcSpec = fc.record({
    // Up to /25, so three tiers of two zones still make /28 subnets.
    size: fc.integer({ min: 16, max: 25 }),
    region: fc.constantFrom(...regions),
    account: fc.constantFrom('111111111111', '222222222222', '333333333333'),
    tiers: fc.integer({ min: 1, max: 3 }),
  })
  const inPool = (length: number) =>
    fc
      .integer({ min: 0, max: 2 ** 20 - 1 })
      .map((offset) => formatPrefix(prefixAt(4, p('10.0.0.0/12').start + BigInt(offset), length)))
  const scenario = fc.record({
    vpcs: fc.array(vpcSpec, { minLength: 1, maxLength: 25 }),
    growth: fc.integer({ min: 0, max: 2 }),
    reserved: fc.array(fc.integer({ min: 14, max: 24 }).chain(inPool), { maxLength: 5 }),
    existing: fc.array(fc.integer({ min: 16, max: 24 }).chain(inPool), { maxLength: 5 }),
  })

  it('never overlaps, stays in the pools and off reserved and existing blocks, or says there is no room', () => {
    fc.assert(
      fc.property(scenario, ({ vpcs, growth, reserved, existing }) => {
        const file = planFileSchema.parse({
          pools: ['10.0.0.0/12'],
          reserved,
          growth,
          vpcs: Object.fromEntries(
            vpcs.map((v, i) => [
              `v${i}`,
              {
                account: v.account,
                region: v.region,
                size: v.size,
                tiers: ['a', 'b', 'c'].slice(0, v.tiers),
              },
            ]),
          ),
        })
        let plan: ReturnType<typeof designPlan>
        try {
          plan = designPlan(file, [{ vpcId: 'vpc-old', cidrBlocks: existing }])
        } catch (error) {
          expect(error).toBeInstanceOf(PlanError)
          expect((error as Error).message).toMatch(/^no room in the pools/)
          return
        }
        const taken = [...reserved, ...existing].map(p)
        for (const [i, vpc] of plan.vpcs.entries()) {
          const block = p(vpc.cidr)
          expect(block.length).toBe(vpcs[i]!.size)
          expect(contains(p('10.0.0.0/12'), p(vpc.reserve))).toBe(true)
          expect(contains(p(vpc.reserve), block)).toBe(true)
          for (const range of taken) expect(overlaps(range, p(vpc.reserve))).toBe(false)
          for (const other of plan.vpcs.slice(i + 1))
            expect(overlaps(p(other.reserve), p(vpc.reserve))).toBe(false)
          const subnets = vpc.tiers.flatMap((t) => t.subnets.map((s) => p(s.cidr)))
          for (const [j, subnet] of subnets.entries()) {
            expect(contains(block, subnet)).toBe(true)
            for (const other of subnets.slice(j + 1)) expect(overlaps(subnet, other)).toBe(false)
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})

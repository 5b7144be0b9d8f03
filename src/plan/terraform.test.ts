import { describe, expect, it } from 'vitest'
import { designPlan } from './design.js'
import { readPlanFile } from './input.js'
import { renderTerraform } from './terraform.js'

const file = readPlanFile(`
vpcs:
  app: { account: "111111111111", region: us-east-1 }
  db: { account: "111111111111", region: us-east-1, tiers: [data] }
  far: { account: "222222222222", region: eu-west-1 }
connections:
  - { from: app, to: db.data, ports: [5432] }
  - { from: far, to: app, ports: ["8000-8100", "udp/53"] }
`)

const resources = (text: string, type: string) =>
  [...text.matchAll(new RegExp(`^resource "${type}" "([^"]+)"`, 'gm'))].map((m) => m[1])

/** The body of one resource block. */
const body = (text: string, type: string, name: string) => {
  const start = text.indexOf(`resource "${type}" "${name}" {`)
  return text.slice(start, text.indexOf('\n}\n', start))
}

describe('renderTerraform', () => {
  const plan = designPlan(file)
  const main = renderTerraform(plan)['main.tf']

  it('has one provider alias per account and region, acting as the account on vpcpeer', () => {
    expect([...main.matchAll(/alias\s+= "([^"]+)"/g)].map((m) => m[1])).toEqual([
      'a111111111111_us_east_1',
      'a222222222222_eu_west_1',
    ])
    expect(main).toContain('access_key                  = local.on_vpcpeer ? "222222222222" : null')
    expect(main).toContain('version = "~> 5.100"')
  })

  it('accepts a peering in the same account and region at once, and across them through the accepter', () => {
    expect(resources(main, 'aws_vpc_peering_connection')).toEqual(['app__db', 'app__far'])
    expect(body(main, 'aws_vpc_peering_connection', 'app__db')).toContain('auto_accept   = true')
    const across = body(main, 'aws_vpc_peering_connection', 'app__far')
    expect(across).toContain('peer_owner_id = "222222222222"')
    expect(across).toContain('peer_region   = "eu-west-1"')
    expect(across).not.toContain('auto_accept')
    expect(resources(main, 'aws_vpc_peering_connection_accepter')).toEqual(['app__far'])
    expect(body(main, 'aws_vpc_peering_connection_accepter', 'app__far')).toContain(
      'provider                  = aws.a222222222222_eu_west_1',
    )
    // Routes across accounts wait for the acceptance.
    const far = plan.vpcs.find((v) => v.name === 'far')!
    expect(body(main, 'aws_route', `app__app__${far.cidr.replace(/[./]/g, '_')}`)).toContain(
      'vpc_peering_connection_id = aws_vpc_peering_connection_accepter.app__far.vpc_peering_connection_id',
    )
  })

  it('writes a route per planned route and a rule resource per planned rule, for exactly the ports', () => {
    expect(resources(main, 'aws_route')).toHaveLength(plan.routes.length)
    const ingress = resources(main, 'aws_vpc_security_group_ingress_rule')
    const egress = resources(main, 'aws_vpc_security_group_egress_rule')
    expect(ingress.length + egress.length).toBe(plan.rules.length)
    expect(ingress.sort()).toEqual([
      'app__app__far__app__tcp_8000_8100',
      'app__app__far__app__udp_53',
      'db__data__app__app__tcp_5432',
    ])
    const rule = body(main, 'aws_vpc_security_group_ingress_rule', 'app__app__far__app__tcp_8000_8100')
    expect(rule).toContain('from_port         = 8000')
    expect(rule).toContain('to_port           = 8100')
    expect(rule).toContain(`cidr_ipv4         = "${plan.vpcs.find((v) => v.name === 'far')!.tiers[0]!.cidr}"`)
  })

  it('logs every VPC to S3 and has no transit-gateway file for a mesh', () => {
    expect(resources(main, 'aws_flow_log')).toEqual(['app', 'db', 'far'])
    expect(body(main, 'aws_flow_log', 'db')).toContain(
      'log_destination      = "arn:aws:s3:::vpcpeer-flow-logs/db/"',
    )
    expect(renderTerraform(plan)['transit-gateway.tf']).toBeUndefined()
  })
})

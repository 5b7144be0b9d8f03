import { describe, expect, it } from 'vitest'
import type { FlowLog } from '../domain/flow-log.js'
import type { SecurityGroup } from '../domain/security-group.js'
import type { Vpc } from '../domain/vpc.js'
import { type AuditFinding, atLeast, auditEstate, countBySeverity } from './audit.js'
import { compileSnapshot } from './snapshot.js'
import { allowAll, allowTcp, EstateBuilder, TEST_ACCOUNT } from './test-estate.js'
import type { Estate } from './types.js'

const A = TEST_ACCOUNT
const B = '222222222222'
const HOUR = 3600 * 1000

const flowLog = (
  resourceId: string,
  owner: string,
  resourceType: FlowLog['resourceType'] = 'VPC',
): FlowLog => ({
  flowLogId: `fl-${resourceId}`,
  ownerId: owner,
  region: 'us-east-1',
  resourceId,
  resourceType,
  trafficType: 'ALL',
  logDestinationType: 'cloud-watch-logs',
  logDestination: `arn:aws:logs:us-east-1:${owner}:log-group:flows`,
  logGroupName: 'flows',
  logFormat: 'version srcaddr',
  maxAggregationInterval: 600,
  creationTime: '2026-01-01T00:00:00.000Z',
})

/**
 * The estate no rule flags: A's app subnet and B's database subnet peered, routes narrowed to the
 * two subnets both ways, the database admitting https from the app subnet only, flow logs on both.
 */
function cleanPair() {
  const b = new EstateBuilder()
  const left = b.vpc('10.1.0.0/16')
  const right = b.vpc('10.2.0.0/16', { account: B })
  const app = b.subnet(left, '10.1.1.0/24')
  const db = b.subnet(right, '10.2.1.0/24')
  const appGroup = b.group(left, { egress: [allowAll('0.0.0.0/0')] })
  const dbGroup = b.group(right, { ingress: [allowTcp(443, '10.1.1.0/24')], egress: [allowAll('0.0.0.0/0')] })
  const sender = b.interface(app, '10.1.1.10', { groups: [appGroup] })
  const receiver = b.interface(db, '10.2.1.10', { groups: [dbGroup] })
  const peering = b.peering(left, right)
  b.routeToPeering(left, '10.2.1.0/24', peering).routeToPeering(right, '10.1.1.0/24', peering)
  const flowLogs = [flowLog(left.vpcId, A), flowLog(right.vpcId, B)]
  return { b, left, right, app, db, appGroup, dbGroup, sender, receiver, peering, flowLogs }
}

const audit = (estate: Estate, flowLogs: readonly FlowLog[], accountId = A) =>
  auditEstate({ snapshot: compileSnapshot(estate), flowLogs, accountId })

const summary = (findings: readonly AuditFinding[]) =>
  findings.map((f) => `${f.severity} ${f.ruleId} ${f.resource.id}`)

const only = (ruleId: string, findings: readonly AuditFinding[]) =>
  findings.filter((f) => f.ruleId === ruleId)

const withRules = (group: SecurityGroup, ingress: SecurityGroup['ingress']): SecurityGroup => ({
  ...group,
  ingress,
})

describe('the clean estate', () => {
  it('has no finding for either account', () => {
    const { b, flowLogs } = cleanPair()
    expect(audit(b.build(), flowLogs, A)).toEqual([])
    expect(audit(b.build(), flowLogs, B)).toEqual([])
  })
})

describe('security-group-open-to-peer', () => {
  it('flags 0.0.0.0/0 on all ports in a peered VPC as high, with a fix that narrows the rule', () => {
    const { b, right, flowLogs, peering } = cleanPair()
    const open = b.group(right, { ingress: [allowAll('0.0.0.0/0')] })
    const [finding, ...rest] = audit(b.build(), flowLogs, B)
    expect(rest).toEqual([])
    expect(finding).toMatchObject({
      ruleId: 'security-group-open-to-peer',
      severity: 'high',
      resource: { kind: 'security-group', id: open.groupId },
      vpcId: right.vpcId,
    })
    expect(finding!.problem).toContain(peering.vpcPeeringConnectionId)
    expect(finding!.fix).toBe(
      `aws ec2 modify-security-group-rules --region us-east-1 --group-id ${open.groupId} --security-group-rules 'SecurityGroupRuleId=${open.ingress[0]!.ruleId},SecurityGroupRule={IpProtocol=tcp,FromPort=<port>,ToPort=<port>,CidrIpv4=<peer subnet CIDR>}'`,
    )
  })

  it("flags the peer VPC's whole block on all ports (tcp 0-65535 too) as medium", () => {
    const { b, left, dbGroup, flowLogs } = cleanPair()
    b.replace(
      withRules(dbGroup, [
        { ruleId: 'sgr-wide', ipProtocol: 'tcp', fromPort: 0, toPort: 65535, cidrIpv4: '10.0.0.0/8' },
      ]),
    )
    const findings = audit(b.build(), flowLogs, B)
    expect(summary(only('security-group-open-to-peer', findings))).toEqual([
      `medium security-group-open-to-peer ${dbGroup.groupId}`,
    ])
    expect(findings[0]!.problem).toContain(`the whole of peered VPC ${left.vpcId}`)
  })

  it('leaves alone one port from the peer VPC, all ports from part of it, and 0.0.0.0/0 in an unpeered VPC', () => {
    const { b, dbGroup, flowLogs } = cleanPair()
    b.replace(
      withRules(dbGroup, [
        { ruleId: 'sgr-one', ...allowTcp(443, '10.1.0.0/16') },
        { ruleId: 'sgr-part', ...allowAll('10.1.1.0/24') },
      ]),
    )
    const lonely = b.vpc('10.9.0.0/16', { account: B })
    b.group(lonely, { ingress: [allowAll('0.0.0.0/0')] })
    expect(only('security-group-open-to-peer', audit(b.build(), flowLogs, B))).toEqual([])
  })
})

describe('peering-route-too-broad', () => {
  it('flags a route covering peer subnets that do not route back (low), and says which to keep', () => {
    const { b, left, right, peering, flowLogs } = cleanPair()
    const other = b.subnet(right, '10.2.2.0/24')
    b.routeTable(right, [other])
    const main = left.mainRouteTableId
    b.replace({
      ...b.build().routeTables.find((t) => t.routeTableId === main)!,
      routes: [
        { destinationCidrBlock: '10.1.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable' },
        {
          destinationCidrBlock: '10.2.0.0/16',
          vpcPeeringConnectionId: peering.vpcPeeringConnectionId,
          origin: 'CreateRoute',
        },
      ],
    })
    const findings = audit(b.build(), flowLogs, A)
    expect(summary(findings)).toEqual([`low peering-route-too-broad ${main}`])
    expect(findings[0]!.problem).toContain(other.subnetId)
    const pcx = peering.vpcPeeringConnectionId
    expect(findings[0]!.fix).toBe(
      `aws ec2 delete-route --region us-east-1 --route-table-id ${main} --destination-cidr-block 10.2.0.0/16 && aws ec2 create-route --region us-east-1 --route-table-id ${main} --destination-cidr-block 10.2.1.0/24 --vpc-peering-connection-id ${pcx}`,
    )
  })

  it('flags a route broader than the peer VPC as medium', () => {
    const { b, left, peering, flowLogs } = cleanPair()
    b.routeToPeering(left, '10.0.0.0/8', peering)
    expect(summary(audit(b.build(), flowLogs, A))).toEqual([
      `medium peering-route-too-broad ${left.mainRouteTableId}`,
    ])
  })

  it('leaves alone the whole peer block when every peer subnet it covers routes back', () => {
    const { b, left, right, peering, flowLogs } = cleanPair()
    b.subnet(right, '10.2.2.0/24')
    b.routeToPeering(left, '10.2.0.0/16', peering)
    expect(audit(b.build(), flowLogs, A)).toEqual([])
  })
})

describe('peering-unused', () => {
  it('flags an active peering that no table of either VPC routes into, to each side once', () => {
    const b = new EstateBuilder()
    const left = b.vpc('10.1.0.0/16')
    const right = b.vpc('10.2.0.0/16', { account: B })
    const peering = b.peering(left, right)
    const logs = [flowLog(left.vpcId, A), flowLog(right.vpcId, B)]
    const pcx = peering.vpcPeeringConnectionId
    const [forA, ...restA] = audit(b.build(), logs, A)
    expect(restA).toEqual([])
    expect(forA).toMatchObject({ ruleId: 'peering-unused', severity: 'low', resource: { id: pcx } })
    expect(forA!.fix).toBe(
      `aws ec2 delete-vpc-peering-connection --region us-east-1 --vpc-peering-connection-id ${pcx}`,
    )
    expect(summary(audit(b.build(), logs, B))).toEqual([`low peering-unused ${pcx}`])
  })

  it('leaves alone a peering one VPC routes into, and one that is not active', () => {
    const b = new EstateBuilder()
    const left = b.vpc('10.1.0.0/16')
    const right = b.vpc('10.2.0.0/16')
    const third = b.vpc('10.3.0.0/16')
    b.routeToPeering(left, '10.2.0.0/16', b.peering(left, right))
    b.peering(left, third, 'pending-acceptance')
    const logs = [left, right, third].map((v) => flowLog(v.vpcId, A))
    expect(summary(audit(b.build(), logs, A))).toEqual([])
  })
})

describe('peering-without-flow-logs', () => {
  it('flags a peered VPC with no flow log as medium, with the create-flow-logs command', () => {
    const { b, left, flowLogs } = cleanPair()
    const findings = audit(b.build(), flowLogs.slice(1), A)
    expect(summary(findings)).toEqual([`medium peering-without-flow-logs ${left.vpcId}`])
    expect(findings[0]!.fix).toBe(
      `aws ec2 create-flow-logs --region us-east-1 --resource-type VPC --resource-ids ${left.vpcId} --traffic-type ALL --log-destination-type cloud-watch-logs --log-group-name vpc-flow-logs/${left.vpcId} --deliver-logs-permission-arn arn:aws:iam::${A}:role/vpc-flow-logs`,
    )
    // B's own flow log does not cover A's VPC, and B's audit does not mention A's VPC.
    expect(audit(b.build(), flowLogs.slice(1), B)).toEqual([])
  })

  it('counts flow logs on every subnet as covering the VPC, and leaves unpeered VPCs alone', () => {
    const { b, app, flowLogs } = cleanPair()
    b.vpc('10.9.0.0/16')
    expect(audit(b.build(), [flowLog(app.subnetId, A, 'Subnet'), flowLogs[1]!], A)).toEqual([])
  })

  it('does not count a flow log on one interface', () => {
    const { b, left, sender, flowLogs } = cleanPair()
    const logs = [flowLog(sender.networkInterfaceId, A, 'NetworkInterface'), flowLogs[1]!]
    expect(summary(audit(b.build(), logs, A))).toEqual([`medium peering-without-flow-logs ${left.vpcId}`])
  })
})

describe('stale-security-group-rule', () => {
  const referencing = () => {
    const pair = cleanPair()
    const { b, left, right, dbGroup, peering } = pair
    const group = b.group(left, {
      ingress: [
        {
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          referencedGroup: {
            groupId: dbGroup.groupId,
            userId: B,
            vpcId: right.vpcId,
            vpcPeeringConnectionId: peering.vpcPeeringConnectionId,
          },
        },
      ],
    })
    return { ...pair, group }
  }

  it('leaves alone a reference through an active same-region peering', () => {
    const { b, flowLogs } = referencing()
    expect(audit(b.build(), flowLogs, A)).toEqual([])
  })

  it('flags the reference once the peering is deleted, with the revoke command', () => {
    const { b, group, peering, flowLogs } = referencing()
    b.replace({ ...peering, status: { code: 'deleted', message: 'Deleted' } })
    const findings = audit(b.build(), flowLogs, A).filter((f) => f.ruleId === 'stale-security-group-rule')
    expect(summary(findings)).toEqual([`low stale-security-group-rule ${group.groupId}`])
    expect(findings[0]!.fix).toBe(
      `aws ec2 revoke-security-group-ingress --region us-east-1 --group-id ${group.groupId} --security-group-rule-ids ${group.ingress[0]!.ruleId}`,
    )
  })

  it('flags the reference once the referenced group is gone', () => {
    const { b, group, dbGroup, flowLogs } = referencing()
    b.replace({ ...dbGroup, vpcId: 'vpc-elsewhere' })
    expect(summary(audit(b.build(), flowLogs, A))).toEqual([`low stale-security-group-rule ${group.groupId}`])
  })
})

describe('peering-request-expiring', () => {
  const pending = (hoursLeft: number) => {
    const at = new Date('2026-01-01T00:00:00Z')
    const b = new EstateBuilder(at)
    const left = b.vpc('10.1.0.0/16')
    const right = b.vpc('10.2.0.0/16', { account: B, region: 'eu-west-1' })
    const peering = b.peering(left, right, 'pending-acceptance')
    b.replace({ ...peering, expirationTime: new Date(at.getTime() + hoursLeft * HOUR).toISOString() })
    return { estate: b.build(), peering }
  }

  it('flags a request expiring within 48 hours to both sides; the fix is the accepter accepting it', () => {
    const { estate, peering } = pending(10)
    const pcx = peering.vpcPeeringConnectionId
    const [requester] = audit(estate, [], A)
    const [accepter] = audit(estate, [], B)
    expect(requester).toMatchObject({
      ruleId: 'peering-request-expiring',
      severity: 'medium',
      region: 'us-east-1',
    })
    expect(requester!.problem).toContain('in about 10 h')
    expect(requester!.fix).toBe(
      `aws ec2 accept-vpc-peering-connection --region eu-west-1 --vpc-peering-connection-id ${pcx}  # as account ${B}`,
    )
    expect(accepter).toMatchObject({ region: 'eu-west-1', resource: { id: pcx } })
    expect(accepter!.fix).toBe(
      `aws ec2 accept-vpc-peering-connection --region eu-west-1 --vpc-peering-connection-id ${pcx}`,
    )
  })

  it('leaves alone a request with more time left, and obeys a wider window', () => {
    const { estate } = pending(72)
    expect(audit(estate, [], A)).toEqual([])
    const wide = auditEstate({
      snapshot: compileSnapshot(estate),
      flowLogs: [],
      accountId: A,
      expiryWindowMs: 96 * HOUR,
    })
    expect(wide.map((f) => f.ruleId)).toEqual(['peering-request-expiring'])
  })
})

describe('peering-dns-resolution-off', () => {
  const hostnames = (vpc: Vpc): Vpc => ({ ...vpc, enableDnsHostnames: true, enableDnsSupport: true })

  it('flags each side whose option is off when both VPCs use private hostnames', () => {
    const { b, left, right, peering, flowLogs } = cleanPair()
    b.replace(hostnames(left)).replace(hostnames(right))
    const pcx = peering.vpcPeeringConnectionId
    const findings = audit(b.build(), flowLogs, A)
    expect(summary(findings)).toEqual([`medium peering-dns-resolution-off ${pcx}`])
    expect(findings[0]!.fix).toBe(
      `aws ec2 modify-vpc-peering-connection-options --region us-east-1 --vpc-peering-connection-id ${pcx} --requester-peering-connection-options AllowDnsResolutionFromRemoteVpc=true`,
    )
    expect(audit(b.build(), flowLogs, B)[0]!.fix).toContain('--accepter-peering-connection-options')
  })

  it('leaves alone a side with the option on, and VPCs without private hostnames', () => {
    const { b, left, right, peering, flowLogs } = cleanPair()
    b.replace(hostnames(left)).replace(hostnames(right))
    const on = { ...peering.requester.options, allowDnsResolutionFromRemoteVpc: true }
    b.replace({ ...peering, requester: { ...peering.requester, options: on } })
    expect(audit(b.build(), flowLogs, A)).toEqual([])
    b.replace(hostnames(left)).replace({ ...right, enableDnsHostnames: false })
    expect(audit(b.build(), flowLogs, B)).toEqual([])
  })
})

describe('plaintext-service-across-peering', () => {
  it('flags PostgreSQL admitted from the peer and reachable, on the admitting group', () => {
    const { b, dbGroup, flowLogs, peering } = cleanPair()
    b.replace(withRules(dbGroup, [{ ruleId: 'sgr-pg', ...allowTcp(5432, '10.1.1.0/24') }]))
    const findings = audit(b.build(), flowLogs, B)
    expect(summary(findings)).toEqual([`low plaintext-service-across-peering ${dbGroup.groupId}`])
    expect(findings[0]!.problem).toContain('PostgreSQL (tcp 5432)')
    expect(findings[0]!.problem).toContain(`across peering ${peering.vpcPeeringConnectionId}`)
    expect(findings[0]!.fix).toBe(
      `aws ec2 revoke-security-group-ingress --region us-east-1 --group-id ${dbGroup.groupId} --security-group-rule-ids sgr-pg`,
    )
    // The sender's account owns nothing reachable, so it sees no such finding.
    expect(audit(b.build(), flowLogs, A)).toEqual([])
  })

  it('names an inter-region peering', () => {
    const b = new EstateBuilder()
    const left = b.vpc('10.1.0.0/16')
    const right = b.vpc('10.2.0.0/16', { region: 'eu-west-1' })
    const cache = b.group(right, { ingress: [allowTcp(6379, '10.1.0.0/16')] })
    b.interface(b.subnet(left, '10.1.1.0/24'), '10.1.1.10')
    b.interface(b.subnet(right, '10.2.1.0/24'), '10.2.1.10', { groups: [cache] })
    const peering = b.peering(left, right)
    b.routeToPeering(left, '10.2.0.0/16', peering).routeToPeering(right, '10.1.0.0/16', peering)
    const logs = [flowLog(left.vpcId, A), flowLog(right.vpcId, A)]
    const plaintext = audit(b.build(), logs, A).filter((f) => f.ruleId === 'plaintext-service-across-peering')
    expect(plaintext.map((f) => f.problem.match(/^Redis .* across inter-region peering/) !== null)).toEqual([
      true,
    ])
    expect(plaintext[0]!.region).toBe('eu-west-1')
  })

  it('leaves alone a port admitted from the peer that the peer cannot reach (no route back)', () => {
    const { b, right, dbGroup, flowLogs } = cleanPair()
    b.replace(withRules(dbGroup, [{ ruleId: 'sgr-pg', ...allowTcp(5432, '10.1.1.0/24') }]))
    b.replace({
      ...b.build().routeTables.find((t) => t.routeTableId === right.mainRouteTableId)!,
      routes: [],
    })
    expect(
      audit(b.build(), flowLogs, B).filter((f) => f.ruleId === 'plaintext-service-across-peering'),
    ).toEqual([])
  })
})

describe('overlapping-cidr-blocks', () => {
  it('flags two of the account’s VPCs that overlap and are not peered, once per pair', () => {
    const { b, flowLogs } = cleanPair()
    const first = b.vpc('172.16.0.0/16')
    const second = b.vpc('172.16.128.0/17')
    const findings = audit(b.build(), flowLogs, A)
    expect(summary(findings)).toEqual([`medium overlapping-cidr-blocks ${first.vpcId}`])
    expect(findings[0]!.problem).toContain(second.vpcId)
  })

  it('flags a VPC of the account that overlaps a peer VPC it knows through a peering', () => {
    const { b, right, flowLogs } = cleanPair()
    const mine = b.vpc(['192.168.0.0/16', '10.2.0.0/20'])
    const findings = audit(b.build(), flowLogs, A)
    expect(summary(findings)).toEqual([`medium overlapping-cidr-blocks ${mine.vpcId}`])
    expect(findings[0]!.problem).toContain(`overlaps ${right.vpcId} (10.2.0.0/16)`)
    // A secondary block can be let go of.
    expect(findings[0]!.fix).toBe(
      `aws ec2 disassociate-vpc-cidr-block --region us-east-1 --association-id ${mine.cidrBlockAssociations[1]!.associationId}`,
    )
  })

  it('leaves alone another account’s VPCs the caller is not peered with', () => {
    const { b, flowLogs } = cleanPair()
    b.vpc('10.1.0.0/16', { account: '333333333333' })
    expect(audit(b.build(), flowLogs, A)).toEqual([])
  })
})

describe('findings as a whole', () => {
  it('name only resources of the audited account, most severe first', () => {
    const { b, left, right, dbGroup } = cleanPair()
    b.group(left, { ingress: [allowAll('0.0.0.0/0')] })
    b.group(right, { ingress: [allowAll('0.0.0.0/0')] })
    b.replace(withRules(dbGroup, [{ ruleId: 'sgr-pg', ...allowTcp(5432, '10.1.1.0/24') }]))
    const forA = audit(b.build(), [], A)
    expect(forA.every((f) => f.resource.arn.includes(`:${A}:`))).toBe(true)
    const severities = forA.map((f) => f.severity)
    expect(severities).toEqual(['high', 'medium'])
    const forB = audit(b.build(), [], B)
    expect(forB.map((f) => f.severity)).toEqual(['high', 'medium', 'low'])
    expect(countBySeverity(forB)).toEqual({ high: 1, medium: 1, low: 1 })
  })

  it('compares severities for --fail-on', () => {
    expect(atLeast('high', 'medium')).toBe(true)
    expect(atLeast('medium', 'medium')).toBe(true)
    expect(atLeast('low', 'medium')).toBe(false)
  })
})

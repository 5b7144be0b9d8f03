/**
 * The peering rules the data plane must enforce (docs/dataplane.md), one test each, on estates
 * built in memory: every verdict names its AWS Reachability Analyzer explanation code.
 */
import { describe, expect, it } from 'vitest'
import { evaluateFlow } from '../src/dataplane/evaluate.js'
import { compileSnapshot } from '../src/dataplane/snapshot.js'
import {
  aclEntry,
  allowAll,
  allowGroup,
  allowTcp,
  EstateBuilder,
  type Placement,
} from '../src/dataplane/test-estate.js'
import type { Flow, FlowResult } from '../src/dataplane/types.js'
import type { NetworkInterface } from '../src/domain/network-interface.js'
import type { PeeringStatusCode } from '../src/domain/peering.js'

const tcp = (from: NetworkInterface, destination: string, port = 443): Flow => ({
  source: { networkInterfaceId: from.networkInterfaceId },
  destination,
  protocol: 6,
  port,
})
const codes = (result: FlowResult) => result.explanations.map((e) => `${e.leg} ${e.explanationCode}`)

/** VPCs A (10.1/16), B (10.2/16) and C (10.3/16), each with one open interface at .1.10. */
function threeVpcs(placements: { b?: Placement; c?: Placement } = {}) {
  const builder = new EstateBuilder()
  const vpc = (n: number, placement: Placement = {}) => {
    const v = builder.vpc([`10.${n}.0.0/16`, `2600:${n}::/56`], placement)
    const subnet = builder.subnet(v, `10.${n}.1.0/24`, `2600:${n}::/64`)
    const eni = builder.interface(subnet, `10.${n}.1.10`, {
      groups: [builder.openGroup(v)],
      ipv6: [`2600:${n}::10`],
    })
    return { vpc: v, subnet, eni }
  }
  const a = vpc(1)
  const b = vpc(2, placements.b)
  const c = vpc(3, placements.c)
  /** Peers two VPCs and routes each one's IPv4 block to the other. */
  const peer = (x: typeof a, y: typeof a, code: PeeringStatusCode = 'active') => {
    const peering = builder.peering(x.vpc, y.vpc, code)
    builder.routeToPeering(x.vpc, y.vpc.cidrBlock, peering).routeToPeering(y.vpc, x.vpc.cidrBlock, peering)
    return peering
  }
  const evaluate = (flow: Flow) => evaluateFlow(compileSnapshot(builder.build()), flow)
  return { builder, a, b, c, peer, evaluate }
}

describe('peering rules', () => {
  it('is not transitive: A↔B and B↔C do not carry A to C (no route: NO_ROUTE_TO_DESTINATION, DISCONNECTED_VPCS)', () => {
    const { a, b, c, peer, evaluate } = threeVpcs()
    peer(a, b)
    peer(b, c)
    const result = evaluate(tcp(a.eni, '10.3.1.10'))
    expect(codes(result)).toEqual(['forward NO_ROUTE_TO_DESTINATION', 'forward DISCONNECTED_VPCS'])
    expect(result.explanations[1]).toMatchObject({
      sourceVpc: { id: a.vpc.vpcId },
      destinationVpc: { id: c.vpc.vpcId },
    })
    expect(evaluate(tcp(a.eni, '10.2.1.10')).reachable).toBe(true)
    expect(evaluate(tcp(b.eni, '10.3.1.10')).reachable).toBe(true)
  })

  it('is not transitive even when A routes C’s block to pcx-AB (PCX_REQUIRES_ADDRESS_IN_VPC_CIDR)', () => {
    const { builder, a, b, c, peer, evaluate } = threeVpcs()
    const ab = peer(a, b)
    peer(b, c)
    builder.routeToPeering(a.vpc, c.vpc.cidrBlock, ab)
    const result = evaluate(tcp(a.eni, '10.3.1.10'))
    expect(codes(result)).toEqual(['forward PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'])
    expect(result.explanations[0]).toMatchObject({
      vpcPeeringConnection: { id: ab.vpcPeeringConnectionId },
      cidrs: ['10.2.0.0/16', '2600:2::/56'],
    })
    expect(result.explanations[0]!.message).toBe(
      `Peering ${ab.vpcPeeringConnectionId} only carries traffic to ${b.vpc.vpcId}'s blocks (10.2.0.0/16, 2600:2::/56); 10.3.1.10 is outside them`,
    )
  })

  it('carries nothing to a destination outside the peer’s blocks, whatever the route says', () => {
    const { builder, a, b, peer, evaluate } = threeVpcs()
    const ab = peer(a, b)
    builder.routeToPeering(a.vpc, '192.168.0.0/16', ab)
    const result = evaluate(tcp(a.eni, '192.168.1.1'))
    expect(codes(result)).toEqual(['forward PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'])
    expect(result.touched).toHaveLength(1)
  })

  it('gives no edge-to-edge routing: not through B’s NAT gateway, internet gateway or VPN', () => {
    const { builder, a, b, peer, evaluate } = threeVpcs()
    const ab = peer(a, b)
    const igw = builder.internetGateway(b.vpc)
    const nat = builder.natGateway(b.subnet, '10.2.1.5')
    const vgw = builder.vpnGateway(b.vpc)
    builder
      .route(b.vpc, '0.0.0.0/0', { natGatewayId: nat.natGatewayId })
      .route(b.vpc, '8.8.0.0/16', { gatewayId: igw.internetGatewayId })
      .route(b.vpc, '192.168.0.0/16', { gatewayId: vgw.vpnGatewayId })
      .routeToPeering(a.vpc, '0.0.0.0/0', ab)
    for (const destination of ['1.1.1.1', '8.8.8.8', '192.168.1.1']) {
      const result = evaluate(tcp(a.eni, destination))
      expect(codes(result)).toEqual(['forward PCX_REQUIRES_ADDRESS_IN_VPC_CIDR'])
      // B's own traffic does use them: the gateways work, only not for A.
      expect(evaluate(tcp(b.eni, destination)).explanations.map((e) => e.explanationCode)).not.toContain(
        'PCX_REQUIRES_ADDRESS_IN_VPC_CIDR',
      )
    }
    expect(evaluate(tcp(b.eni, '192.168.1.1')).reachable).toBe(true)
  })

  it('carries nothing over a peering that is pending acceptance, rejected or deleted (BAD_STATE_ROUTE)', () => {
    for (const code of ['pending-acceptance', 'rejected', 'deleted', 'expired', 'failed'] as const) {
      const { a, b, peer, evaluate } = threeVpcs()
      const ab = peer(a, b, code)
      const result = evaluate(tcp(a.eni, '10.2.1.10'))
      expect(codes(result)).toEqual(['forward BAD_STATE_ROUTE'])
      expect(result.explanations[0]).toMatchObject({
        vpcPeeringConnection: { id: ab.vpcPeeringConnectionId },
        state: code,
        routeTableRoute: { destinationCidr: '10.2.0.0/16', state: 'blackhole' },
      })
    }
  })

  it('lets a group allowing only the peer’s block admit the peer and nothing else (ENI_SG_RULES_MISMATCH)', () => {
    const { builder, a, b, c, peer, evaluate } = threeVpcs()
    peer(a, c)
    peer(b, c)
    const onlyA = builder.group(c.vpc, { ingress: [allowTcp(5432, '10.1.0.0/16')] })
    builder.replace({ ...c.eni, groupIds: [onlyA.groupId] })
    expect(evaluate(tcp(a.eni, '10.3.1.10', 5432)).reachable).toBe(true)
    expect(codes(evaluate(tcp(b.eni, '10.3.1.10', 5432)))).toEqual(['forward ENI_SG_RULES_MISMATCH'])
    expect(codes(evaluate(tcp(a.eni, '10.3.1.10', 22)))).toEqual(['forward ENI_SG_RULES_MISMATCH'])
  })

  it('breaks the return path at a network ACL without an ephemeral return rule (SUBNET_ACL_RESTRICTION)', () => {
    const { builder, a, b, peer, evaluate } = threeVpcs()
    peer(a, b)
    builder.acl(
      a.vpc,
      [a.subnet],
      [
        aclEntry(100, true, 'allow', '10.2.0.0/16'),
        aclEntry(100, false, 'allow', '10.2.0.0/16', '6', [0, 1023]),
      ],
    )
    const result = evaluate(tcp(a.eni, '10.2.1.10', 443))
    expect(codes(result)).toEqual(['return SUBNET_ACL_RESTRICTION'])
    expect(result.explanations[0]).toMatchObject({ direction: 'ingress', port: 49152, address: '10.2.1.10' })
    const withEphemeral = threeVpcs()
    withEphemeral.peer(withEphemeral.a, withEphemeral.b)
    withEphemeral.builder.acl(
      withEphemeral.a.vpc,
      [withEphemeral.a.subnet],
      [
        aclEntry(100, true, 'allow', '10.2.0.0/16'),
        aclEntry(110, false, 'allow', '10.2.0.0/16', '6', [1024, 65535]),
      ],
    )
    expect(withEphemeral.evaluate(tcp(withEphemeral.a.eni, '10.2.1.10', 443)).reachable).toBe(true)
  })

  it('honours a rule naming the peer’s group over an active same-region peering, not across regions', () => {
    const build = (placement: Placement) => {
      const world = threeVpcs({ b: placement })
      const { builder, a, b, peer } = world
      peer(a, b)
      const clients = builder.group(a.vpc, { egress: [allowAll('0.0.0.0/0')] })
      const servers = builder.group(b.vpc, { ingress: [allowGroup(clients.groupId)] })
      builder
        .replace({ ...a.eni, groupIds: [clients.groupId] })
        .replace({ ...b.eni, groupIds: [servers.groupId] })
      return world
    }
    const sameRegion = build({})
    expect(sameRegion.evaluate(tcp(sameRegion.a.eni, '10.2.1.10')).reachable).toBe(true)
    const crossRegion = build({ region: 'eu-west-1' })
    const result = crossRegion.evaluate(tcp(crossRegion.a.eni, '10.2.1.10'))
    expect(codes(result)).toEqual(['forward ENI_SG_RULES_MISMATCH'])
    expect(result.touched[0]!.trafficPath).toBe(5)
  })

  it('carries IPv6 over a peering with IPv6 routes on both sides, and only then', () => {
    const { builder, a, b, peer, evaluate } = threeVpcs()
    const ab = peer(a, b)
    expect(codes(evaluate(tcp(a.eni, '2600:2::10')))).toEqual(['forward NO_ROUTE_TO_DESTINATION'])
    builder.routeToPeering(a.vpc, '2600:2::/56', ab)
    expect(codes(evaluate(tcp(a.eni, '2600:2::10')))).toEqual(['return NO_ROUTE_TO_DESTINATION'])
    builder.routeToPeering(b.vpc, '2600:1::/56', ab)
    const result = evaluate(tcp(a.eni, '2600:2::10'))
    expect(result.reachable).toBe(true)
    expect(result.forwardPath[0]!.outboundHeader).toMatchObject({
      sourceAddress: '2600:1::10',
      destinationAddress: '2600:2::10',
    })
  })

  it('reports every blocker on one path, not only the first', () => {
    const { builder, a, b, peer, evaluate } = threeVpcs()
    peer(a, b)
    builder.replace({ ...a.eni, groupIds: [builder.group(a.vpc).groupId] })
    builder.acl(b.vpc, [b.subnet], [aclEntry(100, true, 'allow', '0.0.0.0/0')])
    builder.replace({
      ...b.eni,
      groupIds: [builder.group(b.vpc, { ingress: [allowTcp(22, '0.0.0.0/0')] }).groupId],
    })
    const result = evaluate(tcp(a.eni, '10.2.1.10'))
    expect(codes(result)).toEqual([
      'forward SG_HAS_NO_RULES',
      'forward SUBNET_ACL_RESTRICTION',
      'forward ENI_SG_RULES_MISMATCH',
    ])
    expect(result.reachable).toBe(false)
  })

  it('skips network ACLs and routing between two interfaces of one subnet', () => {
    const { builder, a, evaluate } = threeVpcs()
    const neighbour = builder.interface(a.subnet, '10.1.1.11', { groups: [builder.openGroup(a.vpc)] })
    builder.acl(a.vpc, [a.subnet], [])
    const result = evaluate(tcp(a.eni, neighbour.privateIpAddress))
    expect(result.reachable).toBe(true)
    expect(result.forwardPath.map((c) => c.component.kind)).not.toContain('network-acl')
    expect(result.forwardPath.map((c) => c.component.kind)).not.toContain('route-table')
    const elsewhere = builder.interface(builder.subnet(a.vpc, '10.1.2.0/24'), '10.1.2.10', {
      groups: [builder.openGroup(a.vpc)],
    })
    expect(codes(evaluate(tcp(a.eni, elsewhere.privateIpAddress)))).toEqual([
      'forward SUBNET_ACL_RESTRICTION',
      'return SUBNET_ACL_RESTRICTION',
    ])
  })

  it('records the flow-log hits of the table in docs/dataplane.md', () => {
    const { builder, a, b, peer, evaluate } = threeVpcs()
    peer(a, b)
    const hits = (result: FlowResult) =>
      result.touched.map(
        (h) => `${h.networkInterfaceId} ${h.flowDirection}${h.reply ? ' reply' : ''} ${h.action}`,
      )
    const [sender, receiver] = [a.eni.networkInterfaceId, b.eni.networkInterfaceId]
    // Delivered: all four records accept.
    expect(hits(evaluate(tcp(a.eni, '10.2.1.10')))).toEqual([
      `${sender} egress ACCEPT`,
      `${receiver} ingress ACCEPT`,
      `${receiver} egress reply ACCEPT`,
      `${sender} ingress reply ACCEPT`,
    ])
    // The reply dropped at the sender's subnet: the last record rejects.
    builder.acl(
      a.vpc,
      [a.subnet],
      [aclEntry(100, true, 'allow', '0.0.0.0/0'), aclEntry(100, false, 'allow', '0.0.0.0/0', '6', [0, 1023])],
    )
    expect(hits(evaluate(tcp(a.eni, '10.2.1.10'))).at(-1)).toBe(`${sender} ingress reply REJECT`)
    // The reply dropped leaving the receiver's subnet: it never comes back.
    builder.acl(b.vpc, [b.subnet], [aclEntry(100, false, 'allow', '0.0.0.0/0')])
    expect(hits(evaluate(tcp(a.eni, '10.2.1.10')))).toEqual([
      `${sender} egress ACCEPT`,
      `${receiver} ingress ACCEPT`,
      `${receiver} egress reply REJECT`,
      `${sender} ingress reply REJECT`,
    ])
    // Refused at the receiver: no reply at all.
    builder.replace({ ...b.eni, groupIds: [builder.group(b.vpc).groupId] })
    expect(hits(evaluate(tcp(a.eni, '10.2.1.10')))).toEqual([
      `${sender} egress ACCEPT`,
      `${receiver} ingress REJECT`,
    ])
    // Refused at the sender: an egress REJECT; nothing is routed when the route is gone too.
    builder.replace({ ...a.eni, groupIds: [builder.group(a.vpc).groupId] })
    expect(hits(evaluate(tcp(a.eni, '10.9.9.9')))).toEqual([`${sender} egress REJECT`])
    // Egress records carry the traffic path; the peering is in one region.
    expect(evaluate(tcp(a.eni, '10.2.1.10')).touched[0]!.trafficPath).toBe(4)
  })
})

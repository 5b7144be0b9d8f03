import { describe, expect, it } from 'vitest'
import type { NetworkInterface } from '../domain/network-interface.js'
import { evaluateFlow } from './evaluate.js'
import { compileSnapshot } from './snapshot.js'
import { aclEntry, allowAll, allowTcp, EstateBuilder } from './test-estate.js'
import type { Flow, FlowResult } from './types.js'

const tcp = (from: NetworkInterface, destination: string, port = 443): Flow => ({
  source: { networkInterfaceId: from.networkInterfaceId },
  destination,
  protocol: 6,
  port,
})
const codes = (result: FlowResult) => result.explanations.map((e) => `${e.leg} ${e.explanationCode}`)
const kinds = (path: FlowResult['forwardPath']) => path.map((c) => c.component.kind)

/** Two peered VPCs with one open interface each, routes both ways: the baseline most tests bend. */
function peeredPair() {
  const b = new EstateBuilder()
  const left = b.vpc(['10.1.0.0/16', '2600:1::/56'])
  const right = b.vpc(['10.2.0.0/16', '2600:2::/56'], { account: '222222222222' })
  const leftSubnet = b.subnet(left, '10.1.1.0/24', '2600:1::/64')
  const rightSubnet = b.subnet(right, '10.2.1.0/24', '2600:2::/64')
  const sender = b.interface(leftSubnet, '10.1.1.10', { groups: [b.openGroup(left)], ipv6: ['2600:1::10'] })
  const receiver = b.interface(rightSubnet, '10.2.1.10', {
    groups: [b.openGroup(right)],
    ipv6: ['2600:2::10'],
  })
  const peering = b.peering(left, right)
  b.routeToPeering(left, '10.2.0.0/16', peering).routeToPeering(right, '10.1.0.0/16', peering)
  return { b, left, right, leftSubnet, rightSubnet, sender, receiver, peering }
}

describe('a delivered flow', () => {
  const { b, sender, receiver, peering } = peeredPair()
  const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '10.2.1.10', 5432))

  it('crosses every component in order, numbered from 1 each way', () => {
    expect(result.reachable).toBe(true)
    expect(result.explanations).toEqual([])
    expect(kinds(result.forwardPath)).toEqual([
      'network-interface',
      'security-group',
      'network-acl',
      'route-table',
      'vpc-peering-connection',
      'network-acl',
      'security-group',
      'network-interface',
    ])
    expect(kinds(result.returnPath)).toEqual([
      'network-interface',
      'network-acl',
      'route-table',
      'vpc-peering-connection',
      'network-acl',
      'network-interface',
    ])
    expect(result.forwardPath.map((c) => c.sequenceNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(result.returnPath.map((c) => c.sequenceNumber)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('names components by ARN with their owner and region, and says what decided', () => {
    const [first, group, acl, table, pcx, , , last] = result.forwardPath
    expect(first!.component.arn).toBe(
      `arn:aws:ec2:us-east-1:111111111111:network-interface/${sender.networkInterfaceId}`,
    )
    expect(last!.component.arn).toBe(
      `arn:aws:ec2:us-east-1:222222222222:network-interface/${receiver.networkInterfaceId}`,
    )
    expect(pcx!.component.arn).toBe(
      `arn:aws:ec2:us-east-1:111111111111:vpc-peering-connection/${peering.vpcPeeringConnectionId}`,
    )
    expect(pcx!.sourceVpc?.id).toBe(sender.vpcId)
    expect(pcx!.destinationVpc?.id).toBe(receiver.vpcId)
    expect(group!.securityGroupRule).toMatchObject({ direction: 'egress', protocol: '-1', cidr: '0.0.0.0/0' })
    expect(acl!.aclRule).toMatchObject({ ruleNumber: 100, ruleAction: 'allow', egress: true })
    expect(table!.routeTableRoute).toEqual({
      destinationCidr: '10.2.0.0/16',
      target: peering.vpcPeeringConnectionId,
      state: 'active',
      origin: 'CreateRoute',
    })
  })

  it('carries the packet headers, ports swapped on the way back', () => {
    expect(result.forwardPath[0]!.outboundHeader).toEqual({
      sourceAddress: '10.1.1.10',
      destinationAddress: '10.2.1.10',
      protocol: 6,
      sourcePort: 49152,
      destinationPort: 5432,
    })
    expect(result.forwardPath[0]!.inboundHeader).toBeUndefined()
    expect(result.returnPath[0]!.outboundHeader).toEqual({
      sourceAddress: '10.2.1.10',
      destinationAddress: '10.1.1.10',
      protocol: 6,
      sourcePort: 5432,
      destinationPort: 49152,
    })
  })

  it('records four flow-log hits with true private addresses and the peering traffic path', () => {
    expect(result.touched).toEqual([
      expect.objectContaining({
        networkInterfaceId: sender.networkInterfaceId,
        flowDirection: 'egress',
        reply: false,
        action: 'ACCEPT',
        trafficPath: 4,
      }),
      expect.objectContaining({
        networkInterfaceId: receiver.networkInterfaceId,
        flowDirection: 'ingress',
        reply: false,
        sourceAddress: '10.1.1.10',
      }),
      expect.objectContaining({
        networkInterfaceId: receiver.networkInterfaceId,
        flowDirection: 'egress',
        reply: true,
        trafficPath: 4,
        sourcePort: 5432,
        destinationPort: 49152,
      }),
      expect.objectContaining({
        networkInterfaceId: sender.networkInterfaceId,
        flowDirection: 'ingress',
        reply: true,
        destinationAddress: '10.1.1.10',
      }),
    ])
    expect(result.touched[1]!.trafficPath).toBeUndefined()
  })
})

describe('sources', () => {
  it('accepts an address the interface holds, a secondary one included', () => {
    const b = new EstateBuilder()
    const vpc = b.vpc('10.0.0.0/16')
    const subnet = b.subnet(vpc, '10.0.1.0/24')
    const group = b.openGroup(vpc)
    b.interface(subnet, '10.0.1.10', { groups: [group], secondary: ['10.0.1.11'] })
    const other = b.subnet(vpc, '10.0.2.0/24')
    b.interface(other, '10.0.2.10', { groups: [group] })
    const result = evaluateFlow(compileSnapshot(b.build()), {
      source: { address: '10.0.1.11' },
      destination: '10.0.2.10',
      protocol: 17,
      port: 53,
    })
    expect(result.reachable).toBe(true)
    expect(result.forwardPath[0]!.outboundHeader?.sourceAddress).toBe('10.0.1.11')
  })

  it('says NO_SOURCE_OR_DESTINATION when the source cannot send to the destination', () => {
    const { b, sender, left } = peeredPair()
    // The same address in an unpeered VPC of another account: a source address must be unambiguous.
    const third = b.vpc('10.1.0.0/16', { account: '333333333333' })
    b.interface(b.subnet(third, '10.1.1.0/24'), '10.1.1.10')
    const bare = b.interface(b.subnet(left, '10.1.9.0/24'), '10.1.9.9')
    const snapshot = compileSnapshot(b.build())
    const unresolved = (flow: Flow) => {
      const result = evaluateFlow(snapshot, flow)
      expect(codes(result)).toEqual(['forward NO_SOURCE_OR_DESTINATION'])
      expect(result.forwardPath).toEqual([])
      expect(result.touched).toEqual([])
      return result.explanations[0]!.message
    }
    expect(
      unresolved({ ...tcp(sender, '10.2.1.10'), source: { networkInterfaceId: 'eni-missing' } }),
    ).toMatch(/does not exist/)
    expect(unresolved(tcp(bare, '2600:2::10'))).toMatch(/no IPv6 address/)
    expect(unresolved(tcp(sender, 'not-an-address'))).toMatch(/not an IP address/)
    expect(unresolved({ ...tcp(sender, '10.2.1.10'), source: { address: '10.99.0.1' } })).toMatch(
      /No network interface holds/,
    )
    expect(unresolved({ ...tcp(sender, '10.2.1.10'), source: { address: '10.1.1.10' } })).toMatch(
      /several interfaces/,
    )
    expect(unresolved({ ...tcp(sender, '2600:2::10'), source: { address: '10.1.9.9' } })).toMatch(
      /address families differ/,
    )
  })
})

describe('routing', () => {
  it('says UNKNOWN_DESTINATION for an address no interface holds, locally or across a peering', () => {
    const { b, sender } = peeredPair()
    const snapshot = compileSnapshot(b.build())
    expect(codes(evaluateFlow(snapshot, tcp(sender, '10.1.7.7')))).toEqual(['forward UNKNOWN_DESTINATION'])
    const across = evaluateFlow(snapshot, tcp(sender, '10.2.7.7'))
    expect(codes(across)).toEqual(['forward UNKNOWN_DESTINATION'])
    expect(across.returnPath).toEqual([])
    expect(across.touched.map((h) => h.flowDirection)).toEqual(['egress'])
  })

  it('prefers the explicitly associated table to the main one', () => {
    const { b, left, leftSubnet, sender } = peeredPair()
    const isolated = b.routeTable(left, [leftSubnet])
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '10.2.1.10'))
    expect(codes(result)).toEqual(['forward NO_ROUTE_TO_DESTINATION'])
    expect(result.explanations[0]!.routeTable?.id).toBe(isolated.routeTableId)
  })

  it('needs a route back: an asymmetric route table drops the reply', () => {
    const b = new EstateBuilder()
    const left = b.vpc('10.1.0.0/16')
    const right = b.vpc('10.2.0.0/16')
    const sender = b.interface(b.subnet(left, '10.1.1.0/24'), '10.1.1.10', { groups: [b.openGroup(left)] })
    b.interface(b.subnet(right, '10.2.1.0/24'), '10.2.1.10', { groups: [b.openGroup(right)] })
    b.routeToPeering(left, '10.2.0.0/16', b.peering(left, right))
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '10.2.1.10'))
    expect(codes(result)).toEqual(['return NO_ROUTE_TO_DESTINATION'])
    expect(result.reachable).toBe(false)
    expect(result.touched.map((h) => `${h.flowDirection}${h.reply ? ' reply' : ''} ${h.action}`)).toEqual([
      'egress ACCEPT',
      'ingress ACCEPT',
      'egress reply ACCEPT',
    ])
  })

  it('reports a blackhole with the gateway it names', () => {
    const b = new EstateBuilder()
    const vpc = b.vpc('10.0.0.0/16')
    const sender = b.interface(b.subnet(vpc, '10.0.1.0/24'), '10.0.1.10', {
      groups: [b.openGroup(vpc)],
      publicIp: '54.1.1.1',
    })
    const detached = b.internetGateway()
    b.route(vpc, '0.0.0.0/0', { gatewayId: detached.internetGatewayId })
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '8.8.8.8'))
    expect(codes(result)).toEqual(['forward BAD_STATE_ROUTE'])
    expect(result.explanations[0]!.gateway?.id).toBe(detached.internetGatewayId)
    expect(result.explanations[0]!.message).toMatch(/not attached/)
  })
})

describe('leaving AWS', () => {
  function internetVpc(options: { publicIp?: string } = {}) {
    const b = new EstateBuilder()
    const vpc = b.vpc(['10.0.0.0/16', '2600:1::/56'])
    const subnet = b.subnet(vpc, '10.0.1.0/24', '2600:1::/64')
    const sender = b.interface(subnet, '10.0.1.10', {
      groups: [b.openGroup(vpc)],
      ipv6: ['2600:1::10'],
      ...options,
    })
    const gateway = b.internetGateway(vpc)
    b.route(vpc, '0.0.0.0/0', { gatewayId: gateway.internetGatewayId })
    return { b, vpc, subnet, sender, gateway }
  }

  it('reaches the internet through an attached internet gateway with a public address', () => {
    const { b, sender } = internetVpc({ publicIp: '54.1.2.3' })
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '8.8.8.8'))
    expect(result.reachable).toBe(true)
    expect(kinds(result.forwardPath).at(-1)).toBe('internet-gateway')
    expect(result.returnPath).toEqual([])
    expect(result.touched.map((h) => [h.flowDirection, h.reply, h.trafficPath])).toEqual([
      ['egress', false, 2],
      ['ingress', true, undefined],
    ])
  })

  it('needs a public IPv4 address for IPv4, none for IPv6', () => {
    const { b, vpc, sender, gateway } = internetVpc()
    b.route(vpc, '::/0', { gatewayId: gateway.internetGatewayId })
    const snapshot = compileSnapshot(b.build())
    expect(codes(evaluateFlow(snapshot, tcp(sender, '8.8.8.8')))).toEqual([
      'forward IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS',
    ])
    expect(evaluateFlow(snapshot, tcp(sender, '2001:db8::1')).reachable).toBe(true)
  })

  it('checks the reply at the source subnet ACL only', () => {
    const { b, vpc, subnet, sender } = internetVpc({ publicIp: '54.1.2.3' })
    b.acl(
      vpc,
      [subnet],
      [aclEntry(100, true, 'allow', '0.0.0.0/0'), aclEntry(100, false, 'allow', '0.0.0.0/0', '6', [0, 1023])],
    )
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '8.8.8.8'))
    expect(codes(result)).toEqual(['return SUBNET_ACL_RESTRICTION'])
    expect(result.explanations[0]).toMatchObject({ direction: 'ingress', port: 49152, address: '8.8.8.8' })
    expect(result.touched.at(-1)).toMatchObject({ flowDirection: 'ingress', reply: true, action: 'REJECT' })
  })

  it('sends IPv6 out through an egress-only gateway, and not IPv4', () => {
    const { b, vpc, sender } = internetVpc()
    const eigw = b.egressOnlyInternetGateway(vpc)
    b.route(vpc, '::/0', { egressOnlyInternetGatewayId: eigw.egressOnlyInternetGatewayId })
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '2001:db8::1'))
    expect(result.reachable).toBe(true)
    expect(result.forwardPath.at(-1)!.component.arn).toContain(
      `:egress-only-internet-gateway/${eigw.egressOnlyInternetGatewayId}`,
    )
  })

  it('translates at a public NAT gateway and leaves through the internet gateway', () => {
    const { b, vpc } = internetVpc()
    const nat = b.natGateway(b.subnet(vpc, '10.0.9.0/24'), '10.0.9.5')
    const privateSubnet = b.subnet(vpc, '10.0.2.0/24')
    b.route(b.routeTable(vpc, [privateSubnet]), '0.0.0.0/0', { natGatewayId: nat.natGatewayId })
    const privateSender = b.interface(privateSubnet, '10.0.2.10', { groups: [b.openGroup(vpc)] })
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(privateSender, '8.8.8.8'))
    expect(result.reachable).toBe(true)
    expect(kinds(result.forwardPath)).toEqual([
      'network-interface',
      'security-group',
      'network-acl',
      'route-table',
      'nat-gateway',
      'route-table',
      'internet-gateway',
    ])
    const natStep = result.forwardPath[4]!
    expect(natStep.component.arn).toContain(`:natgateway/${nat.natGatewayId}`)
    expect(natStep.inboundHeader?.sourceAddress).toBe('10.0.2.10')
    expect(natStep.outboundHeader?.sourceAddress).toBe('10.0.9.5')
    expect(result.touched[0]!.trafficPath).toBe(1)
  })

  it('refuses a NAT gateway of another VPC, and a private NAT gateway at the internet gateway', () => {
    const { b, vpc, sender, gateway } = internetVpc()
    const other = b.vpc('10.5.0.0/16')
    const foreign = b.natGateway(b.subnet(other, '10.5.1.0/24'), '10.5.1.5')
    const natSubnet = b.subnet(vpc, '10.0.8.0/24')
    const privateNat = b.natGateway(natSubnet, '10.0.8.5', 'private')
    b.route(b.routeTable(vpc, [natSubnet]), '0.0.0.0/0', { gatewayId: gateway.internetGatewayId })
    b.route(vpc, '8.8.8.0/24', { natGatewayId: foreign.natGatewayId })
    b.route(vpc, '9.9.9.0/24', { natGatewayId: privateNat.natGatewayId })
    const snapshot = compileSnapshot(b.build())
    expect(codes(evaluateFlow(snapshot, tcp(sender, '8.8.8.8')))).toEqual([
      'forward NGW_REQUIRES_SOURCE_IN_VPC',
    ])
    expect(codes(evaluateFlow(snapshot, tcp(sender, '9.9.9.9')))).toEqual([
      'forward IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS',
    ])
  })

  it('ends at an attached virtual private gateway', () => {
    const { b, vpc, sender } = internetVpc()
    const vgw = b.vpnGateway(vpc)
    b.route(vpc, '192.168.0.0/16', { gatewayId: vgw.vpnGatewayId })
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '192.168.1.1'))
    expect(result.reachable).toBe(true)
    expect(result.forwardPath.at(-1)!.component.kind).toBe('vpn-gateway')
    expect(result.touched[0]!.trafficPath).toBe(3)
  })
})

describe('appliances', () => {
  it('drops traffic at an interface that checks source and destination, and delivers its own', () => {
    const b = new EstateBuilder()
    const vpc = b.vpc('10.0.0.0/16')
    const group = b.openGroup(vpc)
    const sender = b.interface(b.subnet(vpc, '10.0.1.0/24'), '10.0.1.10', { groups: [group] })
    const firewall = b.interface(b.subnet(vpc, '10.0.2.0/24'), '10.0.2.10', {
      groups: [group],
      instanceId: 'i-0firewall',
    })
    b.route(vpc, '172.16.0.0/12', { instanceId: 'i-0firewall' })
    const snapshot = compileSnapshot(b.build())
    const result = evaluateFlow(snapshot, tcp(sender, '172.16.0.1'))
    expect(codes(result)).toEqual(['forward ENI_SOURCE_DEST_CHECK_RESTRICTION'])
    expect(result.explanations[0]!.component.id).toBe(firewall.networkInterfaceId)
    b.replace({ ...firewall, sourceDestCheck: false })
    const unchecked = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '172.16.0.1'))
    expect(codes(unchecked)).toEqual(['forward UNSUPPORTED_COMPONENT'])
  })
})

describe('filters', () => {
  it('skip ACLs and routing within one subnet', () => {
    const b = new EstateBuilder()
    const vpc = b.vpc('10.0.0.0/16')
    const subnet = b.subnet(vpc, '10.0.1.0/24')
    const group = b.openGroup(vpc)
    const sender = b.interface(subnet, '10.0.1.10', { groups: [group] })
    b.interface(subnet, '10.0.1.11', { groups: [group] })
    b.acl(vpc, [subnet], [])
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '10.0.1.11'))
    expect(result.reachable).toBe(true)
    expect(kinds(result.forwardPath)).toEqual([
      'network-interface',
      'security-group',
      'security-group',
      'network-interface',
    ])
    expect(kinds(result.returnPath)).toEqual(['network-interface', 'network-interface'])
  })

  it('go on past a blocker and report every one, in path order', () => {
    const { b, left, right, leftSubnet, rightSubnet, sender } = peeredPair()
    const mute = b.group(left)
    const deaf = b.group(right, { ingress: [allowTcp(22, '10.1.0.0/16')] })
    b.replace({ ...sender, groupIds: [mute.groupId] })
    b.acl(left, [leftSubnet], [aclEntry(100, false, 'allow', '0.0.0.0/0')])
    const receiver = b.interface(rightSubnet, '10.2.1.20', { groups: [deaf] })
    b.acl(right, [rightSubnet], [aclEntry(100, true, 'allow', '0.0.0.0/0')])
    const result = evaluateFlow(compileSnapshot(b.build()), tcp(sender, '10.2.1.20'))
    expect(codes(result)).toEqual([
      'forward SG_HAS_NO_RULES',
      'forward SUBNET_ACL_RESTRICTION',
      'forward SUBNET_ACL_RESTRICTION',
      'forward ENI_SG_RULES_MISMATCH',
    ])
    const [egress, outbound, inbound, ingress] = result.explanations
    expect(egress).toMatchObject({ direction: 'egress', component: { id: sender.networkInterfaceId } })
    expect(egress!.securityGroups?.map((g) => g.id)).toEqual([mute.groupId])
    expect(outbound).toMatchObject({ direction: 'egress' })
    expect(inbound).toMatchObject({ direction: 'ingress' })
    expect(outbound!.aclRule).toBeUndefined()
    expect(ingress).toMatchObject({
      direction: 'ingress',
      component: { id: receiver.networkInterfaceId },
      port: 443,
    })
    // The forward leg reached the receiver, so its return leg was evaluated too (and is clean here:
    // the right subnet's ACL allows all out, the left's all in).
    expect(result.returnPath.length).toBeGreaterThan(0)
    expect(result.touched.map((h) => `${h.flowDirection} ${h.action}`)).toEqual([
      'egress REJECT',
      'ingress REJECT',
    ])
  })

  it('match an IPv6 CIDR rule only for IPv6 traffic', () => {
    const { b, left, right, receiver, sender, peering } = peeredPair()
    b.routeToPeering(left, '2600:2::/56', peering).routeToPeering(right, '2600:1::/56', peering)
    const v6Only = b.group(right, { ingress: [allowAll('2600:1::/56')] })
    b.replace({ ...receiver, groupIds: [v6Only.groupId] })
    const snapshot = compileSnapshot(b.build())
    expect(codes(evaluateFlow(snapshot, tcp(sender, '10.2.1.10')))).toEqual(['forward ENI_SG_RULES_MISMATCH'])
    expect(evaluateFlow(snapshot, tcp(sender, '2600:2::10')).reachable).toBe(true)
  })
})

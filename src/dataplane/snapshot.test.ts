import { describe, expect, it } from 'vitest'
import { readAddress } from './address.js'
import { compileSnapshot, holderIn, holdersOf } from './snapshot.js'
import { aclEntry, EstateBuilder } from './test-estate.js'

describe('compileSnapshot', () => {
  it('precomputes each route state as docs/dataplane.md defines blackholes', () => {
    const b = new EstateBuilder()
    const vpc = b.vpc('10.0.0.0/16')
    const other = b.vpc('10.9.0.0/16')
    const subnet = b.subnet(vpc, '10.0.1.0/24')
    const eni = b.interface(subnet, '10.0.1.10', { instanceId: 'i-0abc' })
    const pending = b.peering(vpc, other, 'pending-acceptance')
    const active = b.peering(vpc, b.vpc('10.8.0.0/16'))
    const attached = b.internetGateway(vpc)
    const elsewhere = b.internetGateway(other)
    const vgw = b.vpnGateway()
    const nat = b.natGateway(subnet, '10.0.1.5')
    const deletedNat = b.natGateway(subnet, '10.0.1.6')
    b.replace({ ...deletedNat, state: 'deleted' })
    b.route(vpc, '10.9.0.0/16', { vpcPeeringConnectionId: pending.vpcPeeringConnectionId })
      .route(vpc, '10.8.0.0/16', { vpcPeeringConnectionId: active.vpcPeeringConnectionId })
      .route(vpc, '10.7.0.0/16', { vpcPeeringConnectionId: 'pcx-gone' })
      .route(vpc, '0.0.0.0/0', { gatewayId: attached.internetGatewayId })
      .route(vpc, '1.0.0.0/8', { gatewayId: elsewhere.internetGatewayId })
      .route(vpc, '2.0.0.0/8', { gatewayId: vgw.vpnGatewayId })
      .route(vpc, '3.0.0.0/8', { natGatewayId: nat.natGatewayId })
      .route(vpc, '4.0.0.0/8', { natGatewayId: deletedNat.natGatewayId })
      .route(vpc, '5.0.0.0/8', { networkInterfaceId: eni.networkInterfaceId })
      .route(vpc, '6.0.0.0/8', { networkInterfaceId: 'eni-gone' })
      .route(vpc, '7.0.0.0/8', { instanceId: 'i-0abc' })
      .route(vpc, '8.0.0.0/8', { transitGatewayId: 'tgw-1' })
      .route(vpc, '9.0.0.0/8', { gatewayId: 'local' })
    const table = compileSnapshot(b.build()).routeTables.get(vpc.mainRouteTableId)!
    const states = Object.fromEntries(table.routes.map((r) => [r.destination, r.matched.state]))
    expect(states).toEqual({
      '10.0.0.0/16': 'active',
      '10.9.0.0/16': 'blackhole',
      '10.8.0.0/16': 'active',
      '10.7.0.0/16': 'blackhole',
      '0.0.0.0/0': 'active',
      '1.0.0.0/8': 'blackhole',
      '2.0.0.0/8': 'blackhole',
      '3.0.0.0/8': 'active',
      '4.0.0.0/8': 'blackhole',
      '5.0.0.0/8': 'active',
      '6.0.0.0/8': 'blackhole',
      '7.0.0.0/8': 'active',
      '8.0.0.0/8': 'blackhole',
      '9.0.0.0/8': 'active',
    })
    expect(table.routes.find((r) => r.destination === '7.0.0.0/8')!.matched.target).toBe('i-0abc')
    expect(table.lookup(readAddress('10.8.1.1')!)?.destination).toBe('10.8.0.0/16')
    expect(table.lookup(readAddress('11.1.1.1')!)?.destination).toBe('0.0.0.0/0')
  })

  it('gives each subnet its associated table and ACL, else the main table and the default ACL', () => {
    const b = new EstateBuilder()
    const vpc = b.vpc('10.0.0.0/16')
    const plain = b.subnet(vpc, '10.0.1.0/24')
    const custom = b.subnet(vpc, '10.0.2.0/24')
    const table = b.routeTable(vpc, [custom])
    const acl = b.acl(vpc, [custom], [aclEntry(100, true, 'allow', '0.0.0.0/0')])
    const snapshot = compileSnapshot(b.build())
    expect(snapshot.subnets.get(plain.subnetId)!.routeTable!.table.routeTableId).toBe(vpc.mainRouteTableId)
    expect(snapshot.subnets.get(plain.subnetId)!.acl!.acl.networkAclId).toBe(vpc.defaultNetworkAclId)
    expect(snapshot.subnets.get(custom.subnetId)!.routeTable!.table.routeTableId).toBe(table.routeTableId)
    expect(snapshot.subnets.get(custom.subnetId)!.acl!.acl.networkAclId).toBe(acl.networkAclId)
  })

  it('indexes addresses by VPC and globally, keeping overlapping holders apart', () => {
    const b = new EstateBuilder()
    const one = b.vpc(['10.0.0.0/16', '2600:1::/56'])
    const two = b.vpc('10.0.0.0/16', { account: '222222222222', region: 'eu-west-1' })
    const first = b.interface(b.subnet(one, '10.0.1.0/24'), '10.0.1.10', {
      secondary: ['10.0.1.11'],
      ipv6: ['2600:1::a'],
    })
    const second = b.interface(b.subnet(two, '10.0.1.0/24'), '10.0.1.10', { instanceId: 'i-0two' })
    const snapshot = compileSnapshot(b.build())
    const ids = (text: string) => holdersOf(snapshot, readAddress(text)!).map((h) => h.eni.networkInterfaceId)
    expect(ids('10.0.1.10')).toEqual([first.networkInterfaceId, second.networkInterfaceId])
    expect(ids('10.0.1.11')).toEqual([first.networkInterfaceId])
    expect(ids('2600:1:0:0::A')).toEqual([first.networkInterfaceId])
    expect(ids('10.0.1.12')).toEqual([])
    const vpcTwo = snapshot.vpcs.get(two.vpcId)!
    expect(holderIn(snapshot, vpcTwo, readAddress('10.0.1.10')!)?.eni).toBe(second)
    expect(vpcTwo.addresses.has(readAddress('10.0.1.11')!.value)).toBe(false)
    expect(snapshot.instances.get('i-0two')?.eni).toBe(second)
    expect(snapshot.interfaces.get(second.networkInterfaceId)!.ref.arn).toBe(
      `arn:aws:ec2:eu-west-1:222222222222:network-interface/${second.networkInterfaceId}`,
    )
    expect(snapshot.interfaces.get(first.networkInterfaceId)!.ipv6?.text).toBe('2600:1::a')
  })

  it('knows group members, active peerings by VPC pair, and gateway regions', () => {
    const b = new EstateBuilder()
    const one = b.vpc('10.1.0.0/16', { region: 'eu-west-1' })
    const two = b.vpc('10.2.0.0/16')
    const group = b.openGroup(one)
    const member = b.interface(b.subnet(one, '10.1.1.0/24'), '10.1.1.10', { groups: [group] })
    b.peering(one, two, 'deleted')
    const live = b.peering(two, one)
    const gateway = b.internetGateway(one)
    const snapshot = compileSnapshot(b.build())
    expect(snapshot.groupMembers.get(group.groupId)?.map((e) => e.eni)).toEqual([member])
    expect(snapshot.activePeerings.size).toBe(1)
    expect([...snapshot.activePeerings.values()][0]!.peering).toBe(live)
    expect([...snapshot.activePeerings.values()][0]!.sameRegion).toBe(false)
    expect(snapshot.internetGateways.get(gateway.internetGatewayId)!.ref.arn).toBe(
      `arn:aws:ec2:eu-west-1:111111111111:internet-gateway/${gateway.internetGatewayId}`,
    )
  })

  it('leaves out interfaces whose subnet is gone', () => {
    const b = new EstateBuilder()
    const vpc = b.vpc('10.0.0.0/16')
    const eni = b.interface(b.subnet(vpc, '10.0.1.0/24'), '10.0.1.10')
    b.replace({ ...eni, subnetId: 'subnet-gone' })
    const snapshot = compileSnapshot(b.build())
    expect(snapshot.interfaces.size).toBe(0)
    expect(holdersOf(snapshot, readAddress('10.0.1.10')!)).toEqual([])
  })
})

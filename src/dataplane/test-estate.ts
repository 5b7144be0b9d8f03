/**
 * A small builder of hand-made estates for data-plane tests: VPCs come with a main route table
 * (local routes), a default ACL that allows everything and a default security group, as AWS
 * creates them; everything else is added explicitly. Ids are short and predictable.
 */
import type {
  EgressOnlyInternetGateway,
  InternetGateway,
  NatGateway,
  VpnGateway,
} from '../domain/gateways.js'
import { defaultAclEntries, type NetworkAcl, type NetworkAclEntry } from '../domain/network-acl.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import {
  NO_OPTIONS,
  type PeeringConnection,
  type PeeringSide,
  type PeeringStatusCode,
} from '../domain/peering.js'
import { localRoute, type Route, type RouteTable } from '../domain/route-table.js'
import type { RuleSpec, SecurityGroup } from '../domain/security-group.js'
import type { Subnet } from '../domain/subnet.js'
import type { Vpc } from '../domain/vpc.js'
import type { Estate } from './types.js'

export const TEST_ACCOUNT = '111111111111'
export const TEST_REGION = 'us-east-1'

export interface Placement {
  readonly account?: string
  readonly region?: string
}

/** A rule allowing everything to or from a CIDR. */
export const allowAll = (cidr: string): RuleSpec =>
  cidr.includes(':') ? { ipProtocol: '-1', cidrIpv6: cidr } : { ipProtocol: '-1', cidrIpv4: cidr }

/** A tcp rule for one port (or a range) to or from a CIDR. */
export const allowTcp = (port: number | readonly [number, number], cidr: string): RuleSpec => {
  const [fromPort, toPort] = typeof port === 'number' ? [port, port] : port
  return {
    ipProtocol: 'tcp',
    fromPort,
    toPort,
    ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
  }
}

/** A rule naming a group as its peer. */
export const allowGroup = (groupId: string, userId = TEST_ACCOUNT): RuleSpec => ({
  ipProtocol: '-1',
  referencedGroup: { groupId, userId },
})

/** An ACL entry; `ports` only for tcp (6) and udp (17). */
export const aclEntry = (
  ruleNumber: number,
  egress: boolean,
  ruleAction: 'allow' | 'deny',
  cidr: string,
  protocol = '-1',
  ports?: readonly [number, number],
): NetworkAclEntry => ({
  ruleNumber,
  egress,
  protocol,
  ruleAction,
  ...(cidr.includes(':') ? { ipv6CidrBlock: cidr } : { cidrBlock: cidr }),
  ...(ports ? { portRange: { from: ports[0], to: ports[1] } } : {}),
})

export class EstateBuilder {
  private readonly counters = new Map<string, number>()
  private readonly vpcs = new Map<string, Vpc>()
  private readonly subnets = new Map<string, Subnet>()
  private readonly routeTables = new Map<string, RouteTable>()
  private readonly groups = new Map<string, SecurityGroup>()
  private readonly acls = new Map<string, NetworkAcl>()
  private readonly peerings = new Map<string, PeeringConnection>()
  private readonly interfaces = new Map<string, NetworkInterface>()
  private readonly internetGateways = new Map<string, InternetGateway>()
  private readonly egressOnlyGateways = new Map<string, EgressOnlyInternetGateway>()
  private readonly natGateways = new Map<string, NatGateway>()
  private readonly vpnGateways = new Map<string, VpnGateway>()
  private readonly regions = new Map<string, string>()

  constructor(private readonly at = new Date('2026-01-01T00:00:00Z')) {}

  private id(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1
    this.counters.set(prefix, n)
    return `${prefix}-${n.toString(16).padStart(8, '0')}`
  }

  private ruleIds = (rules: readonly RuleSpec[]) => rules.map((rule) => ({ ...rule, ruleId: this.id('sgr') }))

  /** A VPC with its main route table, default ACL and default group; its first block is primary. */
  vpc(blocks: string | readonly string[], placement: Placement = {}): Vpc {
    const all = typeof blocks === 'string' ? [blocks] : blocks
    const ipv4 = all.filter((b) => !b.includes(':'))
    const ipv6 = all.filter((b) => b.includes(':'))
    const vpcId = this.id('vpc')
    const ownerId = placement.account ?? TEST_ACCOUNT
    const region = placement.region ?? TEST_REGION
    const vpc: Vpc = {
      vpcId,
      ownerId,
      region,
      cidrBlock: ipv4[0]!,
      cidrBlockAssociations: ipv4.map((cidrBlock) => ({
        associationId: this.id('vpc-cidr-assoc'),
        cidrBlock,
      })),
      ipv6CidrBlockAssociations: ipv6.map((ipv6CidrBlock) => ({
        associationId: this.id('vpc-cidr-assoc'),
        ipv6CidrBlock,
        networkBorderGroup: region,
      })),
      instanceTenancy: 'default',
      enableDnsSupport: true,
      enableDnsHostnames: false,
      enableNetworkAddressUsageMetrics: false,
      mainRouteTableId: this.id('rtb'),
      defaultNetworkAclId: this.id('acl'),
      defaultSecurityGroupId: this.id('sg'),
    }
    this.vpcs.set(vpcId, vpc)
    this.routeTables.set(vpc.mainRouteTableId, {
      routeTableId: vpc.mainRouteTableId,
      vpcId,
      ownerId,
      routes: all.map(localRoute),
      associations: [{ routeTableAssociationId: this.id('rtbassoc'), main: true }],
      propagatingVgws: [],
    })
    this.acls.set(vpc.defaultNetworkAclId, {
      networkAclId: vpc.defaultNetworkAclId,
      vpcId,
      ownerId,
      isDefault: true,
      entries: defaultAclEntries(ipv6.length > 0),
      associations: [],
    })
    this.groups.set(vpc.defaultSecurityGroupId, {
      groupId: vpc.defaultSecurityGroupId,
      groupName: 'default',
      description: 'default VPC security group',
      vpcId,
      ownerId,
      region,
      ingress: this.ruleIds([allowGroup(vpc.defaultSecurityGroupId, ownerId)]),
      egress: this.ruleIds([allowAll('0.0.0.0/0'), ...(ipv6.length > 0 ? [allowAll('::/0')] : [])]),
    })
    return vpc
  }

  subnet(vpc: Vpc, cidr: string, ipv6Cidr?: string): Subnet {
    const subnetId = this.id('subnet')
    const subnet: Subnet = {
      subnetId,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      region: vpc.region,
      cidrBlock: cidr,
      ipv6CidrBlockAssociations: ipv6Cidr
        ? [{ associationId: this.id('subnet-cidr-assoc'), ipv6CidrBlock: ipv6Cidr }]
        : [],
      availabilityZone: `${vpc.region}a`,
      availabilityZoneId: 'use1-az1',
      mapPublicIpOnLaunch: false,
      assignIpv6AddressOnCreation: false,
      enableDns64: false,
      ipv6Native: false,
      hostnameType: 'ip-name',
      enableResourceNameDnsARecord: false,
      enableResourceNameDnsAAAARecord: false,
      usedAddresses: 0,
    }
    this.subnets.set(subnetId, subnet)
    return subnet
  }

  /** A security group; by default with no rules at all. */
  group(
    vpc: Vpc,
    rules: { ingress?: readonly RuleSpec[]; egress?: readonly RuleSpec[] } = {},
  ): SecurityGroup {
    const groupId = this.id('sg')
    const group: SecurityGroup = {
      groupId,
      groupName: groupId,
      description: 'test group',
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      region: vpc.region,
      ingress: this.ruleIds(rules.ingress ?? []),
      egress: this.ruleIds(rules.egress ?? []),
    }
    this.groups.set(groupId, group)
    return group
  }

  /** A group that allows all traffic in and out, IPv4 and IPv6. */
  openGroup(vpc: Vpc): SecurityGroup {
    const all = [allowAll('0.0.0.0/0'), allowAll('::/0')]
    return this.group(vpc, { ingress: all, egress: all })
  }

  interface(
    subnet: Subnet,
    address: string,
    options: {
      groups?: readonly SecurityGroup[]
      ipv6?: readonly string[]
      secondary?: readonly string[]
      publicIp?: string
      instanceId?: string
      sourceDestCheck?: boolean
    } = {},
  ): NetworkInterface {
    const networkInterfaceId = this.id('eni')
    const vpc = this.vpcs.get(subnet.vpcId)!
    const eni: NetworkInterface = {
      networkInterfaceId,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      ownerId: subnet.ownerId,
      region: subnet.region,
      availabilityZone: subnet.availabilityZone,
      description: '',
      privateIpAddress: address,
      secondaryPrivateIpAddresses: options.secondary ?? [],
      ipv6Addresses: options.ipv6 ?? [],
      groupIds: (options.groups ?? [this.groups.get(vpc.defaultSecurityGroupId)!]).map((g) => g.groupId),
      sourceDestCheck: options.sourceDestCheck ?? true,
      ...(options.publicIp ? { publicIp: options.publicIp } : {}),
      macAddress: '02:00:00:00:00:00',
      interfaceType: 'interface',
      ...(options.instanceId
        ? {
            attachment: {
              attachmentId: this.id('eni-attach'),
              instanceId: options.instanceId,
              deviceIndex: 0,
            },
          }
        : {}),
    }
    this.interfaces.set(networkInterfaceId, eni)
    return eni
  }

  peering(requester: Vpc, accepter: Vpc, code: PeeringStatusCode = 'active'): PeeringConnection {
    const side = (vpc: Vpc): PeeringSide => ({
      ownerId: vpc.ownerId,
      vpcId: vpc.vpcId,
      region: vpc.region,
      cidrBlocks: vpc.cidrBlockAssociations.map((a) => a.cidrBlock),
      ipv6CidrBlocks: vpc.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
      options: NO_OPTIONS,
    })
    const at = this.at.toISOString()
    const peering: PeeringConnection = {
      vpcPeeringConnectionId: this.id('pcx'),
      requester: side(requester),
      accepter: side(accepter),
      status: { code, message: code },
      createdAt: at,
      statusChangedAt: at,
      expirationTime: new Date(this.at.getTime() + 7 * 24 * 3600 * 1000).toISOString(),
    }
    this.peerings.set(peering.vpcPeeringConnectionId, peering)
    return peering
  }

  /** A new route table with the VPC's local routes, explicitly associated with these subnets. */
  routeTable(vpc: Vpc, subnets: readonly Subnet[] = []): RouteTable {
    const routeTableId = this.id('rtb')
    const table: RouteTable = {
      routeTableId,
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      routes: [
        ...vpc.cidrBlockAssociations.map((a) => localRoute(a.cidrBlock)),
        ...vpc.ipv6CidrBlockAssociations.map((a) => localRoute(a.ipv6CidrBlock)),
      ],
      associations: subnets.map((s) => ({
        routeTableAssociationId: this.id('rtbassoc'),
        main: false,
        subnetId: s.subnetId,
      })),
      propagatingVgws: [],
    }
    this.routeTables.set(routeTableId, table)
    return table
  }

  /** Adds a route to a table (the VPC's main table when given a VPC). */
  route(where: Vpc | RouteTable, destination: string, target: Omit<Route, 'origin'>): this {
    const tableId = 'routeTableId' in where ? where.routeTableId : where.mainRouteTableId
    const table = this.routeTables.get(tableId)!
    const route: Route = {
      ...(destination.includes(':')
        ? { destinationIpv6CidrBlock: destination }
        : { destinationCidrBlock: destination }),
      ...target,
      origin: 'CreateRoute',
    }
    this.routeTables.set(tableId, { ...table, routes: [...table.routes, route] })
    return this
  }

  /** Routes `destination` through a peering, in the VPC's main table. */
  routeToPeering(vpc: Vpc, destination: string, peering: PeeringConnection): this {
    return this.route(vpc, destination, { vpcPeeringConnectionId: peering.vpcPeeringConnectionId })
  }

  /** A custom ACL with these entries, associated with the subnets (taking them from their old ACL). */
  acl(vpc: Vpc, subnets: readonly Subnet[], entries: readonly NetworkAclEntry[]): NetworkAcl {
    const taken = new Set(subnets.map((s) => s.subnetId))
    for (const [id, acl] of this.acls) {
      this.acls.set(id, { ...acl, associations: acl.associations.filter((a) => !taken.has(a.subnetId)) })
    }
    const acl: NetworkAcl = {
      networkAclId: this.id('acl'),
      vpcId: vpc.vpcId,
      ownerId: vpc.ownerId,
      isDefault: false,
      entries,
      associations: subnets.map((s) => ({
        networkAclAssociationId: this.id('aclassoc'),
        subnetId: s.subnetId,
      })),
    }
    this.acls.set(acl.networkAclId, acl)
    return acl
  }

  internetGateway(vpc?: Vpc): InternetGateway {
    const gateway: InternetGateway = {
      internetGatewayId: this.id('igw'),
      ownerId: vpc?.ownerId ?? TEST_ACCOUNT,
      attachments: vpc ? [{ vpcId: vpc.vpcId, state: 'available' }] : [],
    }
    this.internetGateways.set(gateway.internetGatewayId, gateway)
    this.regions.set(gateway.internetGatewayId, vpc?.region ?? TEST_REGION)
    return gateway
  }

  egressOnlyInternetGateway(vpc: Vpc): EgressOnlyInternetGateway {
    const gateway: EgressOnlyInternetGateway = {
      egressOnlyInternetGatewayId: this.id('eigw'),
      ownerId: vpc.ownerId,
      vpcId: vpc.vpcId,
    }
    this.egressOnlyGateways.set(gateway.egressOnlyInternetGatewayId, gateway)
    return gateway
  }

  natGateway(
    subnet: Subnet,
    privateIp: string,
    connectivityType: 'public' | 'private' = 'public',
  ): NatGateway {
    const gateway: NatGateway = {
      natGatewayId: this.id('nat'),
      ownerId: subnet.ownerId,
      vpcId: subnet.vpcId,
      subnetId: subnet.subnetId,
      connectivityType,
      state: 'available',
      privateIp,
      createTime: this.at.toISOString(),
    }
    this.natGateways.set(gateway.natGatewayId, gateway)
    return gateway
  }

  vpnGateway(vpc?: Vpc): VpnGateway {
    const gateway: VpnGateway = {
      vpnGatewayId: this.id('vgw'),
      ownerId: vpc?.ownerId ?? TEST_ACCOUNT,
      type: 'ipsec.1',
      amazonSideAsn: 64512,
      state: 'available',
      attachments: vpc ? [{ vpcId: vpc.vpcId, state: 'attached' }] : [],
    }
    this.vpnGateways.set(gateway.vpnGatewayId, gateway)
    return gateway
  }

  /** Replaces a record built earlier (a peering's state, a group's rules …) with a changed copy. */
  replace<
    T extends
      | Vpc
      | Subnet
      | RouteTable
      | SecurityGroup
      | NetworkAcl
      | PeeringConnection
      | NetworkInterface
      | NatGateway,
  >(record: T): this {
    const collections: readonly [string, Map<string, unknown>][] = [
      ['vpcPeeringConnectionId', this.peerings],
      ['networkInterfaceId', this.interfaces],
      ['natGatewayId', this.natGateways],
      ['networkAclId', this.acls],
      ['routeTableId', this.routeTables],
      ['subnetId', this.subnets],
      ['groupId', this.groups],
      ['vpcId', this.vpcs],
    ]
    const [key, collection] = collections.find(([key]) => key in record)!
    collection.set((record as unknown as Record<string, string>)[key]!, record)
    return this
  }

  build(): Estate {
    return {
      at: this.at,
      vpcs: [...this.vpcs.values()],
      subnets: [...this.subnets.values()],
      routeTables: [...this.routeTables.values()],
      securityGroups: [...this.groups.values()],
      networkAcls: [...this.acls.values()],
      peerings: [...this.peerings.values()],
      internetGateways: [...this.internetGateways.values()],
      egressOnlyInternetGateways: [...this.egressOnlyGateways.values()],
      natGateways: [...this.natGateways.values()],
      vpnGateways: [...this.vpnGateways.values()],
      networkInterfaces: [...this.interfaces.values()],
      regions: new Map(this.regions),
    }
  }
}

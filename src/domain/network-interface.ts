import { containsAddress, formatAddress, type Prefix, parseAddress } from '../net/prefix.js'
import { errors } from './errors.js'

/** A network interface (ENI): an address in a subnet, with security groups; instances own one. */
export interface NetworkInterface {
  readonly networkInterfaceId: string
  readonly subnetId: string
  readonly vpcId: string
  readonly ownerId: string
  readonly region: string
  readonly availabilityZone: string
  readonly availabilityZoneId?: string
  readonly description: string
  readonly privateIpAddress: string
  readonly secondaryPrivateIpAddresses: readonly string[]
  readonly ipv6Addresses: readonly string[]
  readonly groupIds: readonly string[]
  readonly sourceDestCheck: boolean
  /** A public IPv4 address associated with the interface (needed to reach the internet over IPv4). */
  readonly publicIp?: string
  readonly macAddress: string
  readonly interfaceType: 'interface' | 'nat_gateway'
  readonly attachment?: {
    readonly attachmentId: string
    readonly instanceId: string
    readonly deviceIndex: number
    readonly attachTime?: string
    /** Whether terminating the instance deletes the interface (else it is detached and stays). */
    readonly deleteOnTermination?: boolean
  }
  readonly clientToken?: string
}

export const NETWORK_INTERFACE_KIND = 'network-interface'

/** AWS's default quotas per interface: security groups, and IPv4 (or IPv6) addresses. */
export const INTERFACE_LIMITS = { groups: 5, addresses: 50 } as const

/** Public IPv4 addresses come from 198.18.0.0/15, the range set aside for network testing. */
export const PUBLIC_ADDRESS_RANGE = '198.18.0.0/15'

export const privateIpv4Addresses = (eni: NetworkInterface) => [
  eni.privateIpAddress,
  ...eni.secondaryPrivateIpAddresses,
]

const dashed = (address: string) => address.replaceAll('.', '-')

/** The private DNS name AWS gives an IPv4 address: `ip-10-0-1-4.ec2.internal` in us-east-1. */
export const privateDnsName = (address: string, region: string) =>
  region === 'us-east-1'
    ? `ip-${dashed(address)}.ec2.internal`
    : `ip-${dashed(address)}.${region}.compute.internal`

/** The public DNS name of a public IPv4 address (given only in VPCs with DNS hostnames on). */
export const publicDnsName = (address: string, region: string) =>
  region === 'us-east-1'
    ? `ec2-${dashed(address)}.compute-1.amazonaws.com`
    : `ec2-${dashed(address)}.${region}.compute.amazonaws.com`

// AWS keeps the first four and the last address of every subnet block, IPv4 and IPv6 alike.
const RESERVED_AT_START = 4n

/**
 * The addresses of one block that interfaces may hold. Free ones are handed out lowest first,
 * so the same requests always get the same addresses.
 */
export class AddressPool {
  private cursor: bigint

  constructor(
    private readonly subnetId: string,
    private readonly block: Prefix,
    private readonly taken: Set<bigint>,
  ) {
    this.cursor = block.start + RESERVED_AT_START
  }

  /** Takes an address the caller asked for: it must lie in the block, not reserved and not held. */
  claim(text: string): string {
    const address = parseAddress(text)
    if (!address) throw errors.invalidAddress(text)
    if (!containsAddress(this.block, address.family, address.value)) throw errors.addressOutsideSubnet(text)
    if (address.value < this.block.start + RESERVED_AT_START || address.value === this.block.end) {
      throw errors.addressReserved(text, this.subnetId)
    }
    if (this.taken.has(address.value)) throw errors.addressInUse(text)
    this.taken.add(address.value)
    return formatAddress(address.family, address.value)
  }

  /** Takes the lowest free address; undefined when the block is full. */
  next(): string | undefined {
    while (this.cursor < this.block.end && this.taken.has(this.cursor)) this.cursor++
    if (this.cursor >= this.block.end) return undefined
    this.taken.add(this.cursor)
    return formatAddress(this.block.family, this.cursor++)
  }
}

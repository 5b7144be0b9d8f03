/** A network interface (ENI): an address in a subnet, with security groups; instances own one. */
export interface NetworkInterface {
  readonly networkInterfaceId: string
  readonly subnetId: string
  readonly vpcId: string
  readonly ownerId: string
  readonly region: string
  readonly availabilityZone: string
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
  }
}

export const NETWORK_INTERFACE_KIND = 'network-interface'

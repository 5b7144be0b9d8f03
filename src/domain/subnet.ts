export interface SubnetIpv6Association {
  readonly associationId: string
  readonly ipv6CidrBlock: string
}

export interface Subnet {
  readonly subnetId: string
  readonly vpcId: string
  readonly ownerId: string
  readonly region: string
  readonly cidrBlock?: string
  readonly ipv6CidrBlockAssociations: readonly SubnetIpv6Association[]
  readonly availabilityZone: string
  readonly availabilityZoneId: string
  readonly mapPublicIpOnLaunch: boolean
  readonly assignIpv6AddressOnCreation: boolean
  readonly enableDns64: boolean
  readonly ipv6Native: boolean
  readonly hostnameType: 'ip-name' | 'resource-name'
  readonly enableResourceNameDnsARecord: boolean
  readonly enableResourceNameDnsAAAARecord: boolean
  /** Addresses in use by network interfaces, so the free count stays right. */
  readonly usedAddresses: number
}

/** AWS keeps the first four and the last address of every subnet. */
export const RESERVED_ADDRESSES_PER_SUBNET = 5

export const subnetArn = (subnet: Pick<Subnet, 'region' | 'ownerId' | 'subnetId'>) =>
  `arn:aws:ec2:${subnet.region}:${subnet.ownerId}:subnet/${subnet.subnetId}`

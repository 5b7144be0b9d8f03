export interface CidrAssociation {
  readonly associationId: string
  readonly cidrBlock: string
}

export interface Ipv6Association {
  readonly associationId: string
  readonly ipv6CidrBlock: string
  readonly networkBorderGroup: string
}

export interface Vpc {
  readonly vpcId: string
  readonly ownerId: string
  readonly region: string
  /** The primary IPv4 block; it can never be disassociated. */
  readonly cidrBlock: string
  readonly cidrBlockAssociations: readonly CidrAssociation[]
  readonly ipv6CidrBlockAssociations: readonly Ipv6Association[]
  readonly instanceTenancy: 'default' | 'dedicated' | 'host'
  readonly enableDnsSupport: boolean
  readonly enableDnsHostnames: boolean
  readonly enableNetworkAddressUsageMetrics: boolean
  readonly mainRouteTableId: string
  readonly defaultNetworkAclId: string
  readonly defaultSecurityGroupId: string
}

/** Quotas AWS applies per VPC. */
export const VPC_LIMITS = { ipv4Blocks: 5, ipv6Blocks: 5, subnets: 200 } as const

export const vpcArn = (vpc: Pick<Vpc, 'region' | 'ownerId' | 'vpcId'>) =>
  `arn:aws:ec2:${vpc.region}:${vpc.ownerId}:vpc/${vpc.vpcId}`

/** Every IPv4 and IPv6 block of the VPC, primary first. */
export const vpcCidrs = (vpc: Vpc): string[] => [
  ...vpc.cidrBlockAssociations.map((a) => a.cidrBlock),
  ...vpc.ipv6CidrBlockAssociations.map((a) => a.ipv6CidrBlock),
]

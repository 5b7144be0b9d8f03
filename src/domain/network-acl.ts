export interface NetworkAclEntry {
  readonly ruleNumber: number
  readonly egress: boolean
  /** `-1` for all, otherwise a protocol number as a string (6 tcp, 17 udp, 1 icmp). */
  readonly protocol: string
  readonly ruleAction: 'allow' | 'deny'
  readonly cidrBlock?: string
  readonly ipv6CidrBlock?: string
  readonly portRange?: { readonly from: number; readonly to: number }
  readonly icmpTypeCode?: { readonly type: number; readonly code: number }
}

export interface NetworkAclAssociation {
  readonly networkAclAssociationId: string
  readonly subnetId: string
}

export interface NetworkAcl {
  readonly networkAclId: string
  readonly vpcId: string
  readonly ownerId: string
  readonly isDefault: boolean
  readonly entries: readonly NetworkAclEntry[]
  readonly associations: readonly NetworkAclAssociation[]
}

/** The final deny rules that every ACL has and nobody can remove. */
export const CATCH_ALL_IPV4 = 32767
export const CATCH_ALL_IPV6 = 32768

const both = (entry: Omit<NetworkAclEntry, 'egress'>): NetworkAclEntry[] => [
  { ...entry, egress: false },
  { ...entry, egress: true },
]

/** Rule 100 allows all IPv4 both ways (101 for IPv6); the catch-all rules deny the rest. */
export function defaultAclEntries(withIpv6: boolean): NetworkAclEntry[] {
  return [...defaultIpv4Entries(), ...(withIpv6 ? defaultIpv6Entries() : [])]
}

export const defaultIpv4Entries = () => [
  ...both({ ruleNumber: 100, protocol: '-1', ruleAction: 'allow', cidrBlock: '0.0.0.0/0' }),
  ...both({ ruleNumber: CATCH_ALL_IPV4, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' }),
]

export const defaultIpv6Entries = () => [
  ...both({ ruleNumber: 101, protocol: '-1', ruleAction: 'allow', ipv6CidrBlock: '::/0' }),
  ...both({ ruleNumber: CATCH_ALL_IPV6, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: '::/0' }),
]

/** A new custom ACL denies everything until rules are added. */
export const customAclEntries = (): NetworkAclEntry[] => [
  ...both({ ruleNumber: CATCH_ALL_IPV4, protocol: '-1', ruleAction: 'deny', cidrBlock: '0.0.0.0/0' }),
  ...both({ ruleNumber: CATCH_ALL_IPV6, protocol: '-1', ruleAction: 'deny', ipv6CidrBlock: '::/0' }),
]

export interface GroupReference {
  readonly groupId: string
  readonly userId: string
  readonly vpcId?: string
  readonly vpcPeeringConnectionId?: string
}

export interface SecurityGroupRule {
  readonly ruleId: string
  /** `-1` for all traffic, otherwise tcp, udp, icmp, icmpv6 or a protocol number. */
  readonly ipProtocol: string
  readonly fromPort?: number
  readonly toPort?: number
  readonly cidrIpv4?: string
  readonly cidrIpv6?: string
  readonly prefixListId?: string
  readonly referencedGroup?: GroupReference
  readonly description?: string
}

export interface SecurityGroup {
  readonly groupId: string
  readonly groupName: string
  readonly description: string
  readonly vpcId: string
  readonly ownerId: string
  readonly region: string
  readonly ingress: readonly SecurityGroupRule[]
  readonly egress: readonly SecurityGroupRule[]
}

export const DEFAULT_GROUP_NAME = 'default'

/** The default group: all traffic in from members of itself, all traffic out. */
export function defaultSecurityGroup(
  group: Omit<SecurityGroup, 'groupName' | 'description' | 'ingress' | 'egress'>,
  newRuleId: () => string,
  withIpv6: boolean,
): SecurityGroup {
  return {
    ...group,
    groupName: DEFAULT_GROUP_NAME,
    description: 'default VPC security group',
    ingress: [
      {
        ruleId: newRuleId(),
        ipProtocol: '-1',
        referencedGroup: { groupId: group.groupId, userId: group.ownerId },
      },
    ],
    egress: [
      { ruleId: newRuleId(), ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' },
      ...(withIpv6 ? [{ ruleId: newRuleId(), ipProtocol: '-1', cidrIpv6: '::/0' }] : []),
    ],
  }
}

export const securityGroupArn = (group: Pick<SecurityGroup, 'region' | 'ownerId' | 'groupId'>) =>
  `arn:aws:ec2:${group.region}:${group.ownerId}:security-group/${group.groupId}`

import type { Context } from '../../../app/context.js'
import type { GroupView, ReferenceView, RuleView } from '../../../app/security-groups.js'
import * as groups from '../../../app/security-groups.js'
import {
  type Direction,
  type SecurityGroup,
  type SecurityGroupRule,
  securityGroupArn,
  securityGroupRuleArn,
  shownPorts,
} from '../../../domain/security-group.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { camelCased, int, list, required, string, struct, tagSpecifications } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'

// Parameters (Appendix A). Egress takes no flat form: AWS answers it as unknown parameters.

const describedSource = <K extends string>(name: K) =>
  struct({ [name]: string(), Description: string() } as { [P in K]: ReturnType<typeof string> } & {
    Description: ReturnType<typeof string>
  })

const ipPermissions = camelCased(
  list(
    struct({
      IpProtocol: string(),
      FromPort: int(),
      ToPort: int(),
      Groups: list(
        struct({
          Description: string(),
          UserId: string(),
          GroupName: string(),
          GroupId: string(),
          VpcId: string(),
          VpcPeeringConnectionId: string(),
          PeeringStatus: string(),
        }),
      ),
      IpRanges: list(describedSource('CidrIp')),
      Ipv6Ranges: list(describedSource('CidrIpv6')),
      PrefixListIds: list(describedSource('PrefixListId')),
    }),
  ),
)

const flatIngress = {
  CidrIp: string(),
  IpProtocol: string(),
  FromPort: int(),
  ToPort: int(),
  SourceSecurityGroupName: string(),
  SourceSecurityGroupOwnerId: string(),
}

const ingressTarget = { GroupId: string(), GroupName: string() }
const egressTarget = { GroupId: required(string()) }

const pageRange = { min: 5, max: 1000 }

// Shapes (the model's element names).

function groupPairShape(reference: ReferenceView, description?: string) {
  return {
    description,
    userId: reference.userId,
    groupName: reference.groupName,
    groupId: reference.groupId,
    vpcId: reference.vpcId,
    vpcPeeringConnectionId: reference.vpcPeeringConnectionId,
    peeringStatus: reference.peeringStatus,
  }
}

/** AWS folds rules with the same protocol and ports into one IpPermission with lists of peers. */
function ipPermissionsShape(rules: readonly RuleView[]) {
  const permissions = new Map<
    string,
    {
      ipProtocol: string
      fromPort?: number
      toPort?: number
      groups: ReturnType<typeof groupPairShape>[]
      ipRanges: { cidrIp: string; description?: string }[]
      ipv6Ranges: { cidrIpv6: string; description?: string }[]
      prefixListIds: { prefixListId: string; description?: string }[]
    }
  >()
  for (const rule of rules) {
    const key = `${rule.ipProtocol}|${rule.fromPort}|${rule.toPort}`
    let permission = permissions.get(key)
    if (!permission) {
      permission = {
        ipProtocol: rule.ipProtocol,
        ...defined({ fromPort: rule.fromPort, toPort: rule.toPort }),
        groups: [],
        ipRanges: [],
        ipv6Ranges: [],
        prefixListIds: [],
      }
      permissions.set(key, permission)
    }
    const { description } = rule
    if (rule.cidrIpv4) permission.ipRanges.push({ cidrIp: rule.cidrIpv4, description })
    if (rule.cidrIpv6) permission.ipv6Ranges.push({ cidrIpv6: rule.cidrIpv6, description })
    if (rule.prefixListId) permission.prefixListIds.push({ prefixListId: rule.prefixListId, description })
    if (rule.referencedGroup) permission.groups.push(groupPairShape(rule.referencedGroup, description))
  }
  return [...permissions.values()]
}

function securityGroupShape(view: GroupView, tags: readonly Tag[]) {
  const { group } = view
  return {
    groupId: group.groupId,
    groupName: group.groupName,
    groupDescription: group.description,
    vpcId: group.vpcId,
    ownerId: group.ownerId,
    securityGroupArn: securityGroupArn(group),
    ipPermissions: ipPermissionsShape(view.ingress),
    ipPermissionsEgress: ipPermissionsShape(view.egress),
    tagSet: tagSet(tags),
  }
}

const ruleFields = (rule: SecurityGroupRule | RuleView) => ({
  ipProtocol: rule.ipProtocol,
  ...shownPorts(rule),
  cidrIpv4: rule.cidrIpv4,
  cidrIpv6: rule.cidrIpv6,
  prefixListId: rule.prefixListId,
  description: rule.description,
})

function securityGroupRuleShape(
  group: SecurityGroup,
  direction: Direction,
  rule: RuleView,
  tags: readonly Tag[],
) {
  const reference = rule.referencedGroup
  return {
    securityGroupRuleId: rule.ruleId,
    groupId: group.groupId,
    groupOwnerId: group.ownerId,
    isEgress: direction === 'egress',
    ...ruleFields(rule),
    referencedGroupInfo: reference && {
      groupId: reference.groupId,
      userId: reference.userId,
      vpcId: reference.vpcId,
      vpcPeeringConnectionId: reference.vpcPeeringConnectionId,
      peeringStatus: reference.peeringStatus,
    },
    tagSet: tagSet(tags),
    securityGroupRuleArn: securityGroupRuleArn(group, rule.ruleId),
  }
}

const revokedRuleShape = (group: SecurityGroup, direction: Direction, rule: SecurityGroupRule) => ({
  securityGroupRuleId: rule.ruleId,
  groupId: group.groupId,
  isEgress: direction === 'egress',
  ...ruleFields(rule),
  referencedGroupId: rule.referencedGroup?.groupId,
})

/** Stale permissions carry only protocol, ports and the groups; never ranges or prefix lists. */
const staleGroupShape = (view: GroupView) => {
  const stalePermissions = (rules: readonly RuleView[]) =>
    ipPermissionsShape(rules).map(({ ipProtocol, fromPort, toPort, groups }) => ({
      ipProtocol,
      fromPort,
      toPort,
      groups,
    }))
  return {
    groupId: view.group.groupId,
    groupName: view.group.groupName,
    description: view.group.description,
    vpcId: view.group.vpcId,
    staleIpPermissions: stalePermissions(view.ingress),
    staleIpPermissionsEgress: stalePermissions(view.egress),
  }
}

// Actions.

async function authorized(
  ctx: Context,
  direction: Direction,
  input: Parameters<typeof groups.authorizeRules>[2],
) {
  const { group, rules, tags } = await groups.authorizeRules(ctx, direction, input)
  return {
    return: true,
    securityGroupRuleSet: rules.map((rule) => securityGroupRuleShape(group, direction, rule, tags)),
  }
}

async function revoked(ctx: Context, direction: Direction, input: Parameters<typeof groups.revokeRules>[2]) {
  const { group, revoked } = await groups.revokeRules(ctx, direction, input)
  return {
    return: true,
    revokedSecurityGroupRuleSet: revoked.map((rule) => revokedRuleShape(group, direction, rule)),
  }
}

const targetOf = (input: { GroupId?: string; GroupName?: string }) =>
  defined({ groupId: input.GroupId, groupName: input.GroupName })

const flatOf = (input: {
  CidrIp?: string
  IpProtocol?: string
  FromPort?: number
  ToPort?: number
  SourceSecurityGroupName?: string
  SourceSecurityGroupOwnerId?: string
}): groups.FlatIngressInput =>
  defined({
    cidrIp: input.CidrIp,
    ipProtocol: input.IpProtocol,
    fromPort: input.FromPort,
    toPort: input.ToPort,
    sourceSecurityGroupName: input.SourceSecurityGroupName,
    sourceSecurityGroupOwnerId: input.SourceSecurityGroupOwnerId,
  })

export const securityGroupActions = {
  CreateSecurityGroup: command(
    {
      GroupName: required(string()),
      GroupDescription: required(string()),
      VpcId: string(),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { group, tags } = await groups.createSecurityGroup(ctx, {
        groupName: input.GroupName,
        description: input.GroupDescription,
        ...defined({ vpcId: input.VpcId }),
        tagSpecifications: input.TagSpecification,
      })
      return { groupId: group.groupId, tagSet: tagSet(tags), securityGroupArn: securityGroupArn(group) }
    },
  ),

  DeleteSecurityGroup: command(ingressTarget, async (ctx, input) => {
    const groupId = await groups.deleteSecurityGroup(ctx, targetOf(input))
    return { return: true, groupId }
  }),

  DescribeSecurityGroups: query(
    { ...describeParams('GroupId', pageRange), GroupName: list(string()) },
    async (ctx, input) => {
      const page = await groups.describeSecurityGroups(
        ctx,
        describeRequest(input.GroupId, input, ctx),
        input.GroupName,
      )
      return {
        securityGroupInfo: page.items.map(({ view, tags }) => securityGroupShape(view, tags)),
        nextToken: page.nextToken,
      }
    },
  ),

  AuthorizeSecurityGroupIngress: command(
    { ...ingressTarget, ...flatIngress, IpPermissions: ipPermissions, TagSpecification: tagSpecifications },
    (ctx, input) =>
      authorized(ctx, 'ingress', {
        ...targetOf(input),
        ipPermissions: input.IpPermissions,
        flat: flatOf(input),
        tagSpecifications: input.TagSpecification,
      }),
  ),

  AuthorizeSecurityGroupEgress: command(
    { ...egressTarget, IpPermissions: ipPermissions, TagSpecification: tagSpecifications },
    (ctx, input) =>
      authorized(ctx, 'egress', {
        groupId: input.GroupId,
        ipPermissions: input.IpPermissions,
        tagSpecifications: input.TagSpecification,
      }),
  ),

  RevokeSecurityGroupIngress: command(
    { ...ingressTarget, ...flatIngress, IpPermissions: ipPermissions, SecurityGroupRuleId: list(string()) },
    (ctx, input) =>
      revoked(ctx, 'ingress', {
        ...targetOf(input),
        ipPermissions: input.IpPermissions,
        flat: flatOf(input),
        ruleIds: input.SecurityGroupRuleId,
      }),
  ),

  RevokeSecurityGroupEgress: command(
    { ...egressTarget, IpPermissions: ipPermissions, SecurityGroupRuleId: list(string()) },
    (ctx, input) =>
      revoked(ctx, 'egress', {
        groupId: input.GroupId,
        ipPermissions: input.IpPermissions,
        ruleIds: input.SecurityGroupRuleId,
      }),
  ),

  DescribeSecurityGroupRules: query(describeParams('SecurityGroupRuleId', pageRange), async (ctx, input) => {
    const page = await groups.describeSecurityGroupRules(
      ctx,
      describeRequest(input.SecurityGroupRuleId, input, ctx),
    )
    return {
      securityGroupRuleSet: page.items.map(({ group, direction, rule, tags }) =>
        securityGroupRuleShape(group, direction, rule, tags),
      ),
      nextToken: page.nextToken,
    }
  }),

  ModifySecurityGroupRules: command(
    {
      GroupId: required(string()),
      SecurityGroupRule: camelCased(
        list(
          struct({
            SecurityGroupRuleId: string(),
            SecurityGroupRule: struct({
              IpProtocol: string(),
              FromPort: int(),
              ToPort: int(),
              CidrIpv4: string(),
              CidrIpv6: string(),
              PrefixListId: string(),
              ReferencedGroupId: string(),
              Description: string(),
            }),
          }),
        ),
      ),
    },
    async (ctx, input) => {
      await groups.modifySecurityGroupRules(ctx, input.GroupId, input.SecurityGroupRule)
      return { return: true }
    },
  ),

  DescribeSecurityGroupReferences: query({ GroupId: required(list(string())) }, async (ctx, input) => ({
    securityGroupReferenceSet: await groups.describeSecurityGroupReferences(ctx, input.GroupId),
  })),

  DescribeStaleSecurityGroups: query(
    { VpcId: required(string()), MaxResults: int({ min: 5, max: 255 }), NextToken: string() },
    async (ctx, input) => {
      const page = await groups.describeStaleSecurityGroups(
        ctx,
        defined({ vpcId: input.VpcId, maxResults: input.MaxResults, nextToken: input.NextToken }),
      )
      return { staleSecurityGroupSet: page.items.map(staleGroupShape), nextToken: page.nextToken }
    },
  ),
}

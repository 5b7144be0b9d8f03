import type { Plan, PlannedPeering, PlannedRule, PlannedVpc } from '../plan/design.js'
import { ApiCallError, type Connection, callEc2, describeAll } from './client.js'

/**
 * Builds a plan on a running vpcpeer through its EC2 API, the calls the Terraform would make:
 * acting as each VPC's account (a 12-digit access key is that account) in its region.
 */

export interface AppliedIds {
  readonly vpcs: Record<string, string>
  readonly subnets: Record<string, string>
  readonly routeTables: Record<string, string>
  readonly securityGroups: Record<string, string>
  readonly peerings: Record<string, string>
}

/** How many EC2 calls applying a plan makes, so progress can be shown against it. */
export function applySteps(plan: Plan): number {
  const perVpc = plan.vpcs.reduce(
    (sum, v) =>
      sum + 1 + (plan.flowLogBucket ? 1 : 0) + v.tiers.reduce((s, t) => s + 3 + t.subnets.length * 2, 0),
    0,
  )
  const ruleGroups = new Set(plan.rules.map((r) => `${r.vpc}.${r.tier} ${r.direction}`))
  return perVpc + plan.peerings.length * 2 + plan.routes.length + ruleGroups.size
}

const tagSpecification = (resourceType: string, tags: Record<string, string>) => ({
  'TagSpecification.1.ResourceType': resourceType,
  ...Object.fromEntries(
    Object.entries(tags).flatMap(([key, value], i) => [
      [`TagSpecification.1.Tag.${i + 1}.Key`, key],
      [`TagSpecification.1.Tag.${i + 1}.Value`, value],
    ]),
  ),
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Calls in flight at once: the server works while the client signs and sends the next ones. */
const IN_FLIGHT = 4

/** Runs `work` on every item, at most IN_FLIGHT at a time; the first failure stops the rest. */
async function inPool<T>(items: readonly T[], work: (item: T) => Promise<void>) {
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!
      try {
        await work(item)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, items.length) }, worker))
}

/** Applies the plan; refuses hub designs, which need transit gateways vpcpeer does not emulate yet. */
export async function applyPlan(
  plan: Plan,
  base: Connection,
  onStep: (what: string) => void,
): Promise<AppliedIds> {
  const hubs = plan.decisions.filter((d) => !d.applicable)
  if (hubs.length > 0) {
    throw new Error(
      `${hubs.map((d) => d.name).join(', ')} ${hubs.length === 1 ? 'needs' : 'need'} a transit gateway hub, which vpcpeer does not emulate yet; set topology: mesh (within quotas) or apply the Terraform on AWS`,
    )
  }
  const as = (vpc: PlannedVpc): Connection => ({ ...base, accessKeyId: vpc.account, region: vpc.region })
  const vpcs = new Map(plan.vpcs.map((v) => [v.name, v]))
  const ids: AppliedIds = { vpcs: {}, subnets: {}, routeTables: {}, securityGroups: {}, peerings: {} }
  const call = async (connection: Connection, action: string, params: Record<string, string | undefined>) => {
    const answer = await callEc2(connection, action, params)
    onStep(action)
    return answer
  }

  await inPool(plan.vpcs, async (vpc) => {
    const c = as(vpc)
    const created = await call(c, 'CreateVpc', {
      CidrBlock: vpc.cidr,
      ...tagSpecification('vpc', { Name: vpc.name, Environment: vpc.environment, ManagedBy: 'vpcpeer plan' }),
    })
    const vpcId = created.vpc.vpcId as string
    ids.vpcs[vpc.name] = vpcId
    for (const tier of vpc.tiers) {
      const key = `${vpc.name}.${tier.name}`
      const table = await call(c, 'CreateRouteTable', {
        VpcId: vpcId,
        ...tagSpecification('route-table', { Name: `${vpc.name}-${tier.name}` }),
      })
      ids.routeTables[key] = table.routeTable.routeTableId as string
      const group = await call(c, 'CreateSecurityGroup', {
        VpcId: vpcId,
        GroupName: `${vpc.name}-${tier.name}`,
        GroupDescription: `Tier ${tier.name} of ${vpc.name}: only the ports the plan names`,
        ...tagSpecification('security-group', { Name: `${vpc.name}-${tier.name}` }),
      })
      ids.securityGroups[key] = group.groupId as string
      // As Terraform does: a new group's allow-all egress goes, so only the named ports remain.
      await call(c, 'RevokeSecurityGroupEgress', {
        GroupId: ids.securityGroups[key],
        'IpPermissions.1.IpProtocol': '-1',
        'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
      })
      for (const subnet of tier.subnets) {
        const made = await call(c, 'CreateSubnet', {
          VpcId: vpcId,
          CidrBlock: subnet.cidr,
          AvailabilityZone: subnet.availabilityZone,
          ...tagSpecification('subnet', {
            Name: `${vpc.name}-${tier.name}-${subnet.availabilityZone.slice(-1)}`,
          }),
        })
        const subnetId = made.subnet.subnetId as string
        ids.subnets[`${key}.${subnet.availabilityZone}`] = subnetId
        await call(c, 'AssociateRouteTable', { RouteTableId: ids.routeTables[key], SubnetId: subnetId })
      }
    }
    if (plan.flowLogBucket) {
      await call(c, 'CreateFlowLogs', {
        ResourceType: 'VPC',
        'ResourceId.1': vpcId,
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        LogDestination: `arn:aws:s3:::${plan.flowLogBucket}/${vpc.name}/`,
      })
    }
  })

  await inPool(plan.peerings, async (peering) => {
    ids.peerings[peering.name] = await connectPeering(peering)
  })

  async function connectPeering(peering: PlannedPeering): Promise<string> {
    const requester = vpcs.get(peering.requester)!
    const accepter = vpcs.get(peering.accepter)!
    const asked = await call(as(requester), 'CreateVpcPeeringConnection', {
      VpcId: ids.vpcs[requester.name],
      PeerVpcId: ids.vpcs[accepter.name],
      PeerOwnerId: accepter.account,
      PeerRegion: accepter.region,
      ...tagSpecification('vpc-peering-connection', { Name: peering.name }),
    })
    const peeringId = asked.vpcPeeringConnection.vpcPeeringConnectionId as string
    // Accepted at once when the server has no transition delay; otherwise once it can be.
    const accept = () =>
      call(as(accepter), 'AcceptVpcPeeringConnection', { VpcPeeringConnectionId: peeringId })
    try {
      await accept()
    } catch (error) {
      if (!(error instanceof ApiCallError && error.code === 'InvalidStateTransition')) throw error
      await waitFor(as(accepter), [peeringId], 'pending-acceptance')
      await accept()
    }
    return peeringId
  }

  await inPool(plan.routes, async (route) => {
    if (!('peering' in route.target)) return
    await call(as(vpcs.get(route.vpc)!), 'CreateRoute', {
      RouteTableId: ids.routeTables[`${route.vpc}.${route.tier}`],
      DestinationCidrBlock: route.destination,
      VpcPeeringConnectionId: ids.peerings[route.target.peering],
    })
  })
  await inPool(ruleCalls(plan, ids), async ({ vpc, action, params }) => {
    await call(as(vpcs.get(vpc)!), action, params)
  })
  // Routes and rules do not need the peerings active; the result does.
  const byScope = new Map<string, { vpc: PlannedVpc; peeringIds: string[] }>()
  for (const peering of plan.peerings) {
    const requester = vpcs.get(peering.requester)!
    const scope = `${requester.account} ${requester.region}`
    const entry = byScope.get(scope) ?? { vpc: requester, peeringIds: [] }
    entry.peeringIds.push(ids.peerings[peering.name]!)
    byScope.set(scope, entry)
  }
  for (const { vpc, peeringIds } of byScope.values()) await waitFor(as(vpc), peeringIds, 'active')
  return ids
}

/** The plan's rules as one Authorize call per security group and direction. */
function ruleCalls(plan: Plan, ids: AppliedIds) {
  const byGroup = new Map<string, PlannedRule[]>()
  for (const rule of plan.rules) {
    const key = `${rule.vpc}.${rule.tier} ${rule.direction}`
    byGroup.set(key, [...(byGroup.get(key) ?? []), rule])
  }
  return [...byGroup.values()].map((rules) => {
    const { vpc, tier, direction } = rules[0]!
    const params: Record<string, string> = { GroupId: ids.securityGroups[`${vpc}.${tier}`]! }
    rules.forEach((rule, i) => {
      const at = `IpPermissions.${i + 1}`
      params[`${at}.IpProtocol`] = rule.protocol
      params[`${at}.FromPort`] = String(rule.fromPort)
      params[`${at}.ToPort`] = String(rule.toPort)
      params[`${at}.IpRanges.1.CidrIp`] = rule.cidr
      params[`${at}.IpRanges.1.Description`] = `${direction === 'ingress' ? 'from' : 'to'} ${rule.peer}`
    })
    return {
      vpc,
      action: direction === 'ingress' ? 'AuthorizeSecurityGroupIngress' : 'AuthorizeSecurityGroupEgress',
      params,
    }
  })
}

/** Waits out the peerings' short transitional states (initiating-request, provisioning). */
async function waitFor(connection: Connection, peeringIds: readonly string[], wanted: string) {
  for (let attempt = 0; ; attempt++) {
    const seen = await describeAll(connection, 'DescribeVpcPeeringConnections', 'vpcPeeringConnectionSet', {
      ...Object.fromEntries(peeringIds.map((id, i) => [`VpcPeeringConnectionId.${i + 1}`, id])),
    })
    const statuses = new Map(seen.map((p) => [p.vpcPeeringConnectionId as string, p.status?.code as string]))
    const other = peeringIds.find((id) => statuses.get(id) !== wanted)
    if (other === undefined) return
    const status = statuses.get(other)
    if (attempt >= 600 || (status && !['initiating-request', 'provisioning'].includes(status)))
      throw new Error(`peering ${other} is ${status ?? 'not visible'}, expected ${wanted}`)
    await sleep(100)
  }
}

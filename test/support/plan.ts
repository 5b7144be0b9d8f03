import { readFileSync } from 'node:fs'
import { callApi } from '../../src/cli/client.js'
import type { Plan } from '../../src/plan/design.js'
import { type PlanFile, readPlanFile } from '../../src/plan/input.js'

export const examplePath = (name: string) => new URL(`../../examples/plan/${name}`, import.meta.url).pathname

export const readExample = (name: string): PlanFile => readPlanFile(readFileSync(examplePath(name), 'utf8'))

/**
 * The pairs a plan file asks for, read from the file alone (not from the design): unordered VPC
 * pairs, and ordered tier pairs `vpc.tier>vpc.tier` in both directions (replies need both routes).
 */
export function askedPairs(file: PlanFile) {
  const tiers = (ref: string) => {
    const [vpc, tier] = ref.split('.') as [string, string | undefined]
    return (tier ? [tier] : file.vpcs[vpc]!.tiers).map((t) => `${vpc}.${t}`)
  }
  const vpcPairs = new Set<string>()
  const tierPairs = new Set<string>()
  const join = (a: string, b: string) => {
    const [x, y] = [a.split('.')[0]!, b.split('.')[0]!].sort()
    vpcPairs.add(`${x} ${y}`)
    for (const ta of tiers(a))
      for (const tb of tiers(b)) {
        tierPairs.add(`${ta}>${tb}`)
        tierPairs.add(`${tb}>${ta}`)
      }
  }
  for (const c of file.connections) for (const f of c.from) for (const t of c.to) join(f, t)
  for (const g of file.groups)
    for (let i = 0; i < g.members.length; i++)
      for (let j = i + 1; j < g.members.length; j++) join(g.members[i]!, g.members[j]!)
  return { vpcPairs, tierPairs }
}

interface VpcMatrix {
  readonly pairs: readonly { source: string; destination: string; reachable: boolean }[]
}
interface SubnetMatrix {
  readonly subnets: readonly { subnetId: string; vpcId: string; cidrBlock: string }[]
  readonly pairs: readonly { source: string; destination: string; reachable: boolean }[]
}

/**
 * The built estate's reachability, as `vpcpeer reach matrix` computes it, asked as each account in
 * each region of the plan: reachable VPC pairs by name, and reachable subnet pairs between VPCs as
 * tier pairs (a tier pair counts when every subnet pair of it is reachable; partial ones are listed
 * with a `?` so they show up as a mismatch).
 */
export async function builtPairs(endpoint: string, plan: Plan, vpcIds: Record<string, string>, port: number) {
  const nameOf = new Map(Object.entries(vpcIds).map(([name, id]) => [id, name]))
  const tierOf = new Map(
    plan.vpcs.flatMap((v) => v.tiers.flatMap((t) => t.subnets.map((s) => [s.cidr, `${v.name}.${t.name}`]))),
  )
  const subnetsPerTier = new Map(
    plan.vpcs.flatMap((v) => v.tiers.map((t) => [`${v.name}.${t.name}`, t.subnets.length])),
  )
  const scopes = [...new Set(plan.vpcs.map((v) => `${v.account} ${v.region}`))]
  const vpcPairs = new Set<string>()
  const tierCounts = new Map<string, number>()
  for (const scope of scopes) {
    const [accountId, region] = scope.split(' ') as [string, string]
    const connection = { endpoint, accessKeyId: accountId, secretAccessKey: 'vpcpeer', region }
    const vpcLevel = await callApi<VpcMatrix>(connection, 'POST', '/matrix', { body: { level: 'vpc' } })
    for (const pair of vpcLevel.pairs) {
      if (!pair.reachable || pair.source === pair.destination) continue
      const [x, y] = [
        nameOf.get(pair.source) ?? pair.source,
        nameOf.get(pair.destination) ?? pair.destination,
      ].sort()
      vpcPairs.add(`${x} ${y}`)
    }
    const subnetLevel = await callApi<SubnetMatrix>(connection, 'POST', '/matrix', {
      body: { level: 'subnet', protocol: 'tcp', port },
    })
    const subnets = new Map(subnetLevel.subnets.map((s) => [s.subnetId, s]))
    for (const pair of subnetLevel.pairs) {
      const source = subnets.get(pair.source)!
      const destination = subnets.get(pair.destination)!
      if (!pair.reachable || source.vpcId === destination.vpcId) continue
      const key = `${tierOf.get(source.cidrBlock) ?? source.cidrBlock}>${tierOf.get(destination.cidrBlock) ?? destination.cidrBlock}`
      tierCounts.set(key, (tierCounts.get(key) ?? 0) + 1)
    }
  }
  const tierPairs = new Set<string>()
  for (const [key, count] of tierCounts) {
    const [a, b] = key.split('>') as [string, string]
    const full = (subnetsPerTier.get(a) ?? 0) * (subnetsPerTier.get(b) ?? 0)
    tierPairs.add(count === full ? key : `${key}?`)
  }
  return { vpcPairs, tierPairs }
}

export interface AuditFinding {
  readonly ruleId: string
  readonly severity: 'high' | 'medium' | 'low'
  readonly problem: string
}

/** `vpcpeer audit`'s findings (GET /_vpcpeer/api/audit) for each account of the plan, every region. */
export async function auditFindings(endpoint: string, plan: Plan): Promise<AuditFinding[]> {
  const findings: AuditFinding[] = []
  for (const accountId of new Set(plan.vpcs.map((v) => v.account))) {
    const connection = { endpoint, accessKeyId: accountId, secretAccessKey: 'vpcpeer', region: 'us-east-1' }
    const report = await callApi<{ findings: AuditFinding[] }>(connection, 'GET', '/audit')
    findings.push(...report.findings)
  }
  return findings
}

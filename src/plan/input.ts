import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { parsePrefix } from '../net/prefix.js'

/**
 * The plan file: the VPCs wanted (size, account, region, environment, tiers of subnets) and who
 * must talk to whom on which ports. YAML or JSON; every field is checked, and an error names the
 * path of the field that is wrong (`vpcs.web.size`, `groups[1].members[0]`).
 */

/** Named sizes, as prefix lengths. */
export const SIZES = { small: 22, medium: 20, large: 18 } as const

/** Single hyphens only, so `--` (between peering sides) and Terraform's `__` stay unambiguous. */
const name = z
  .string()
  .max(40)
  .regex(
    /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/,
    'must start with a letter and hold a-z, 0-9 and single hyphens inside',
  )

const ipv4Prefix = z
  .string()
  .refine((text) => parsePrefix(text)?.family === 4, 'must be an IPv4 CIDR block like 10.0.0.0/8')

const size = z
  .union([z.enum(['small', 'medium', 'large']), z.string().regex(/^\/\d{1,2}$/), z.int()])
  .transform((value, ctx) => {
    const length =
      typeof value === 'number'
        ? value
        : value.startsWith('/')
          ? Number(value.slice(1))
          : SIZES[value as keyof typeof SIZES]
    if (length < 16 || length > 28) {
      ctx.addIssue({ code: 'custom', message: 'a VPC block is /16 to /28 (AWS)' })
      return z.NEVER
    }
    return length
  })

/** `443`, `"8000-8100"`, `"udp/53"`, `"udp/5000-5100"`. */
const port = z.union([z.int(), z.string()]).transform((value, ctx) => {
  const match = /^(?:(tcp|udp)\/)?(\d{1,5})(?:-(\d{1,5}))?$/.exec(String(value))
  const from = match ? Number(match[2]) : Number.NaN
  const to = match?.[3] ? Number(match[3]) : from
  if (!match || from > 65535 || to > 65535 || from > to) {
    ctx.addIssue({ code: 'custom', message: 'a port is 0-65535, a range "8000-8100", or "udp/53"' })
    return z.NEVER
  }
  return { protocol: (match[1] ?? 'tcp') as 'tcp' | 'udp', from, to }
})

const gbPerMonth = z.number().min(0).max(1e9)

const vpc = z.strictObject({
  account: z
    .string({ error: 'must be a 12-digit account id, in quotes (YAML reads 111111111111 as a number)' })
    .regex(/^\d{12}$/, 'must be a 12-digit account id'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be a region name like us-east-1'),
  environment: name.default('default'),
  size: size.default(20),
  /** Subnet tiers: one route table and one security group each, a subnet per availability zone. */
  tiers: z.array(name).min(1).max(8).default(['app']),
  availabilityZones: z.int().min(1).max(3).optional(),
})

const topology = z.enum(['auto', 'mesh', 'hub']).default('auto')

/** `web` (every tier of the VPC) or `web.app` (one tier). */
const endpoint = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*(\.[a-z][a-z0-9]*(-[a-z0-9]+)*)?$/, 'must be a VPC name, or vpc.tier')

/** One endpoint or a list: a connection joins each `from` to each `to`. */
const endpoints = z.union([endpoint.transform((e) => [e]), z.array(endpoint).min(1)])

const connection = z.strictObject({
  from: endpoints,
  to: endpoints,
  ports: z.array(port).min(1).max(20),
  gbPerMonth: gbPerMonth.default(100),
  topology,
})

const group = z.strictObject({
  name,
  members: z.array(endpoint).min(2),
  ports: z.array(port).min(1).max(20),
  /** Traffic between each pair of members, both ways together. */
  gbPerMonth: gbPerMonth.default(100),
  topology,
})

const rates = z.strictObject({
  interAzPerGb: z.number().min(0).default(0.01),
  interRegionPerGb: z.number().min(0).default(0.02),
  transitGatewayAttachmentHour: z.number().min(0).default(0.05),
  transitGatewayPerGb: z.number().min(0).default(0.02),
  /** The share of traffic between VPCs of one region that crosses availability zones. */
  crossAzShare: z.number().min(0).max(1).default(0.5),
})

export const planFileSchema = z
  .strictObject({
    pools: z.array(ipv4Prefix).min(1).default(['10.0.0.0/8']),
    reserved: z.array(ipv4Prefix).default([]),
    /** How many times each VPC may double in size later: room kept free beside its block. */
    growth: z.int().min(0).max(4).default(1),
    availabilityZones: z.int().min(1).max(3).default(2),
    quotas: z
      .strictObject({
        activePeeringsPerVpc: z.int().min(1).max(125).default(50),
        routesPerRouteTable: z.int().min(1).max(1000).default(50),
      })
      .prefault({}),
    rates: rates.prefault({}),
    /** Every VPC logs its flows to this S3 bucket (one folder per VPC); `false` for none. */
    flowLogs: z
      .union([
        z.literal(false),
        z.strictObject({
          bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name'),
        }),
      ])
      .default({ bucket: 'vpcpeer-flow-logs' }),
    vpcs: z.record(z.string(), vpc).refine((v) => Object.keys(v).length > 0, 'name at least one VPC'),
    connections: z.array(connection).default([]),
    groups: z.array(group).default([]),
  })
  .superRefine((file, ctx) => {
    const check = (ref: string, path: (string | number)[]) => {
      const [vpcName, tier] = ref.split('.') as [string, string | undefined]
      const found = file.vpcs[vpcName]
      if (!found) ctx.addIssue({ code: 'custom', path, message: `no VPC named ${vpcName} in vpcs` })
      else if (tier !== undefined && !found.tiers.includes(tier))
        ctx.addIssue({
          code: 'custom',
          path,
          message: `VPC ${vpcName} has no tier ${tier} (tiers: ${found.tiers.join(', ')})`,
        })
    }
    file.connections.forEach((c, i) => {
      const at = (side: 'from' | 'to', j: number) =>
        c[side].length === 1 ? ['connections', i, side] : ['connections', i, side, j]
      c.from.forEach((ref, j) => {
        check(ref, at('from', j))
      })
      c.to.forEach((ref, j) => {
        check(ref, at('to', j))
        if (c.from.some((f) => f.split('.')[0] === ref.split('.')[0]))
          ctx.addIssue({
            code: 'custom',
            path: at('to', j),
            message: `${ref} is in the same VPC as a from; traffic inside a VPC needs no peering`,
          })
      })
    })
    file.groups.forEach((g, i) => {
      const seen = new Set<string>()
      g.members.forEach((member, j) => {
        check(member, ['groups', i, 'members', j])
        const vpcName = member.split('.')[0]!
        if (seen.has(vpcName))
          ctx.addIssue({
            code: 'custom',
            path: ['groups', i, 'members', j],
            message: `VPC ${vpcName} is already a member of this group`,
          })
        seen.add(vpcName)
      })
    })
    for (const [vpcName, v] of Object.entries(file.vpcs)) {
      // Checked here rather than as the record's key type, whose error would not say why.
      const named = name.safeParse(vpcName)
      if (!named.success)
        ctx.addIssue({ code: 'custom', path: ['vpcs', vpcName], message: named.error.issues[0]!.message })
      if (new Set(v.tiers).size !== v.tiers.length)
        ctx.addIssue({ code: 'custom', path: ['vpcs', vpcName, 'tiers'], message: 'names a tier twice' })
    }
  })

export type PlanFile = z.infer<typeof planFileSchema>
export type PortRange = PlanFile['groups'][number]['ports'][number]

export class PlanFileError extends Error {
  override name = 'PlanFileError'
}

const pathText = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (text, key) =>
      typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key),
    '',
  )

/** Reads YAML or JSON (JSON is YAML) into a checked plan file; throws PlanFileError listing each bad field. */
export function readPlanFile(text: string): PlanFile {
  let raw: unknown
  try {
    raw = parseYaml(text)
  } catch (error) {
    throw new PlanFileError(`not YAML or JSON: ${(error as Error).message}`)
  }
  const parsed = planFileSchema.safeParse(raw ?? {})
  if (parsed.success) return parsed.data
  const lines = parsed.error.issues.map((issue) => `  ${pathText(issue.path) || '(file)'}: ${issue.message}`)
  throw new PlanFileError(
    `the plan file has ${lines.length === 1 ? 'an error' : `${lines.length} errors`}:\n${lines.join('\n')}`,
  )
}

import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SingleBar } from 'cli-progress'
import { Command } from 'commander'
import type { ExistingVpc, Plan } from '../../plan/design.js'
import { type Connection, describeAll } from '../client.js'
import { printRows } from '../output.js'
import type { AppliedIds } from '../plan-apply.js'
import { type ClientOptions, connectionOf, withConnection } from './connection.js'

interface PlanOptions extends ClientOptions {
  readonly existing?: boolean
  readonly terraform?: string
  readonly apply?: boolean
}

/** The VPCs already on the server in every account and region the plan names. */
async function existingVpcs(
  base: Connection,
  scopes: readonly (readonly [string, string])[],
): Promise<ExistingVpc[]> {
  const found: ExistingVpc[] = []
  for (const [account, region] of scopes) {
    const vpcs = await describeAll({ ...base, accessKeyId: account, region }, 'DescribeVpcs', 'vpcSet')
    for (const vpc of vpcs) {
      found.push({
        vpcId: vpc.vpcId as string,
        cidrBlocks: ((vpc.cidrBlockAssociationSet ?? []) as { cidrBlock: string }[]).map((a) => a.cidrBlock),
      })
    }
  }
  return found
}

const usd = (value: number) => `$${value.toFixed(2)}`

function printPlan(plan: Plan) {
  process.stdout.write('VPCs\n')
  printRows(
    'table',
    plan,
    ['VPC', 'Account', 'Region', 'Environment', 'CIDR', 'Kept for growth', 'Tiers'],
    plan.vpcs.map((v) => [
      v.name,
      v.account,
      v.region,
      v.environment,
      v.cidr,
      v.reserve === v.cidr ? 'none' : v.reserve,
      v.tiers.map((t) => `${t.name} ${t.cidr}`).join(', '),
    ]),
  )
  process.stdout.write('\nTopology\n')
  printRows(
    'table',
    plan,
    ['Connection or group', 'Between', 'Design', 'Mesh / month', 'Hub / month', 'Why'],
    plan.decisions.map((d) => [
      d.name,
      d.between,
      d.applicable ? d.topology : `${d.topology} (transit gateway: not on vpcpeer yet)`,
      usd(d.cost.mesh),
      usd(d.cost.hub),
      d.reason,
    ]),
  )
  process.stdout.write('\nPeerings\n')
  printRows(
    'table',
    plan,
    ['Peering', 'Requester', 'Accepter', 'Across'],
    plan.peerings.map((p) => [
      p.name,
      p.requester,
      p.accepter,
      [p.crossAccount ? 'accounts' : '', p.crossRegion ? 'regions' : ''].filter(Boolean).join(', ') ||
        undefined,
    ]),
  )
  process.stdout.write(
    `\n${plan.routes.length} routes, ${plan.rules.length} security-group rules, ${plan.transitGateways.length} transit gateways; about ${usd(plan.monthlyCost)} a month in data transfer and hub charges. -o json lists them all.\n`,
  )
  for (const warning of plan.warnings) process.stdout.write(`warning: ${warning}\n`)
}

async function runPlan(file: string, options: PlanOptions) {
  // Loaded here: the planner (yaml, zod) is needed by this command only, and CLI start-up stays short.
  const [{ designPlan }, { PlanFileError, readPlanFile }, { renderTerraform }, { applyPlan, applySteps }] =
    await Promise.all([
      import('../../plan/design.js'),
      import('../../plan/input.js'),
      import('../../plan/terraform.js'),
      import('../plan-apply.js'),
    ])
  let input: ReturnType<typeof readPlanFile>
  try {
    input = readPlanFile(await readFile(file, 'utf8'))
  } catch (error) {
    if (!(error instanceof PlanFileError)) throw error
    // A bad file is a usage error, like a bad flag.
    process.stderr.write(`vpcpeer: ${error.message}\n`)
    process.exitCode = 2
    return
  }
  const base = connectionOf(options)
  const scopes = [...new Set(Object.values(input.vpcs).map((v) => `${v.account} ${v.region}`))].map(
    (s) => s.split(' ') as [string, string],
  )
  // Applying always looks first, so the new blocks never overlap what is there.
  const existing = options.existing || options.apply ? await existingVpcs(base, scopes) : []
  const plan = designPlan(input, existing)
  if (options.terraform) {
    await mkdir(options.terraform, { recursive: true })
    for (const [name, text] of Object.entries(renderTerraform(plan))) {
      await writeFile(join(options.terraform, name), text)
      process.stderr.write(`wrote ${join(options.terraform, name)}\n`)
    }
  }
  let applied: AppliedIds | undefined
  if (options.apply) {
    const bar = new SingleBar({
      stream: process.stderr,
      noTTYOutput: true,
      format: 'applying [{bar}] {value}/{total} calls {action}',
    })
    bar.start(applySteps(plan), 0, { action: '' })
    try {
      applied = await applyPlan(plan, base, (action) => bar.increment(1, { action }))
    } finally {
      bar.stop()
    }
  }
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify({ ...plan, ...(applied ? { applied } : {}) }, null, 2)}\n`)
    return
  }
  printPlan(plan)
  if (applied) {
    process.stdout.write(
      `\napplied: ${Object.keys(applied.vpcs).length} VPCs, ${Object.keys(applied.subnets).length} subnets, ${Object.keys(applied.peerings).length} peerings active\n`,
    )
  }
}

export function planCommand(): Command {
  return withConnection(
    new Command('plan')
      .description(
        'design an estate from a YAML or JSON file: CIDR blocks, mesh or hub, Terraform; --apply builds it here',
      )
      .argument('<file>', 'the plan file (see docs/plan.md)')
      .option(
        '--existing',
        "keep clear of the VPCs already on the server (in the file's accounts and regions)",
      )
      .option(
        '--terraform <dir>',
        'write the Terraform (main.tf, and transit-gateway.tf for hubs) into this folder',
      )
      .option('--apply', 'create the estate on the server now (looks at existing VPCs first)'),
  ).action((file: string, options: PlanOptions) => runPlan(file, options))
}

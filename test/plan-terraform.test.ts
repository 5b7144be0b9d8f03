import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { designPlan, type Plan } from '../src/plan/design.js'
import { renderTerraform, type TerraformFiles } from '../src/plan/terraform.js'
import { askedPairs, auditFindings, builtPairs, readExample } from './support/plan.js'
import { startTestServer } from './support/server.js'
import { findProviderMirror, findTerraform, terraformWorkspace } from './support/terraform.js'

const terraform = findTerraform()
const mirror = terraform ? findProviderMirror() : undefined
const why = !terraform
  ? 'terraform is not installed (CI has it)'
  : 'no filesystem mirror of hashicorp/aws was found (set TF_PLUGIN_MIRROR)'
/** The 40-VPC run takes minutes (about a thousand resources), so it runs with `npm run test:plan-terraform`. */
const large = process.env.VPCPEER_PLAN_TERRAFORM_LARGE === '1'

/** A workspace holding the given files (main.tf first), initialised from the mirror. */
async function workspaceWith(files: TerraformFiles, commandTimeoutMs?: number) {
  const dir = await mkdtemp(join(tmpdir(), 'vpcpeer-plan-'))
  const { 'main.tf': mainText, ...others } = files
  await writeFile(join(dir, 'main.tf'), mainText)
  const workspace = await terraformWorkspace(
    join(dir, 'main.tf'),
    mirror!,
    commandTimeoutMs ? { commandTimeoutMs } : {},
  )
  for (const [name, text] of Object.entries(others)) await writeFile(join(workspace.dir, name), text)
  await rm(dir, { recursive: true, force: true })
  const init = await workspace.run('init', '-input=false')
  expect(init.code, init.output).toBe(0)
  return workspace
}

/** Applies the plan's Terraform on a fresh server, checks a second plan shows no changes and the matrix. */
async function applyAndCheck(example: string, commandTimeoutMs?: number) {
  const file = readExample(example)
  const plan: Plan = designPlan(file)
  const files = renderTerraform(plan)
  expect(files['transit-gateway.tf']).toBeUndefined()
  const server = await startTestServer()
  const workspace = await workspaceWith(files, commandTimeoutMs)
  try {
    const endpoint = `-var=endpoint=${server.url}`
    const apply = await workspace.run('apply', '-auto-approve', '-input=false', '-parallelism=20', endpoint)
    expect(apply.code, apply.output.slice(-4000)).toBe(0)
    const again = await workspace.run(
      'plan',
      '-detailed-exitcode',
      '-input=false',
      '-parallelism=20',
      endpoint,
    )
    expect(again.code, `plan must show no changes:\n${again.output.slice(-4000)}`).toBe(0)
    const outputs = await workspace.run('output', '-json', 'vpc_ids')
    const vpcIds = JSON.parse(outputs.output.slice(0, outputs.output.lastIndexOf('}') + 1)) as Record<
      string,
      string
    >
    expect(Object.keys(vpcIds).sort()).toEqual(plan.vpcs.map((v) => v.name).sort())
    const asked = askedPairs(file)
    const built = await builtPairs(server.url, plan, vpcIds, 443)
    expect([...built.vpcPairs].sort()).toEqual([...asked.vpcPairs].sort())
    expect([...built.tierPairs].sort()).toEqual([...asked.tierPairs].sort())
    const findings = await auditFindings(server.url, plan)
    expect(findings.filter((f) => f.severity !== 'low')).toEqual([])
  } finally {
    await workspace.remove()
    await server.close()
  }
}

describe.skipIf(!terraform || !mirror)(
  `vpcpeer plan's Terraform with hashicorp/aws${terraform && mirror ? '' : `: skipped, ${why}`}`,
  () => {
    it.concurrent('six VPCs, two accounts, two regions: applies, plans clean, reaches exactly the asked pairs, audits clean', () =>
      applyAndCheck('six-vpcs.yaml'))

    it.concurrent('a hub design writes transit-gateway.tf, which Terraform validates (AWS only: not emulated)', async () => {
      const file = readExample('six-vpcs.yaml')
      const plan = designPlan({ ...file, quotas: { ...file.quotas, activePeeringsPerVpc: 2 } })
      const files = renderTerraform(plan)
      expect(files['transit-gateway.tf']).toContain('aws_ec2_transit_gateway_peering_attachment_accepter')
      const workspace = await workspaceWith(files)
      try {
        const validate = await workspace.run('validate')
        expect(validate.code, validate.output).toBe(0)
      } finally {
        await workspace.remove()
      }
    })

    it.skipIf(!large)(
      `forty VPCs, three accounts, two regions: applies, plans clean, reaches exactly the asked pairs, audits clean${large ? '' : ' (skipped: takes minutes; run npm run test:plan-terraform)'}`,
      // About a thousand resources: one apply or plan may take many minutes on a busy machine.
      () => applyAndCheck('forty-vpcs.yaml', 1_500_000),
      3_600_000,
    )
  },
  1_800_000,
)

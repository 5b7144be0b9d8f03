import {
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcPeeringConnectionsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2'
import { describe, expect, it } from 'vitest'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'
import { findProviderMirror, findTerraform, terraformWorkspace } from './support/terraform.js'

const terraform = findTerraform()
const mirror = terraform ? findProviderMirror() : undefined
const why = !terraform
  ? 'terraform is not installed (CI has it)'
  : 'no filesystem mirror of hashicorp/aws was found (set TF_PLUGIN_MIRROR)'

/** Runs one configuration: apply, a plan that must show no changes, destroy; returns the server for checks. */
async function lifecycle(
  name: string,
  checkApplied: (server: TestServer, outputs: Record<string, string>) => Promise<void>,
) {
  const server = await startTestServer()
  const workspace = await terraformWorkspace(
    new URL(`./terraform/${name}/main.tf`, import.meta.url).pathname,
    mirror!,
  )
  try {
    const endpoint = `-var=endpoint=${server.url}`
    const init = await workspace.run('init', '-input=false')
    expect(init.code, init.output).toBe(0)
    const apply = await workspace.run('apply', '-auto-approve', '-input=false', endpoint)
    expect(apply.code, apply.output).toBe(0)
    const plan = await workspace.run('plan', '-detailed-exitcode', '-input=false', endpoint)
    expect(plan.code, `plan must show no changes:\n${plan.output}`).toBe(0)
    const outputs = await workspace.run('output', '-json')
    const parsed = JSON.parse(outputs.output.slice(0, outputs.output.lastIndexOf('}') + 1)) as Record<
      string,
      { value: string }
    >
    await checkApplied(server, Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value])))
    const destroy = await workspace.run('destroy', '-auto-approve', '-input=false', endpoint)
    expect(destroy.code, destroy.output).toBe(0)
    return server
  } catch (error) {
    await server.close()
    throw error
  } finally {
    await workspace.remove()
  }
}

async function expectNothingLeft(
  server: TestServer,
  views: { accountId: string; region: string }[],
  peeringId: string,
) {
  for (const view of views) {
    const client = ec2Client(server.url, view)
    expect((await client.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([])
    const peerings = await client.send(new DescribeVpcPeeringConnectionsCommand({}))
    for (const peering of peerings.VpcPeeringConnections ?? []) {
      expect(peering.VpcPeeringConnectionId).toBe(peeringId)
      expect(peering.Status?.Code).toMatch(/^(deleted|deleting)$/)
    }
  }
}

describe.skipIf(!terraform || !mirror)(
  `terraform with hashicorp/aws 5.100.0${terraform && mirror ? '' : `: skipped, ${why}`}`,
  () => {
    it.concurrent('one account, one region: apply, plan with no changes, destroy leaving nothing', async () => {
      let peeringId = ''
      const server = await lifecycle('single', async (server, outputs) => {
        peeringId = outputs.peering_id!
        const client = ec2Client(server.url)
        const peering = await client.send(
          new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [outputs.peering_id!] }),
        )
        const connection = peering.VpcPeeringConnections![0]!
        expect(connection.Status?.Code).toBe('active')
        expect(connection.AccepterVpcInfo?.PeeringOptions?.AllowDnsResolutionFromRemoteVpc).toBe(true)
        expect(connection.Tags).toEqual(
          expect.arrayContaining([
            { Key: 'Name', Value: 'app-db' },
            { Key: 'Project', Value: 'vpcpeer' },
          ]),
        )
        const tables = await client.send(
          new DescribeRouteTablesCommand({
            Filters: [{ Name: 'route.vpc-peering-connection-id', Values: [outputs.peering_id!] }],
          }),
        )
        const routes = tables
          .RouteTables!.flatMap((t) => t.Routes ?? [])
          .filter((r) => r.VpcPeeringConnectionId)
        expect(routes.map((r) => r.State)).toEqual(['active', 'active'])
        const db = await client.send(
          new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['db'] }] }),
        )
        expect(db.SecurityGroups![0]!.IpPermissions![0]!.FromPort).toBe(5432)
      })
      try {
        await expectNothingLeft(server, [{ accountId: ACCOUNT_A, region: 'us-east-1' }], peeringId)
      } finally {
        await server.close()
      }
    })

    it.concurrent('two accounts: each side accepts or sets options and tags its own view', async () => {
      let peeringId = ''
      const server = await lifecycle('cross-account', async (server, outputs) => {
        peeringId = outputs.peering_id!
        const describeAs = async (accountId: string) =>
          (
            await ec2Client(server.url, { accountId }).send(
              new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [peeringId] }),
            )
          ).VpcPeeringConnections![0]!
        const requesterView = await describeAs(ACCOUNT_A)
        const accepterView = await describeAs(ACCOUNT_B)
        expect(requesterView.Status?.Code).toBe('active')
        expect(requesterView.Tags).toEqual(expect.arrayContaining([{ Key: 'Side', Value: 'Requester' }]))
        expect(accepterView.Tags).toEqual(expect.arrayContaining([{ Key: 'Side', Value: 'Accepter' }]))
        expect(accepterView.RequesterVpcInfo?.PeeringOptions?.AllowDnsResolutionFromRemoteVpc).toBe(true)
        expect(accepterView.AccepterVpcInfo?.PeeringOptions?.AllowDnsResolutionFromRemoteVpc).toBe(true)
      })
      try {
        await expectNothingLeft(
          server,
          [
            { accountId: ACCOUNT_A, region: 'us-east-1' },
            { accountId: ACCOUNT_B, region: 'us-east-1' },
          ],
          peeringId,
        )
      } finally {
        await server.close()
      }
    })

    it.concurrent('two regions: requested with peer_region, accepted in the peer region', async () => {
      let peeringId = ''
      const server = await lifecycle('cross-region', async (server, outputs) => {
        peeringId = outputs.peering_id!
        for (const region of ['us-east-1', 'eu-west-1']) {
          const seen = await ec2Client(server.url, { region }).send(
            new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [peeringId] }),
          )
          expect(seen.VpcPeeringConnections![0]!.Status?.Code).toBe('active')
        }
      })
      try {
        await expectNothingLeft(
          server,
          [
            { accountId: ACCOUNT_A, region: 'us-east-1' },
            { accountId: ACCOUNT_A, region: 'eu-west-1' },
          ],
          peeringId,
        )
      } finally {
        await server.close()
      }
    })
  },
  900_000,
)

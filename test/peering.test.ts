import {
  AcceptVpcPeeringConnectionCommand,
  AssociateVpcCidrBlockCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteVpcCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeVpcPeeringConnectionsCommand,
  type EC2Client,
  ModifyVpcAttributeCommand,
  ModifyVpcPeeringConnectionOptionsCommand,
  RejectVpcPeeringConnectionCommand,
  type VpcPeeringConnection,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ACCOUNT_A, ACCOUNT_B, ec2Client, startTestServer, type TestServer } from './support/server.js'

const ACCOUNT_C = '333333333333'
const HOUR = 3600

let server: TestServer
let a: EC2Client
let b: EC2Client
let c: EC2Client

beforeAll(async () => {
  server = await startTestServer()
  a = ec2Client(server.url, { accountId: ACCOUNT_A })
  b = ec2Client(server.url, { accountId: ACCOUNT_B })
  c = ec2Client(server.url, { accountId: ACCOUNT_C })
})
afterAll(() => server.close())
beforeEach(async () => {
  await server.store.reset()
})

let nextBlock = 0
/** A fresh, non-overlapping /16 each time unless a CIDR is given. */
async function vpc(client: EC2Client, cidr = `10.${nextBlock++ % 250}.0.0/16`) {
  const out = await client.send(new CreateVpcCommand({ CidrBlock: cidr }))
  return out.Vpc!.VpcId!
}

async function request(
  client: EC2Client,
  vpcId: string,
  peerVpcId: string,
  extra: Record<string, string> = {},
) {
  const out = await client.send(
    new CreateVpcPeeringConnectionCommand({ VpcId: vpcId, PeerVpcId: peerVpcId, ...extra }),
  )
  return out.VpcPeeringConnection!
}

async function describeOne(client: EC2Client, id: string): Promise<VpcPeeringConnection> {
  const out = await client.send(new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [id] }))
  return out.VpcPeeringConnections![0]!
}

async function status(client: EC2Client, id: string) {
  return (await describeOne(client, id)).Status?.Code
}

/** The AWS error code a call fails with (or 'ok'). */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call
    return 'ok'
  } catch (error) {
    return (error as Error).name
  }
}

async function messageOf(call: Promise<unknown>): Promise<string> {
  try {
    await call
    return 'ok'
  } catch (error) {
    return (error as Error).message
  }
}

const accept = (client: EC2Client, id: string) =>
  client.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))
const reject = (client: EC2Client, id: string) =>
  client.send(new RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))
const remove = (client: EC2Client, id: string) =>
  client.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: id }))
const advance = (seconds: number) => server.clock.advance(seconds * 1000)

describe('same account, same region', () => {
  it('is pending at once, hides the accepter blocks until active, then becomes active on accept', async () => {
    const requesterVpc = await vpc(a, '10.1.0.0/16')
    const accepterVpc = await vpc(a, '10.2.0.0/16')
    const created = await request(a, requesterVpc, accepterVpc)
    expect(created.VpcPeeringConnectionId).toMatch(/^pcx-[0-9a-f]{17}$/)
    expect(created.Status).toEqual({
      Code: 'pending-acceptance',
      Message: `Pending Acceptance by ${ACCOUNT_A}`,
    })
    expect(created.RequesterVpcInfo?.CidrBlock).toBe('10.1.0.0/16')
    expect(created.AccepterVpcInfo).toEqual({ OwnerId: ACCOUNT_A, VpcId: accepterVpc, Region: 'us-east-1' })
    const week = 7 * 24 * HOUR * 1000
    expect(Math.abs(created.ExpirationTime!.getTime() - server.clock.now().getTime() - week)).toBeLessThan(
      60_000,
    )

    const accepted = (await accept(a, created.VpcPeeringConnectionId!)).VpcPeeringConnection!
    expect(accepted.Status?.Code).toBe('provisioning')
    const active = await describeOne(a, created.VpcPeeringConnectionId!)
    expect(active.Status).toEqual({ Code: 'active', Message: 'Active' })
    expect(active.AccepterVpcInfo?.CidrBlock).toBe('10.2.0.0/16')
    expect(active.AccepterVpcInfo?.PeeringOptions?.AllowDnsResolutionFromRemoteVpc).toBe(false)
    expect(active.ExpirationTime).toBeUndefined()
  })

  it('returns the existing connection for the same request, and refuses the reverse once active', async () => {
    const x = await vpc(a)
    const y = await vpc(a)
    const first = await request(a, x, y)
    const again = await request(a, x, y)
    expect(again.VpcPeeringConnectionId).toBe(first.VpcPeeringConnectionId)
    await accept(a, first.VpcPeeringConnectionId!)
    const reverse = await request(a, y, x)
    expect(reverse.VpcPeeringConnectionId).not.toBe(first.VpcPeeringConnectionId)
    expect(reverse.Status?.Code).toBe('pending-acceptance')
    expect(await messageOf(accept(a, reverse.VpcPeeringConnectionId!))).toBe(
      `The vpc peering connection identified by ${reverse.VpcPeeringConnectionId} already exists.`,
    )
    expect(await codeOf(accept(a, reverse.VpcPeeringConnectionId!))).toBe('VpcPeeringConnectionAlreadyExists')
  })

  it('fails on overlapping blocks, primary or secondary, and a failed one can be neither accepted nor deleted', async () => {
    const x = await vpc(a, '10.10.0.0/16')
    const y = await vpc(a, '10.10.128.0/17')
    const overlapping = await request(a, x, y)
    expect(overlapping.Status).toEqual({
      Code: 'failed',
      Message: 'Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range',
    })
    expect(await codeOf(accept(a, overlapping.VpcPeeringConnectionId!))).toBe('InvalidStateTransition')
    expect(await messageOf(remove(a, overlapping.VpcPeeringConnectionId!))).toBe(
      `Invalid state transition for ${overlapping.VpcPeeringConnectionId}, attempted to transition from failed to deleting`,
    )

    const z = await vpc(a, '10.20.0.0/16')
    await a.send(new AssociateVpcCidrBlockCommand({ VpcId: z, CidrBlock: '10.11.0.0/16' }))
    const w = await vpc(a, '10.11.0.0/20')
    expect((await request(a, z, w)).Status?.Code).toBe('failed')
  })

  it('refuses a VPC peered with itself, and an unknown peer VPC of its own account', async () => {
    const x = await vpc(a)
    expect(await codeOf(request(a, x, x))).toBe('InvalidParameterValue')
    expect(await codeOf(request(a, x, 'vpc-0123456789abcdef0'))).toBe('InvalidVpcID.NotFound')
    expect(await codeOf(request(a, 'vpc-0123456789abcdef0', x))).toBe('InvalidVpcID.NotFound')
  })

  it('needs PeerVpcId, and answers malformed and unknown connection ids with AWS spellings', async () => {
    const x = await vpc(a)
    expect(await codeOf(a.send(new CreateVpcPeeringConnectionCommand({ VpcId: x })))).toBe('MissingParameter')
    expect(await codeOf(accept(a, 'pcx-nope'))).toBe('InvalidVpcPeeringConnectionId.Malformed')
    expect(await messageOf(accept(a, 'pcx-nope'))).toBe('Invalid id: "pcx-nope" (expecting "pcx-...")')
    expect(await codeOf(accept(a, 'pcx-0123456789abcdef0'))).toBe('InvalidVpcPeeringConnectionID.NotFound')
    expect(await messageOf(remove(a, 'pcx-0123456789abcdef0'))).toBe(
      "The vpcPeeringConnection ID 'pcx-0123456789abcdef0' does not exist",
    )
    expect(
      await codeOf(
        a.send(
          new DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: ['pcx-0123456789abcdef0'] }),
        ),
      ),
    ).toBe('InvalidVpcPeeringConnectionID.NotFound')
    expect(
      await codeOf(
        a.send(
          new DescribeVpcPeeringConnectionsCommand({
            VpcPeeringConnectionIds: ['pcx-0123456789abcdef0'],
            MaxResults: 5,
          }),
        ),
      ),
    ).toBe('InvalidParameterCombination')
  })
})

describe('cross-account', () => {
  async function crossAccount() {
    const requesterVpc = await vpc(a, '10.30.0.0/16')
    const accepterVpc = await vpc(b, '10.31.0.0/16')
    const created = await request(a, requesterVpc, accepterVpc, { PeerOwnerId: ACCOUNT_B })
    return { requesterVpc, accepterVpc, id: created.VpcPeeringConnectionId!, created }
  }

  it('shows initiating-request, then pending to both owners and nothing to a third account', async () => {
    const { id, created } = await crossAccount()
    expect(created.Status).toEqual({
      Code: 'initiating-request',
      Message: `Initiating Request to ${ACCOUNT_B}`,
    })
    expect(await status(a, id)).toBe('pending-acceptance')
    expect((await describeOne(b, id)).Status?.Message).toBe(`Pending Acceptance by ${ACCOUNT_B}`)
    expect(await codeOf(describeOne(c, id))).toBe('InvalidVpcPeeringConnectionID.NotFound')
    for (const call of [accept(c, id), reject(c, id), remove(c, id)]) {
      expect(await codeOf(call)).toBe('InvalidVpcPeeringConnectionID.NotFound')
    }
  })

  it('lets only the accepter accept or reject, and only the requester withdraw', async () => {
    const { id } = await crossAccount()
    expect(await messageOf(accept(a, id))).toBe(`User ${ACCOUNT_A} cannot accept peering ${id}`)
    expect(await codeOf(reject(a, id))).toBe('OperationNotPermitted')
    expect(await codeOf(remove(b, id))).toBe('OperationNotPermitted')
    await accept(b, id)
    expect(await status(a, id)).toBe('active')
    expect(await status(b, id)).toBe('active')
    expect(await codeOf(reject(b, id))).toBe('InvalidStateTransition')
    expect(await codeOf(accept(b, id))).toBe('InvalidStateTransition')
    await remove(b, id)
    expect((await describeOne(a, id)).Status).toEqual({ Code: 'deleted', Message: `Deleted by ${ACCOUNT_B}` })
  })

  it('keeps a tag set per account', async () => {
    const { id } = await crossAccount()
    await a.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: 'from-a' }] }))
    await b.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: 'from-b' }] }))
    expect((await describeOne(a, id)).Tags).toEqual([{ Key: 'Name', Value: 'from-a' }])
    expect((await describeOne(b, id)).Tags).toEqual([{ Key: 'Name', Value: 'from-b' }])
    const byTag = await b.send(
      new DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: 'tag:Name', Values: ['from-a'] }] }),
    )
    expect(byTag.VpcPeeringConnections).toEqual([])
  })

  it('fails a request to a VPC the peer account does not have, and hides the failure from that account', async () => {
    const requesterVpc = await vpc(a)
    const created = await request(a, requesterVpc, 'vpc-0123456789abcdef0', { PeerOwnerId: ACCOUNT_B })
    expect(created.Status?.Code).toBe('initiating-request')
    expect(await status(a, created.VpcPeeringConnectionId!)).toBe('failed')
    const seenByB = await b.send(new DescribeVpcPeeringConnectionsCommand({}))
    expect(seenByB.VpcPeeringConnections).toEqual([])
  })

  it('keeps rejected connections visible two days to the requester and two hours to the accepter', async () => {
    const { id } = await crossAccount()
    await reject(b, id)
    expect((await describeOne(a, id)).Status).toEqual({
      Code: 'rejected',
      Message: `Rejected by ${ACCOUNT_B}`,
    })
    expect(await codeOf(accept(b, id))).toBe('InvalidStateTransition')
    advance(2 * HOUR + 1)
    expect(await codeOf(describeOne(b, id))).toBe('InvalidVpcPeeringConnectionID.NotFound')
    expect(await status(a, id)).toBe('rejected')
    advance(2 * 24 * HOUR)
    expect(await codeOf(describeOne(a, id))).toBe('InvalidVpcPeeringConnectionID.NotFound')
  })

  it('keeps deleted connections two hours for the deleter and two days for the other side', async () => {
    const { id } = await crossAccount()
    await accept(b, id)
    await remove(a, id)
    advance(3 * HOUR)
    expect(await codeOf(describeOne(a, id))).toBe('InvalidVpcPeeringConnectionID.NotFound')
    expect(await status(b, id)).toBe('deleted')
  })

  it('expires an unanswered request after seven days, visible two more days', async () => {
    const { id } = await crossAccount()
    advance(7 * 24 * HOUR - 60)
    expect(await status(b, id)).toBe('pending-acceptance')
    advance(61)
    const expired = await describeOne(b, id)
    expect(expired.Status).toEqual({ Code: 'expired', Message: 'Expired' })
    expect(expired.ExpirationTime).toBeUndefined()
    expect(await codeOf(accept(b, id))).toBe('InvalidStateTransition')
    advance(2 * 24 * HOUR)
    expect(await codeOf(describeOne(a, id))).toBe('InvalidVpcPeeringConnectionID.NotFound')
  })

  it('lets each owner change only its own side options, only while active, with DNS hostnames on', async () => {
    const { id, requesterVpc, accepterVpc } = await crossAccount()
    const modify = (client: EC2Client, side: 'Requester' | 'Accepter', value = true) =>
      client.send(
        new ModifyVpcPeeringConnectionOptionsCommand({
          VpcPeeringConnectionId: id,
          [`${side}PeeringConnectionOptions`]: { AllowDnsResolutionFromRemoteVpc: value },
        }),
      )
    expect(await messageOf(modify(a, 'Requester'))).toBe(
      `Peering ${id} is not active. Peering options can be added only to active peerings.`,
    )
    await accept(b, id)
    expect(await messageOf(modify(a, 'Accepter'))).toBe(
      `User ${ACCOUNT_A} does not have permission to modify the accepter side peering options`,
    )
    expect(await codeOf(modify(a, 'Requester'))).toBe('InvalidVpcPeeringConnectionState.DnsHostnamesDisabled')
    for (const [client, vpcId] of [
      [a, requesterVpc],
      [b, accepterVpc],
    ] as const) {
      await client.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }))
    }
    const changed = await modify(a, 'Requester')
    expect(changed.RequesterPeeringConnectionOptions?.AllowDnsResolutionFromRemoteVpc).toBe(true)
    expect(changed.AccepterPeeringConnectionOptions).toBeUndefined()
    const seen = await describeOne(b, id)
    expect(seen.RequesterVpcInfo?.PeeringOptions?.AllowDnsResolutionFromRemoteVpc).toBe(true)
    expect(seen.AccepterVpcInfo?.PeeringOptions?.AllowDnsResolutionFromRemoteVpc).toBe(false)
  })

  it('describes with filters and pages', async () => {
    const requesterVpc = await vpc(a)
    const ids: string[] = []
    for (let i = 0; i < 7; i++) {
      const peer = await vpc(b)
      ids.push((await request(a, requesterVpc, peer, { PeerOwnerId: ACCOUNT_B })).VpcPeeringConnectionId!)
    }
    await accept(b, ids[0]!)
    const active = await a.send(
      new DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: 'status-code', Values: ['active'] }] }),
    )
    expect(active.VpcPeeringConnections?.map((p) => p.VpcPeeringConnectionId)).toEqual([ids[0]])
    const byRequester = await b.send(
      new DescribeVpcPeeringConnectionsCommand({
        Filters: [
          { Name: 'requester-vpc-info.vpc-id', Values: [requesterVpc] },
          { Name: 'status-code', Values: ['pending-*'] },
        ],
      }),
    )
    expect(byRequester.VpcPeeringConnections).toHaveLength(6)
    const first = await a.send(new DescribeVpcPeeringConnectionsCommand({ MaxResults: 5 }))
    expect(first.VpcPeeringConnections).toHaveLength(5)
    const second = await a.send(
      new DescribeVpcPeeringConnectionsCommand({ MaxResults: 5, NextToken: first.NextToken }),
    )
    expect(second.NextToken).toBeUndefined()
    const all = [...first.VpcPeeringConnections!, ...second.VpcPeeringConnections!].map(
      (p) => p.VpcPeeringConnectionId,
    )
    expect(all.sort()).toEqual([...ids].sort())
    expect(
      await codeOf(
        a.send(new DescribeVpcPeeringConnectionsCommand({ Filters: [{ Name: 'colour', Values: ['x'] }] })),
      ),
    ).toBe('InvalidParameterValue')
  })
})

describe('cross-region', () => {
  it('is one connection under one id in both regions, accepted only in the accepter region, deleted via deleting', async () => {
    const delayed = await startTestServer({ settings: { peeringTransitionMs: 5000 } })
    try {
      const east = ec2Client(delayed.url, { accountId: ACCOUNT_A, region: 'us-east-1' })
      const west = ec2Client(delayed.url, { accountId: ACCOUNT_A, region: 'eu-west-1' })
      const x = await vpc(east, '10.40.0.0/16')
      const y = await vpc(west, '10.41.0.0/16')
      const created = await request(east, x, y, { PeerRegion: 'eu-west-1' })
      const id = created.VpcPeeringConnectionId!
      expect(created.Status?.Code).toBe('initiating-request')
      expect(await status(east, id)).toBe('initiating-request')
      delayed.clock.advance(5000)
      expect(await status(west, id)).toBe('pending-acceptance')
      expect(await messageOf(accept(east, id))).toBe(
        `Incorrect region (us-east-1) specified for this request. VPC peering connection ${id} must be accepted in region eu-west-1`,
      )
      expect((await accept(west, id)).VpcPeeringConnection?.Status?.Code).toBe('provisioning')
      delayed.clock.advance(5000)
      const active = await describeOne(east, id)
      expect(active.Status?.Code).toBe('active')
      expect(active.AccepterVpcInfo?.Region).toBe('eu-west-1')
      expect(active.RequesterVpcInfo?.Region).toBe('us-east-1')
      await remove(east, id)
      expect(await status(west, id)).toBe('deleting')
      delayed.clock.advance(5000)
      expect(await status(west, id)).toBe('deleted')
    } finally {
      await delayed.close()
    }
  })
})

describe('rules that tie peerings to VPCs', () => {
  it('blocks DeleteVpc while active, and deletes the VPC own pending requests with it', async () => {
    const x = await vpc(a)
    const y = await vpc(b)
    const { VpcPeeringConnectionId: id } = await request(a, x, y, { PeerOwnerId: ACCOUNT_B })
    expect(await codeOf(b.send(new DeleteVpcCommand({ VpcId: y })))).toBe('DependencyViolation')
    await a.send(new DeleteVpcCommand({ VpcId: x }))
    expect(await status(b, id!)).toBe('deleted')

    const p = await vpc(a)
    const q = await vpc(a)
    const active = await request(a, p, q)
    await accept(a, active.VpcPeeringConnectionId!)
    expect(await messageOf(a.send(new DeleteVpcCommand({ VpcId: q })))).toBe(
      `The vpc '${q}' has dependencies and cannot be deleted.`,
    )
  })

  it('applies the CIDR association rules of a peered VPC', async () => {
    const x = await vpc(a, '10.50.0.0/16')
    const y = await vpc(a, '10.51.0.0/16')
    const pending = await request(a, x, y)
    expect(
      await codeOf(a.send(new AssociateVpcCidrBlockCommand({ VpcId: x, CidrBlock: '10.60.0.0/16' }))),
    ).toBe('OperationNotPermitted')
    // The accepter may add blocks; one overlapping the requester fails the request.
    await a.send(new AssociateVpcCidrBlockCommand({ VpcId: y, CidrBlock: '10.52.0.0/16' }))
    expect(await status(a, pending.VpcPeeringConnectionId!)).toBe('pending-acceptance')
    const z = await vpc(a, '10.53.0.0/16')
    const pendingToZ = await request(a, x, z)
    await a.send(new AssociateVpcCidrBlockCommand({ VpcId: z, CidrBlock: '10.50.0.0/24' }))
    expect(await status(a, pendingToZ.VpcPeeringConnectionId!)).toBe('failed')

    await accept(a, pending.VpcPeeringConnectionId!)
    expect(
      await codeOf(a.send(new AssociateVpcCidrBlockCommand({ VpcId: x, CidrBlock: '10.52.0.0/20' }))),
    ).toBe('InvalidVpc.Range')
    await a.send(new AssociateVpcCidrBlockCommand({ VpcId: x, CidrBlock: '10.70.0.0/16' }))
    const active = await describeOne(a, pending.VpcPeeringConnectionId!)
    expect(active.RequesterVpcInfo?.CidrBlockSet?.map((b) => b.CidrBlock)).toContain('10.50.0.0/16')
  })

  it('enforces the outstanding-request and active-per-VPC quotas', async () => {
    const limited = await startTestServer({
      settings: { outstandingPeeringsPerAccount: 2, activePeeringsPerVpc: 1 },
    })
    try {
      const client = ec2Client(limited.url, { accountId: ACCOUNT_A })
      const hub = await vpc(client, '10.90.0.0/16')
      const spokes = [
        await vpc(client, '10.91.0.0/16'),
        await vpc(client, '10.92.0.0/16'),
        await vpc(client, '10.93.0.0/16'),
      ]
      const first = await request(client, hub, spokes[0]!)
      const second = await request(client, hub, spokes[1]!)
      expect(await codeOf(request(client, hub, spokes[2]!))).toBe(
        'OutstandingVpcPeeringConnectionLimitExceeded',
      )
      await accept(client, first.VpcPeeringConnectionId!)
      expect(await codeOf(accept(client, second.VpcPeeringConnectionId!))).toBe(
        'ActiveVpcPeeringConnectionPerVpcLimitExceeded',
      )
    } finally {
      await limited.close()
    }
  })
})

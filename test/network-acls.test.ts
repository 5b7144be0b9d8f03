import {
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  type CreateNetworkAclEntryCommandInput,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNetworkAclCommand,
  DeleteNetworkAclEntryCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeNetworkAclsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  type NetworkAcl,
  type NetworkAclEntry,
  paginateDescribeNetworkAcls,
  ReplaceNetworkAclAssociationCommand,
  ReplaceNetworkAclEntryCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectError, freshClient } from './support/ec2.js'
import { ec2Client, errorOf, parseXml, postForm, startTestServer, type TestServer } from './support/server.js'
import { awsCliInstalled, runWalkthrough } from './support/walkthrough.js'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

const createVpc = async (client: EC2Client, CidrBlock = '10.0.0.0/16') =>
  (await client.send(new CreateVpcCommand({ CidrBlock }))).Vpc!.VpcId!

const createSubnet = async (client: EC2Client, VpcId: string, CidrBlock = '10.0.1.0/24') =>
  (await client.send(new CreateSubnetCommand({ VpcId, CidrBlock }))).Subnet!.SubnetId!

const createAcl = async (client: EC2Client, VpcId: string) =>
  (await client.send(new CreateNetworkAclCommand({ VpcId }))).NetworkAcl!.NetworkAclId!

const describeAcl = async (client: EC2Client, id: string): Promise<NetworkAcl> =>
  (await client.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [id] }))).NetworkAcls![0]!

const defaultAclOf = async (client: EC2Client, vpcId: string): Promise<NetworkAcl> =>
  (
    await client.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'default', Values: ['true'] },
        ],
      }),
    )
  ).NetworkAcls![0]!

/** Creates an entry: by default rule 100, ingress, all protocols, allowed from 10.0.0.0/8. */
const addEntry = (
  client: EC2Client,
  NetworkAclId: string,
  overrides: Partial<CreateNetworkAclEntryCommandInput> = {},
) =>
  client.send(
    new CreateNetworkAclEntryCommand({
      NetworkAclId,
      RuleNumber: 100,
      Protocol: '-1',
      RuleAction: 'allow',
      Egress: false,
      CidrBlock: '10.0.0.0/8',
      ...overrides,
    }),
  )

/** An entry in a compact form: direction, number, protocol, action and block. */
const brief = (e: NetworkAclEntry) =>
  `${e.Egress ? 'out' : 'in'} ${e.RuleNumber} ${e.Protocol} ${e.RuleAction} ${e.CidrBlock ?? e.Ipv6CidrBlock}`

const sorted = (ids: string[]) => [...ids].sort((a, b) => a.localeCompare(b))

const CUSTOM_ENTRIES = [
  'out 32767 -1 deny 0.0.0.0/0',
  'out 32768 -1 deny ::/0',
  'in 32767 -1 deny 0.0.0.0/0',
  'in 32768 -1 deny ::/0',
]

describe('CreateNetworkAcl and DeleteNetworkAcl', () => {
  it('creates a custom ACL that denies everything, tagged, with no associations', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const created = await client.send(
      new CreateNetworkAclCommand({
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'network-acl', Tags: [{ Key: 'Name', Value: 'private' }] }],
      }),
    )
    const acl = created.NetworkAcl!
    expect(acl).toMatchObject({
      NetworkAclId: expect.stringMatching(/^acl-[0-9a-f]{17}$/),
      VpcId: vpcId,
      OwnerId: client.accountId,
      IsDefault: false,
      Associations: [],
      Tags: [{ Key: 'Name', Value: 'private' }],
    })
    // The brief's choice: both catch-all families on every custom ACL, listed egress first.
    expect(acl.Entries!.map(brief)).toEqual(CUSTOM_ENTRIES)
    const tagged = await client.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: 'tag:Name', Values: ['priv*'] }] }),
    )
    expect(tagged.NetworkAcls!.map((a) => a.NetworkAclId)).toEqual([acl.NetworkAclId])
  })

  it('answers a retry with the same ClientToken with the same ACL, and refuses it for another VPC', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const first = await client.send(new CreateNetworkAclCommand({ VpcId: vpcId, ClientToken: 'token-1' }))
    const again = await client.send(new CreateNetworkAclCommand({ VpcId: vpcId, ClientToken: 'token-1' }))
    expect(first.ClientToken).toBe('token-1')
    expect(again.NetworkAcl!.NetworkAclId).toBe(first.NetworkAcl!.NetworkAclId)
    const all = await client.send(
      new DescribeNetworkAclsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    )
    expect(all.NetworkAcls).toHaveLength(2)
    const otherVpc = await createVpc(client, '10.1.0.0/16')
    await expectError(
      client.send(new CreateNetworkAclCommand({ VpcId: otherVpc, ClientToken: 'token-1' })),
      'IdempotentParameterMismatch',
    )
  })

  it('refuses an unknown VPC of any shape and a foreign tag resource type', async () => {
    const client = freshClient(server.url)
    await expectError(
      client.send(new CreateNetworkAclCommand({ VpcId: 'vpc-0123456789abcdef0' })),
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    )
    // Like every action that creates something in a VPC (docs/errors.md), any shape is NotFound.
    await expectError(
      client.send(new CreateNetworkAclCommand({ VpcId: 'vpc-nope' })),
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-nope' does not exist",
    )
    const vpcId = await createVpc(client)
    await expectError(
      client.send(
        new CreateNetworkAclCommand({
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: 'b' }] }],
        }),
      ),
      'InvalidParameterValue',
    )
  })

  it('allows 200 network ACLs per VPC, the default one included', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    for (let i = 1; i < 200; i++) await createAcl(client, vpcId)
    await expectError(client.send(new CreateNetworkAclCommand({ VpcId: vpcId })), 'NetworkAclLimitExceeded')
    // The quota is per VPC, not per account.
    await createAcl(client, await createVpc(client, '10.1.0.0/16'))
  })

  it('never deletes a default ACL, nor one a subnet still uses', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const defaultAcl = await defaultAclOf(client, vpcId)
    await expectError(
      client.send(new DeleteNetworkAclCommand({ NetworkAclId: defaultAcl.NetworkAclId })),
      'InvalidParameterValue',
      `cannot delete default network ACL ${defaultAcl.NetworkAclId}`,
    )
    const subnetId = await createSubnet(client, vpcId)
    const aclId = await createAcl(client, vpcId)
    const association = (await defaultAclOf(client, vpcId)).Associations![0]!
    await client.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: association.NetworkAclAssociationId,
        NetworkAclId: aclId,
      }),
    )
    await expectError(
      client.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId })),
      'DependencyViolation',
      `The networkAcl '${aclId}' has dependencies and cannot be deleted.`,
    )
    // Deleting the subnet ends its association, wherever it points.
    await client.send(new DeleteSubnetCommand({ SubnetId: subnetId }))
    expect((await describeAcl(client, aclId)).Associations).toEqual([])
    await client.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }))
    await expectError(
      client.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [aclId] })),
      'InvalidNetworkAclID.NotFound',
      `The networkAcl ID '${aclId}' does not exist`,
    )
  })

  it('keeps a VPC with a custom ACL from being deleted until the ACL is gone', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const aclId = await createAcl(client, vpcId)
    await expectError(client.send(new DeleteVpcCommand({ VpcId: vpcId })), 'DependencyViolation')
    await client.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId }))
    await client.send(new DeleteVpcCommand({ VpcId: vpcId }))
  })

  it('answers NotFound and Malformed for ACL ids, and hides one account’s ACLs from another', async () => {
    const owner = freshClient(server.url)
    const stranger = freshClient(server.url)
    const vpcId = await createVpc(owner)
    const aclId = await createAcl(owner, vpcId)
    await expectError(
      stranger.send(new DeleteNetworkAclCommand({ NetworkAclId: aclId })),
      'InvalidNetworkAclID.NotFound',
    )
    await expectError(addEntry(stranger, aclId), 'InvalidNetworkAclID.NotFound')
    await expectError(
      owner.send(new DeleteNetworkAclCommand({ NetworkAclId: 'acl-xyz' })),
      'InvalidNetworkAclId.Malformed',
      'Invalid id: "acl-xyz" (expecting "acl-...")',
    )
    await expectError(addEntry(owner, 'rtb-0123456789abcdef0'), 'InvalidNetworkAclId.Malformed')
  })
})

describe('network ACL entries', () => {
  it('stores entries as AWS does: numbers for protocols, canonical blocks, listed egress first by number', async () => {
    const client = freshClient(server.url)
    const aclId = await createAcl(client, await createVpc(client))
    await addEntry(client, aclId, {
      RuleNumber: 120,
      Protocol: '6',
      CidrBlock: '10.1.2.3/16',
      PortRange: { From: 443, To: 443 },
    })
    await addEntry(client, aclId, { RuleNumber: 90, Protocol: '17', PortRange: { From: 53, To: 53 } })
    await addEntry(client, aclId, {
      RuleNumber: 100,
      Egress: true,
      Protocol: '1',
      RuleAction: 'deny',
      IcmpTypeCode: { Type: 8, Code: -1 },
    })
    // Ports mean nothing to an all-protocols rule; AWS ignores them, so they are not kept.
    await addEntry(client, aclId, {
      RuleNumber: 110,
      Protocol: '-1',
      CidrBlock: undefined,
      Ipv6CidrBlock: '2001:db8::1/32',
      PortRange: { From: 1, To: 2 },
    })
    const entries = (await describeAcl(client, aclId)).Entries!
    expect(entries.map(brief)).toEqual([
      'out 100 1 deny 10.0.0.0/8',
      ...CUSTOM_ENTRIES.slice(0, 2),
      'in 90 17 allow 10.0.0.0/8',
      'in 110 -1 allow 2001:db8::/32',
      'in 120 6 allow 10.1.0.0/16',
      ...CUSTOM_ENTRIES.slice(2),
    ])
    expect(entries.find((e) => e.RuleNumber === 120)!.PortRange).toEqual({ From: 443, To: 443 })
    expect(entries.find((e) => e.RuleNumber === 100)!.IcmpTypeCode).toEqual({ Type: 8, Code: -1 })
    expect(entries.find((e) => e.RuleNumber === 110)!.PortRange).toBeUndefined()
  })

  it('refuses protocol names (the AWS CLI translates them before sending) and unknown numbers', async () => {
    const client = freshClient(server.url)
    const aclId = await createAcl(client, await createVpc(client))
    for (const protocol of ['tcp', 'all', '256', '-2', '6.0']) {
      await expectError(
        addEntry(client, aclId, { Protocol: protocol, PortRange: { From: 1, To: 2 } }),
        'InvalidParameterValue',
        `Invalid value '${protocol}' for IP protocol. Unknown protocol.`,
      )
    }
    await addEntry(client, aclId, { Protocol: '047' })
    expect((await describeAcl(client, aclId)).Entries!.map(brief)).toContain('in 100 47 allow 10.0.0.0/8')
  })

  it('needs a port range for TCP and UDP, and an ICMP type and code where ICMP applies', async () => {
    const client = freshClient(server.url)
    const aclId = await createAcl(client, await createVpc(client))
    const missing = (parameter: string) => `The request must contain the parameter ${parameter}`
    await expectError(
      addEntry(client, aclId, { Protocol: '6' }),
      'MissingParameter',
      missing('portRange.from'),
    )
    await expectError(
      addEntry(client, aclId, { Protocol: '17', PortRange: { From: 53 } }),
      'MissingParameter',
      missing('portRange.to'),
    )
    await expectError(
      addEntry(client, aclId, { Protocol: '6', PortRange: { From: 0, To: 65536 } }),
      'InvalidParameterValue',
    )
    // [INF] AWS's answer to a reversed range is unconfirmed; refusing it is the safe reading.
    await expectError(
      addEntry(client, aclId, { Protocol: '6', PortRange: { From: 90, To: 80 } }),
      'InvalidParameterValue',
    )
    await expectError(
      addEntry(client, aclId, { Protocol: '1' }),
      'MissingParameter',
      missing('icmpTypeCode.type'),
    )
    await expectError(
      addEntry(client, aclId, { Protocol: '58', CidrBlock: undefined, Ipv6CidrBlock: '::/0' }),
      'MissingParameter',
      missing('icmpTypeCode.type'),
    )
    // ICMPv6 for an IPv4 block allows every type and code, so none is needed (API docs).
    await addEntry(client, aclId, { RuleNumber: 5, Protocol: '58', IcmpTypeCode: { Type: 1, Code: 1 } })
    const icmpv6 = (await describeAcl(client, aclId)).Entries!.find((e) => e.RuleNumber === 5)!
    expect(icmpv6.IcmpTypeCode).toBeUndefined()
  })

  it('takes exactly one well-formed block of the right family', async () => {
    const client = freshClient(server.url)
    const aclId = await createAcl(client, await createVpc(client))
    // [INF] Codes for a missing or doubled block are unconfirmed; these mirror AWS's usual answers.
    await expectError(addEntry(client, aclId, { CidrBlock: undefined }), 'MissingParameter')
    await expectError(addEntry(client, aclId, { Ipv6CidrBlock: '::/0' }), 'InvalidParameterCombination')
    await expectError(
      addEntry(client, aclId, { CidrBlock: '10.0.0.0/33' }),
      'InvalidParameterValue',
      'CIDR block 10.0.0.0/33 is malformed',
    )
    await expectError(
      addEntry(client, aclId, { CidrBlock: undefined, Ipv6CidrBlock: '10.0.0.0/8' }),
      'InvalidParameterValue',
      'CIDR block 10.0.0.0/8 is malformed',
    )
    await expectError(addEntry(client, aclId, { RuleAction: 'permit' as 'allow' }), 'InvalidParameterValue')
  })

  it('keeps rule numbers unique per direction, across address families', async () => {
    const client = freshClient(server.url)
    const aclId = await createAcl(client, await createVpc(client))
    await addEntry(client, aclId, { RuleNumber: 100 })
    await expectError(
      addEntry(client, aclId, { RuleNumber: 100, CidrBlock: undefined, Ipv6CidrBlock: '::/0' }),
      'NetworkAclEntryAlreadyExists',
      'The network acl entry identified by 100 already exists.',
    )
    await addEntry(client, aclId, { RuleNumber: 100, Egress: true })
  })

  it('replaces an entry in place and deletes one, by number and direction', async () => {
    const client = freshClient(server.url)
    const aclId = await createAcl(client, await createVpc(client))
    await addEntry(client, aclId, { RuleNumber: 100 })
    await client.send(
      new ReplaceNetworkAclEntryCommand({
        NetworkAclId: aclId,
        RuleNumber: 100,
        Egress: false,
        Protocol: '6',
        RuleAction: 'deny',
        Ipv6CidrBlock: '2001:db8::/48',
        PortRange: { From: 22, To: 22 },
      }),
    )
    const replaced = (await describeAcl(client, aclId)).Entries!.filter((e) => e.RuleNumber === 100)
    expect(replaced).toEqual([
      {
        RuleNumber: 100,
        Egress: false,
        Protocol: '6',
        RuleAction: 'deny',
        Ipv6CidrBlock: '2001:db8::/48',
        PortRange: { From: 22, To: 22 },
      },
    ])
    await expectError(
      client.send(
        new ReplaceNetworkAclEntryCommand({
          NetworkAclId: aclId,
          RuleNumber: 100,
          Egress: true,
          Protocol: '-1',
          RuleAction: 'allow',
          CidrBlock: '0.0.0.0/0',
        }),
      ),
      'InvalidNetworkAclEntry.NotFound',
      'no egress entry with number 100',
    )
    await expectError(
      client.send(new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 120, Egress: false })),
      'InvalidNetworkAclEntry.NotFound',
      'no ingress entry with number 120',
    )
    await client.send(
      new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: 100, Egress: false }),
    )
    expect((await describeAcl(client, aclId)).Entries!.map(brief)).toEqual(CUSTOM_ENTRIES)
  })

  it('never lets the catch-all rules be created, replaced or deleted', async () => {
    const client = freshClient(server.url)
    const aclId = await createAcl(client, await createVpc(client))
    const outOfRange = (n: number) =>
      `Value (${n}) for parameter ruleNumber is invalid. Rulenumber must be in range 1..32766`
    for (const ruleNumber of [32767, 32768]) {
      await expectError(
        client.send(
          new DeleteNetworkAclEntryCommand({ NetworkAclId: aclId, RuleNumber: ruleNumber, Egress: true }),
        ),
        'InvalidParameterValue',
        outOfRange(ruleNumber),
      )
      await expectError(
        client.send(
          new ReplaceNetworkAclEntryCommand({
            NetworkAclId: aclId,
            RuleNumber: ruleNumber,
            Egress: false,
            Protocol: '-1',
            RuleAction: 'allow',
            CidrBlock: '0.0.0.0/0',
          }),
        ),
        'InvalidParameterValue',
        outOfRange(ruleNumber),
      )
    }
    await expectError(addEntry(client, aclId, { RuleNumber: 0 }), 'InvalidParameterValue', outOfRange(0))
    expect((await describeAcl(client, aclId)).Entries!.map(brief)).toEqual(CUSTOM_ENTRIES)
  })

  it('allows 20 rules per direction and address family, the catch-all rule included', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const aclId = await createAcl(client, vpcId)
    for (let n = 1; n <= 19; n++) await addEntry(client, aclId, { RuleNumber: n })
    const limit = [
      'NetworkAclEntryLimitExceeded',
      'The maximum number of network acl entries has been reached.',
    ] as const
    await expectError(addEntry(client, aclId, { RuleNumber: 20 }), ...limit)
    // The other direction and the other family each have their own twenty.
    await addEntry(client, aclId, { RuleNumber: 20, Egress: true })
    await addEntry(client, aclId, { RuleNumber: 20, CidrBlock: undefined, Ipv6CidrBlock: '::/0' })
    // Replacing the IPv6 rule with an IPv4 one would make 21 IPv4 ingress rules.
    await expectError(
      client.send(
        new ReplaceNetworkAclEntryCommand({
          NetworkAclId: aclId,
          RuleNumber: 20,
          Egress: false,
          Protocol: '-1',
          RuleAction: 'allow',
          CidrBlock: '10.0.0.0/8',
        }),
      ),
      ...limit,
    )
    // The default ACL starts with rule 100 and the catch-all, so 18 more fit.
    const defaultAclId = (await defaultAclOf(client, vpcId)).NetworkAclId!
    for (let n = 1; n <= 18; n++) await addEntry(client, defaultAclId, { RuleNumber: n })
    await expectError(addEntry(client, defaultAclId, { RuleNumber: 19 }), ...limit)
  })
})

describe('ReplaceNetworkAclAssociation', () => {
  it('moves a subnet between ACLs of its VPC under a new association id each time', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const subnetId = await createSubnet(client, vpcId)
    const defaultAcl = await defaultAclOf(client, vpcId)
    const original = defaultAcl.Associations![0]!
    expect(original).toEqual({
      NetworkAclAssociationId: expect.stringMatching(/^aclassoc-[0-9a-f]{17}$/),
      NetworkAclId: defaultAcl.NetworkAclId,
      SubnetId: subnetId,
    })
    const aclId = await createAcl(client, vpcId)
    const moved = await client.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: original.NetworkAclAssociationId,
        NetworkAclId: aclId,
      }),
    )
    expect(moved.NewAssociationId).toMatch(/^aclassoc-[0-9a-f]{17}$/)
    expect(moved.NewAssociationId).not.toBe(original.NetworkAclAssociationId)
    expect((await describeAcl(client, aclId)).Associations).toEqual([
      { NetworkAclAssociationId: moved.NewAssociationId, NetworkAclId: aclId, SubnetId: subnetId },
    ])
    expect((await defaultAclOf(client, vpcId)).Associations).toEqual([])
    // The old association is gone; replacing it again finds nothing.
    await expectError(
      client.send(
        new ReplaceNetworkAclAssociationCommand({
          AssociationId: original.NetworkAclAssociationId,
          NetworkAclId: defaultAcl.NetworkAclId,
        }),
      ),
      'InvalidAssociationID.NotFound',
      `The association ID '${original.NetworkAclAssociationId}' does not exist`,
    )
    // Back to the default ACL.
    const back = await client.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: moved.NewAssociationId,
        NetworkAclId: defaultAcl.NetworkAclId,
      }),
    )
    expect((await defaultAclOf(client, vpcId)).Associations!.map((a) => a.NetworkAclAssociationId)).toEqual([
      back.NewAssociationId,
    ])
  })

  it('gives a new association id even when the subnet stays on the same ACL', async () => {
    // [INF] AWS documents no special case for the same ACL; the replace still mints a new id.
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    await createSubnet(client, vpcId)
    const defaultAcl = await defaultAclOf(client, vpcId)
    const { NewAssociationId } = await client.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: defaultAcl.Associations![0]!.NetworkAclAssociationId,
        NetworkAclId: defaultAcl.NetworkAclId,
      }),
    )
    expect((await defaultAclOf(client, vpcId)).Associations!.map((a) => a.NetworkAclAssociationId)).toEqual([
      NewAssociationId,
    ])
  })

  it('refuses an ACL of another VPC, an unknown ACL and another account’s association', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const subnetId = await createSubnet(client, vpcId)
    const associationId = (await defaultAclOf(client, vpcId)).Associations![0]!.NetworkAclAssociationId!
    const elsewhere = await createAcl(client, await createVpc(client, '10.1.0.0/16'))
    // [INF] Worded like AWS's route-table answer for the same mistake.
    await expectError(
      client.send(
        new ReplaceNetworkAclAssociationCommand({ AssociationId: associationId, NetworkAclId: elsewhere }),
      ),
      'InvalidParameterValue',
      `Network ACL ${elsewhere} and subnet ${subnetId} belong to different networks`,
    )
    await expectError(
      client.send(
        new ReplaceNetworkAclAssociationCommand({
          AssociationId: associationId,
          NetworkAclId: 'acl-0123456789abcdef0',
        }),
      ),
      'InvalidNetworkAclID.NotFound',
    )
    const stranger = freshClient(server.url)
    const strangerAcl = await createAcl(stranger, await createVpc(stranger))
    await expectError(
      stranger.send(
        new ReplaceNetworkAclAssociationCommand({ AssociationId: associationId, NetworkAclId: strangerAcl }),
      ),
      'InvalidAssociationID.NotFound',
    )
  })
})

describe('DescribeNetworkAcls', () => {
  /** A VPC with its default ACL and one custom ACL holding a subnet and a few rules. */
  async function estate() {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    const subnetId = await createSubnet(client, vpcId)
    const defaultAcl = await defaultAclOf(client, vpcId)
    const custom = (
      await client.send(
        new CreateNetworkAclCommand({
          VpcId: vpcId,
          TagSpecifications: [{ ResourceType: 'network-acl', Tags: [{ Key: 'tier', Value: 'db' }] }],
        }),
      )
    ).NetworkAcl!.NetworkAclId!
    const { NewAssociationId } = await client.send(
      new ReplaceNetworkAclAssociationCommand({
        AssociationId: defaultAcl.Associations![0]!.NetworkAclAssociationId,
        NetworkAclId: custom,
      }),
    )
    await addEntry(client, custom, { RuleNumber: 100, Protocol: '6', PortRange: { From: 22, To: 22 } })
    await addEntry(client, custom, {
      RuleNumber: 110,
      Egress: true,
      Protocol: '1',
      RuleAction: 'deny',
      CidrBlock: '192.168.0.0/16',
      IcmpTypeCode: { Type: 8, Code: 0 },
    })
    await addEntry(client, custom, {
      RuleNumber: 120,
      Protocol: '17',
      CidrBlock: undefined,
      Ipv6CidrBlock: '2001:db8::/32',
      PortRange: { From: 53, To: 53 },
    })
    return {
      client,
      vpcId,
      subnetId,
      custom,
      defaultId: defaultAcl.NetworkAclId!,
      associationId: NewAssociationId!,
    }
  }

  it('supports every filter AWS lists for the action', async () => {
    const { client, vpcId, subnetId, custom, defaultId, associationId } = await estate()
    const found = async (Name: string, Values: string[]) => {
      const reply = await client.send(new DescribeNetworkAclsCommand({ Filters: [{ Name, Values }] }))
      return sorted(reply.NetworkAcls!.map((a) => a.NetworkAclId!))
    }
    const both = sorted([custom, defaultId])
    const cases: [string, string[], string[]][] = [
      ['association.association-id', [associationId], [custom]],
      ['association.network-acl-id', [custom], [custom]],
      ['association.subnet-id', [subnetId], [custom]],
      ['default', ['true'], [defaultId]],
      ['default', ['false'], [custom]],
      ['entry.cidr', ['192.168.0.0/16'], [custom]],
      ['entry.icmp.code', ['0'], [custom]],
      ['entry.icmp.type', ['8'], [custom]],
      ['entry.ipv6-cidr', ['2001:db8::/32'], [custom]],
      ['entry.port-range.from', ['22'], [custom]],
      ['entry.port-range.to', ['53'], [custom]],
      ['entry.protocol', ['17'], [custom]],
      ['entry.protocol', ['tcp'], [custom]],
      ['entry.protocol', ['-1'], both],
      ['entry.rule-action', ['allow'], both],
      ['entry.egress', ['true'], both],
      ['entry.rule-number', ['110', '120'], [custom]],
      ['entry.rule-number', ['327*'], both],
      ['network-acl-id', [custom], [custom]],
      ['owner-id', [client.accountId], both],
      ['vpc-id', [vpcId], both],
      ['tag:tier', ['db'], [custom]],
      ['tag-key', ['tier'], [custom]],
    ]
    for (const [name, values, expected] of cases) {
      expect({ name, values, ids: await found(name, values) }).toEqual({ name, values, ids: expected })
    }
    // Filters AND together; values of one filter OR.
    const anded: Filter[] = [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'entry.rule-number', Values: ['100', '999'] },
      { Name: 'default', Values: ['false'] },
    ]
    const reply = await client.send(new DescribeNetworkAclsCommand({ Filters: anded }))
    expect(reply.NetworkAcls!.map((a) => a.NetworkAclId)).toEqual([custom])
    await expectError(
      client.send(new DescribeNetworkAclsCommand({ Filters: [{ Name: 'entry.colour', Values: ['x'] }] })),
      'InvalidParameterValue',
      "The filter 'entry.colour' is invalid",
    )
  })

  it('pages 5 to 1000 at a time and refuses ids together with MaxResults', async () => {
    const client = freshClient(server.url)
    const vpcId = await createVpc(client)
    for (let i = 0; i < 6; i++) await createAcl(client, vpcId)
    const first = await client.send(new DescribeNetworkAclsCommand({ MaxResults: 5 }))
    expect(first.NetworkAcls).toHaveLength(5)
    expect(first.NextToken).toBeDefined()
    const ids: string[] = []
    for await (const page of paginateDescribeNetworkAcls({ client, pageSize: 5 }, {})) {
      ids.push(...page.NetworkAcls!.map((a) => a.NetworkAclId!))
    }
    expect(new Set(ids).size).toBe(7)
    await expectError(client.send(new DescribeNetworkAclsCommand({ MaxResults: 4 })), 'InvalidParameterValue')
    await expectError(
      client.send(new DescribeNetworkAclsCommand({ MaxResults: 1001 })),
      'InvalidParameterValue',
    )
    await expectError(
      client.send(new DescribeNetworkAclsCommand({ NetworkAclIds: [ids[0]!], MaxResults: 5 })),
      'InvalidParameterCombination',
    )
  })

  it('speaks the wire format: `default`, entry and association sets, and `return` for entry changes', async () => {
    const form = (params: Record<string, string>) =>
      postForm(server.url, { Version: '2016-11-15', ...params })
    const vpc = parseXml((await form({ Action: 'CreateVpc', CidrBlock: '10.9.0.0/16' })).body)
    const vpcId: string = vpc.CreateVpcResponse.vpc.vpcId
    const listed = parseXml(
      (await form({ Action: 'DescribeNetworkAcls', 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpcId }))
        .body,
    )
    const acl = listed.DescribeNetworkAclsResponse.networkAclSet.item[0]
    expect(acl.default).toBe('true')
    expect(acl.associationSet).toBe('')
    expect(acl.entrySet.item.map((e: Record<string, string>) => `${e.egress} ${e.ruleNumber}`)).toEqual([
      'true 100',
      'true 32767',
      'false 100',
      'false 32767',
    ])
    const created = await form({
      Action: 'CreateNetworkAclEntry',
      NetworkAclId: acl.networkAclId,
      RuleNumber: '50',
      Protocol: '6',
      RuleAction: 'allow',
      Egress: 'false',
      CidrBlock: '10.0.0.0/8',
      'PortRange.From': '80',
      'PortRange.To': '80',
    })
    expect(parseXml(created.body).CreateNetworkAclEntryResponse.return).toBe('true')
    const missingEgress = await form({
      Action: 'DeleteNetworkAclEntry',
      NetworkAclId: acl.networkAclId,
      RuleNumber: '50',
    })
    expect(errorOf(missingEgress)).toEqual({
      code: 'MissingParameter',
      message: 'The request must contain the parameter Egress',
    })
  })
})

// Keeps the copy-paste examples honest; skipped where the AWS CLI is not installed.
describe.skipIf(!awsCliInstalled)('the AWS CLI walkthrough in docs/network-acls.md', () => {
  it('runs as written against this server and leaves nothing behind', async () => {
    const stdout = await runWalkthrough(new URL('../docs/network-acls.md', import.meta.url), server.url)
    expect(stdout.match(/"NewAssociationId": "aclassoc-[0-9a-f]{17}"/g)).toHaveLength(2)
    // The walkthrough's account, as the script exports it.
    const client = ec2Client(server.url, { accountId: '111111111111' })
    expect((await client.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([])
    expect((await client.send(new DescribeNetworkAclsCommand({}))).NetworkAcls).toEqual([])
  }, 120_000)
})

import {
  type AccessScopePathRequest,
  CreateNetworkInsightsAccessScopeCommand,
  DeleteNetworkInsightsAccessScopeAnalysisCommand,
  DeleteNetworkInsightsAccessScopeCommand,
  DescribeNetworkInsightsAccessScopeAnalysesCommand,
  DescribeNetworkInsightsAccessScopesCommand,
  type EC2Client,
  GetNetworkInsightsAccessScopeAnalysisFindingsCommand,
  GetNetworkInsightsAccessScopeContentCommand,
  StartNetworkInsightsAccessScopeAnalysisCommand,
} from '@aws-sdk/client-ec2'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateEstate } from '../bench/estate.js'
import { aclEntry, allowAll, allowTcp, EstateBuilder } from '../src/dataplane/test-estate.js'
import type { Estate } from '../src/dataplane/types.js'
import { openStore } from '../src/storage/kysely-store.js'
import { expectError } from './support/ec2.js'
import { appAndDatabase } from './support/estates.js'
import { seedEstate } from './support/seed-estate.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

type Client = EC2Client & { accountId: string }

/** "No path from account A's interfaces to tcp 5432 in account B", optionally except from `except`. */
function noPostgresFromAToB(a: string, b: string, except?: string) {
  const toB = { ResourceStatement: { Resources: [b] } }
  const matchPath: AccessScopePathRequest = {
    Source: { ResourceStatement: { Resources: [a], ResourceTypes: ['AWS::EC2::NetworkInterface'] } },
    Destination: { ...toB, PacketHeaderStatement: { DestinationPorts: ['5432'], Protocols: ['tcp'] } },
  }
  return {
    MatchPaths: [matchPath],
    ...(except
      ? { ExcludePaths: [{ Source: { ResourceStatement: { Resources: [except] } }, Destination: toB }] }
      : {}),
  }
}

async function analyse(client: EC2Client, scopeId: string) {
  const started = await client.send(
    new StartNetworkInsightsAccessScopeAnalysisCommand({ NetworkInsightsAccessScopeId: scopeId }),
  )
  return started.NetworkInsightsAccessScopeAnalysis!
}

async function allFindings(client: EC2Client, analysisId: string, MaxResults?: number) {
  const findings = []
  let NextToken: string | undefined
  do {
    const page = await client.send(
      new GetNetworkInsightsAccessScopeAnalysisFindingsCommand({
        NetworkInsightsAccessScopeAnalysisId: analysisId,
        ...(MaxResults ? { MaxResults } : {}),
        ...(NextToken ? { NextToken } : {}),
      }),
    )
    expect(page.AnalysisStatus).toBe('succeeded')
    findings.push(...(page.AnalysisFindings ?? []))
    NextToken = page.NextToken
  } while (NextToken)
  return findings
}

const ends = (finding: { FindingComponents?: { Component?: { Id?: string } }[] }) => {
  const components = finding.FindingComponents ?? []
  return `${components[0]?.Component?.Id} -> ${components.at(-1)?.Component?.Id}`
}

describe('Network Access Analyzer on a small estate', () => {
  let server: TestServer
  let estate: Awaited<ReturnType<typeof appAndDatabase>>
  let a: Client
  beforeAll(async () => {
    server = await startTestServer()
    estate = await appAndDatabase(server.url)
    a = estate.a
  })
  afterAll(() => server.close())

  it('creates a scope, echoes its content, analyses it and finds the one path, shaped as AWS shapes it', async () => {
    const { b, appEni, dbEni, appToDb } = estate
    const created = await a.send(
      new CreateNetworkInsightsAccessScopeCommand({
        ...noPostgresFromAToB(a.accountId, b.accountId),
        TagSpecifications: [
          { ResourceType: 'network-insights-access-scope', Tags: [{ Key: 'Name', Value: 'pg' }] },
        ],
      }),
    )
    const scope = created.NetworkInsightsAccessScope!
    expect(scope.NetworkInsightsAccessScopeId).toMatch(/^nis-[0-9a-f]{17}$/)
    expect(scope.NetworkInsightsAccessScopeArn).toBe(
      `arn:aws:ec2:us-east-1:${a.accountId}:network-insights-access-scope/${scope.NetworkInsightsAccessScopeId}`,
    )
    expect(scope.Tags).toEqual([{ Key: 'Name', Value: 'pg' }])
    const content = created.NetworkInsightsAccessScopeContent!
    expect(content.MatchPaths).toEqual([
      {
        Source: {
          ResourceStatement: { Resources: [a.accountId], ResourceTypes: ['AWS::EC2::NetworkInterface'] },
        },
        Destination: {
          ResourceStatement: { Resources: [b.accountId] },
          PacketHeaderStatement: { DestinationPorts: ['5432'], Protocols: ['tcp'] },
        },
      },
    ])
    const got = await a.send(
      new GetNetworkInsightsAccessScopeContentCommand({
        NetworkInsightsAccessScopeId: scope.NetworkInsightsAccessScopeId!,
      }),
    )
    expect(got.NetworkInsightsAccessScopeContent).toEqual(content)

    const started = await analyse(a, scope.NetworkInsightsAccessScopeId!)
    expect(started.Status).toBe('running')
    expect(started.NetworkInsightsAccessScopeAnalysisId).toMatch(/^nisa-[0-9a-f]{17}$/)
    const [described] =
      (
        await a.send(
          new DescribeNetworkInsightsAccessScopeAnalysesCommand({
            NetworkInsightsAccessScopeAnalysisIds: [started.NetworkInsightsAccessScopeAnalysisId!],
          }),
        )
      ).NetworkInsightsAccessScopeAnalyses ?? []
    expect(described).toMatchObject({ Status: 'succeeded', FindingsFound: 'true', AnalyzedEniCount: 1 })
    expect(described!.EndDate).toEqual(described!.StartDate)

    const findings = await allFindings(a, started.NetworkInsightsAccessScopeAnalysisId!)
    expect(findings.map((f) => [f.FindingId, ends(f)])).toEqual([
      ['AnalysisFinding-1', `${appEni} -> ${dbEni}`],
    ])
    const [finding] = findings
    expect(finding!.NetworkInsightsAccessScopeId).toBe(scope.NetworkInsightsAccessScopeId)
    const components = finding!.FindingComponents!
    expect(components.map((c) => c.SequenceNumber)).toEqual(components.map((_, i) => i + 1))
    const peering = components.find((c) => c.Component?.Id === appToDb)
    expect(peering?.Component?.Arn).toContain(`:vpc-peering-connection/${appToDb}`)
    const admitted = components.find((c) => c.SecurityGroupRule?.Direction === 'ingress')
    expect(admitted?.SecurityGroupRule).toMatchObject({
      Cidr: '10.1.0.0/16',
      Protocol: 'tcp',
      PortRange: { From: 5432, To: 5432 },
    })
    expect(components[0]!.OutboundHeader?.DestinationPortRanges).toEqual([{ From: 5432, To: 5432 }])
  })

  it('leaves out what an exclude path names, and finds nothing on a port the database does not admit', async () => {
    const { b, appSubnet } = estate
    const excluded = await a.send(
      new CreateNetworkInsightsAccessScopeCommand(noPostgresFromAToB(a.accountId, b.accountId, appSubnet)),
    )
    const id = excluded.NetworkInsightsAccessScope!.NetworkInsightsAccessScopeId!
    const analysis = await analyse(a, id)
    expect(await allFindings(a, analysis.NetworkInsightsAccessScopeAnalysisId!)).toEqual([])
    const [described] =
      (
        await a.send(
          new DescribeNetworkInsightsAccessScopeAnalysesCommand({ NetworkInsightsAccessScopeId: id }),
        )
      ).NetworkInsightsAccessScopeAnalyses ?? []
    expect(described?.FindingsFound).toBe('false')
    const ssh = await a.send(
      new CreateNetworkInsightsAccessScopeCommand({
        MatchPaths: [
          {
            Source: { ResourceStatement: { Resources: [a.accountId] } },
            Destination: {
              PacketHeaderStatement: { DestinationPorts: ['22'], DestinationAddresses: ['10.2.0.0/16'] },
            },
          },
        ],
      }),
    )
    const sshAnalysis = await analyse(a, ssh.NetworkInsightsAccessScope!.NetworkInsightsAccessScopeId!)
    expect(await allFindings(a, sshAnalysis.NetworkInsightsAccessScopeAnalysisId!)).toEqual([])
  })

  it('pages scopes and analyses; another account sees none of them', async () => {
    const first = await a.send(new DescribeNetworkInsightsAccessScopesCommand({ MaxResults: 1 }))
    expect(first.NetworkInsightsAccessScopes).toHaveLength(1)
    const rest = await a.send(new DescribeNetworkInsightsAccessScopesCommand({ NextToken: first.NextToken! }))
    expect(rest.NetworkInsightsAccessScopes).toHaveLength(2)
    const byTag = await a.send(
      new DescribeNetworkInsightsAccessScopesCommand({ Filters: [{ Name: 'tag:Name', Values: ['pg'] }] }),
    )
    expect(byTag.NetworkInsightsAccessScopes).toHaveLength(1)
    const other = ec2Client(server.url, { accountId: '777777777777' })
    expect(
      (await other.send(new DescribeNetworkInsightsAccessScopesCommand({}))).NetworkInsightsAccessScopes,
    ).toEqual([])
    const analyses = await a.send(new DescribeNetworkInsightsAccessScopeAnalysesCommand({ MaxResults: 2 }))
    expect(analyses.NetworkInsightsAccessScopeAnalyses).toHaveLength(2)
    expect(analyses.NextToken).toBeDefined()
    const found = await a.send(
      new DescribeNetworkInsightsAccessScopeAnalysesCommand({
        Filters: [{ Name: 'findings-found', Values: ['true'] }],
      }),
    )
    expect(found.NetworkInsightsAccessScopeAnalyses).toHaveLength(1)
  })

  it('answers AWS errors: unknown and malformed ids, bad statements, DryRun', async () => {
    const missingScope = 'nis-0123456789abcdef0'
    await expectError(
      a.send(new GetNetworkInsightsAccessScopeContentCommand({ NetworkInsightsAccessScopeId: missingScope })),
      'InvalidNetworkInsightsAccessScopeId.NotFound',
    )
    await expectError(
      a.send(new StartNetworkInsightsAccessScopeAnalysisCommand({ NetworkInsightsAccessScopeId: 'nis-xyz' })),
      'InvalidNetworkInsightsAccessScopeId.Malformed',
    )
    await expectError(
      a.send(new DeleteNetworkInsightsAccessScopeCommand({ NetworkInsightsAccessScopeId: missingScope })),
      'InvalidNetworkInsightsAccessScopeId.NotFound',
    )
    await expectError(
      a.send(
        new GetNetworkInsightsAccessScopeAnalysisFindingsCommand({
          NetworkInsightsAccessScopeAnalysisId: 'nisa-0123456789abcdef0',
        }),
      ),
      'InvalidNetworkInsightsAccessScopeAnalysisId.NotFound',
    )
    await expectError(
      a.send(
        new DeleteNetworkInsightsAccessScopeAnalysisCommand({
          NetworkInsightsAccessScopeAnalysisId: 'nisa-1',
        }),
      ),
      'InvalidNetworkInsightsAccessScopeAnalysisId.Malformed',
    )
    const scopeWith = (Destination: AccessScopePathRequest['Destination']) =>
      a.send(new CreateNetworkInsightsAccessScopeCommand({ MatchPaths: [{ Destination }] }))
    await expectError(
      scopeWith({ PacketHeaderStatement: { DestinationPorts: ['70000'] } }),
      'InvalidParameterValue',
      /port/,
    )
    await expectError(
      scopeWith({ PacketHeaderStatement: { DestinationPorts: ['90-80'] } }),
      'InvalidParameterValue',
    )
    await expectError(
      scopeWith({ PacketHeaderStatement: { Protocols: ['icmp' as 'tcp'] } }),
      'InvalidParameterValue',
      /tcp, udp/,
    )
    await expectError(
      scopeWith({ PacketHeaderStatement: { DestinationAddresses: ['10.0.0.0/33'] } }),
      'InvalidParameterValue',
    )
    await expectError(
      scopeWith({ ResourceStatement: { ResourceTypes: ['AWS::S3::Bucket'] } }),
      'InvalidParameterValue',
      /AWS::EC2::NetworkInterface/,
    )
    await expectError(
      a.send(new CreateNetworkInsightsAccessScopeCommand({ MatchPaths: [{}], DryRun: true })),
      'DryRunOperation',
      undefined,
      412,
    )
    const other = ec2Client(server.url, { accountId: '777777777777' })
    const [mine] =
      (await a.send(new DescribeNetworkInsightsAccessScopesCommand({}))).NetworkInsightsAccessScopes ?? []
    await expectError(
      other.send(
        new GetNetworkInsightsAccessScopeContentCommand({
          NetworkInsightsAccessScopeId: mine!.NetworkInsightsAccessScopeId!,
        }),
      ),
      'InvalidNetworkInsightsAccessScopeId.NotFound',
    )
  })

  it('deletes an analysis, and a scope with its analyses', async () => {
    const [scope] =
      (await a.send(new DescribeNetworkInsightsAccessScopesCommand({}))).NetworkInsightsAccessScopes ?? []
    const scopeId = scope!.NetworkInsightsAccessScopeId!
    const analyses = async () =>
      (
        await a.send(
          new DescribeNetworkInsightsAccessScopeAnalysesCommand({ NetworkInsightsAccessScopeId: scopeId }),
        )
      ).NetworkInsightsAccessScopeAnalyses ?? []
    const [analysis] = await analyses()
    const analysisId = analysis!.NetworkInsightsAccessScopeAnalysisId!
    const deleted = await a.send(
      new DeleteNetworkInsightsAccessScopeAnalysisCommand({
        NetworkInsightsAccessScopeAnalysisId: analysisId,
      }),
    )
    expect(deleted.NetworkInsightsAccessScopeAnalysisId).toBe(analysisId)
    expect(await analyses()).toEqual([])
    await analyse(a, scopeId)
    await a.send(new DeleteNetworkInsightsAccessScopeCommand({ NetworkInsightsAccessScopeId: scopeId }))
    await expectError(
      a
        .send(
          new DescribeNetworkInsightsAccessScopeAnalysesCommand({ NetworkInsightsAccessScopeId: scopeId }),
        )
        .then(async (page) => {
          expect(page.NetworkInsightsAccessScopeAnalyses).toEqual([])
          return a.send(
            new GetNetworkInsightsAccessScopeContentCommand({ NetworkInsightsAccessScopeId: scopeId }),
          )
        }),
      'InvalidNetworkInsightsAccessScopeId.NotFound',
    )
  })
})

// -------------------------------------------------------------------------------------------------

const A = '900000000001'
const B = '900000000002'

/**
 * Two accounts planted in the tier-M synthetic estate. A's app VPC has subnets X (the
 * exception), Y and Z (whose ACL denies tcp 5432 out); B's database VPC, peered with it, has db1
 * (admits 5432 from A's whole VPC), db2 (from X only) and a cache (6379 only). B's second VPC
 * admits 5432 from anywhere but is not peered with A, and A's VPC is also peered with one VPC
 * of the background. The only paths to 5432 in B outside X: Y's two interfaces to db1.
 */
function plantedTierM() {
  const { estate: background } = generateEstate('M')
  const b = new EstateBuilder(background.at)
  const app = b.vpc('172.16.0.0/16', { account: A })
  const db = b.vpc('172.17.0.0/16', { account: B })
  const far = b.vpc('172.18.0.0/16', { account: B })
  const [x, y, z] = ['172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24'].map((cidr) => b.subnet(app, cidr))
  b.acl(
    app,
    [z!],
    [
      aclEntry(100, true, 'deny', '0.0.0.0/0', '6', [5432, 5432]),
      aclEntry(200, true, 'allow', '0.0.0.0/0'),
      aclEntry(100, false, 'allow', '0.0.0.0/0'),
    ],
  )
  const appGroup = b.group(app, { egress: [allowAll('0.0.0.0/0')] })
  const senders = {
    x1: b.interface(x!, '172.16.1.10', { groups: [appGroup] }),
    y1: b.interface(y!, '172.16.2.10', { groups: [appGroup] }),
    y2: b.interface(y!, '172.16.2.11', { groups: [appGroup] }),
    z1: b.interface(z!, '172.16.3.10', { groups: [appGroup] }),
  }
  const dbSubnet = b.subnet(db, '172.17.1.0/24')
  const db1 = b.interface(dbSubnet, '172.17.1.20', {
    groups: [b.group(db, { ingress: [allowTcp(5432, '172.16.0.0/16')] })],
  })
  b.interface(dbSubnet, '172.17.1.21', {
    groups: [b.group(db, { ingress: [allowTcp(5432, '172.16.1.0/24')] })],
  })
  b.interface(dbSubnet, '172.17.1.30', {
    groups: [b.group(db, { ingress: [allowTcp(6379, '172.16.0.0/16')] })],
  })
  b.interface(b.subnet(far, '172.18.1.0/24'), '172.18.1.20', {
    groups: [b.group(far, { ingress: [allowAll('0.0.0.0/0')] })],
  })
  const appToDb = b.peering(app, db)
  b.routeToPeering(app, '172.17.0.0/16', appToDb).routeToPeering(db, '172.16.0.0/16', appToDb)
  const neighbour = background.vpcs[20]!
  const appToNeighbour = b.peering(app, neighbour)
  b.routeToPeering(app, neighbour.cidrBlock, appToNeighbour)
  const planted = b.build()
  const merged: Estate = {
    ...background,
    vpcs: [...background.vpcs, ...planted.vpcs],
    subnets: [...background.subnets, ...planted.subnets],
    routeTables: [...background.routeTables, ...planted.routeTables],
    securityGroups: [...background.securityGroups, ...planted.securityGroups],
    networkAcls: [...background.networkAcls, ...planted.networkAcls],
    peerings: [...background.peerings, ...planted.peerings],
    networkInterfaces: [...background.networkInterfaces, ...planted.networkInterfaces],
  }
  return {
    estate: merged,
    subnetX: x!.subnetId,
    expected: [senders.y1, senders.y2].map((s) => `${s.networkInterfaceId} -> ${db1.networkInterfaceId}`),
  }
}

describe('Network Access Analyzer on the tier-M synthetic estate, through the SDK', () => {
  let server: TestServer
  let planted: ReturnType<typeof plantedTierM>
  beforeAll(async () => {
    planted = plantedTierM()
    const store = await openStore({ sqlitePath: ':memory:' })
    await seedEstate(store, planted.estate)
    server = await startTestServer({ store })
  })
  afterAll(async () => {
    await server.close()
    await server.store.close()
  })

  it('"no path from A to 5432 in B except from subnet X" finds exactly the planted paths', async () => {
    const a = ec2Client(server.url, { accountId: A })
    const scope = await a.send(
      new CreateNetworkInsightsAccessScopeCommand(noPostgresFromAToB(A, B, planted.subnetX)),
    )
    const began = performance.now()
    const analysis = await analyse(a, scope.NetworkInsightsAccessScope!.NetworkInsightsAccessScopeId!)
    const took = performance.now() - began
    const findings = await allFindings(a, analysis.NetworkInsightsAccessScopeAnalysisId!, 1)
    expect(findings.map(ends).sort()).toEqual([...planted.expected].sort())
    expect(findings.map((f) => f.FindingId)).toEqual(['AnalysisFinding-1', 'AnalysisFinding-2'])
    // Without the exception, X's interface reaches both databases as well.
    const all = await a.send(new CreateNetworkInsightsAccessScopeCommand(noPostgresFromAToB(A, B)))
    const again = performance.now()
    const wider = await analyse(a, all.NetworkInsightsAccessScope!.NetworkInsightsAccessScopeId!)
    const warm = performance.now() - again
    const widerFindings = (await allFindings(a, wider.NetworkInsightsAccessScopeAnalysisId!)).map(ends)
    expect(widerFindings).toHaveLength(4)
    expect(widerFindings).toEqual(expect.arrayContaining(planted.expected))
    // For the record (not asserted: tests never assert speed).
    console.info(
      `tier-M access-scope analysis through the SDK: ${took.toFixed(0)} ms, then ${warm.toFixed(0)} ms (each start compiles the snapshot: the create before it moved the revision)`,
    )
  })
})

import type { NetworkInsightsAccessScopeAnalysis } from '../../../app/access-scopes.js'
import * as scopes from '../../../app/access-scopes.js'
import { kinds } from '../../../app/resources.js'
import type {
  AccessScopePath,
  AccessScopePathInput,
  NetworkInsightsAccessScope,
  PathStatement,
  ResourceStatement,
} from '../../../domain/access-scope.js'
import { ec2Arn } from '../../../domain/network-insights.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { int, list, mapped, required, string, struct, tagSpecifications, timestamp } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'
import { pathComponentShape } from './network-insights.js'

/** Network Access Analyzer's actions and shapes, with the model's element names. */

const scopeArn = (scope: NetworkInsightsAccessScope) =>
  ec2Arn(
    { region: scope.region, accountId: scope.ownerId },
    kinds.networkInsightsAccessScope.type,
    scope.networkInsightsAccessScopeId,
  )

const scopeShape = (scope: NetworkInsightsAccessScope, tags: readonly Tag[]) => ({
  networkInsightsAccessScopeId: scope.networkInsightsAccessScopeId,
  networkInsightsAccessScopeArn: scopeArn(scope),
  createdDate: new Date(scope.createdDate),
  updatedDate: new Date(scope.updatedDate),
  tagSet: tagSet(tags),
})

const nonEmpty = (values: readonly string[]) => (values.length > 0 ? values : undefined)

const resourceStatementShape = (statement: ResourceStatement | undefined) =>
  statement && {
    resourceSet: nonEmpty(statement.resources),
    resourceTypeSet: nonEmpty(statement.resourceTypes),
  }

const pathStatementShape = (statement: PathStatement | undefined) => {
  const header = statement?.packetHeaderStatement
  return (
    statement && {
      packetHeaderStatement: header && {
        sourceAddressSet: nonEmpty(header.sourceAddresses),
        destinationAddressSet: nonEmpty(header.destinationAddresses),
        sourcePortSet: nonEmpty(header.sourcePorts),
        destinationPortSet: nonEmpty(header.destinationPorts),
        sourcePrefixListSet: nonEmpty(header.sourcePrefixLists),
        destinationPrefixListSet: nonEmpty(header.destinationPrefixLists),
        protocolSet: nonEmpty(header.protocols),
      },
      resourceStatement: resourceStatementShape(statement.resourceStatement),
    }
  )
}

const accessScopePathShape = (path: AccessScopePath) => ({
  source: pathStatementShape(path.source),
  destination: pathStatementShape(path.destination),
  throughResourceSet:
    path.throughResources.length > 0
      ? path.throughResources.map((statement) => ({ resourceStatement: resourceStatementShape(statement) }))
      : undefined,
})

const contentShape = (scope: NetworkInsightsAccessScope) => ({
  networkInsightsAccessScopeId: scope.networkInsightsAccessScopeId,
  matchPathSet: scope.matchPaths.map(accessScopePathShape),
  excludePathSet: scope.excludePaths.length > 0 ? scope.excludePaths.map(accessScopePathShape) : undefined,
})

const analysisBase = (analysis: NetworkInsightsAccessScopeAnalysis, tags: readonly Tag[]) => ({
  networkInsightsAccessScopeAnalysisId: analysis.networkInsightsAccessScopeAnalysisId,
  networkInsightsAccessScopeAnalysisArn: ec2Arn(
    { region: analysis.region, accountId: analysis.ownerId },
    kinds.networkInsightsAccessScopeAnalysis.type,
    analysis.networkInsightsAccessScopeAnalysisId,
  ),
  networkInsightsAccessScopeId: analysis.networkInsightsAccessScopeId,
  startDate: new Date(analysis.startDate),
  tagSet: tagSet(tags),
})

const analysisShape = (analysis: NetworkInsightsAccessScopeAnalysis, tags: readonly Tag[]) => ({
  ...analysisBase(analysis, tags),
  status: analysis.status,
  statusMessage: analysis.statusMessage,
  endDate: new Date(analysis.endDate),
  findingsFound: analysis.findings.length > 0 ? 'true' : 'false',
  analyzedEniCount: analysis.analyzedEniCount,
})

// Parameters: the request shapes' wire names (MatchPath.N.Source.ResourceStatement.Resource.M …).

const resourceStatementParam = struct({ Resource: list(string()), ResourceType: list(string()) })

const pathStatementParam = struct({
  PacketHeaderStatement: struct({
    SourceAddress: list(string()),
    DestinationAddress: list(string()),
    SourcePort: list(string()),
    DestinationPort: list(string()),
    SourcePrefixList: list(string()),
    DestinationPrefixList: list(string()),
    Protocol: list(string()),
  }),
  ResourceStatement: resourceStatementParam,
})

type ResourceStatementWire = { Resource: string[]; ResourceType: string[] }
const resourceStatementInput = (wire: ResourceStatementWire) => ({
  resources: wire.Resource,
  resourceTypes: wire.ResourceType,
})

const pathsParam = mapped(
  list(
    struct({
      Source: pathStatementParam,
      Destination: pathStatementParam,
      ThroughResource: list(struct({ ResourceStatement: resourceStatementParam })),
    }),
  ),
  (wire): AccessScopePathInput[] =>
    wire.map((path) => {
      const statement = (s: typeof path.Source) =>
        s && {
          ...(s.PacketHeaderStatement
            ? {
                packetHeaderStatement: {
                  sourceAddresses: s.PacketHeaderStatement.SourceAddress,
                  destinationAddresses: s.PacketHeaderStatement.DestinationAddress,
                  sourcePorts: s.PacketHeaderStatement.SourcePort,
                  destinationPorts: s.PacketHeaderStatement.DestinationPort,
                  sourcePrefixLists: s.PacketHeaderStatement.SourcePrefixList,
                  destinationPrefixLists: s.PacketHeaderStatement.DestinationPrefixList,
                  protocols: s.PacketHeaderStatement.Protocol,
                },
              }
            : {}),
          ...(s.ResourceStatement ? { resourceStatement: resourceStatementInput(s.ResourceStatement) } : {}),
        }
      return {
        ...defined({ source: statement(path.Source), destination: statement(path.Destination) }),
        throughResources: path.ThroughResource.map((through) =>
          through.ResourceStatement
            ? { resourceStatement: resourceStatementInput(through.ResourceStatement) }
            : {},
        ),
      }
    }),
)

const scopeId = { NetworkInsightsAccessScopeId: required(string()) }
const analysisId = { NetworkInsightsAccessScopeAnalysisId: required(string()) }
const insightsPage = { min: 1, max: 100 }

export const accessScopeActions = {
  CreateNetworkInsightsAccessScope: command(
    {
      MatchPath: pathsParam,
      ExcludePath: pathsParam,
      ClientToken: required(string()),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { scope, tags } = await scopes.createNetworkInsightsAccessScope(ctx, {
        matchPaths: input.MatchPath,
        excludePaths: input.ExcludePath,
        clientToken: input.ClientToken,
        tagSpecifications: input.TagSpecification,
      })
      return {
        networkInsightsAccessScope: scopeShape(scope, tags),
        networkInsightsAccessScopeContent: contentShape(scope),
      }
    },
  ),

  DescribeNetworkInsightsAccessScopes: query(
    describeParams('NetworkInsightsAccessScopeId', insightsPage),
    async (ctx, input) => {
      const page = await scopes.describeNetworkInsightsAccessScopes(
        ctx,
        describeRequest(input.NetworkInsightsAccessScopeId, input, ctx),
      )
      return {
        networkInsightsAccessScopeSet: page.items.map((item) => scopeShape(item.resource.body, item.tags)),
        nextToken: page.nextToken,
      }
    },
  ),

  GetNetworkInsightsAccessScopeContent: query(scopeId, async (ctx, input) => ({
    networkInsightsAccessScopeContent: contentShape(
      await scopes.getNetworkInsightsAccessScopeContent(ctx, input.NetworkInsightsAccessScopeId),
    ),
  })),

  DeleteNetworkInsightsAccessScope: command(scopeId, async (ctx, input) => {
    await scopes.deleteNetworkInsightsAccessScope(ctx, input.NetworkInsightsAccessScopeId)
    return { networkInsightsAccessScopeId: input.NetworkInsightsAccessScopeId }
  }),

  StartNetworkInsightsAccessScopeAnalysis: command(
    { ...scopeId, ClientToken: required(string()), TagSpecification: tagSpecifications },
    async (ctx, input) => {
      const { analysis, tags } = await scopes.startNetworkInsightsAccessScopeAnalysis(ctx, {
        networkInsightsAccessScopeId: input.NetworkInsightsAccessScopeId,
        clientToken: input.ClientToken,
        tagSpecifications: input.TagSpecification,
      })
      // As AWS answers a start: running, no end date or findings yet.
      return { networkInsightsAccessScopeAnalysis: { ...analysisBase(analysis, tags), status: 'running' } }
    },
  ),

  DescribeNetworkInsightsAccessScopeAnalyses: query(
    {
      ...describeParams('NetworkInsightsAccessScopeAnalysisId', insightsPage),
      NetworkInsightsAccessScopeId: string(),
      AnalysisStartTimeBegin: timestamp(),
      AnalysisStartTimeEnd: timestamp(),
    },
    async (ctx, input) => {
      const page = await scopes.describeNetworkInsightsAccessScopeAnalyses(ctx, {
        ...describeRequest(input.NetworkInsightsAccessScopeAnalysisId, input, ctx),
        ...defined({
          networkInsightsAccessScopeId: input.NetworkInsightsAccessScopeId,
          analysisStartTimeBegin: input.AnalysisStartTimeBegin,
          analysisStartTimeEnd: input.AnalysisStartTimeEnd,
        }),
      })
      return {
        networkInsightsAccessScopeAnalysisSet: page.items.map((item) =>
          analysisShape(item.resource.body, item.tags),
        ),
        nextToken: page.nextToken,
      }
    },
  ),

  DeleteNetworkInsightsAccessScopeAnalysis: command(analysisId, async (ctx, input) => {
    await scopes.deleteNetworkInsightsAccessScopeAnalysis(ctx, input.NetworkInsightsAccessScopeAnalysisId)
    return { networkInsightsAccessScopeAnalysisId: input.NetworkInsightsAccessScopeAnalysisId }
  }),

  GetNetworkInsightsAccessScopeAnalysisFindings: query(
    { ...analysisId, MaxResults: int({ min: 1, max: 1000 }), NextToken: string() },
    async (ctx, input) => {
      const page = await scopes.getNetworkInsightsAccessScopeAnalysisFindings(ctx, {
        networkInsightsAccessScopeAnalysisId: input.NetworkInsightsAccessScopeAnalysisId,
        ...defined({ maxResults: input.MaxResults, nextToken: input.NextToken }),
      })
      const { analysis } = page
      const names = new Map<string, string>()
      return {
        networkInsightsAccessScopeAnalysisId: analysis.networkInsightsAccessScopeAnalysisId,
        analysisStatus: analysis.status,
        analysisFindingSet: page.findings.map((finding) => ({
          networkInsightsAccessScopeAnalysisId: analysis.networkInsightsAccessScopeAnalysisId,
          networkInsightsAccessScopeId: analysis.networkInsightsAccessScopeId,
          findingId: finding.findingId,
          findingComponentSet: finding.components.map((hop) => pathComponentShape(hop, names)),
        })),
        nextToken: page.nextToken,
      }
    },
  ),
}

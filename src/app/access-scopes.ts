import { analyseAccessScope } from '../dataplane/access-scope.js'
import {
  type AccessScopePathInput,
  checkAccessScopePaths,
  type NetworkInsightsAccessScope,
} from '../domain/access-scope.js'
import { checkId } from '../domain/ids.js'
import { earlierCreate } from './client-token.js'
import type { Context } from './context.js'
import { currentSnapshot } from './dataplane.js'
import { type PageRequest, paginate } from './describe.js'
import { type AnalysedHop, withInstances } from './network-insights.js'
import { type DescribeRequest, describe, findOwned, kinds, tagsOf } from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/**
 * Network Access Analyzer (reachability reference §1.5): scopes say which paths to find; an
 * analysis runs the scope over the data plane within the request that starts it, as
 * Reachability Analyzer's analyses do, so it is stored finished with its findings. The start
 * answers `running`, as AWS does; the first Describe shows `succeeded`.
 */

const scopeKind = kinds.networkInsightsAccessScope
const analysisKind = kinds.networkInsightsAccessScopeAnalysis

export interface AccessScopeFindingRecord {
  readonly findingId: string
  readonly components: readonly AnalysedHop[]
}

export interface NetworkInsightsAccessScopeAnalysis {
  readonly networkInsightsAccessScopeAnalysisId: string
  readonly networkInsightsAccessScopeId: string
  readonly ownerId: string
  readonly region: string
  readonly startDate: string
  readonly endDate: string
  readonly status: 'succeeded' | 'failed'
  readonly statusMessage?: string
  readonly analyzedEniCount: number
  readonly findings: readonly AccessScopeFindingRecord[]
  readonly clientToken?: string
}

export interface CreateScopeInput {
  readonly matchPaths: readonly AccessScopePathInput[]
  readonly excludePaths: readonly AccessScopePathInput[]
  readonly clientToken?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

export async function createNetworkInsightsAccessScope(ctx: Context, input: CreateScopeInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, scopeKind.type)
  const matchPaths = checkAccessScopePaths('MatchPath', input.matchPaths)
  const excludePaths = checkAccessScopePaths('ExcludePath', input.excludePaths)
  const asked = JSON.stringify([matchPaths, excludePaths])
  const earlier = await earlierCreate<NetworkInsightsAccessScope>(
    ctx,
    scopeKind,
    input.clientToken,
    (scope) => JSON.stringify([scope.matchPaths, scope.excludePaths]) === asked,
  )
  if (earlier) return { scope: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const id = ctx.newId(scopeKind.id.prefix)
  const now = ctx.now.toISOString()
  const scope: NetworkInsightsAccessScope = {
    networkInsightsAccessScopeId: id,
    ownerId: ctx.caller.accountId,
    region: ctx.caller.region,
    createdDate: now,
    updatedDate: now,
    matchPaths,
    excludePaths,
    ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
  }
  await ctx.tx.insert<NetworkInsightsAccessScope>({
    id,
    kind: scopeKind.type,
    owner: ctx.caller,
    body: scope,
  })
  await applyTags(ctx, id, tags)
  return { scope, tags }
}

export const describeNetworkInsightsAccessScopes = (ctx: Context, request: DescribeRequest) =>
  describe<NetworkInsightsAccessScope>(ctx, scopeKind, request, {
    idParameter: 'NetworkInsightsAccessScopeId',
    fields: {},
  })

export async function getNetworkInsightsAccessScopeContent(ctx: Context, scopeId: string) {
  return (await findOwned<NetworkInsightsAccessScope>(ctx, scopeKind, scopeId)).body
}

const analysesOf = async (ctx: Context, scopeId: string) =>
  (
    await ctx.tx.list<NetworkInsightsAccessScopeAnalysis>(analysisKind.type, { visibleTo: ctx.caller })
  ).filter((a) => a.body.networkInsightsAccessScopeId === scopeId)

/** Deleting a scope deletes its analyses with it [INF: AWS documents no error for a scope with analyses]. */
export async function deleteNetworkInsightsAccessScope(ctx: Context, scopeId: string) {
  const scope = await findOwned<NetworkInsightsAccessScope>(ctx, scopeKind, scopeId)
  for (const analysis of await analysesOf(ctx, scopeId)) await ctx.tx.remove(analysis)
  await ctx.tx.remove(scope)
}

export interface StartScopeAnalysisInput {
  readonly networkInsightsAccessScopeId: string
  readonly clientToken?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

export async function startNetworkInsightsAccessScopeAnalysis(ctx: Context, input: StartScopeAnalysisInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, analysisKind.type)
  const earlier = await earlierCreate<NetworkInsightsAccessScopeAnalysis>(
    ctx,
    analysisKind,
    input.clientToken,
    (analysis) => analysis.networkInsightsAccessScopeId === input.networkInsightsAccessScopeId,
  )
  if (earlier) return { analysis: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const scope = await findOwned<NetworkInsightsAccessScope>(
    ctx,
    scopeKind,
    input.networkInsightsAccessScopeId,
  )
  const snapshot = await currentSnapshot(ctx)
  const answer = analyseAccessScope(snapshot, scope.body, ctx.caller)
  const id = ctx.newId(analysisKind.id.prefix)
  const analysis: NetworkInsightsAccessScopeAnalysis = {
    networkInsightsAccessScopeAnalysisId: id,
    networkInsightsAccessScopeId: scope.id,
    ownerId: ctx.caller.accountId,
    region: ctx.caller.region,
    startDate: ctx.now.toISOString(),
    // The analysis finishes within the request, on the server clock.
    endDate: ctx.now.toISOString(),
    status: 'succeeded',
    analyzedEniCount: answer.analyzedEniCount,
    findings: answer.findings.map((finding, index) => ({
      // AWS numbers the findings of an analysis: AnalysisFinding-1, -2 … [INF from AWS's examples].
      findingId: `AnalysisFinding-${index + 1}`,
      components: withInstances(snapshot, finding.components),
    })),
    ...(input.clientToken !== undefined ? { clientToken: input.clientToken } : {}),
  }
  await ctx.tx.insert<NetworkInsightsAccessScopeAnalysis>({
    id,
    kind: analysisKind.type,
    owner: ctx.caller,
    body: analysis,
  })
  await applyTags(ctx, id, tags)
  return { analysis, tags }
}

export interface ScopeAnalysesRequest extends DescribeRequest {
  readonly networkInsightsAccessScopeId?: string
  readonly analysisStartTimeBegin?: Date
  readonly analysisStartTimeEnd?: Date
}

export async function describeNetworkInsightsAccessScopeAnalyses(
  ctx: Context,
  request: ScopeAnalysesRequest,
) {
  if (request.networkInsightsAccessScopeId !== undefined)
    checkId(scopeKind.id, request.networkInsightsAccessScopeId)
  return describe<NetworkInsightsAccessScopeAnalysis>(ctx, analysisKind, request, {
    idParameter: 'NetworkInsightsAccessScopeAnalysisId',
    fields: {
      status: ({ resource: { body } }) => body.status,
      'findings-found': ({ resource: { body } }) => String(body.findings.length > 0),
    },
    visible: ({ body }) =>
      (request.networkInsightsAccessScopeId === undefined ||
        body.networkInsightsAccessScopeId === request.networkInsightsAccessScopeId) &&
      (request.analysisStartTimeBegin === undefined ||
        new Date(body.startDate) >= request.analysisStartTimeBegin) &&
      (request.analysisStartTimeEnd === undefined ||
        new Date(body.startDate) <= request.analysisStartTimeEnd),
  })
}

export async function deleteNetworkInsightsAccessScopeAnalysis(ctx: Context, analysisId: string) {
  await ctx.tx.remove(await findOwned<NetworkInsightsAccessScopeAnalysis>(ctx, analysisKind, analysisId))
}

/** One page of an analysis's findings, in finding order. */
export async function getNetworkInsightsAccessScopeAnalysisFindings(
  ctx: Context,
  request: PageRequest & { readonly networkInsightsAccessScopeAnalysisId: string },
) {
  const analysis = await findOwned<NetworkInsightsAccessScopeAnalysis>(
    ctx,
    analysisKind,
    request.networkInsightsAccessScopeAnalysisId,
  )
  const page = paginate(
    analysis.body.findings.map((finding, index) => ({ finding, index })),
    request,
    ({ finding, index }) => [index, finding.findingId],
  )
  return {
    analysis: analysis.body,
    findings: page.items.map((item) => item.finding),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  }
}

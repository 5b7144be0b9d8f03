import { evaluateFlow } from '../dataplane/evaluate.js'
import { componentRef } from '../dataplane/refs.js'
import type { Snapshot } from '../dataplane/snapshot.js'
import type { ComponentKind, ComponentRef, Explanation, Flow, PathComponent } from '../dataplane/types.js'
import { errors } from '../domain/errors.js'
import { checkId } from '../domain/ids.js'
import {
  checkAddress,
  checkPathCombination,
  checkPathFilter,
  ENDPOINT_TYPES,
  ec2Arn,
  hasPorts,
  type NetworkInsightsPath,
  type PathFilter,
  type PathFilterInput,
  packetOf,
  parseEndpoint,
  parsePathProtocol,
  protocolNumber,
} from '../domain/network-insights.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import { parseAddress } from '../net/prefix.js'
import { earlierCreate } from './client-token.js'
import type { Context } from './context.js'
import { currentSnapshot } from './dataplane.js'
import type { FieldValue, FilterFields } from './describe.js'
import {
  type Described,
  type DescribeRequest,
  describe,
  findOwned,
  isVisible,
  kindOfId,
  kinds,
  tagsOf,
} from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

/**
 * Reachability Analyzer (spec §8): paths say what to analyse; an analysis evaluates its path
 * with the data plane within the request that starts it, so it is stored finished, and the
 * first Describe already shows the result. AWS answers the start with `running`; so does
 * vpcpeer.
 */

const pathKind = kinds.networkInsightsPath
const analysisKind = kinds.networkInsightsAnalysis

export interface NetworkInsightsAnalysis {
  readonly networkInsightsAnalysisId: string
  readonly networkInsightsPathId: string
  readonly ownerId: string
  readonly region: string
  readonly startDate: string
  readonly additionalAccounts: readonly string[]
  readonly filterInArns: readonly string[]
  readonly filterOutArns: readonly string[]
  /** Never `running` once stored: the analysis finished before the start was answered. */
  readonly status: 'succeeded' | 'failed'
  readonly statusMessage?: string
  readonly networkPathFound?: boolean
  readonly forwardPath: readonly AnalysedHop[]
  readonly returnPath: readonly AnalysedHop[]
  readonly explanations: readonly Explanation[]
  readonly clientToken?: string
}

/** A hop as the data plane reports it, and for an instance's interface the instance (AWS's AttachedTo). */
export interface AnalysedHop extends PathComponent {
  readonly attachedTo?: ComponentRef
}

// Paths

export interface CreatePathInput {
  readonly source: string
  readonly destination?: string
  readonly sourceIp?: string
  readonly destinationIp?: string
  readonly protocol: string
  readonly destinationPort?: number
  readonly filterAtSource?: PathFilterInput
  readonly filterAtDestination?: PathFilterInput
  readonly clientToken?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

/** Which resource a path end names; it must exist and be the caller's to see. */
async function resolveEndpoint(ctx: Context, end: 'Source' | 'Destination', text: string) {
  const reference = parseEndpoint(end, text)
  const kind = kindOfId(reference.id)
  if (!kind || !ENDPOINT_TYPES.has(kind.type)) {
    throw errors.invalidValue(
      end,
      text,
      'vpcpeer analyses paths between network interfaces, instances, internet gateways and VPC peering connections.',
    )
  }
  checkId(kind.id, reference.id)
  const resource = await ctx.tx.get(kind.type, reference.id)
  const arn = resource && ec2Arn(resource.owner, kind.type, reference.id)
  if (!resource || !isVisible(ctx, resource) || (reference.arn !== undefined && reference.arn !== arn)) {
    throw errors.networkInsightsEndpointNotFound(end, reference.id)
  }
  return { id: reference.id, arn: arn! }
}

/** What a path asks, for comparing a retried create with the first. */
type PathRequest = Pick<
  NetworkInsightsPath,
  | 'source'
  | 'destination'
  | 'sourceIp'
  | 'destinationIp'
  | 'protocol'
  | 'destinationPort'
  | 'filterAtSource'
  | 'filterAtDestination'
>

const requestOf = (path: PathRequest) =>
  JSON.stringify([
    path.source,
    path.destination,
    path.sourceIp,
    path.destinationIp,
    path.protocol,
    path.destinationPort,
    path.filterAtSource,
    path.filterAtDestination,
  ])

export async function createNetworkInsightsPath(ctx: Context, input: CreatePathInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, pathKind.type)
  const asked = {
    source: parseEndpoint('Source', input.source).id,
    destination:
      input.destination === undefined ? undefined : parseEndpoint('Destination', input.destination).id,
    sourceIp: input.sourceIp === undefined ? undefined : checkAddress('SourceIp', input.sourceIp),
    destinationIp:
      input.destinationIp === undefined ? undefined : checkAddress('DestinationIp', input.destinationIp),
    protocol: parsePathProtocol(input.protocol),
    destinationPort: input.destinationPort,
    filterAtSource: checkPathFilter('FilterAtSource', input.filterAtSource),
    filterAtDestination: checkPathFilter('FilterAtDestination', input.filterAtDestination),
  }
  checkPathCombination(asked)
  const earlier = await earlierCreate<NetworkInsightsPath>(
    ctx,
    pathKind,
    input.clientToken,
    (path) => requestOf(path) === requestOf(asked),
  )
  if (earlier) return { path: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const source = await resolveEndpoint(ctx, 'Source', input.source)
  const destination =
    input.destination === undefined ? undefined : await resolveEndpoint(ctx, 'Destination', input.destination)
  if (!destination && packetOf(asked).destinationAddress === undefined) {
    // Without a destination resource the destination is an address, given here or in a filter.
    throw errors.missingParameter('Destination')
  }
  const networkInsightsPathId = ctx.newId(pathKind.id.prefix)
  const path: NetworkInsightsPath = withoutUndefined({
    ...asked,
    networkInsightsPathId,
    ownerId: ctx.caller.accountId,
    region: ctx.caller.region,
    createdDate: ctx.now.toISOString(),
    source: source.id,
    sourceArn: source.arn,
    destination: destination?.id,
    destinationArn: destination?.arn,
    clientToken: input.clientToken,
  })
  await ctx.tx.insert<NetworkInsightsPath>({
    id: networkInsightsPathId,
    kind: pathKind.type,
    owner: ctx.caller,
    body: path,
  })
  await applyTags(ctx, networkInsightsPathId, tags)
  return { path, tags }
}

const withoutUndefined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

const portRangeText = (range: { fromPort: number; toPort: number } | undefined) =>
  range && `${range.fromPort}-${range.toPort}`

type DescribedPath = Described<NetworkInsightsPath>

/** The four filters on one of a path's filters, such as `filter-at-source.source-address`. */
function pathFilterFields(
  prefix: string,
  filterOf: (path: NetworkInsightsPath) => PathFilter | undefined,
): FilterFields<DescribedPath> {
  const field =
    (pick: (filter: PathFilter) => FieldValue) =>
    ({ resource }: DescribedPath) => {
      const filter = filterOf(resource.body)
      return filter && pick(filter)
    }
  return {
    [`${prefix}.source-address`]: field((f) => f.sourceAddress),
    [`${prefix}.source-port-range`]: field((f) => portRangeText(f.sourcePortRange)),
    [`${prefix}.destination-address`]: field((f) => f.destinationAddress),
    [`${prefix}.destination-port-range`]: field((f) => portRangeText(f.destinationPortRange)),
  }
}

const PATH_FIELDS: FilterFields<DescribedPath> = {
  destination: ({ resource: { body } }) => [body.destination, body.destinationArn],
  source: ({ resource: { body } }) => [body.source, body.sourceArn],
  protocol: ({ resource: { body } }) => body.protocol,
  ...pathFilterFields('filter-at-source', (path) => path.filterAtSource),
  ...pathFilterFields('filter-at-destination', (path) => path.filterAtDestination),
}

export const describeNetworkInsightsPaths = (ctx: Context, request: DescribeRequest) =>
  describe<NetworkInsightsPath>(ctx, pathKind, request, {
    idParameter: 'NetworkInsightsPathId',
    fields: PATH_FIELDS,
  })

const analysesOf = async (ctx: Context, pathId: string) =>
  (await ctx.tx.list<NetworkInsightsAnalysis>(analysisKind.type, { visibleTo: ctx.caller })).filter(
    (analysis) => analysis.body.networkInsightsPathId === pathId,
  )

/** Like AWS, a path with analyses stays until they are deleted. */
export async function deleteNetworkInsightsPath(ctx: Context, pathId: string) {
  const path = await findOwned<NetworkInsightsPath>(ctx, pathKind, pathId)
  if ((await analysesOf(ctx, pathId)).length > 0) throw errors.analysisExistsForPath(pathId)
  await ctx.tx.remove(path)
}

// Analyses

export interface StartAnalysisInput {
  readonly networkInsightsPathId: string
  readonly additionalAccounts: readonly string[]
  readonly filterInArns: readonly string[]
  readonly filterOutArns: readonly string[]
  readonly clientToken?: string
  readonly tagSpecifications: readonly TagSpecification[]
}

const sameList = (a: readonly string[], b: readonly string[]) => JSON.stringify(a) === JSON.stringify(b)

export async function startNetworkInsightsAnalysis(ctx: Context, input: StartAnalysisInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, analysisKind.type)
  for (const arn of [...input.filterInArns, ...input.filterOutArns]) parseComponentArn(arn)
  const earlier = await earlierCreate<NetworkInsightsAnalysis>(
    ctx,
    analysisKind,
    input.clientToken,
    (analysis) =>
      analysis.networkInsightsPathId === input.networkInsightsPathId &&
      sameList(analysis.additionalAccounts, input.additionalAccounts) &&
      sameList(analysis.filterInArns, input.filterInArns) &&
      sameList(analysis.filterOutArns, input.filterOutArns),
  )
  if (earlier) return { analysis: earlier.body, tags: await tagsOf(ctx, earlier.id) }
  const path = await findOwned<NetworkInsightsPath>(ctx, pathKind, input.networkInsightsPathId)
  const networkInsightsAnalysisId = ctx.newId(analysisKind.id.prefix)
  const analysis: NetworkInsightsAnalysis = withoutUndefined({
    networkInsightsAnalysisId,
    networkInsightsPathId: path.id,
    ownerId: ctx.caller.accountId,
    region: ctx.caller.region,
    startDate: ctx.now.toISOString(),
    additionalAccounts: input.additionalAccounts,
    filterInArns: input.filterInArns,
    filterOutArns: input.filterOutArns,
    clientToken: input.clientToken,
    ...(await analyse(ctx, path.body, input)),
  })
  await ctx.tx.insert<NetworkInsightsAnalysis>({
    id: networkInsightsAnalysisId,
    kind: analysisKind.type,
    owner: ctx.caller,
    body: analysis,
  })
  await applyTags(ctx, networkInsightsAnalysisId, tags)
  return { analysis, tags }
}

type Outcome = Pick<
  NetworkInsightsAnalysis,
  'status' | 'statusMessage' | 'networkPathFound' | 'forwardPath' | 'returnPath' | 'explanations'
>

const failed = (statusMessage: string): Outcome => ({
  status: 'failed',
  statusMessage,
  forwardPath: [],
  returnPath: [],
  explanations: [],
})

async function analyse(
  ctx: Context,
  path: NetworkInsightsPath,
  filters: { filterInArns: readonly string[]; filterOutArns: readonly string[] },
): Promise<Outcome> {
  const snapshot = await currentSnapshot(ctx)
  const flow = flowOf(snapshot, path)
  if (typeof flow === 'string') return failed(flow)
  const result = evaluateFlow(snapshot, flow)
  const filterExplanations = componentFilterExplanations(result.forwardPath, filters)
  return {
    status: 'succeeded',
    networkPathFound: result.reachable && filterExplanations.length === 0,
    forwardPath: withInstances(snapshot, result.forwardPath),
    returnPath: withInstances(snapshot, result.returnPath),
    explanations: [...result.explanations, ...filterExplanations],
  }
}

/** Hops with AWS's AttachedTo: an instance's interface names its instance. */
export function withInstances(snapshot: Snapshot, hops: readonly PathComponent[]): AnalysedHop[] {
  return hops.map((hop) => {
    const eni =
      hop.component.kind === 'network-interface' ? snapshot.interfaces.get(hop.component.id)?.eni : undefined
    const instanceId = eni?.attachment?.instanceId
    return instanceId === undefined
      ? hop
      : { ...hop, attachedTo: componentRef('instance', instanceId, eni!.region, eni!.ownerId) }
  })
}

const isInterfaceEnd = (id: string) => {
  const type = kindOfId(id)?.type
  return type === kinds.networkInterface.type || type === kinds.instance.type
}

/** The interface a path end stands for: itself, or a running instance's primary interface. */
const interfaceOf = (snapshot: Snapshot, id: string): NetworkInterface | undefined =>
  (snapshot.interfaces.get(id) ?? snapshot.instances.get(id))?.eni

const sameAddress = (a: string, b: string) => {
  const [x, y] = [parseAddress(a), parseAddress(b)]
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value
}

const holds = (eni: NetworkInterface, address: string) =>
  [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses, ...eni.ipv6Addresses].some((held) =>
    sameAddress(held, address),
  )

/**
 * How the flow names its sender. The interface itself when the address is the one the data
 * plane sends from anyway (the primary IPv4, the first IPv6): an address alone may be held by
 * interfaces in several VPCs.
 */
function senderOf(eni: NetworkInterface, address: string | undefined): Flow['source'] {
  const usual = [eni.privateIpAddress, eni.ipv6Addresses[0]].filter((held) => held !== undefined)
  return address === undefined || usual.some((held) => sameAddress(held, address))
    ? { networkInterfaceId: eni.networkInterfaceId }
    : { address }
}

/**
 * The concrete flow a path describes, or why it cannot be analysed. The data plane evaluates
 * traffic sent by an interface, so a path must start at an interface or an instance.
 */
function flowOf(snapshot: Snapshot, path: NetworkInsightsPath): Flow | string {
  if (!isInterfaceEnd(path.source)) {
    return `vpcpeer analyses traffic sent by a network interface or an instance; it does not model traffic entering at ${path.source}.`
  }
  const sender = interfaceOf(snapshot, path.source)
  if (!sender) return `The source ${path.source} no longer exists.`
  const packet = packetOf(path)
  if (packet.sourceAddress !== undefined && !holds(sender, packet.sourceAddress)) {
    return `The source address ${packet.sourceAddress} is not an address of ${path.source}.`
  }
  let destination = packet.destinationAddress
  if (path.destination !== undefined && isInterfaceEnd(path.destination)) {
    const receiver = interfaceOf(snapshot, path.destination)
    if (!receiver) return `The destination ${path.destination} no longer exists.`
    if (destination === undefined) {
      const ipv6 = packet.sourceAddress !== undefined && parseAddress(packet.sourceAddress)?.family === 6
      destination = ipv6 ? receiver.ipv6Addresses[0] : receiver.privateIpAddress
      if (destination === undefined) return `The destination ${path.destination} has no IPv6 address.`
    } else if (!holds(receiver, destination)) {
      return `The destination address ${destination} is not an address of ${path.destination}.`
    }
  }
  if (destination === undefined) {
    return `A path to ${path.destination} needs a destination address: DestinationIp, or a filter's DestinationAddress.`
  }
  return withoutUndefined({
    source: senderOf(sender, packet.sourceAddress),
    destination,
    protocol: protocolNumber(path.protocol),
    port: packet.destinationPort,
    sourcePort: hasPorts(path.protocol) ? packet.sourcePort : undefined,
  })
}

const COMPONENT_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:([a-z-]+)\/([a-z][a-z-]*-[0-9a-f]+)$/

/** FilterInArn and FilterOutArn name EC2 resources by ARN. */
function parseComponentArn(arn: string): ComponentRef {
  const match = COMPONENT_ARN.exec(arn)
  if (!match) throw errors.invalidParameterValue(`The ARN '${arn}' is not a valid EC2 resource ARN.`)
  // An ARN's resource type is AWS's name for the component, which is what ComponentKind holds.
  return { kind: match[1] as ComponentKind, id: match[2]!, arn }
}

/**
 * The data plane finds the one path routing allows, so component filters cannot steer it
 * elsewhere: a path that misses a FilterInArn component, or crosses a FilterOutArn one, is
 * not found.
 */
function componentFilterExplanations(
  forwardPath: readonly PathComponent[],
  filters: { filterInArns: readonly string[]; filterOutArns: readonly string[] },
): Explanation[] {
  const crossed = new Set(
    forwardPath.flatMap((hop) =>
      [hop.component.arn, hop.vpc?.arn, hop.subnet?.arn].filter((arn) => arn !== undefined),
    ),
  )
  const explanation = (arn: string, explanationCode: string, message: string): Explanation => ({
    explanationCode,
    component: parseComponentArn(arn),
    leg: 'forward',
    message,
  })
  return [
    ...filters.filterInArns
      .filter((arn) => !crossed.has(arn))
      .map((arn) => explanation(arn, 'COMPONENT_FILTER_RESTRICTION', `The path does not cross ${arn}.`)),
    ...filters.filterOutArns
      .filter((arn) => crossed.has(arn))
      .map((arn) =>
        explanation(
          arn,
          'COMPONENT_FILTER_RESTRICTION_REMOVED_COMPONENT',
          `The only path crosses ${arn}, which the analysis leaves out.`,
        ),
      ),
  ]
}

export interface AnalysesRequest extends DescribeRequest {
  readonly networkInsightsPathId?: string
  readonly analysisStartTime?: Date
  readonly analysisEndTime?: Date
}

export async function describeNetworkInsightsAnalyses(ctx: Context, request: AnalysesRequest) {
  if (request.networkInsightsPathId !== undefined) checkId(pathKind.id, request.networkInsightsPathId)
  const page = await describe<NetworkInsightsAnalysis>(ctx, analysisKind, request, {
    idParameter: 'NetworkInsightsAnalysisId',
    fields: {
      'path-found': ({ resource: { body } }) => body.networkPathFound,
      status: ({ resource: { body } }) => body.status,
    },
    visible: ({ body }) =>
      (request.networkInsightsPathId === undefined ||
        body.networkInsightsPathId === request.networkInsightsPathId) &&
      (request.analysisStartTime === undefined || new Date(body.startDate) >= request.analysisStartTime) &&
      (request.analysisEndTime === undefined || new Date(body.startDate) <= request.analysisEndTime),
  })
  return {
    ...page,
    names: await componentNames(
      ctx,
      page.items.map((item) => item.resource.body),
    ),
  }
}

export async function deleteNetworkInsightsAnalysis(ctx: Context, analysisId: string) {
  await ctx.tx.remove(await findOwned<NetworkInsightsAnalysis>(ctx, analysisKind, analysisId))
}

/** Every component id an analysis mentions (anything carrying an id and an ARN). */
function collectComponentIds(value: unknown, into: Set<string>) {
  if (Array.isArray(value)) {
    for (const item of value) collectComponentIds(item, into)
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (typeof record.id === 'string' && typeof record.arn === 'string') into.add(record.id)
    for (const member of Object.values(record)) collectComponentIds(member, into)
  }
}

/** Name tags of the components the analyses mention, as the caller sees them (its own view). */
async function componentNames(ctx: Context, analyses: readonly NetworkInsightsAnalysis[]) {
  const ids = new Set<string>()
  collectComponentIds(analyses, ids)
  const tags = await ctx.tx.tagsOf(ctx.caller, [...ids])
  const names = new Map<string, string>()
  for (const [id, resourceTags] of tags) {
    const name = resourceTags.find((tag) => tag.key === 'Name')
    if (name) names.set(id, name.value)
  }
  return names
}

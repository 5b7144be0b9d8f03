import { DEFAULT_LOG_FORMAT, logFormatOf, parseLogFormat } from '../dataplane/flow-log-format.js'
import { type ApiError, errors } from '../domain/errors.js'
import {
  AGGREGATION_INTERVALS,
  type AggregationInterval,
  checkLogGroupName,
  type FlowLog,
  type FlowLogResourceType,
  logGroupArn,
  logGroupOfArn,
  RESOURCE_PREFIXES,
  type S3DestinationOptions,
  s3LocationOf,
  type TrafficType,
} from '../domain/flow-log.js'
import { checkId } from '../domain/ids.js'
import { type Context, sameScope } from './context.js'
import { type DescribeRequest, describe, kinds, type ResourceKind } from './resources.js'
import { applyTags, checkTagSpecifications, type TagSpecification } from './tags.js'

export interface CreateFlowLogsInput {
  readonly resourceType: string
  readonly resourceIds: readonly string[]
  readonly trafficType?: TrafficType
  readonly logDestinationType?: string
  readonly logDestination?: string
  readonly logGroupName?: string
  readonly deliverLogsPermissionArn?: string
  readonly deliverCrossAccountRole?: string
  readonly logFormat?: string
  readonly maxAggregationInterval?: number
  readonly destinationOptions?: {
    readonly fileFormat?: string
    readonly hiveCompatiblePartitions?: boolean
    readonly perHourPartition?: boolean
  }
  readonly tagSpecifications: readonly TagSpecification[]
  readonly clientToken?: string
}

/** A resource the request could not log, with the reason (CreateFlowLogs' `unsuccessful`). */
export interface UnsuccessfulItem {
  readonly resourceId: string
  readonly error: ApiError
}

const RESOURCE_KINDS: Readonly<Record<FlowLogResourceType, ResourceKind>> = {
  VPC: kinds.vpc,
  Subnet: kinds.subnet,
  NetworkInterface: kinds.networkInterface,
}

const isResourceType = (value: string): value is FlowLogResourceType => Object.hasOwn(RESOURCE_KINDS, value)

/** Where records go, checked: one of AWS's destination combinations, with its ARN. */
type Destination = Pick<
  FlowLog,
  'logDestinationType' | 'logDestination' | 'logGroupName' | 'deliverLogsPermissionArn' | 'destinationOptions'
>

function cloudWatchDestination(input: CreateFlowLogsInput): Destination {
  if (input.deliverLogsPermissionArn === undefined) {
    throw errors.flowLogParameterRequired(
      'DeliverLogsPermissionArn',
      'LogDestinationType',
      'cloud-watch-logs',
    )
  }
  if (input.destinationOptions !== undefined) {
    throw errors.invalidParameterCombination(
      'DestinationOptions can be specified only when LogDestinationType is s3.',
    )
  }
  if (input.logGroupName !== undefined && input.logDestination !== undefined) {
    throw errors.invalidParameterCombination('LogDestination and LogGroupName cannot both be specified.')
  }
  if (input.logDestination !== undefined) {
    return {
      logDestinationType: 'cloud-watch-logs',
      logDestination: input.logDestination,
      logGroupName: logGroupOfArn(input.logDestination),
      deliverLogsPermissionArn: input.deliverLogsPermissionArn,
    }
  }
  if (input.logGroupName === undefined) {
    throw errors.flowLogParameterRequired('LogDestination', 'LogGroupName', 'not provided')
  }
  return {
    logDestinationType: 'cloud-watch-logs',
    logDestination: '', // filled in with the caller's account and region
    logGroupName: checkLogGroupName(input.logGroupName),
    deliverLogsPermissionArn: input.deliverLogsPermissionArn,
  }
}

function s3Destination(input: CreateFlowLogsInput): Destination {
  if (input.logGroupName !== undefined) throw errors.flowLogParameterNeedsCloudWatch('LogGroupName')
  if (input.deliverLogsPermissionArn !== undefined) {
    throw errors.flowLogParameterNeedsCloudWatch('DeliverLogsPermissionArn')
  }
  if (input.logDestination === undefined) {
    throw errors.flowLogParameterRequired('LogDestination', 'LogDestinationType', 's3')
  }
  s3LocationOf(input.logDestination)
  const options = input.destinationOptions
  // Parquet is a columnar binary format vpcpeer does not write; plain text is AWS's default.
  if (options?.fileFormat !== undefined && options.fileFormat !== 'plain-text') {
    throw errors.notModelled('DestinationOptions.FileFormat', options.fileFormat)
  }
  const destinationOptions: S3DestinationOptions = {
    fileFormat: 'plain-text',
    hiveCompatiblePartitions: options?.hiveCompatiblePartitions ?? false,
    perHourPartition: options?.perHourPartition ?? false,
  }
  return { logDestinationType: 's3', logDestination: input.logDestination, destinationOptions }
}

function destinationOf(ctx: Context, input: CreateFlowLogsInput): Destination {
  const type = input.logDestinationType ?? 'cloud-watch-logs'
  if (type === 's3') return s3Destination(input)
  if (type !== 'cloud-watch-logs') throw errors.notModelled('LogDestinationType', type)
  const destination = cloudWatchDestination(input)
  return destination.logDestination
    ? destination
    : {
        ...destination,
        logDestination: logGroupArn(ctx.caller.region, ctx.caller.accountId, destination.logGroupName!),
      }
}

function aggregationInterval(value: number | undefined): AggregationInterval {
  if (value === undefined) return 600
  const interval = AGGREGATION_INTERVALS.find((allowed) => allowed === value)
  if (interval === undefined) throw errors.flowLogAggregationInterval()
  return interval
}

/** Whether an existing flow log already sends this traffic of this resource to this destination. */
const sameConfiguration = (a: FlowLog, b: Omit<FlowLog, 'flowLogId' | 'creationTime'>) =>
  a.resourceId === b.resourceId &&
  a.trafficType === b.trafficType &&
  a.logDestinationType === b.logDestinationType &&
  a.logDestination === b.logDestination

/**
 * Creates a flow log per resource. Request-level problems (a missing or inconsistent
 * destination, a bad format, an id of the wrong type) fail the whole request; a resource that
 * is not the caller's, or already logged to the same destination, is reported in `unsuccessful`
 * while the others are created.
 */
export async function createFlowLogs(ctx: Context, input: CreateFlowLogsInput) {
  const tags = checkTagSpecifications(input.tagSpecifications, kinds.flowLog.type)
  if (input.resourceIds.length === 0) throw errors.missingParameter('ResourceId')
  if (!isResourceType(input.resourceType)) throw errors.notModelled('ResourceType', input.resourceType)
  const resourceType = input.resourceType
  if (input.trafficType === undefined) throw errors.missingParameter('TrafficType')
  const trafficType = input.trafficType
  const destination = destinationOf(ctx, input)
  const logFormat =
    input.logFormat === undefined ? DEFAULT_LOG_FORMAT : logFormatOf(parseLogFormat(input.logFormat))
  const maxAggregationInterval = aggregationInterval(input.maxAggregationInterval)
  const resourceIds = [...new Set(input.resourceIds)]
  const mismatched = resourceIds.find((id) => !id.startsWith(`${RESOURCE_PREFIXES[resourceType]}-`))
  if (mismatched !== undefined) throw errors.flowLogResourceMismatch(mismatched, resourceType)
  for (const id of resourceIds) checkId(RESOURCE_KINDS[resourceType].id, id)

  const requestFingerprint = JSON.stringify([
    resourceType,
    [...resourceIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    trafficType,
    destination,
    logFormat,
    maxAggregationInterval,
    input.deliverCrossAccountRole,
  ])
  const owned = (await ctx.tx.list<FlowLog>(kinds.flowLog.type, { visibleTo: ctx.caller })).filter((f) =>
    sameScope(f.owner, ctx.caller),
  )
  if (input.clientToken !== undefined) {
    const earlier = owned.filter((f) => f.body.clientToken === input.clientToken)
    if (earlier.some((f) => f.body.requestFingerprint !== requestFingerprint)) {
      throw errors.idempotentParameterMismatch(input.clientToken)
    }
    if (earlier.length > 0) return { flowLogIds: earlier.map((f) => f.id), unsuccessful: [] }
  }

  const existing = owned.map((f) => f.body)
  const flowLogIds: string[] = []
  const unsuccessful: UnsuccessfulItem[] = []
  for (const resourceId of resourceIds) {
    const kind = RESOURCE_KINDS[resourceType]
    const resource = await ctx.tx.get(kind.type, resourceId)
    // Another account's resource (a peer's VPC) is as unknown to the caller as a missing one.
    if (!resource || !sameScope(resource.owner, ctx.caller)) {
      unsuccessful.push({ resourceId, error: errors.notFound(kind.id, resourceId) })
      continue
    }
    const flowLogId = ctx.newId('fl')
    const flowLog: FlowLog = {
      flowLogId,
      ownerId: ctx.caller.accountId,
      region: ctx.caller.region,
      resourceId,
      resourceType,
      trafficType,
      ...destination,
      ...(input.deliverCrossAccountRole !== undefined
        ? { deliverCrossAccountRole: input.deliverCrossAccountRole }
        : {}),
      logFormat,
      maxAggregationInterval,
      creationTime: ctx.now.toISOString(),
      ...(input.clientToken !== undefined ? { clientToken: input.clientToken, requestFingerprint } : {}),
    }
    if (existing.some((other) => sameConfiguration(other, flowLog))) {
      unsuccessful.push({ resourceId, error: errors.flowLogAlreadyExists() })
      continue
    }
    // No vpcId placement: a flow log does not keep its VPC from being deleted.
    await ctx.tx.insert<FlowLog>({
      id: flowLogId,
      kind: kinds.flowLog.type,
      owner: ctx.caller,
      body: flowLog,
    })
    await applyTags(ctx, flowLogId, tags)
    existing.push(flowLog)
    flowLogIds.push(flowLogId)
  }
  return { flowLogIds, unsuccessful }
}

export function describeFlowLogs(ctx: Context, request: DescribeRequest) {
  return describe<FlowLog>(ctx, kinds.flowLog, request, {
    idParameter: 'FlowLogId',
    fields: {
      // Delivery into vpcpeer's own store and directory does not fail.
      'deliver-log-status': () => 'SUCCESS',
      'log-destination-type': ({ resource }) => resource.body.logDestinationType,
      'flow-log-id': ({ resource }) => resource.id,
      'log-group-name': ({ resource }) => resource.body.logGroupName,
      'resource-id': ({ resource }) => resource.body.resourceId,
      'traffic-type': ({ resource }) => resource.body.trafficType,
    },
  })
}

/** Deletes the caller's flow logs; ids it does not own come back as `unsuccessful`. Records stay. */
export async function deleteFlowLogs(ctx: Context, flowLogIds: readonly string[]) {
  if (flowLogIds.length === 0) throw errors.missingParameter('FlowLogId')
  for (const id of flowLogIds) checkId(kinds.flowLog.id, id)
  const unsuccessful: UnsuccessfulItem[] = []
  for (const id of new Set(flowLogIds)) {
    const flowLog = await ctx.tx.get<FlowLog>(kinds.flowLog.type, id)
    if (flowLog && sameScope(flowLog.owner, ctx.caller)) await ctx.tx.remove(flowLog)
    else unsuccessful.push({ resourceId: id, error: errors.notFound(kinds.flowLog.id, id) })
  }
  return { unsuccessful }
}

import * as flowLogs from '../../../app/flow-logs.js'
import type { FlowLog } from '../../../domain/flow-log.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { bool, int, list, oneOf, required, string, struct, tagSpecifications } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'

/** The FlowLog shape; DescribeFlowLogs reports every delivery as successful. */
export function flowLogShape(flowLog: FlowLog, tags: readonly Tag[]) {
  return {
    creationTime: new Date(flowLog.creationTime),
    deliverLogsPermissionArn: flowLog.deliverLogsPermissionArn,
    deliverCrossAccountRole: flowLog.deliverCrossAccountRole,
    deliverLogsStatus: 'SUCCESS',
    flowLogId: flowLog.flowLogId,
    flowLogStatus: 'ACTIVE',
    logGroupName: flowLog.logGroupName,
    resourceId: flowLog.resourceId,
    trafficType: flowLog.trafficType,
    logDestinationType: flowLog.logDestinationType,
    logDestination: flowLog.logDestination,
    logFormat: flowLog.logFormat,
    tagSet: tagSet(tags),
    maxAggregationInterval: flowLog.maxAggregationInterval,
    destinationOptions: flowLog.destinationOptions,
  }
}

const unsuccessfulShape = (items: readonly flowLogs.UnsuccessfulItem[]) =>
  items.map((item) => ({
    error: { code: item.error.code, message: item.error.message },
    resourceId: item.resourceId,
  }))

// DescribeFlowLogs' MaxResults has no range in the model; any positive 32-bit count is taken.
const pageRange = { min: 1, max: 2 ** 31 - 1 }

export const flowLogActions = {
  CreateFlowLogs: command(
    {
      ClientToken: string(),
      DeliverLogsPermissionArn: string(),
      DeliverCrossAccountRole: string(),
      LogGroupName: string(),
      ResourceId: required(list(string(), { max: 1000 })),
      ResourceType: required(
        oneOf([
          'VPC',
          'Subnet',
          'NetworkInterface',
          'TransitGateway',
          'TransitGatewayAttachment',
          'RegionalNatGateway',
        ]),
      ),
      TrafficType: oneOf(['ACCEPT', 'REJECT', 'ALL']),
      LogDestinationType: oneOf(['cloud-watch-logs', 's3', 'kinesis-data-firehose']),
      LogDestination: string(),
      LogFormat: string(),
      TagSpecification: tagSpecifications,
      MaxAggregationInterval: int(),
      DestinationOptions: struct({
        FileFormat: oneOf(['plain-text', 'parquet']),
        HiveCompatiblePartitions: bool(),
        PerHourPartition: bool(),
      }),
    },
    async (ctx, input) => {
      const options = input.DestinationOptions
      const result = await flowLogs.createFlowLogs(ctx, {
        resourceType: input.ResourceType,
        resourceIds: input.ResourceId,
        tagSpecifications: input.TagSpecification,
        ...defined({
          trafficType: input.TrafficType,
          logDestinationType: input.LogDestinationType,
          logDestination: input.LogDestination,
          logGroupName: input.LogGroupName,
          deliverLogsPermissionArn: input.DeliverLogsPermissionArn,
          deliverCrossAccountRole: input.DeliverCrossAccountRole,
          logFormat: input.LogFormat,
          maxAggregationInterval: input.MaxAggregationInterval,
          clientToken: input.ClientToken,
          destinationOptions:
            options &&
            defined({
              fileFormat: options.FileFormat,
              hiveCompatiblePartitions: options.HiveCompatiblePartitions,
              perHourPartition: options.PerHourPartition,
            }),
        }),
      })
      return {
        clientToken: input.ClientToken,
        flowLogIdSet: result.flowLogIds,
        unsuccessful: unsuccessfulShape(result.unsuccessful),
      }
    },
  ),

  DescribeFlowLogs: query(describeParams('FlowLogId', pageRange), async (ctx, input) => {
    const page = await flowLogs.describeFlowLogs(ctx, describeRequest(input.FlowLogId, input, ctx))
    return {
      flowLogSet: page.items.map((i) => flowLogShape(i.resource.body, i.tags)),
      nextToken: page.nextToken,
    }
  }),

  DeleteFlowLogs: command({ FlowLogId: required(list(string(), { max: 1000 })) }, async (ctx, input) => {
    const result = await flowLogs.deleteFlowLogs(ctx, input.FlowLogId)
    return { unsuccessful: unsuccessfulShape(result.unsuccessful) }
  }),
}

/**
 * VPC Flow Logs (spec §7): a flow log watches a VPC, a subnet or one network interface and
 * delivers a record for every flow an interface in it carries, to CloudWatch Logs (kept in the
 * store, readable through the JSON API) or to an S3 bucket (gzip files on disk, laid out as AWS
 * lays out the bucket).
 */
import { errors } from './errors.js'

export type TrafficType = 'ACCEPT' | 'REJECT' | 'ALL'
export type FlowLogResourceType = 'VPC' | 'Subnet' | 'NetworkInterface'
export type LogDestinationType = 'cloud-watch-logs' | 's3'

/** The id prefix each resource type takes, for refusing `ResourceType=VPC` with a subnet id. */
export const RESOURCE_PREFIXES: Readonly<Record<FlowLogResourceType, string>> = {
  VPC: 'vpc',
  Subnet: 'subnet',
  NetworkInterface: 'eni',
}

export const AGGREGATION_INTERVALS = [60, 600] as const
export type AggregationInterval = (typeof AGGREGATION_INTERVALS)[number]

export interface S3DestinationOptions {
  readonly fileFormat: 'plain-text'
  readonly hiveCompatiblePartitions: boolean
  readonly perHourPartition: boolean
}

export interface FlowLog {
  readonly flowLogId: string
  readonly ownerId: string
  readonly region: string
  readonly resourceId: string
  readonly resourceType: FlowLogResourceType
  readonly trafficType: TrafficType
  readonly logDestinationType: LogDestinationType
  /** An ARN: the log group (`arn:aws:logs:…:log-group:<name>`) or the bucket and folder. */
  readonly logDestination: string
  /** CloudWatch Logs only. */
  readonly logGroupName?: string
  readonly deliverLogsPermissionArn?: string
  readonly deliverCrossAccountRole?: string
  readonly logFormat: string
  readonly maxAggregationInterval: AggregationInterval
  /** S3 only. */
  readonly destinationOptions?: S3DestinationOptions
  /** ISO 8601. */
  readonly creationTime: string
  readonly clientToken?: string
  /** The request a ClientToken was first used with, so a retry can be told from a different request. */
  readonly requestFingerprint?: string
}

/** Whether a record with this action belongs in a flow log of this traffic type. */
export const logsAction = (trafficType: TrafficType, action: 'ACCEPT' | 'REJECT') =>
  trafficType === 'ALL' || trafficType === action

/** The stored kind of the records a CloudWatch Logs destination receives. */
export const FLOW_LOG_RECORD_KIND = 'flow-log-record'

/** One delivered record: the formatted line, and its values by field for queries. */
export interface FlowLogRecord {
  readonly flowLogId: string
  readonly logDestinationType: LogDestinationType
  /** CloudWatch Logs: the group, and the stream (one per interface, named by its id). */
  readonly logGroupName?: string
  readonly logStreamName?: string
  /** Order within one send, which shares a store revision. */
  readonly sequence: number
  readonly message: string
  /** Every field's value (`-` where it does not apply), whatever the flow log's format. */
  readonly fields: Readonly<Record<string, string>>
  /** Unix seconds, for time-window queries. */
  readonly start: number
}

const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/
const LOG_GROUP_ARN = /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(?::\*)?$/

export const logGroupArn = (region: string, accountId: string, name: string) =>
  `arn:aws:logs:${region}:${accountId}:log-group:${name}`

export function checkLogGroupName(name: string): string {
  if (!LOG_GROUP_NAME.test(name)) throw errors.invalidValue('LogGroupName', name)
  return name
}

/** The log group a CloudWatch Logs destination ARN names. */
export function logGroupOfArn(arn: string): string {
  const match = LOG_GROUP_ARN.exec(arn)
  if (!match) {
    throw errors.invalidValue(
      'LogDestination',
      arn,
      'It must be a log group ARN: arn:aws:logs:<region>:<account>:log-group:<name>.',
    )
  }
  return checkLogGroupName(match[3]!)
}

export interface S3Location {
  readonly bucket: string
  /** The folder inside the bucket, '' or ending in `/`. */
  readonly prefix: string
}

const S3_ARN = /^arn:aws[a-z-]*:s3:::([^/]+)(?:\/(.*))?$/
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/
/** Folder names that stay one directory on any file system: no `.` or `..`, no odd characters. */
const FOLDER_NAME = /^[A-Za-z0-9!_.*'()=+-]+$/

/**
 * The bucket and folder of an S3 destination ARN (`arn:aws:s3:::bucket[/folder/…]`). The folder
 * may not be named `AWSLogs`, which AWS reserves; its parts must be plain names, since vpcpeer
 * writes the bucket as directories.
 */
export function s3LocationOf(arn: string): S3Location {
  const match = S3_ARN.exec(arn)
  const bucket = match?.[1] ?? ''
  const folders = (match?.[2] ?? '').split('/').filter((part) => part !== '')
  const plain = folders.every((part) => FOLDER_NAME.test(part) && part !== '.' && part !== '..')
  if (!match || !BUCKET_NAME.test(bucket) || bucket.includes('..') || !plain) {
    throw errors.invalidValue(
      'LogDestination',
      arn,
      'It must be an S3 bucket ARN: arn:aws:s3:::<bucket>[/<folder>].',
    )
  }
  if (folders.includes('AWSLogs')) {
    throw errors.invalidValue('LogDestination', arn, 'AWSLogs is reserved and cannot be a folder name.')
  }
  return { bucket, prefix: folders.map((part) => `${part}/`).join('') }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/**
 * Where AWS puts a log file in the bucket (spec §7, "Log file S3 bucket structure"):
 * `<bucket>/<folder>/AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>[/<hh>]/`, then
 * `<account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz`, the time being
 * the start of the 5-minute window the file covers. Hive-compatible prefixes name each part.
 */
export function s3ObjectKey(
  location: S3Location,
  file: {
    readonly accountId: string
    readonly region: string
    readonly flowLogId: string
    readonly at: Date
    readonly hash: string
    readonly hiveCompatiblePartitions: boolean
    readonly perHourPartition: boolean
  },
): string {
  const windowStart = new Date(Math.floor(file.at.getTime() / 300_000) * 300_000)
  const year = pad(windowStart.getUTCFullYear(), 4)
  const month = pad(windowStart.getUTCMonth() + 1)
  const day = pad(windowStart.getUTCDate())
  const hour = pad(windowStart.getUTCHours())
  const partitions = file.hiveCompatiblePartitions
    ? [
        `aws-account-id=${file.accountId}`,
        'aws-service=vpcflowlogs',
        `aws-region=${file.region}`,
        `year=${year}`,
        `month=${month}`,
        `day=${day}`,
        ...(file.perHourPartition ? [`hour=${hour}`] : []),
      ]
    : [file.accountId, 'vpcflowlogs', file.region, year, month, day, ...(file.perHourPartition ? [hour] : [])]
  const stamp = `${year}${month}${day}T${hour}${pad(windowStart.getUTCMinutes())}Z`
  const name = `${file.accountId}_vpcflowlogs_${file.region}_${file.flowLogId}_${stamp}_${file.hash}.log.gz`
  return `${location.bucket}/${location.prefix}AWSLogs/${partitions.join('/')}/${name}`
}

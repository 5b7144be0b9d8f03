import type { Scope } from '../domain/regions.js'
import type { Clock } from '../ports/clock.js'
import type { FlowLogSink } from '../ports/flow-log-sink.js'
import type { IdSource } from '../ports/ids.js'
import type { Store, Transaction } from '../ports/store.js'

/** Who is calling: the account and region the request was signed for. */
export interface Caller extends Scope {
  readonly accessKeyId: string
}

/** Tunables of the emulated account, set when the server starts. */
export interface Settings {
  /** How long initiating-request, provisioning and deleting last, in ms of server clock. */
  readonly peeringTransitionMs: number
  /** Active peering connections per VPC (AWS: 50 by default, up to 125). */
  readonly activePeeringsPerVpc: number
  /** Outstanding peering requests an account may have made (AWS: 25). */
  readonly outstandingPeeringsPerAccount: number
  /** Where flow logs with an S3 destination write their files (bucket/folder/AWSLogs/…). */
  readonly flowLogDirectory: string
  /** The most items a Describe page holds when the caller names neither ids nor MaxResults. */
  readonly maxPageSize: number
}

export const DEFAULT_SETTINGS: Settings = {
  peeringTransitionMs: 0,
  activePeeringsPerVpc: 50,
  outstandingPeeringsPerAccount: 25,
  flowLogDirectory: '.vpcpeer/flow-logs',
  maxPageSize: 1000,
}

/** Per-server memory for derived data that is costly to rebuild (the data plane's snapshot). */
export type Memo = Map<string, unknown>

/** How one use case ran, for the metrics hook. */
export interface RunReport {
  /** The use case: an EC2 action name, a JSON API route, `sweep`. */
  readonly name: string
  readonly mutates: boolean
  /** Transactions started: more than one when a write lost a race and was retried. */
  readonly attempts: number
  readonly failed: boolean
}

/** What a server gives every use case through the ports, built once at startup. */
export interface Services {
  readonly store: Store
  readonly clock: Clock
  readonly newId: IdSource
  readonly settings: Settings
  readonly memo: Memo
  readonly flowLogSink: FlowLogSink
  /** Called after each use case (the server counts retried writes with it). */
  readonly onRun?: (report: RunReport) => void
}

/** Everything a use case may touch: the caller, one open transaction, the time, new ids, settings. */
export interface Context {
  readonly caller: Caller
  readonly tx: Transaction
  readonly now: Date
  readonly newId: IdSource
  readonly settings: Settings
  readonly memo: Memo
  readonly flowLogSink: FlowLogSink
}

export const sameScope = (a: Scope, b: Scope) => a.accountId === b.accountId && a.region === b.region

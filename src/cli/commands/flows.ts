import { setTimeout as sleep } from 'node:timers/promises'
import { Command, Option } from 'commander'
import type { FlowLogRecord } from '../../domain/flow-log.js'
import { type Connection, callApi } from '../client.js'
import { type OutputFormat, printRows } from '../output.js'
import { type ClientOptions, connectionOf, withConnection } from './connection.js'
import { protocolLabel, wholeNumber } from './traffic.js'

type QueriedRecord = FlowLogRecord & { accountId: string; region: string; cursor: string }

interface FlowsAnswer {
  readonly records: readonly QueriedRecord[]
  readonly cursor?: string
}

interface FilterOptions {
  readonly action?: string
  readonly address?: string
  readonly port?: number
  readonly since?: string
  readonly until?: string
  readonly flowLog?: string
  readonly interface?: string
  readonly limit?: number
}

/** The filters `query` and `tail` share. */
function withFilters(command: Command): Command {
  return withConnection(command)
    .addOption(
      new Option('--action <action>', 'only ACCEPT or only REJECT records').choices(['ACCEPT', 'REJECT']),
    )
    .option('--address <ip>', 'records with this source or destination address')
    .option('--port <port>', 'records with this source or destination port', wholeNumber(0, 65535))
    .option(
      '--since <when>',
      'records from this time on: a duration back (10m, 2h, 1d), Unix seconds or ISO 8601',
    )
    .option('--until <when>', 'records before this time (same forms as --since)')
    .option('--flow-log <id>', 'records of one flow log (fl-…)')
    .option('--interface <id>', 'records of one network interface (eni-…)')
}

const flowsQuery = (options: FilterOptions, extra: { limit?: number; after?: string } = {}) => ({
  action: options.action,
  address: options.address,
  port: options.port,
  since: options.since,
  until: options.until,
  flowLogId: options.flowLog,
  interfaceId: options.interface,
  limit: extra.limit ?? options.limit,
  after: extra.after,
})

const endpoint = (address: string | undefined, port: string | undefined) =>
  port === undefined || port === '-' || port === '0' ? address : `${address}:${port}`

// Records carry whole seconds; the milliseconds would only ever read .000.
const startOf = (record: QueriedRecord) => new Date(record.start * 1000).toISOString().replace('.000Z', 'Z')

function printTable(format: OutputFormat, records: readonly QueriedRecord[]) {
  printRows(
    format,
    records,
    ['Start', 'Flow log', 'Interface', 'Direction', 'Action', 'Source', 'Destination', 'Protocol'],
    records.map((r) => [
      startOf(r),
      r.flowLogId,
      r.fields['interface-id'],
      r.fields['flow-direction'],
      r.fields.action,
      endpoint(r.fields.srcaddr, r.fields.srcport),
      endpoint(r.fields.dstaddr, r.fields.dstport),
      protocolLabel(r.fields.protocol),
    ]),
  )
}

/** One line per record, oldest first, for following: plain text, or one JSON object per line. */
function printLines(format: OutputFormat, newestFirst: readonly QueriedRecord[]) {
  for (const r of [...newestFirst].reverse()) {
    const line =
      format === 'json'
        ? JSON.stringify(r)
        : [
            startOf(r),
            r.flowLogId,
            r.fields['interface-id'],
            r.fields['flow-direction'],
            r.fields.action,
            `${endpoint(r.fields.srcaddr, r.fields.srcport)} -> ${endpoint(r.fields.dstaddr, r.fields.dstport)}`,
            protocolLabel(r.fields.protocol),
          ].join(' ')
    process.stdout.write(`${line}\n`)
  }
}

const fetchFlows = (connection: Connection, query: ReturnType<typeof flowsQuery>) =>
  callApi<FlowsAnswer>(connection, 'GET', '/flows', { query })

export function flowsCommand(): Command {
  const flows = new Command('flows').description(
    'flow-log records delivered to CloudWatch Logs destinations (vpcpeer keeps them)',
  )

  withFilters(flows.command('query').description('list matching records, newest first'))
    .option('--limit <n>', 'at most this many records (default 100)', wholeNumber(1, 1000))
    .action(async (options: ClientOptions & FilterOptions) => {
      const answer = await fetchFlows(connectionOf(options), flowsQuery(options))
      printTable(options.output, answer.records)
    })

  withFilters(flows.command('tail').description('print the latest records, then new ones as they arrive'))
    .option('--limit <n>', 'how many of the latest records to print first (default 20)', wholeNumber(1, 1000))
    .option('--interval <seconds>', 'how often to poll (default 2)', wholeNumber(1, 3600))
    .option('--once', 'print the latest records and stop')
    .action(async (options: ClientOptions & FilterOptions & { interval?: number; once?: boolean }) => {
      const connection = connectionOf(options)
      let answer = await fetchFlows(connection, flowsQuery(options, { limit: options.limit ?? 20 }))
      printLines(options.output, answer.records)
      while (!options.once) {
        await sleep((options.interval ?? 2) * 1000)
        const after = answer.cursor
        answer = await fetchFlows(connection, flowsQuery(options, { limit: 1000, after }))
        printLines(options.output, answer.records)
      }
    })
  return flows
}

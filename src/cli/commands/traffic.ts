import { Command, InvalidArgumentError } from 'commander'
import type { DeliveredRecord } from '../../app/traffic.js'
import { type Explanation, PROTOCOLS } from '../../dataplane/types.js'
import { callApi } from '../client.js'
import { printRows } from '../output.js'
import { type ClientOptions, connectionOf, withConnection } from './connection.js'

interface TrafficAnswer {
  readonly flow: { source: string; destination: string; protocol: number; port?: number }
  readonly reachable: boolean
  readonly explanations: readonly Explanation[]
  readonly records: readonly DeliveredRecord[]
  readonly files: readonly string[]
}

const PROTOCOL_NAMES = new Map<number, string>(Object.entries(PROTOCOLS).map(([name, n]) => [n, name]))

/** A protocol number as people read it: its name when it has one. */
export const protocolLabel = (protocol: number | string | undefined) =>
  protocol === undefined ? '-' : (PROTOCOL_NAMES.get(Number(protocol)) ?? String(protocol))

/** A commander parser for whole numbers within a range. */
export const wholeNumber = (min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`)
  }
  return Number(value)
}

function printAnswer(options: ClientOptions, answer: TrafficAnswer) {
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
    return
  }
  const { flow } = answer
  const port = flow.port === undefined ? '' : `:${flow.port}`
  process.stdout.write(
    `${answer.reachable ? 'DELIVERED' : 'NOT DELIVERED'}: ${protocolLabel(flow.protocol)} ${flow.source} -> ${flow.destination}${port}\n`,
  )
  for (const explanation of answer.explanations) {
    process.stdout.write(
      `  ${explanation.explanationCode} (${explanation.leg}) at ${explanation.component.id}: ${explanation.message}\n`,
    )
  }
  process.stdout.write('\n')
  printRows(
    options.output,
    answer.records,
    ['Flow log', 'Account', 'Interface', 'Direction', 'Action', 'Record'],
    answer.records.map((r) => [
      r.flowLogId,
      r.accountId,
      r.fields['interface-id'],
      r.fields['flow-direction'],
      r.fields.action,
      r.message,
    ]),
  )
  for (const file of answer.files) process.stdout.write(`wrote ${file}\n`)
}

export function trafficCommand(): Command {
  const traffic = new Command('traffic').description('send traffic through the modelled data plane')
  withConnection(
    traffic
      .command('send')
      .description(
        'send one flow; prints the verdict and the flow-log records it wrote (exit 1: not delivered)',
      )
      .requiredOption(
        '--from <source>',
        'a network interface (eni-…), an instance (i-…) or an address you hold',
      )
      .requiredOption('--to <address>', 'the destination address')
      .option('--proto <protocol>', 'tcp, udp, icmp, icmpv6 or a protocol number', 'tcp')
      .option('--port <port>', 'destination port (tcp, udp) or ICMP type', wholeNumber(0, 65535))
      .option('--source-port <port>', 'source port (default 49152)', wholeNumber(0, 65535))
      .option('--icmp-code <code>', 'ICMP code (default 0)', wholeNumber(0, 255))
      .option('--packets <n>', 'packets in the flow (default 1)', wholeNumber(1, Number.MAX_SAFE_INTEGER))
      .option(
        '--bytes <n>',
        'bytes in the flow (default 64 per packet)',
        wholeNumber(0, Number.MAX_SAFE_INTEGER),
      ),
  ).action(
    async (
      options: ClientOptions & {
        from: string
        to: string
        proto: string
        port?: number
        sourcePort?: number
        icmpCode?: number
        packets?: number
        bytes?: number
      },
    ) => {
      const answer = await callApi<TrafficAnswer>(connectionOf(options), 'POST', '/traffic', {
        body: {
          from: options.from,
          to: options.to,
          protocol: options.proto,
          port: options.port,
          sourcePort: options.sourcePort,
          icmpCode: options.icmpCode,
          packets: options.packets,
          bytes: options.bytes,
        },
      })
      printAnswer(options, answer)
      if (!answer.reachable) process.exitCode = 1
    },
  )
  return traffic
}

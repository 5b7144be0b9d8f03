import { SingleBar } from 'cli-progress'
import { Command, Option } from 'commander'
import type { MatrixBlocker, RouteChoice, SubnetReach, VpcReach } from '../../dataplane/matrix.js'
import type { Explanation, FlowResult, PathComponent } from '../../dataplane/types.js'
import { protocolName } from '../../domain/network-acl.js'
import { type Connection, callApi } from '../client.js'
import { type OutputFormat, printRows } from '../output.js'
import { type ClientOptions, connectionOf, withConnection } from './connection.js'
import { protocolLabel, wholeNumber } from './traffic.js'

// ---------------------------------------------------------------------------------------------
// vpcpeer reach <source> <destination>

interface TraceAnswer extends FlowResult {
  readonly flow: {
    readonly destination: string
    readonly protocol: number
    readonly port?: number
    readonly sourceInterfaceId: string
    readonly sourceAddress?: string
    readonly sourceName?: string
  }
}

/** Exit codes: the question was answered (0 reachable, 1 not), or could not be asked. */
const EXIT = { reachable: 0, unreachable: 1, usage: 2 } as const

const named = (ref: { id: string; name?: string } | undefined) =>
  ref === undefined ? '-' : ref.name ? `${ref.id} (${ref.name})` : ref.id

const portText = (range: { from: number; to: number } | undefined) =>
  range === undefined
    ? ''
    : range.from === range.to
      ? ` port ${range.from}`
      : ` ports ${range.from}-${range.to}`

/** What decided at a hop, in a few words. */
function decision(step: PathComponent): string {
  const parts: string[] = []
  const route = step.routeTableRoute
  if (route) parts.push(`route ${route.destinationCidr} -> ${route.target} (${route.state})`)
  const rule = step.securityGroupRule
  if (rule) {
    const peer = rule.cidr ?? rule.referencedGroupId ?? rule.prefixListId ?? '?'
    const protocol = rule.protocol === '-1' ? 'all traffic' : rule.protocol
    parts.push(
      `${rule.direction} rule ${rule.ruleId}: ${protocol}${portText(rule.portRange)} ${rule.direction === 'ingress' ? 'from' : 'to'} ${peer}`,
    )
  }
  const acl = step.aclRule
  if (acl) {
    const protocol =
      acl.protocol === '-1' ? 'all' : (protocolName(acl.protocol) ?? `protocol ${acl.protocol}`)
    parts.push(
      `${acl.egress ? 'outbound' : 'inbound'} rule ${acl.ruleNumber} ${acl.ruleAction} ${protocol}${portText(acl.portRange)} ${acl.egress ? 'to' : 'from'} ${acl.cidr}`,
    )
  }
  if (step.sourceVpc && step.destinationVpc) parts.push(`${step.sourceVpc.id} -> ${step.destinationVpc.id}`)
  const before = step.inboundHeader?.sourceAddress
  const after = step.outboundHeader?.sourceAddress
  if (before && after && before !== after) parts.push(`source ${before} becomes ${after}`)
  return parts.join('; ')
}

function printLeg(title: string, path: readonly PathComponent[]) {
  if (path.length === 0) return
  process.stdout.write(`\n${title}\n`)
  printRows(
    'table',
    path,
    ['#', 'Component', 'Name', 'Decided by', 'Blocked'],
    path.map((step) => [
      String(step.sequenceNumber),
      `${step.component.kind} ${step.component.id}`,
      step.component.name,
      decision(step) || undefined,
      step.explanations.map((e) => e.explanationCode).join(', ') || undefined,
    ]),
  )
}

const explanationLine = (e: Explanation) =>
  `  ${e.explanationCode} (${e.leg}${e.direction ? `, ${e.direction}` : ''}) at ${named(e.component)}: ${e.message}\n`

function printTrace(answer: TraceAnswer) {
  const { flow } = answer
  const source = `${flow.sourceAddress ?? '?'} (${named({ id: flow.sourceInterfaceId, ...(flow.sourceName ? { name: flow.sourceName } : {}) })})`
  const port = flow.port === undefined ? '' : ` port ${flow.port}`
  process.stdout.write(
    `${answer.reachable ? 'REACHABLE' : 'NOT REACHABLE'}: ${protocolLabel(flow.protocol)} ${source} -> ${flow.destination}${port}\n`,
  )
  printLeg('Forward', answer.forwardPath)
  printLeg('Return', answer.returnPath)
  if (answer.explanations.length > 0) {
    process.stdout.write('\nBlockers\n')
    for (const explanation of answer.explanations) process.stdout.write(explanationLine(explanation))
  }
}

interface TraceOptions extends ClientOptions {
  readonly proto: string
  readonly port?: number
  readonly sourcePort?: number
  readonly icmpCode?: number
}

async function runTrace(source: string, destination: string, options: TraceOptions) {
  let answer: TraceAnswer
  try {
    answer = await callApi<TraceAnswer>(connectionOf(options), 'POST', '/trace', {
      body: {
        from: source,
        to: destination,
        protocol: options.proto,
        port: options.port,
        sourcePort: options.sourcePort,
        icmpCode: options.icmpCode,
      },
    })
  } catch (error) {
    // No answer, so neither "reachable" nor "not reachable".
    process.stderr.write(`vpcpeer: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = EXIT.usage
    return
  }
  if (options.output === 'json') process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
  else printTrace(answer)
  process.exitCode = answer.reachable ? EXIT.reachable : EXIT.unreachable
}

// ---------------------------------------------------------------------------------------------
// vpcpeer reach matrix

interface VpcInfo {
  readonly vpcId: string
  readonly ownerId: string
  readonly cidrBlocks: readonly string[]
  readonly own: boolean
  readonly name?: string
}

interface SubnetInfo {
  readonly subnetId: string
  readonly vpcId: string
  readonly cidrBlock?: string
  readonly address?: string
  readonly name?: string
}

interface VpcMatrixAnswer {
  readonly level: 'vpc'
  readonly vpcs: readonly VpcInfo[]
  readonly pairs: readonly VpcReach[]
  readonly summary: { readonly sources: number; readonly pairs: number; readonly reachable: number }
}

interface SubnetMatrixAnswer {
  readonly level: 'subnet'
  readonly protocol: number
  readonly port: number
  readonly sourcePort: number
  readonly subnets: readonly SubnetInfo[]
  readonly pairs: readonly SubnetReach[]
  readonly summary: { readonly sources: number; readonly pairs: number; readonly reachable: number }
}

type MatrixFormat = OutputFormat | 'csv'

interface MatrixOptions extends Omit<ClientOptions, 'output'> {
  readonly output: MatrixFormat
  readonly level: 'vpc' | 'subnet'
  readonly proto: string
  readonly port?: number
  readonly sourcePort?: number
  readonly vpc?: string[]
}

/** Source VPCs per subnet-level request: about fifty requests in all, so the bar moves smoothly. */
const PROGRESS_STEPS = 50

const blockerText = (blockers: readonly MatrixBlocker[]) =>
  blockers.map((b) => `${b.code} (${b.leg}) at ${b.componentId}`).join('; ')
const routeText = (choice: RouteChoice | undefined) =>
  choice ? `${choice.routeTableId}: ${choice.route.destinationCidr} -> ${choice.route.target}` : undefined
const yesNo = (reachable: boolean) => (reachable ? 'yes' : 'no')

/** RFC 4180: quote a field that holds a comma, a quote or a line break. */
const csvField = (value: string | undefined) =>
  value === undefined ? '' : /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value

function printCsv(header: readonly string[], rows: readonly (readonly (string | undefined)[])[]) {
  const lines = [header, ...rows].map((row) => row.map(csvField).join(','))
  process.stdout.write(`${lines.join('\n')}\n`)
}

function printVpcMatrix(format: MatrixFormat, answer: VpcMatrixAnswer) {
  const names = new Map(answer.vpcs.map((v) => [v.vpcId, v.name]))
  const label = (id: string) => named({ id, ...(names.get(id) ? { name: names.get(id)! } : {}) })
  if (format === 'csv') {
    printCsv(
      [
        'source',
        'source_name',
        'destination',
        'destination_name',
        'reachable',
        'peering',
        'peering_status',
        'forward_route',
        'return_route',
        'blockers',
      ],
      answer.pairs.map((p) => [
        p.source,
        names.get(p.source),
        p.destination,
        names.get(p.destination),
        String(p.reachable),
        p.peering?.id,
        p.peering?.status,
        routeText(p.forwardRoute),
        routeText(p.returnRoute),
        blockerText(p.blockers),
      ]),
    )
    return
  }
  printRows(
    format,
    answer,
    ['Source', 'Destination', 'Reachable', 'Peering', 'Forward route', 'Return route', 'Blockers'],
    answer.pairs.map((p) => [
      label(p.source),
      label(p.destination),
      yesNo(p.reachable),
      p.peering ? `${p.peering.id} (${p.peering.status})` : 'same VPC',
      routeText(p.forwardRoute),
      routeText(p.returnRoute),
      blockerText(p.blockers) || undefined,
    ]),
  )
  if (format === 'table') printSummary(answer.summary, 'VPC')
}

function printSubnetMatrix(format: MatrixFormat, answer: SubnetMatrixAnswer) {
  const subnets = new Map(answer.subnets.map((s) => [s.subnetId, s]))
  const label = (id: string) => {
    const subnet = subnets.get(id)
    return `${named({ id, ...(subnet?.name ? { name: subnet.name } : {}) })} ${subnet?.cidrBlock ?? ''}`.trim()
  }
  if (format === 'csv') {
    printCsv(
      [
        'source_subnet',
        'source_vpc',
        'destination_subnet',
        'destination_vpc',
        'protocol',
        'port',
        'reachable',
        'blockers',
      ],
      answer.pairs.map((p) => [
        p.source,
        subnets.get(p.source)?.vpcId,
        p.destination,
        subnets.get(p.destination)?.vpcId,
        protocolLabel(answer.protocol),
        String(answer.port),
        String(p.reachable),
        blockerText(p.blockers),
      ]),
    )
    return
  }
  printRows(
    format,
    answer,
    ['Source subnet', 'Destination subnet', 'Destination VPC', 'Reachable', 'Blockers'],
    answer.pairs.map((p) => [
      label(p.source),
      label(p.destination),
      subnets.get(p.destination)?.vpcId,
      yesNo(p.reachable),
      blockerText(p.blockers) || undefined,
    ]),
  )
  if (format === 'table') printSummary(answer.summary, 'subnet')
}

function printSummary(summary: VpcMatrixAnswer['summary'], level: string) {
  process.stdout.write(
    `${summary.reachable} of ${summary.pairs} ${level} pairs reachable. Pairs not listed are not peered, so not reachable.\n`,
  )
}

const matrixOf = <T>(connection: Connection, body: Record<string, unknown>) =>
  callApi<T>(connection, 'POST', '/matrix', { body })

/**
 * The subnet matrix, asked for a few source VPCs at a time so that a progress bar (on stderr)
 * can follow; the answers are joined into one.
 */
async function subnetMatrixWithProgress(
  connection: Connection,
  options: MatrixOptions,
  sources: readonly string[],
): Promise<SubnetMatrixAnswer> {
  const bar = new SingleBar({
    stream: process.stderr,
    noTTYOutput: true,
    format: 'subnet matrix [{bar}] {value}/{total} source VPCs',
  })
  bar.start(sources.length, 0)
  const step = Math.max(1, Math.ceil(sources.length / PROGRESS_STEPS))
  const parts: SubnetMatrixAnswer[] = []
  try {
    for (let at = 0; at < sources.length; at += step) {
      const vpcIds = sources.slice(at, at + step)
      parts.push(
        await matrixOf<SubnetMatrixAnswer>(connection, {
          level: 'subnet',
          protocol: options.proto,
          port: options.port,
          sourcePort: options.sourcePort,
          vpcIds,
        }),
      )
      bar.increment(vpcIds.length)
    }
  } finally {
    bar.stop()
  }
  const subnets = new Map(parts.flatMap((part) => part.subnets).map((s) => [s.subnetId, s]))
  const pairs = parts.flatMap((part) => part.pairs)
  return {
    level: 'subnet',
    protocol: parts[0]?.protocol ?? 6,
    port: options.port!,
    sourcePort: parts[0]?.sourcePort ?? options.sourcePort ?? 49152,
    subnets: [...subnets.values()],
    pairs,
    summary: {
      sources: sources.length,
      pairs: pairs.length,
      reachable: pairs.filter((p) => p.reachable).length,
    },
  }
}

async function runMatrix(options: MatrixOptions) {
  const connection = connectionOf({ ...options, output: 'json' })
  const vpcLevel = await matrixOf<VpcMatrixAnswer>(connection, { level: 'vpc', vpcIds: options.vpc })
  if (options.level === 'vpc') {
    printVpcMatrix(options.output, vpcLevel)
    return
  }
  const sources = vpcLevel.vpcs.filter((v) => v.own).map((v) => v.vpcId)
  if (sources.length === 0) {
    // Still ask once, so a bad protocol or port is reported rather than an empty table.
    printSubnetMatrix(
      options.output,
      await matrixOf<SubnetMatrixAnswer>(connection, {
        level: 'subnet',
        protocol: options.proto,
        port: options.port,
        sourcePort: options.sourcePort,
      }),
    )
    return
  }
  printSubnetMatrix(options.output, await subnetMatrixWithProgress(connection, options, sources))
}

// ---------------------------------------------------------------------------------------------

export function reachCommand(): Command {
  const reach = withConnection(
    new Command('reach')
      .description(
        'explain whether a flow gets through, hop by hop (exit 0 reachable, 1 not, 2 usage or no answer)',
      )
      .argument('<source>', 'your network interface (eni-…), instance (i-…) or an address one holds')
      .argument('<destination>', 'an address (any account), or your interface or instance')
      .option('--proto <protocol>', 'tcp, udp, icmp, icmpv6 or a protocol number', 'tcp')
      .option('--port <port>', 'destination port (tcp, udp) or ICMP type', wholeNumber(0, 65535))
      .option('--source-port <port>', 'source port (default 49152)', wholeNumber(0, 65535))
      .option('--icmp-code <code>', 'ICMP code', wholeNumber(0, 255)),
  )
    // `reach` and `reach matrix` share option names: options after `matrix` are the matrix's.
    .enablePositionalOptions()
    .action((source: string, destination: string, options: TraceOptions) =>
      runTrace(source, destination, options),
    )

  const matrix = withConnection(
    reach
      .command('matrix')
      .description('reachability matrix of your VPCs or subnets (routing and ACLs), with their peers')
      .addOption(
        new Option('--level <level>', 'vpc: routing between VPCs; subnet: routes and ACLs for one port')
          .choices(['vpc', 'subnet'])
          .default('vpc'),
      )
      .option('--proto <protocol>', 'tcp or udp (subnet level)', 'tcp')
      .option('--port <port>', 'destination port (subnet level)', wholeNumber(0, 65535))
      .option('--source-port <port>', 'the reply port (default 49152)', wholeNumber(0, 65535))
      .option('--vpc <id...>', 'only these of your VPCs as sources'),
  )
  // The shared -o option knows table and json; a matrix also prints as CSV.
  const output = matrix.options.find((option: Option) => option.long === '--output')!
  output.choices(['table', 'json', 'csv'])
  output.description = 'table for people, json or csv for scripts'
  matrix.action(async (options: MatrixOptions) => {
    if (options.level === 'subnet' && options.port === undefined) {
      matrix.error('error: --port is required with --level subnet', { exitCode: EXIT.usage })
    }
    await runMatrix(options)
  })
  return reach
}

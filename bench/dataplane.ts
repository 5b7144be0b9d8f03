/**
 * The data plane's speed on a synthetic estate (bench/estate.ts), in this process, one core:
 * compiling the snapshot, single explained flows, the VPC matrix and the subnet matrix for one
 * port, and memory. The planted faults are checked first: a wrong answer fails the run.
 *
 *   npm run bench:dataplane [-- --tier S|M|L] [--seed N] [--flows N] [--port N] [--output table|json]
 *
 * Workloads and targets are the reachability reference's §4.2 (W0, Q1, Q3, Q4); then one
 * Network Access Analyzer scope and one account's audit.
 */
import { availableParallelism, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import Table from 'cli-table3'
import { analyseAccessScope } from '../src/dataplane/access-scope.js'
import { auditEstate } from '../src/dataplane/audit.js'
import { evaluateFlow } from '../src/dataplane/evaluate.js'
import { subnetMatrix, vpcMatrix } from '../src/dataplane/matrix.js'
import { compileSnapshot } from '../src/dataplane/snapshot.js'
import type { Estate, Flow } from '../src/dataplane/types.js'
import type { NetworkInterface } from '../src/domain/network-interface.js'
import { estateCounts, generateEstate, INTERNET_ADDRESS, isTier, Random, type Tier } from './estate.js'

const { values: options } = parseArgs({
  options: {
    tier: { type: 'string', default: 'L' },
    seed: { type: 'string', default: '1' },
    flows: { type: 'string', default: '10000' },
    port: { type: 'string', default: '443' },
    output: { type: 'string', default: 'table' },
  },
})
const tier = options.tier.toUpperCase()
const seed = Number(options.seed)
const flowCount = Number(options.flows)
const matrixPort = Number(options.port)
const output = options.output
if (
  !isTier(tier) ||
  !Number.isInteger(seed) ||
  !(flowCount > 0) ||
  !(matrixPort >= 0 && matrixPort <= 65535) ||
  (output !== 'table' && output !== 'json')
) {
  console.error(
    'usage: bench/dataplane.ts [--tier S|M|L] [--seed N] [--flows N] [--port N] [--output table|json]',
  )
  process.exit(2)
}

const MATRIX_RUNS = 3
const MB = 1024 * 1024
const COMMON_PORTS = [22, 80, 443, 3306, 5432, 6379, 8080] as const

const percentile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  )

/** Wall-clock and CPU time of `work`; on a busy machine only the CPU time means much. */
function time<T>(work: () => T): { value: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage()
  const started = performance.now()
  const value = work()
  const used = process.cpuUsage(cpu)
  return { value, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }
}

/**
 * Random flows from interfaces: to a peer VPC's interface (45%), the same VPC's (30%), any
 * VPC's (15%) or the internet (10%); tcp on common ports mostly, some udp 53 and ICMP echo.
 */
function randomFlows(estate: Estate, count: number, flowSeed: number): Flow[] {
  const rng = new Random(flowSeed)
  const senders = estate.networkInterfaces.filter((eni) => eni.interfaceType === 'interface')
  const inVpc = new Map<string, NetworkInterface[]>()
  for (const eni of senders) {
    const list = inVpc.get(eni.vpcId)
    if (list) list.push(eni)
    else inVpc.set(eni.vpcId, [eni])
  }
  const peersOf = new Map<string, string[]>()
  for (const { requester, accepter } of estate.peerings) {
    for (const [a, b] of [
      [requester.vpcId, accepter.vpcId],
      [accepter.vpcId, requester.vpcId],
    ] as const) {
      const list = peersOf.get(a)
      if (list) list.push(b)
      else peersOf.set(a, [b])
    }
  }
  const vpcIds = [...inVpc.keys()]
  const someoneIn = (vpcId: string) => rng.pick(inVpc.get(vpcId) ?? senders).privateIpAddress
  return Array.from({ length: count }, (): Flow => {
    const sender = rng.pick(senders)
    const where = rng.weighted({ peer: 45, same: 30, any: 15, internet: 10 })
    const peers = peersOf.get(sender.vpcId) ?? []
    const destination =
      where === 'internet'
        ? INTERNET_ADDRESS
        : where === 'same' || (where === 'peer' && peers.length === 0)
          ? someoneIn(sender.vpcId)
          : someoneIn(where === 'peer' ? rng.pick(peers) : rng.pick(vpcIds))
    const source = { networkInterfaceId: sender.networkInterfaceId }
    const kind = rng.weighted({ tcp: 85, udp: 10, icmp: 5 })
    if (kind === 'icmp') return { source, destination, protocol: 1, port: 8, icmpCode: 0 }
    if (kind === 'udp') return { source, destination, protocol: 17, port: 53 }
    return { source, destination, protocol: 6, port: rng.pick(COMMON_PORTS) }
  })
}

/** Whether each planted fault gets its known answer; the ids of those that do not. */
function checkFaults(
  snapshot: ReturnType<typeof compileSnapshot>,
  faults: ReturnType<typeof generateEstate>['faults'],
) {
  const wrong: string[] = []
  for (const fault of faults) {
    const result = evaluateFlow(snapshot, fault.flow)
    const got = result.explanations.map((e) => `${e.leg} ${e.explanationCode}`).join(', ')
    const expected = fault.blockers.map((b) => `${b.leg} ${b.code}`).join(', ')
    if (result.reachable !== fault.reachable || got !== expected)
      wrong.push(`${fault.id}: got [${got}], expected [${expected}]`)
  }
  return wrong
}

const loadAtStart = loadavg()[0]!
console.error(`generating tier ${tier} (seed ${seed}) …`)
const generated = time(() => generateEstate(tier as Tier, seed))
const { estate, faults } = generated.value
const counts = estateCounts(estate)
console.error(`  ${counts.vpcs} VPCs, ${counts.peerings} peerings, ${counts.networkInterfaces} interfaces`)

console.error('compiling the snapshot …')
const compiled = time(() => compileSnapshot(estate))
const snapshot = compiled.value
const heapAfterBuild = process.memoryUsage().heapUsed

const wrong = checkFaults(snapshot, faults)
for (const line of wrong) console.error(`planted fault answered wrongly: ${line}`)

console.error(`${flowCount} random flows, twice …`)
const flows = randomFlows(estate, flowCount, seed)
/** Times each flow; the snapshot builds some indexes on first use, so the first pass is the cold one. */
function timeFlows() {
  let reachable = 0
  const latencies: number[] = []
  const { cpuMs } = time(() => {
    for (const flow of flows) {
      const started = performance.now()
      const result = evaluateFlow(snapshot, flow)
      latencies.push(performance.now() - started)
      if (result.reachable) reachable++
    }
  })
  latencies.sort((a, b) => a - b)
  return { reachable, latencies, perSecond: latencies.length / (cpuMs / 1000) }
}
const flowSummary = ({ reachable, latencies, perSecond }: ReturnType<typeof timeFlows>) => ({
  count: latencies.length,
  reachable,
  p50Ms: percentile(latencies, 0.5),
  p99Ms: percentile(latencies, 0.99),
  perSecond,
})
const coldFlows = timeFlows()
const warmFlows = timeFlows()

/** Each run's time and what it found; the pairs themselves are dropped, so runs do not pile up. */
function timeMatrix(run: () => readonly { reachable: boolean }[]) {
  return Array.from({ length: MATRIX_RUNS }, () => {
    const { value, ms, cpuMs } = time(run)
    return { ms, cpuMs, pairs: value.length, reachable: value.filter((p) => p.reachable).length }
  })
}
console.error('VPC matrix …')
const allVpcs = estate.vpcs.map((v) => v.vpcId)
const vpcRuns = timeMatrix(() => vpcMatrix(snapshot, allVpcs))
console.error(`subnet matrix, tcp port ${matrixPort} …`)
const subnetRuns = timeMatrix(() => subnetMatrix(snapshot, allVpcs, { protocol: 6, port: matrixPort }))
// Network Access Analyzer: one account's interfaces to tcp 5432 in another; and the audit.
const accounts = [...new Set(estate.vpcs.map((v) => v.ownerId))]
const scopeFrom = accounts[0]!
const scopeTo = accounts[1] ?? scopeFrom
const scopeRegion = estate.vpcs.find((v) => v.ownerId === scopeFrom)!.region
const header = {
  sourceAddresses: [],
  destinationAddresses: [],
  sourcePorts: [],
  sourcePrefixLists: [],
  destinationPrefixLists: [],
}
console.error(`access-scope analysis: ${scopeFrom}'s interfaces to tcp 5432 in ${scopeTo} …`)
const accessScope = time(() =>
  analyseAccessScope(
    snapshot,
    {
      matchPaths: [
        {
          source: { resourceStatement: { resources: [scopeFrom], resourceTypes: [] } },
          destination: {
            resourceStatement: { resources: [scopeTo], resourceTypes: [] },
            packetHeaderStatement: { ...header, destinationPorts: ['5432'], protocols: ['tcp'] },
          },
          throughResources: [],
        },
      ],
      excludePaths: [],
    },
    { accountId: scopeFrom, region: scopeRegion },
  ),
)
console.error(`audit of ${scopeFrom} …`)
const audited = time(() => auditEstate({ snapshot, flowLogs: [], accountId: scopeFrom }))
const memory = process.memoryUsage()
const peakRss = process.resourceUsage().maxRSS * 1024

const ms = (value: number) => `${value < 10 ? value.toFixed(3) : value.toFixed(0)} ms`
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`
const medianRun = (runs: readonly { ms: number; cpuMs: number }[]) => ({
  ms: median(runs.map((r) => r.ms)),
  cpuMs: median(runs.map((r) => r.cpuMs)),
})
const vpcMedian = medianRun(vpcRuns)
const subnetMedian = medianRun(subnetRuns)
const flowRow = (label: string, run: ReturnType<typeof timeFlows>, q: number, target: string): Row => [
  label,
  ms(percentile(run.latencies, q)),
  '',
  target,
]
type Row = [string, string, string, string]
const rows: Row[] = [
  ['W0 compile the snapshot', ms(compiled.ms), ms(compiled.cpuMs), '< 5 s'],
  flowRow('Q1 explained flow, p50 (cold)', coldFlows, 0.5, '< 1 ms'),
  flowRow('Q1 explained flow, p99 (cold)', coldFlows, 0.99, '< 5 ms'),
  flowRow('Q1 explained flow, p50 (warm)', warmFlows, 0.5, '< 1 ms'),
  flowRow('Q1 explained flow, p99 (warm)', warmFlows, 0.99, '< 5 ms'),
  ['Q1 flows per CPU second (warm)', '', warmFlows.perSecond.toFixed(0), '> 20,000'],
  ['Q3 VPC matrix, first run', ms(vpcRuns[0]!.ms), ms(vpcRuns[0]!.cpuMs), '< 1 s'],
  [`Q3 VPC matrix, median of ${MATRIX_RUNS}`, ms(vpcMedian.ms), ms(vpcMedian.cpuMs), '< 1 s'],
  [
    `Q4 subnet matrix (tcp/${matrixPort}), first run`,
    ms(subnetRuns[0]!.ms),
    ms(subnetRuns[0]!.cpuMs),
    '< 5 s',
  ],
  [`Q4 subnet matrix, median of ${MATRIX_RUNS}`, ms(subnetMedian.ms), ms(subnetMedian.cpuMs), '< 5 s'],
  [
    `NAA access scope to tcp/5432 in another account (${accessScope.value.analyzedEniCount} interfaces, ${accessScope.value.findings.length} findings)`,
    ms(accessScope.ms),
    ms(accessScope.cpuMs),
    '',
  ],
  [`audit of one account (${audited.value.length} findings)`, ms(audited.ms), ms(audited.cpuMs), ''],
  ['heap used after compiling', mb(heapAfterBuild), '', '< 1.5 GB'],
  ['heap used at the end', mb(memory.heapUsed), '', ''],
  ['RSS, peak', mb(peakRss), '', ''],
]

if (output === 'json') {
  console.log(
    JSON.stringify(
      {
        tier,
        seed,
        estate: counts,
        plantedFaults: { total: faults.length, wrong },
        generateMs: generated.ms,
        compileMs: compiled.ms,
        compileCpuMs: compiled.cpuMs,
        loadAverage: loadAtStart,
        cores: availableParallelism(),
        flows: { cold: flowSummary(coldFlows), warm: flowSummary(warmFlows) },
        vpcMatrix: { ...vpcRuns[0], runsMs: vpcRuns.map((r) => r.ms) },
        subnetMatrix: { port: matrixPort, ...subnetRuns[0], runsMs: subnetRuns.map((r) => r.ms) },
        accessScope: {
          from: scopeFrom,
          to: scopeTo,
          ms: accessScope.ms,
          cpuMs: accessScope.cpuMs,
          analyzedEniCount: accessScope.value.analyzedEniCount,
          findings: accessScope.value.findings.length,
        },
        audit: { account: scopeFrom, ms: audited.ms, cpuMs: audited.cpuMs, findings: audited.value.length },
        memory: {
          heapAfterCompileBytes: heapAfterBuild,
          heapUsedBytes: memory.heapUsed,
          peakRssBytes: peakRss,
        },
      },
      null,
      2,
    ),
  )
} else {
  const table = new Table({
    head: ['measure', `tier ${tier}, wall clock`, 'CPU', 'target (§4.2)'],
    style: { head: [], border: [] },
  })
  for (const row of rows) table.push(row)
  console.log(table.toString())
  console.log(
    [
      `estate: ${counts.vpcs} VPCs, ${counts.peerings} peerings (${counts.activePeerings} active), ${counts.subnets} subnets, ` +
        `${counts.routeTables} route tables (${counts.routes} routes), ${counts.securityGroups} groups (${counts.securityGroupRules} rules), ` +
        `${counts.networkAcls} ACLs (${counts.networkAclEntries} entries), ${counts.networkInterfaces} interfaces; generated in ${ms(generated.ms)}`,
      `planted faults: ${faults.length - wrong.length} of ${faults.length} answered as planted`,
      `machine: load average ${loadAtStart.toFixed(1)} at the start on ${availableParallelism()} cores${loadAtStart > availableParallelism() ? ' (busy: wall-clock figures are inflated, CPU figures less so)' : ''}`,
      `flows: ${flows.length} random flows timed twice (cold, then warm), ${warmFlows.reachable} reachable`,
      `VPC matrix: ${vpcRuns[0]!.pairs} candidate pairs, ${vpcRuns[0]!.reachable} reachable`,
      `subnet matrix: ${subnetRuns[0]!.pairs} candidate pairs, ${subnetRuns[0]!.reachable} reachable`,
    ].join('\n'),
  )
}
if (wrong.length > 0) process.exitCode = 1

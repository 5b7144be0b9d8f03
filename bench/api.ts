/**
 * API throughput and latency through @aws-sdk/client-ec2 against a real server process:
 * seeds tagged VPCs, then runs each scenario for a fixed time at 1 and at 16 concurrent clients.
 *
 *   npm run bench [-- --output json] [--seconds 10] [--vpcs 1000]
 */
import { createServer } from 'node:net'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { CreateVpcCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2'
import Table from 'cli-table3'
import { type ServerProcess, spawnServer } from '../test/support/server-process.js'

// The SDK warns on every run that its 2027 releases will need Node 22; that is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const { values: options } = parseArgs({
  options: {
    output: { type: 'string', default: 'table' },
    seconds: { type: 'string', default: '10' },
    vpcs: { type: 'string', default: '1000' },
  },
})
const output = options.output
const seconds = Number(options.seconds)
const seedCount = Number(options.vpcs)
if ((output !== 'table' && output !== 'json') || !(seconds > 0) || !Number.isInteger(seedCount)) {
  console.error('usage: bench/api.ts [--output table|json] [--seconds N] [--vpcs N]')
  process.exit(2)
}

const CONCURRENCY = [1, 16] as const
const WARM_UP_SECONDS = 1
/** Every TEAMS-th VPC shares this tag, so the filtered describe matches a few among many. */
const NEEDLE = { Key: 'Project', Value: 'needle' }
const NEEDLE_EVERY = 100
const TEAMS = 10

type Call = (client: EC2Client, n: number) => Promise<unknown>

const createVpc =
  (tags: (n: number) => { Key: string; Value: string }[]): Call =>
  (client, n) =>
    client.send(
      new CreateVpcCommand({
        CidrBlock: `10.${n % 256}.0.0/16`,
        TagSpecifications: [{ ResourceType: 'vpc', Tags: tags(n) }],
      }),
    )

const seedTags = (n: number) => [
  { Key: 'Team', Value: `t${n % TEAMS}` },
  ...(n % NEEDLE_EVERY === 0 ? [NEEDLE] : []),
]

const scenarios: { name: string; call: Call }[] = [
  {
    name: `DescribeVpcs tag:${NEEDLE.Key}=${NEEDLE.Value}`,
    call: (client) =>
      client.send(
        new DescribeVpcsCommand({ Filters: [{ Name: `tag:${NEEDLE.Key}`, Values: [NEEDLE.Value] }] }),
      ),
  },
  { name: 'CreateVpc (tagged)', call: createVpc((n) => [{ Key: 'Team', Value: `bench-${n % TEAMS}` }]) },
]

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()))
    })
  })

const clientFor = (url: string, worker: number) =>
  new EC2Client({
    endpoint: url,
    region: 'us-east-1',
    maxAttempts: 1,
    // In open mode a 12-digit key id is the account; all workers act in one account.
    credentials: { accessKeyId: '111111111111', secretAccessKey: `bench-${worker}` },
  })

interface Result {
  readonly scenario: string
  readonly clients: number
  readonly requests: number
  readonly errors: number
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
}

const percentile = (sorted: readonly number[], q: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!

/** Runs `call` from `clients` workers in a closed loop for `forSeconds`, timing each request. */
async function measure(clients: EC2Client[], call: Call, forSeconds: number) {
  const latencies: number[] = []
  let errors = 0
  let next = 0
  const started = performance.now()
  const deadline = started + forSeconds * 1000
  await Promise.all(
    clients.map(async (client) => {
      while (performance.now() < deadline) {
        const begin = performance.now()
        try {
          await call(client, next++)
          latencies.push(performance.now() - begin)
        } catch {
          errors++
        }
      }
    }),
  )
  return { latencies, errors, elapsedSeconds: (performance.now() - started) / 1000 }
}

async function seed(url: string) {
  const clients = Array.from({ length: 16 }, (_, worker) => clientFor(url, worker))
  const call = createVpc(seedTags)
  let next = 0
  await Promise.all(
    clients.map(async (client) => {
      for (let n = next++; n < seedCount; n = next++) await call(client, n)
    }),
  )
  for (const client of clients) client.destroy()
}

async function run(server: ServerProcess): Promise<Result[]> {
  const seedStart = performance.now()
  await seed(server.url)
  console.error(`seeded ${seedCount} tagged VPCs in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`)
  const results: Result[] = []
  for (const scenario of scenarios) {
    for (const count of CONCURRENCY) {
      const clients = Array.from({ length: count }, (_, worker) => clientFor(server.url, worker))
      await measure(clients, scenario.call, WARM_UP_SECONDS)
      const { latencies, errors, elapsedSeconds } = await measure(clients, scenario.call, seconds)
      for (const client of clients) client.destroy()
      const sorted = latencies.sort((a, b) => a - b)
      results.push({
        scenario: scenario.name,
        clients: count,
        requests: sorted.length,
        errors,
        requestsPerSecond: sorted.length / elapsedSeconds,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
      })
      console.error(`done: ${scenario.name} at ${count} client(s)`)
    }
  }
  return results
}

function print(results: readonly Result[]) {
  if (output === 'json') {
    console.log(JSON.stringify({ seededVpcs: seedCount, secondsPerRun: seconds, results }, null, 2))
    return
  }
  const table = new Table({
    head: ['scenario', 'clients', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms'],
    style: { head: [], border: [] },
  })
  for (const r of results) {
    table.push([
      r.scenario,
      r.clients,
      r.requests,
      r.errors,
      r.requestsPerSecond.toFixed(0),
      r.p50Ms.toFixed(1),
      r.p99Ms.toFixed(1),
    ])
  }
  console.log(table.toString())
  console.log(
    `${seedCount} tagged VPCs seeded first; ${seconds} s per run after a ${WARM_UP_SECONDS} s warm-up`,
  )
}

/** Port 0 would hide the port behind the warn log level, so pick one; retry if it was taken meanwhile. */
async function startServer(attempts = 3): Promise<ServerProcess> {
  try {
    return await spawnServer(['--ephemeral', '--log-level', 'warn'], { port: await freePort() })
  } catch (error) {
    if (attempts > 1 && /EADDRINUSE/.test(String(error))) return startServer(attempts - 1)
    throw error
  }
}

const server = await startServer()
// However the bench ends (an error, a closed pipe, a signal), the server goes with it.
process.on('exit', () => server.child.kill('SIGTERM'))
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)
  process.once(signal, () => process.exit(code))
try {
  print(await run(server))
} finally {
  const exit = await server.stop('SIGTERM')
  if (exit.code !== 0) console.error(`server exited with ${exit.code ?? exit.signal}:\n${server.output()}`)
}

/**
 * A fuzzing campaign against a real `vpcpeer serve` in a child process: batches of generated
 * requests (test/support/fuzz.ts), each batch from `seed + batch` on a freshly reset estate, then
 * a health check, the server's resident memory and whether it is still running. Every answer is
 * judged against docs/errors.md; the counts and the failures (with what reproduces them) come back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { amzDate } from '../../src/protocol/sigv4/canonical.js'
import { signRequest } from '../../src/protocol/sigv4/sign.js'
import {
  documentedErrors,
  FUZZ_ACCOUNTS,
  type FuzzAnswer,
  type FuzzRequest,
  fuzzRequests,
  judge,
  send,
} from './fuzz.js'
import { type ServerProcess, spawnServer } from './server-process.js'

export interface CampaignOptions {
  readonly seed: number
  readonly requests: number
  readonly batchSize?: number
  /** Requests in flight at once. */
  readonly concurrency?: number
  /** `strict`: the server verifies signatures and the valid calls are really signed. */
  readonly auth?: 'open' | 'strict'
  readonly log?: (line: string) => void
  /** A server to aim at (from startFuzzServer, of the same auth mode); else one is started and stopped. */
  readonly server?: FuzzServer
}

export interface FuzzServer {
  readonly server: ServerProcess
  stop(): Promise<void>
}

export interface CampaignResult {
  readonly counts: {
    requests: number
    '2xx': number
    '4xx': number
    '5xx': number
    /** Answers that broke a rule other than the status (undocumented code, wrong status). */
    misjudged: number
    /** Requests Node's client refused to send (an invalid header it generated). */
    unsendable: number
    /** Raw-socket requests the server closed or let time out without an answer. */
    unanswered: number
    /** Requests sent again because their kept-alive connection was closing as they went out. */
    retriedOnStaleConnection: number
    healthChecks: number
    batches: number
    /** Resident memory after the first batches and after the last ones (medians of five samples). */
    rssFirstMb: number
    rssLastMb: number
    rssPeakMb: number
  }
  readonly byKind: Record<string, number>
  /** Total milliseconds spent waiting for answers, by kind (where the campaign's time goes). */
  readonly msByKind: Record<string, number>
  readonly byCode: Record<string, number>
  readonly failures: string[]
}

/** Keys of the strict-mode server: one per fuzzing account. */
export const FUZZ_KEYS = FUZZ_ACCOUNTS.map((accountId) => ({
  accessKeyId: `AKIAFUZZ${accountId}`,
  secretAccessKey: `secret-of-${accountId}`,
  accountId,
}))

/** The key the campaign resets a strict-mode server with between batches. */
const adminKey = {
  accessKeyId: 'AKIAFUZZADMIN',
  secretAccessKey: 'secret-of-admin',
  accountId: '999999999999',
  admin: true,
}

/**
 * Memory is bounded when what the server holds after the last batches is within this of what
 * it held after the first ones (medians, so one batch of megabyte bodies in flight is no trend),
 * and it never holds more than the ceiling.
 */
export const MEMORY_GROWTH_LIMIT_MB = 200
export const MEMORY_CEILING_MB = 1024

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0

function residentMb(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb ? Math.round(Number(kb) / 1024) : 0
  } catch {
    return 0 // not Linux: memory is not measured
  }
}

const describeRequest = (request: FuzzRequest) => {
  const body = request.raw ?? request.body
  const shown =
    body.length > 400
      ? `${body.subarray(0, 400).toString('latin1')}… (${body.length} bytes)`
      : body.toString('latin1')
  return `${request.method} ${request.path.slice(0, 300)} headers=${JSON.stringify(request.headers).slice(0, 400)} body=${JSON.stringify(shown)}`
}

/** The distinct unexpected errors the server logged, each with where in src/ it was thrown. */
function unexpectedErrors(output: string): string[] {
  const seen = new Map<string, number>()
  for (const line of output.split('\n')) {
    let entry: { level?: number; err?: { type?: string; message?: string; stack?: string } }
    try {
      entry = JSON.parse(line)
    } catch {
      if (line.trim()) seen.set(line.slice(0, 300), (seen.get(line.slice(0, 300)) ?? 0) + 1)
      continue
    }
    if ((entry.level ?? 0) < 50) continue
    const frame = /\(([^)]*\/src\/[^)]*)\)/.exec(entry.err?.stack ?? '')?.[1]?.replace(/^.*\/src\//, 'src/')
    const text = `server logged ${entry.err?.type ?? 'an error'}: ${entry.err?.message ?? ''} at ${frame ?? 'unknown'}`
    seen.set(text, (seen.get(text) ?? 0) + 1)
  }
  return [...seen].map(([text, times]) => `${text} (${times} times)`)
}

/** A signed (strict) or open-mode form call the estate builder makes, answering its body. */
async function call(
  url: string,
  auth: 'open' | 'strict',
  accountIndex: number,
  region: string,
  params: Record<string, string>,
): Promise<string> {
  const body = Buffer.from(new URLSearchParams({ Version: '2016-11-15', ...params }).toString())
  const key = FUZZ_KEYS[accountIndex]!
  const headers =
    auth === 'strict'
      ? signRequest({
          method: 'POST',
          url: `${url}/`,
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
          body,
          credentials: key,
          region,
          service: 'ec2',
          date: new Date(),
        })
      : {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          authorization: `AWS4-HMAC-SHA256 Credential=${key.accountId}/${amzDate(new Date()).slice(0, 8)}/${region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
          'x-amz-date': amzDate(new Date()),
        }
  const answer = await send(url, { kind: 'estate', method: 'POST', path: '/', headers, body })
  if (answer.status !== 200)
    throw new Error(`building the estate: ${params.Action} answered ${answer.status} ${answer.body}`)
  return answer.body
}

const ID_PATTERN =
  /<[A-Za-z]+Id>((?:vpc|subnet|sg|rtb|acl|igw|pcx|eni|i|nat|vgw|eipalloc|rtbassoc|aclassoc|nip|nia|fl)-[0-9a-f]+)</g

/**
 * A small peering estate to aim at: two accounts with a VPC and subnet each in us-east-1, one
 * in eu-west-1, an active peering, a pending one, a cross-region one, a route to the peering,
 * a security group and an interface. Answers every id the server named.
 */
export async function buildFuzzEstate(url: string, auth: 'open' | 'strict'): Promise<string[]> {
  const bodies: string[] = []
  const ids = (text: string) => [...text.matchAll(ID_PATTERN)].map((m) => m[1]!)
  const first = (text: string, prefix: string) => ids(text).find((id) => id.startsWith(prefix))!
  const vpcs: string[] = []
  const subnets: string[] = []
  const groups: string[] = []
  const interfaces: string[] = []
  const spots = [
    [0, 'us-east-1', '10.0.0.0/16'],
    [1, 'us-east-1', '10.1.0.0/16'],
    [1, 'eu-west-1', '10.2.0.0/16'],
  ] as const
  for (const [account, region, block] of spots) {
    const vpc = await call(url, auth, account, region, { Action: 'CreateVpc', CidrBlock: block })
    const vpcId = first(vpc, 'vpc-')
    vpcs.push(vpcId)
    const subnet = await call(url, auth, account, region, {
      Action: 'CreateSubnet',
      VpcId: vpcId,
      CidrBlock: block.replace('0.0/16', '1.0/24'),
    })
    const subnetId = first(subnet, 'subnet-')
    subnets.push(subnetId)
    bodies.push(vpc, subnet)
    const group = await call(url, auth, account, region, {
      Action: 'CreateSecurityGroup',
      GroupName: 'fuzz',
      GroupDescription: 'fuzz',
      VpcId: vpcId,
    })
    const networkInterface = await call(url, auth, account, region, {
      Action: 'CreateNetworkInterface',
      SubnetId: subnetId,
    })
    groups.push(first(group, 'sg-'))
    interfaces.push(first(networkInterface, 'eni-'))
    bodies.push(
      group,
      networkInterface,
      await call(url, auth, account, region, { Action: 'DescribeRouteTables' }),
      await call(url, auth, account, region, { Action: 'DescribeNetworkAcls' }),
      await call(url, auth, account, region, { Action: 'CreateInternetGateway' }),
    )
  }
  const active = await call(url, auth, 0, 'us-east-1', {
    Action: 'CreateVpcPeeringConnection',
    VpcId: vpcs[0]!,
    PeerVpcId: vpcs[1]!,
    PeerOwnerId: FUZZ_ACCOUNTS[1],
  })
  const activeId = first(active, 'pcx-')
  bodies.push(
    active,
    await call(url, auth, 1, 'us-east-1', {
      Action: 'AcceptVpcPeeringConnection',
      VpcPeeringConnectionId: activeId,
    }),
  )
  bodies.push(
    await call(url, auth, 0, 'us-east-1', {
      Action: 'CreateVpcPeeringConnection',
      VpcId: vpcs[0]!,
      PeerVpcId: vpcs[2]!,
      PeerOwnerId: FUZZ_ACCOUNTS[1],
      PeerRegion: 'eu-west-1',
    }),
  )
  const mainTable = ids(bodies[4]!).find((id) => id.startsWith('rtb-'))
  if (mainTable) {
    bodies.push(
      await call(url, auth, 0, 'us-east-1', {
        Action: 'CreateRoute',
        RouteTableId: mainTable,
        DestinationCidrBlock: '10.1.0.0/16',
        VpcPeeringConnectionId: activeId,
      }),
    )
  }
  // One of each other kind in account A: a tag, a rule, an instance, a NAT gateway, a flow log, a path.
  const inA = (params: Record<string, string>) => call(url, auth, 0, 'us-east-1', params)
  bodies.push(
    await inA({
      Action: 'CreateTags',
      'ResourceId.1': vpcs[0]!,
      'Tag.1.Key': 'Name',
      'Tag.1.Value': 'private',
    }),
    await inA({
      Action: 'AuthorizeSecurityGroupIngress',
      GroupId: groups[0]!,
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.ToPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '10.1.0.0/16',
    }),
    await inA({
      Action: 'RunInstances',
      ImageId: 'ami-12345678',
      MinCount: '1',
      MaxCount: '1',
      SubnetId: subnets[0]!,
    }),
    await inA({ Action: 'CreateNatGateway', SubnetId: subnets[0]!, ConnectivityType: 'private' }),
    await inA({
      Action: 'CreateFlowLogs',
      'ResourceId.1': vpcs[0]!,
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogGroupName: 'fuzz',
      DeliverLogsPermissionArn: `arn:aws:iam::${FUZZ_ACCOUNTS[0]}:role/flow-logs`,
    }),
    await inA({
      Action: 'CreateNetworkInsightsPath',
      Source: interfaces[0]!,
      DestinationIp: '10.1.1.10',
      Protocol: 'tcp',
      ClientToken: 'fuzz-path',
    }),
  )
  return [...new Set(bodies.flatMap(ids))].sort((a, b) => a.localeCompare(b))
}

/** Starts the server the campaign aims at, on a free port of 127.0.0.1, logging only problems. */
export async function startFuzzServer(auth: 'open' | 'strict'): Promise<FuzzServer> {
  const dir = mkdtempSync(join(tmpdir(), 'vpcpeer-fuzz-'))
  const args = ['--ephemeral', '--log-level', 'error']
  if (auth === 'strict') {
    const file = join(dir, 'keys.json')
    writeFileSync(file, JSON.stringify({ credentials: [...FUZZ_KEYS, adminKey] }))
    args.push('--auth', 'strict', '--credentials', file)
  }
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000)
    try {
      const server = await spawnServer(args, { port, timeoutMs: 60_000 })
      return {
        server,
        async stop() {
          await server.stop('SIGTERM')
          rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (error) {
      if (attempt >= 3) throw error
    }
  }
}

/** Runs the campaign; resolves with the counts whether or not it found problems. */
export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const { seed, requests, batchSize = 500, concurrency = 8, auth = 'open', log = () => undefined } = options
  const documented = documentedErrors()
  const counts: CampaignResult['counts'] = {
    requests: 0,
    '2xx': 0,
    '4xx': 0,
    '5xx': 0,
    misjudged: 0,
    unsendable: 0,
    unanswered: 0,
    retriedOnStaleConnection: 0,
    healthChecks: 0,
    batches: 0,
    rssFirstMb: 0,
    rssLastMb: 0,
    rssPeakMb: 0,
  }
  const byKind: Record<string, number> = {}
  const msByKind: Record<string, number> = {}
  const byCode: Record<string, number> = {}
  const failures: string[] = []
  const samples: number[] = []
  let failureCount = 0
  const fail = (text: string) => {
    failureCount++
    if (failures.length < 20) {
      failures.push(text)
      log(`problem: ${text.slice(0, 1000)}`)
    }
  }
  const target = options.server ?? (await startFuzzServer(auth))
  const { server } = target
  const key = FUZZ_KEYS[0]!
  try {
    for (let batch = 0; counts.requests < requests; batch++) {
      const resetHeaders =
        auth === 'strict'
          ? signRequest({
              method: 'POST',
              url: `${server.url}/_vpcpeer/reset`,
              credentials: adminKey,
              region: 'us-east-1',
              service: 'ec2',
              date: new Date(),
            })
          : {}
      const reset = await send(server.url, {
        kind: 'reset',
        method: 'POST',
        path: '/_vpcpeer/reset',
        headers: resetHeaders,
        body: Buffer.alloc(0),
      })
      if (reset.status !== 200) throw new Error(`reset answered ${reset.status}: ${reset.body}`)
      const pool = await buildFuzzEstate(server.url, auth)
      const generator = fuzzRequests({
        pool,
        ...(auth === 'strict' ? { signWith: { ...key, url: server.url } } : {}),
      })
      const size = Math.min(batchSize, requests - counts.requests)
      const batchSeed = seed + batch
      const generated = fc.sample(generator, { seed: batchSeed, numRuns: size })
      let next = 0
      const worker = async () => {
        while (next < generated.length) {
          const index = next++
          const request = generated[index]!
          const begin = performance.now()
          const answer: FuzzAnswer = await send(server.url, request, request.raw ? 2000 : 30_000)
          msByKind[request.kind] = Math.round((msByKind[request.kind] ?? 0) + performance.now() - begin)
          counts.requests++
          byKind[request.kind] = (byKind[request.kind] ?? 0) + 1
          const where = `seed ${batchSeed} (campaign seed ${seed}, batch ${batch}) request ${index} [${request.kind}]`
          if (answer.retried) counts.retriedOnStaleConnection++
          if (answer.status === -1) {
            counts.unsendable++
            continue
          }
          if (answer.status === 0) {
            if (request.raw) counts.unanswered++
            else fail(`${where}: no answer (${answer.body}); ${describeRequest(request)}`)
            continue
          }
          if (answer.status >= 500) counts['5xx']++
          else if (answer.status >= 400) counts['4xx']++
          else counts['2xx']++
          const code =
            /<Code>([^<]*)<\/Code>/.exec(answer.body)?.[1] ?? /"code":"([^"]*)"/.exec(answer.body)?.[1]
          if (code && answer.status >= 400) byCode[code] = (byCode[code] ?? 0) + 1
          const problem =
            request.kind.startsWith('tampered') && answer.status < 400
              ? `a request changed after signing was accepted (HTTP ${answer.status})`
              : judge(answer, documented)
          if (problem) {
            if (answer.status < 500) counts.misjudged++
            fail(`${where}: ${problem}; ${describeRequest(request)}`)
          }
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
      counts.batches++
      const health = await send(
        server.url,
        { kind: 'health', method: 'GET', path: '/_vpcpeer/health', headers: {}, body: Buffer.alloc(0) },
        5000,
      )
      if (health.status === 200) counts.healthChecks++
      else
        fail(
          `seed ${batchSeed} (batch ${batch}): health answered ${health.status} ${health.body.slice(0, 200)}`,
        )
      if (server.child.exitCode !== null || server.child.signalCode !== null) {
        fail(
          `seed ${batchSeed} (batch ${batch}): the server exited (${server.child.exitCode ?? server.child.signalCode}):\n${server.output().slice(-2000)}`,
        )
        break
      }
      const rss = residentMb(server.child.pid)
      samples.push(rss)
      counts.rssPeakMb = Math.max(counts.rssPeakMb, rss)
      if (batch % 10 === 0 || counts.requests >= requests)
        log(
          `${counts.requests}/${requests} requests, ${counts['5xx']} 5xx, ${failureCount} problems, ${rss} MB resident`,
        )
    }
    counts.rssFirstMb = median(samples.slice(0, 5))
    counts.rssLastMb = median(samples.slice(-5))
    if (failureCount > failures.length) failures.push(`… and ${failureCount - failures.length} more problems`)
    // Pushed past the cap on listed problems: a memory failure is never hidden behind others.
    if (
      counts.rssLastMb - counts.rssFirstMb > MEMORY_GROWTH_LIMIT_MB ||
      counts.rssPeakMb > MEMORY_CEILING_MB
    ) {
      failures.push(
        `resident memory went from ${counts.rssFirstMb} MB to ${counts.rssLastMb} MB, peak ${counts.rssPeakMb} MB (limits +${MEMORY_GROWTH_LIMIT_MB} MB, ${MEMORY_CEILING_MB} MB)`,
      )
    }
    failures.push(...unexpectedErrors(server.output()))
    return { counts, byKind, msByKind, byCode, failures }
  } finally {
    if (!options.server) await target.stop()
  }
}

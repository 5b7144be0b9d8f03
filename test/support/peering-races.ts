import {
  AcceptVpcPeeringConnectionCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeVpcPeeringConnectionsCommand,
  type EC2Client,
  ModifyVpcPeeringConnectionOptionsCommand,
  RejectVpcPeeringConnectionCommand,
} from '@aws-sdk/client-ec2'
import { Random } from '../../bench/estate.js'
import type { Settings } from '../../src/app/context.js'
import { PEERING_KIND } from '../../src/domain/peering.js'
import { openStore } from '../../src/storage/kysely-store.js'
import {
  applyAct,
  cloneModel,
  expectedAct,
  expectedCreate,
  type ModelLimits,
  type ModelVpc,
  newModel,
  type PeeringModel,
  recordCreate,
  type Verb,
  visibleStates,
} from './peering-model.js'
import { ec2Client, startTestServer, type TestServer } from './server.js'

/**
 * Two servers on one PostgreSQL database race each other: the same requests a user could send
 * (accept, reject, delete, modify options, create) go to both instances at once, and the
 * history must be linearizable against the peering model: some serial order of the requests
 * gives exactly the answers each caller got and the state both servers then describe. The
 * suite and `npm run soak` both run it; only the number of races differs.
 */

const A = '111111111111'
const B = '222222222222'
const C = '333333333333'

/** v0 and v4 overlap; A owns three VPCs, B two. */
const VPCS: readonly ModelVpc[] = [
  { owner: A, cidr: '10.1.0.0/16' },
  { owner: A, cidr: '10.2.0.0/16' },
  { owner: B, cidr: '10.3.0.0/16' },
  { owner: B, cidr: '10.4.0.0/16' },
  { owner: A, cidr: '10.1.128.0/17' },
]

/** Low quotas, so concurrent creates and accepts race them. */
export const RACE_LIMITS: ModelLimits = { outstandingPerAccount: 2, activePerVpc: 1 }
export const RACE_SETTINGS: Partial<Settings> = {
  outstandingPeeringsPerAccount: RACE_LIMITS.outstandingPerAccount,
  activePeeringsPerVpc: RACE_LIMITS.activePerVpc,
}

type Request =
  | { readonly kind: 'create'; readonly from: number; readonly to: number; readonly server: number }
  | {
      readonly kind: 'act'
      readonly verb: Verb
      readonly caller: string
      /** Index into the connections the setup made. */
      readonly target: number
      readonly server: number
    }

interface Answer {
  readonly code: string
  /** The connection a create answered with. */
  readonly id?: string
}

const show = (r: Request, ids: readonly string[]) =>
  r.kind === 'create'
    ? `create(v${r.from}→v${r.to})@${r.server}`
    : `${r.verb}(${r.caller.slice(0, 1)}, ${ids[r.target]})@${r.server}`

export interface RaceReport {
  readonly history: string
  /** Requests that won (changed state); losers by the error code they got. */
  readonly winners: number
  readonly losers: Readonly<Record<string, number>>
  /** Some serial order explains every answer and the state after. */
  readonly linearizable: boolean
  /** More requests won than any serial order lets win. */
  readonly doubleWinner: boolean
  /** A setup request answered other than the model says (a serial bug, not a race). */
  readonly setupMismatch?: string
}

export interface RaceFigures {
  readonly races: number
  readonly nonLinearizable: number
  readonly doubleWinners: number
  readonly winners: number
  readonly losers: Readonly<Record<string, number>>
  readonly failures: readonly string[]
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}

const verbs: readonly Verb[] = ['accept', 'reject', 'delete', 'modify']

export class PeeringRaces {
  private readonly rng: Random
  private readonly clients: { [account: string]: EC2Client }[]
  private vpcIds: string[] = []
  private readonly totals = {
    races: 0,
    nonLinearizable: 0,
    doubleWinners: 0,
    winners: 0,
    losers: {} as Record<string, number>,
    failures: [] as string[],
  }

  constructor(
    private readonly servers: readonly [TestServer, TestServer],
    seed: number,
  ) {
    this.rng = new Random(seed)
    this.clients = servers.map((server) =>
      Object.fromEntries(
        [A, B, C].map((account) => [account, ec2Client(server.url, { accountId: account })]),
      ),
    )
  }

  get figures(): RaceFigures {
    return { ...this.totals, losers: { ...this.totals.losers }, failures: [...this.totals.failures] }
  }

  close() {
    for (const clients of this.clients) for (const client of Object.values(clients)) client.destroy()
  }

  private client(server: number, account: string) {
    return this.clients[server]![account]!
  }

  private async send(request: Request, ids: readonly string[]): Promise<Answer> {
    try {
      if (request.kind === 'create') {
        const out = await this.client(request.server, VPCS[request.from]!.owner).send(
          new CreateVpcPeeringConnectionCommand({
            VpcId: this.vpcIds[request.from],
            PeerVpcId: this.vpcIds[request.to],
            PeerOwnerId: VPCS[request.to]!.owner,
          }),
        )
        return { code: 'ok', id: out.VpcPeeringConnection!.VpcPeeringConnectionId! }
      }
      const client = this.client(request.server, request.caller)
      const input = { VpcPeeringConnectionId: ids[request.target] }
      switch (request.verb) {
        case 'accept':
          await client.send(new AcceptVpcPeeringConnectionCommand(input))
          break
        case 'reject':
          await client.send(new RejectVpcPeeringConnectionCommand(input))
          break
        case 'delete':
          await client.send(new DeleteVpcPeeringConnectionCommand(input))
          break
        case 'modify':
          await client.send(
            new ModifyVpcPeeringConnectionOptionsCommand({
              ...input,
              RequesterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: false },
            }),
          )
      }
      return { code: 'ok' }
    } catch (error) {
      return { code: (error as Error).name }
    }
  }

  /**
   * Applies one request to the model as a serial execution would. Returns whether the answer
   * is the one the model gives and whether the request won (changed state).
   */
  private step(model: PeeringModel, request: Request, answer: Answer, ids: readonly string[]) {
    if (request.kind === 'create') {
      const want = expectedCreate(model, request.from, request.to)
      if (want.code !== answer.code) return { agrees: false, won: false }
      if (want.code !== 'ok') return { agrees: true, won: false }
      if (want.duplicateOf) return { agrees: answer.id === want.duplicateOf, won: false }
      if (model.peerings.some((p) => p.id === answer.id)) return { agrees: false, won: false }
      recordCreate(model, answer.id!, request.from, request.to)
      return { agrees: true, won: true }
    }
    const p = model.peerings.find((candidate) => candidate.id === ids[request.target])!
    const want = expectedAct(model, p, request.verb, request.caller)
    if (want.code !== answer.code) return { agrees: false, won: false }
    if (want.next) applyAct(model, p, want.next, request.caller)
    return { agrees: true, won: want.next !== undefined }
  }

  /** The VPCs (made once) and no connections: every race starts from the same state. */
  private async fresh(): Promise<PeeringModel> {
    if (this.vpcIds.length === 0) {
      await this.servers[0].store.reset()
      for (const vpc of VPCS) {
        const out = await this.client(0, vpc.owner).send(new CreateVpcCommand({ CidrBlock: vpc.cidr }))
        this.vpcIds.push(out.Vpc!.VpcId!)
      }
    } else {
      await this.servers[0].store.write(async (tx) => {
        for (const peering of await tx.list(PEERING_KIND)) await tx.remove(peering)
      })
    }
    return newModel(VPCS, this.servers[0].clock.now().getTime(), RACE_LIMITS)
  }

  private pickCreate(server = this.rng.int(0, 1)): Request {
    const from = this.rng.int(0, VPCS.length - 1)
    let to = this.rng.int(0, VPCS.length - 1)
    if (to === from && this.rng.chance(0.8)) to = (to + 2) % VPCS.length
    return { kind: 'create', from, to, server }
  }

  private pickAct(target: number, model: PeeringModel, ids: readonly string[]): Request {
    const p = model.peerings.find((candidate) => candidate.id === ids[target])!
    const parties = [VPCS[p.requesterVpc]!.owner, VPCS[p.accepterVpc]!.owner]
    const caller = this.rng.chance(0.05) ? C : this.rng.pick(parties)
    return { kind: 'act', verb: this.rng.pick(verbs), caller, target, server: this.rng.int(0, 1) }
  }

  /** A setup that leaves connections to race on, and the requests that race. */
  private async prepare(model: PeeringModel) {
    const ids: string[] = []
    const setup: Request[] = []
    const shape = this.rng.pick(['one connection', 'creates', 'accepts'] as const)
    if (shape === 'accepts') {
      // Two requests that cannot both be accepted: the same pair both ways (one connection per
      // pair), or two pairs sharing a VPC (one active connection per VPC).
      const [x, y, z] = [this.rng.pick([0, 1]), this.rng.pick([2, 3]), this.rng.pick([1, 3, 4])]
      setup.push({ kind: 'create', from: x, to: y, server: 0 })
      setup.push(
        this.rng.chance(0.5)
          ? { kind: 'create', from: y, to: x, server: 1 }
          : { kind: 'create', from: x, to: z === x ? 2 : z, server: 1 },
      )
    } else {
      const creates = shape === 'one connection' ? 1 : this.rng.int(0, 3)
      for (let i = 0; i < creates; i++) setup.push(this.pickCreate(0))
    }
    // Some connections are accepted before the race, so delete and modify race on active ones.
    const acceptances = shape === 'accepts' ? 0 : this.rng.int(0, 1)
    const history: string[] = []
    for (const request of setup) {
      const answer = await this.send(request, ids)
      history.push(`${show(request, ids)}=${answer.code}`)
      if (!this.step(model, request, answer, ids).agrees)
        return { mismatch: `setup ${history.join(' ')}`, ids, race: [] }
      if (answer.id && !ids.includes(answer.id)) ids.push(answer.id)
    }
    for (let i = 0; i < acceptances && ids.length > 0; i++) {
      const target = this.rng.int(0, ids.length - 1)
      const p = model.peerings.find((candidate) => candidate.id === ids[target])!
      const accept: Request = {
        kind: 'act',
        verb: 'accept',
        caller: VPCS[p.accepterVpc]!.owner,
        target,
        server: 1,
      }
      const answer = await this.send(accept, ids)
      history.push(`${show(accept, ids)}=${answer.code}`)
      if (!this.step(model, accept, answer, ids).agrees)
        return { mismatch: `setup ${history.join(' ')}`, ids, race: [] }
    }
    const size = this.rng.int(2, 3)
    const race: Request[] = []
    for (let i = 0; i < size; i++) {
      if (shape === 'creates' || ids.length === 0) {
        // Half the time the same pair again, so the duplicate rule and the quota race.
        const previous = race.find((r) => r.kind === 'create')
        race.push(
          previous && this.rng.chance(0.5) ? { ...previous, server: this.rng.int(0, 1) } : this.pickCreate(),
        )
      } else if (shape === 'accepts' && this.rng.chance(0.6)) {
        const target = this.rng.int(0, ids.length - 1)
        const p = model.peerings.find((candidate) => candidate.id === ids[target])!
        race.push({
          kind: 'act',
          verb: 'accept',
          caller: VPCS[p.accepterVpc]!.owner,
          target,
          server: this.rng.int(0, 1),
        })
      } else {
        race.push(this.pickAct(shape === 'one connection' ? 0 : this.rng.int(0, ids.length - 1), model, ids))
      }
    }
    return { ids, race, setupHistory: history.join(' ') }
  }

  /** One race from a fresh database; never throws for a broken promise, it reports it. */
  async race(): Promise<RaceReport> {
    const model = await this.fresh()
    const { ids, race, mismatch, setupHistory } = await this.prepare(model)
    if (mismatch) return this.record({ history: mismatch, setupMismatch: mismatch })
    const answers = await Promise.all(race.map((request) => this.send(request, ids)))
    const history = `${setupHistory} | ${race.map((r, i) => `${show(r, ids)}=${answers[i]!.code}`).join(' ')}`

    const seen = await Promise.all(
      [A, B].map(async (account) => {
        const out = await this.client(this.rng.int(0, 1), account).send(
          new DescribeVpcPeeringConnectionsCommand({}),
        )
        return Object.fromEntries(
          (out.VpcPeeringConnections ?? []).map((p) => [p.VpcPeeringConnectionId, p.Status?.Code]),
        )
      }),
    )
    const order = race.map((_, i) => i)
    let linearizable = false
    let serialWinners = 0
    for (const permutation of permutations(order)) {
      // The most winners a serial order allows, whatever the answers were.
      const alone = cloneModel(model)
      let won = 0
      for (const i of permutation) {
        const request = race[i]!
        const ownAnswer = this.modelAnswer(alone, request, ids)
        if (this.step(alone, request, ownAnswer, ids).won) won++
      }
      serialWinners = Math.max(serialWinners, won)

      const candidate = cloneModel(model)
      const agrees = permutation.every((i) => this.step(candidate, race[i]!, answers[i]!, ids).agrees)
      if (!agrees) continue
      const states = [A, B].map((account) => visibleStates(candidate, account))
      if (JSON.stringify(states) === JSON.stringify(seen)) linearizable = true
    }
    // A new connection wins once, however many concurrent creates answered with it.
    const winners = new Set(
      answers.flatMap((answer, i) => {
        const request = race[i]!
        if (answer.code !== 'ok' || (request.kind === 'act' && request.verb === 'modify')) return []
        if (request.kind === 'act') return [`request ${i}`]
        return model.peerings.some((p) => p.id === answer.id) ? [] : [answer.id!]
      }),
    )
    const losers: Record<string, number> = {}
    for (const answer of answers)
      if (answer.code !== 'ok') losers[answer.code] = (losers[answer.code] ?? 0) + 1
    return this.record({
      history: linearizable ? history : `${history} → described ${JSON.stringify(seen)}`,
      winners: winners.size,
      losers,
      linearizable,
      doubleWinner: winners.size > serialWinners,
    })
  }

  /** The answer the model gives (a fresh id for a new connection). */
  private modelAnswer(model: PeeringModel, request: Request, ids: readonly string[]): Answer {
    if (request.kind === 'create') {
      const want = expectedCreate(model, request.from, request.to)
      if (want.code !== 'ok') return { code: want.code }
      return { code: 'ok', id: want.duplicateOf ?? `pcx-model-${model.peerings.length}` }
    }
    const p = model.peerings.find((candidate) => candidate.id === ids[request.target])!
    return { code: expectedAct(model, p, request.verb, request.caller).code }
  }

  private record(report: Partial<RaceReport> & { history: string }): RaceReport {
    const full: RaceReport = {
      winners: 0,
      losers: {},
      linearizable: report.setupMismatch === undefined,
      doubleWinner: false,
      ...report,
    }
    const t = this.totals
    t.races++
    t.winners += full.winners
    for (const [code, n] of Object.entries(full.losers)) t.losers[code] = (t.losers[code] ?? 0) + n
    if (!full.linearizable) {
      t.nonLinearizable++
      t.failures.push(full.history)
    }
    if (full.doubleWinner) t.doubleWinners++
    return full
  }
}

/** Two servers, each with its own connection pool and clock, on the one PostgreSQL database at `url`. */
export async function twoServers(
  url: string,
  settings: Partial<Settings>,
): Promise<{ servers: [TestServer, TestServer]; close(): Promise<void> }> {
  const stores = [await openStore({ databaseUrl: url }), await openStore({ databaseUrl: url })]
  const servers = [
    await startTestServer({ store: stores[0]!, settings }),
    await startTestServer({ store: stores[1]!, settings }),
  ] as [TestServer, TestServer]
  return {
    servers,
    async close() {
      for (const server of servers) await server.close()
      for (const store of stores) await store.close()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Both clocks moved at once, both sweepers running

/** How long the short transitional states last on the clock servers. */
export const TRANSITION_MS = 60_000
export const CLOCK_SETTINGS: Partial<Settings> = { peeringTransitionMs: TRANSITION_MS }

const EU = 'eu-west-1'
const DAY_S = 24 * 3600

export interface ClockReport {
  /** Steps at which a connection was forgotten twice, or a server described what the other did not. */
  readonly failures: readonly string[]
  /** Records both sweepers forgot in all: each once. */
  readonly forgotten: number
  /** Whether the accept that raced the expiry won. */
  readonly acceptWon: boolean | undefined
}

/**
 * One timeline on two servers whose clocks are moved together and whose sweepers then run at
 * once: a cross-account request that becomes pending and then expires, an inter-region one
 * accepted (provisioning → active) and deleted (deleting → deleted), and one rejected. After
 * every move both servers describe the same states, which are the spec's, and each record
 * past every window is forgotten exactly once. At the expiry an accept may race the move.
 */
export async function clockAndSweepers(
  servers: readonly [TestServer, TestServer],
  rng: Random,
): Promise<ClockReport> {
  const failures: string[] = []
  const client = (server: number, accountId: string, region = 'us-east-1') =>
    ec2Client(servers[server]!.url, { accountId, region })
  const clients = [0, 1].map((s) => ({ a: client(s, A), b: client(s, B), bEu: client(s, B, EU) }))
  const a = clients[0]!.a
  const vpc = async (c: EC2Client, cidr: string) =>
    (await c.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!
  const [a1, a2, b1, b2] = [
    await vpc(a, '10.1.0.0/16'),
    await vpc(a, '10.2.0.0/16'),
    await vpc(clients[0]!.b, '10.3.0.0/16'),
    await vpc(clients[0]!.bEu, '10.4.0.0/16'),
  ]
  const request = async (vpcId: string, peerVpcId: string, peerRegion?: string) =>
    (
      await a.send(
        new CreateVpcPeeringConnectionCommand({
          VpcId: vpcId,
          PeerVpcId: peerVpcId,
          PeerOwnerId: B,
          ...(peerRegion ? { PeerRegion: peerRegion } : {}),
        }),
      )
    ).VpcPeeringConnection!.VpcPeeringConnectionId!
  const expiring = await request(a1, b1)
  const inter = await request(a2, b2, EU)
  const rejected = await request(a1, b2, EU)
  const ids = { expiring, inter, rejected }
  let forgotten = 0

  /** Moves both clocks at once (each move also sweeps), then compares what each server shows. */
  const step = async (
    label: string,
    seconds: number,
    expected: Record<string, { a?: string; b?: string }>,
    alongside?: () => Promise<unknown>,
    /** How long the moves wait after `alongside` starts, so either may land first. */
    delayMs = 0,
  ) => {
    const [moved] = await Promise.all([
      Promise.all(
        servers.map(async (server) => {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs))
          const response = await fetch(`${server.url}/_vpcpeer/clock?advanceSeconds=${seconds}`, {
            method: 'POST',
          })
          return ((await response.json()) as { forgotten: number }).forgotten
        }),
      ),
      alongside?.(),
    ])
    forgotten += moved.reduce((sum, n) => sum + n, 0)
    for (const server of [0, 1]) {
      const describe = async (c: EC2Client) =>
        Object.fromEntries(
          ((await c.send(new DescribeVpcPeeringConnectionsCommand({}))).VpcPeeringConnections ?? []).map(
            (p) => [p.VpcPeeringConnectionId, `${p.Status?.Code}: ${p.Status?.Message}`],
          ),
        )
      const { a: ac, b: bc, bEu } = clients[server]!
      const seen = { a: await describe(ac), b: { ...(await describe(bc)), ...(await describe(bEu)) } }
      for (const [name, want] of Object.entries(expected)) {
        const id = ids[name as keyof typeof ids]
        for (const side of ['a', 'b'] as const) {
          if (seen[side][id] !== want[side]) {
            failures.push(
              `${label}: server ${server} shows ${name} to ${side} as ${seen[side][id]}, expected ${want[side]}`,
            )
          }
        }
      }
    }
    return moved
  }

  const both = (state: string) => ({ a: state, b: state })
  const pending = both(`pending-acceptance: Pending Acceptance by ${B}`)
  const transition = TRANSITION_MS / 1000
  await step('requests answered', transition + 1, { expiring: pending, inter: pending, rejected: pending })
  await clients[1]!.bEu.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: inter }))
  await clients[0]!.bEu.send(new RejectVpcPeeringConnectionCommand({ VpcPeeringConnectionId: rejected }))
  const rejectedBy = `rejected: Rejected by ${B}`
  await step('accepted becomes active', transition, {
    inter: both('active: Active'),
    rejected: both(rejectedBy),
  })
  await clients[1]!.a.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: inter }))
  const deletedBy = both(`deleted: Deleted by ${A}`)
  await step('deleting becomes deleted', transition, { inter: deletedBy })
  // Now ~3 transitions in; the rejection (2 h for B, 2 days for A) and the deletion (2 h for A,
  // 2 days for B) pass every window before the request expires at 7 days.
  const elapsed = 3 * transition + 1
  await step('2 hours on', 2 * 3600, { inter: { b: deletedBy.b }, rejected: { a: rejectedBy } })
  const before = forgotten
  await step('2 days on', 2 * DAY_S, { expiring: pending, inter: {}, rejected: {} })
  if (forgotten - before !== 2)
    failures.push(`2 days on: ${forgotten - before} records forgotten, expected 2`)

  // The expiry, perhaps raced by an accept sent to either server while both clocks move.
  let acceptWon: boolean | undefined
  const race = rng.chance(0.5)
    ? async () => {
        const c = clients[rng.int(0, 1)]!.b
        acceptWon = await c
          .send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: expiring }))
          .then(
            () => true,
            (error: Error) => {
              if (error.name !== 'InvalidStateTransition')
                failures.push(`the accept racing expiry answered ${error.name}`)
              return false
            },
          )
      }
    : undefined
  // The move ends a second past the expiry, so the accept lands before or after it.
  const toExpiry = 7 * DAY_S + 1 - elapsed - 2 * 3600 - 2 * DAY_S
  // An SDK call takes a few milliseconds longer than a bare POST: the moves wait 0–8 ms.
  const atExpiry = await step('7 days after the request', toExpiry, {}, race, rng.int(0, 8))
  const expiringState = acceptWon ? both('active: Active') : both('expired: Expired')
  await step('just past the expiry', 0, { expiring: expiringState })
  const beforeLast = forgotten
  await step('2 more days on', 2 * DAY_S, { expiring: acceptWon ? expiringState : {} })
  const last = forgotten - beforeLast
  if (last !== (acceptWon ? 0 : 1)) failures.push(`2 days after the expiry: ${last} records forgotten`)
  if (atExpiry.some((n) => n !== 0)) failures.push(`at the expiry: forgot ${atExpiry}`)
  for (const c of clients) for (const x of Object.values(c)) x.destroy()
  return { failures, forgotten, acceptWon }
}

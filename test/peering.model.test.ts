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
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

/**
 * A model-based test of the peering lifecycle: random sequences of requests by random accounts
 * and clock jumps, checked after every step against a small model written here from the spec
 * (§2.8 permissions, §3 states and visibility windows), independently of src/.
 */

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const
type Account = (typeof ACCOUNTS)[number]
const HOUR = 3600_000
const DAY = 24 * HOUR

/** Fixed VPCs per run: v0 and v2 overlap; the rest do not. */
const VPC_PLAN: readonly { owner: Account; cidr: string }[] = [
  { owner: ACCOUNTS[0], cidr: '10.1.0.0/16' },
  { owner: ACCOUNTS[0], cidr: '10.2.0.0/16' },
  { owner: ACCOUNTS[0], cidr: '10.1.128.0/17' },
  { owner: ACCOUNTS[1], cidr: '10.3.0.0/16' },
  { owner: ACCOUNTS[1], cidr: '10.4.0.0/16' },
]

type State = 'pending-acceptance' | 'active' | 'rejected' | 'deleted' | 'failed' | 'expired'

interface ModelPeering {
  id: string
  requesterVpc: number
  accepterVpc: number
  state: State
  createdAt: number
  changedAt: number
  actor?: Account
}

interface Model {
  now: number
  peerings: ModelPeering[]
}

interface Real {
  clients: Record<Account, EC2Client>
  vpcIds: string[]
  server: TestServer
}

const ownerOf = (vpc: number) => VPC_PLAN[vpc]!.owner
const overlapping = (x: number, y: number) => (x === 0 && y === 2) || (x === 2 && y === 0)

/** The state at the model's time: unanswered requests expire after seven days. */
function stateAt(model: Model, p: ModelPeering): { state: State; since: number } {
  if (p.state === 'pending-acceptance' && model.now >= p.createdAt + 7 * DAY) {
    return { state: 'expired', since: p.createdAt + 7 * DAY }
  }
  return { state: p.state, since: p.changedAt }
}

/** Whether `account` still sees the connection (spec §3.3). */
function visible(model: Model, p: ModelPeering, account: Account): boolean {
  const requester = ownerOf(p.requesterVpc)
  const accepter = ownerOf(p.accepterVpc)
  if (account !== requester && account !== accepter) return false
  const same = requester === accepter
  const isAccepter = account === accepter && !same
  const { state, since } = stateAt(model, p)
  const age = model.now - since
  switch (state) {
    case 'failed':
      return !isAccepter && age < 2 * HOUR
    case 'expired':
      return age < 2 * DAY
    case 'rejected':
      return age < (same || isAccepter ? 2 * HOUR : 2 * DAY)
    case 'deleted':
      return age < (same || p.actor === account ? 2 * HOUR : 2 * DAY)
    default:
      return true
  }
}

async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call
    return 'ok'
  } catch (error) {
    return (error as Error).name
  }
}

class Create implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly requesterVpc: number,
    readonly accepterVpc: number,
  ) {}
  check = () => true
  async run(model: Model, real: Real) {
    const caller = ownerOf(this.requesterVpc)
    const call = real.clients[caller].send(
      new CreateVpcPeeringConnectionCommand({
        VpcId: real.vpcIds[this.requesterVpc],
        PeerVpcId: real.vpcIds[this.accepterVpc],
        PeerOwnerId: ownerOf(this.accepterVpc),
      }),
    )
    if (this.requesterVpc === this.accepterVpc) {
      expect(await outcome(call)).toBe('InvalidParameterValue')
      return
    }
    const created = (await call).VpcPeeringConnection!
    const duplicate = model.peerings.find(
      (p) =>
        p.requesterVpc === this.requesterVpc &&
        p.accepterVpc === this.accepterVpc &&
        ['pending-acceptance', 'active'].includes(stateAt(model, p).state),
    )
    if (duplicate) {
      expect(created.VpcPeeringConnectionId).toBe(duplicate.id)
      return
    }
    expect(model.peerings.some((p) => p.id === created.VpcPeeringConnectionId)).toBe(false)
    model.peerings.push({
      id: created.VpcPeeringConnectionId!,
      requesterVpc: this.requesterVpc,
      accepterVpc: this.accepterVpc,
      state: overlapping(this.requesterVpc, this.accepterVpc) ? 'failed' : 'pending-acceptance',
      createdAt: model.now,
      changedAt: model.now,
    })
  }
  toString = () => `create(v${this.requesterVpc}→v${this.accepterVpc})`
}

type Verb = 'accept' | 'reject' | 'delete' | 'modify'

class Act implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly verb: Verb,
    readonly caller: Account,
    readonly pick: number,
  ) {}
  check = (model: Readonly<Model>) => model.peerings.length > 0
  /** What AWS answers, by the permission matrix of spec §2.8. */
  expected(model: Model, p: ModelPeering): { code: string; next?: State } {
    if (!visible(model, p, this.caller)) return { code: 'InvalidVpcPeeringConnectionID.NotFound' }
    const { state } = stateAt(model, p)
    const isRequester = this.caller === ownerOf(p.requesterVpc)
    const isAccepter = this.caller === ownerOf(p.accepterVpc)
    switch (this.verb) {
      case 'accept':
      case 'reject':
        if (!isAccepter) return { code: 'OperationNotPermitted' }
        if (state !== 'pending-acceptance') return { code: 'InvalidStateTransition' }
        if (this.verb === 'reject') return { code: 'ok', next: 'rejected' }
        if (
          model.peerings.some(
            (o) =>
              o !== p &&
              stateAt(model, o).state === 'active' &&
              [o.requesterVpc, o.accepterVpc].sort().join() === [p.requesterVpc, p.accepterVpc].sort().join(),
          )
        ) {
          return { code: 'VpcPeeringConnectionAlreadyExists' }
        }
        return { code: 'ok', next: 'active' }
      case 'delete':
        if (state !== 'active' && state !== 'pending-acceptance') return { code: 'InvalidStateTransition' }
        if (state === 'pending-acceptance' && !isRequester) return { code: 'OperationNotPermitted' }
        return { code: 'ok', next: 'deleted' }
      case 'modify':
        if (state !== 'active' || !isRequester) return { code: 'OperationNotPermitted' }
        return { code: 'ok' }
    }
  }
  async run(model: Model, real: Real) {
    const p = model.peerings[this.pick % model.peerings.length]!
    const client = real.clients[this.caller]
    const input = { VpcPeeringConnectionId: p.id }
    const call =
      this.verb === 'accept'
        ? client.send(new AcceptVpcPeeringConnectionCommand(input))
        : this.verb === 'reject'
          ? client.send(new RejectVpcPeeringConnectionCommand(input))
          : this.verb === 'delete'
            ? client.send(new DeleteVpcPeeringConnectionCommand(input))
            : client.send(
                new ModifyVpcPeeringConnectionOptionsCommand({
                  ...input,
                  RequesterPeeringConnectionOptions: { AllowDnsResolutionFromRemoteVpc: false },
                }),
              )
    const want = this.expected(model, p)
    expect(await outcome(call)).toBe(want.code)
    if (want.next) {
      const current = stateAt(model, p)
      if (current.state !== p.state) Object.assign(p, { state: current.state, changedAt: current.since })
      Object.assign(p, { state: want.next, changedAt: model.now, actor: this.caller })
    }
  }
  toString = () => `${this.verb}(${this.caller}, #${this.pick})`
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true
  async run(model: Model, real: Real) {
    real.server.clock.advance(this.ms)
    model.now += this.ms
  }
  toString = () => `advance(${this.ms / HOUR}h)`
}

/** After every step, each account's DescribeVpcPeeringConnections agrees with the model. */
async function agrees(model: Model, real: Real) {
  for (const account of ACCOUNTS) {
    const out = await real.clients[account].send(new DescribeVpcPeeringConnectionsCommand({}))
    const seen = Object.fromEntries(
      (out.VpcPeeringConnections ?? []).map((p) => [p.VpcPeeringConnectionId, p.Status?.Code]),
    )
    const expected = Object.fromEntries(
      model.peerings.filter((p) => visible(model, p, account)).map((p) => [p.id, stateAt(model, p).state]),
    )
    expect(seen, `as seen by ${account}`).toEqual(expected)
  }
}

const checked = (command: fc.AsyncCommand<Model, Real>): fc.AsyncCommand<Model, Real> => ({
  check: (m) => command.check(m),
  run: async (m, r) => {
    await command.run(m, r)
    await agrees(m, r)
  },
  toString: () => command.toString(),
})

const vpcIndex = fc.integer({ min: 0, max: VPC_PLAN.length - 1 })
const commands = fc.commands(
  [
    fc.tuple(vpcIndex, vpcIndex).map(([x, y]) => checked(new Create(x, y))),
    fc
      .tuple(
        fc.constantFrom<Verb>('accept', 'reject', 'delete', 'modify'),
        fc.constantFrom(...ACCOUNTS),
        fc.nat(50),
      )
      .map(([verb, caller, pick]) => checked(new Act(verb, caller, pick))),
    fc.constantFrom(1, 3, 25, 49, 7 * 24).map((hours) => checked(new Advance(hours * HOUR))),
  ],
  { maxCommands: 25 },
)

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => server.close())

describe('peering lifecycle model', () => {
  it('never reaches a state AWS forbids, and Describe always agrees with the model', async () => {
    const clients = Object.fromEntries(
      ACCOUNTS.map((a) => [a, ec2Client(server.url, { accountId: a })]),
    ) as Record<Account, EC2Client>
    await fc.assert(
      fc.asyncProperty(commands, async (cmds) => {
        await server.store.reset()
        const vpcIds: string[] = []
        for (const plan of VPC_PLAN) {
          vpcIds.push(
            (await clients[plan.owner].send(new CreateVpcCommand({ CidrBlock: plan.cidr }))).Vpc!.VpcId!,
          )
        }
        const start = server.clock.now().getTime()
        await fc.asyncModelRun(
          () => ({ model: { now: start, peerings: [] }, real: { clients, vpcIds, server } }),
          cmds,
        )
      }),
      { numRuns: 150 },
    )
  })
})

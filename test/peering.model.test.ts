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
import {
  applyAct,
  expectedAct,
  expectedCreate,
  HOUR,
  type ModelVpc,
  newModel,
  type PeeringModel,
  recordCreate,
  type Verb,
  visibleStates,
} from './support/peering-model.js'
import { ec2Client, startTestServer, type TestServer } from './support/server.js'

/**
 * A model-based test of the peering lifecycle: random sequences of requests by random accounts
 * and clock jumps, checked after every step against the model in support/peering-model.ts
 * (written from the spec, independently of src/).
 */

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'] as const
type Account = (typeof ACCOUNTS)[number]

/** Fixed VPCs per run: v0 and v2 overlap; the rest do not. */
const VPC_PLAN: readonly ModelVpc[] = [
  { owner: ACCOUNTS[0], cidr: '10.1.0.0/16' },
  { owner: ACCOUNTS[0], cidr: '10.2.0.0/16' },
  { owner: ACCOUNTS[0], cidr: '10.1.128.0/17' },
  { owner: ACCOUNTS[1], cidr: '10.3.0.0/16' },
  { owner: ACCOUNTS[1], cidr: '10.4.0.0/16' },
]

type Model = PeeringModel

interface Real {
  clients: Record<Account, EC2Client>
  vpcIds: string[]
  server: TestServer
}

const ownerOf = (vpc: number) => VPC_PLAN[vpc]!.owner as Account

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
    const want = expectedCreate(model, this.requesterVpc, this.accepterVpc)
    if (want.code !== 'ok') {
      expect(await outcome(call)).toBe(want.code)
      return
    }
    const created = (await call).VpcPeeringConnection!
    if (want.duplicateOf) {
      expect(created.VpcPeeringConnectionId).toBe(want.duplicateOf)
      return
    }
    expect(model.peerings.some((p) => p.id === created.VpcPeeringConnectionId)).toBe(false)
    recordCreate(model, created.VpcPeeringConnectionId!, this.requesterVpc, this.accepterVpc)
  }
  toString = () => `create(v${this.requesterVpc}→v${this.accepterVpc})`
}

class Act implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly verb: Verb,
    readonly caller: Account,
    readonly pick: number,
  ) {}
  check = (model: Readonly<Model>) => model.peerings.length > 0
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
    const want = expectedAct(model, p, this.verb, this.caller)
    expect(await outcome(call)).toBe(want.code)
    if (want.next) applyAct(model, p, want.next, this.caller)
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
    expect(seen, `as seen by ${account}`).toEqual(visibleStates(model, account))
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
            (await clients[plan.owner as Account].send(new CreateVpcCommand({ CidrBlock: plan.cidr }))).Vpc!
              .VpcId!,
          )
        }
        const start = server.clock.now().getTime()
        await fc.asyncModelRun(
          () => ({ model: newModel(VPC_PLAN, start), real: { clients, vpcIds, server } }),
          cmds,
        )
      }),
      { numRuns: 150 },
    )
  })
})

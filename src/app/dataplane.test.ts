import { describe, expect, it } from 'vitest'
import { EstateBuilder } from '../dataplane/test-estate.js'
import type { Estate } from '../dataplane/types.js'
import type { PeeringConnection } from '../domain/peering.js'
import type { Stored, Transaction } from '../ports/store.js'
import type { Context } from './context.js'
import { currentSnapshot, loadEstate, nextPeeringChange, resolveSource } from './dataplane.js'
import { kinds } from './resources.js'

const T0 = new Date('2026-01-01T00:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

/** A store holding an estate: only `list` and `revision` are needed to load one. */
function storeOf(estate: Estate) {
  const stored = <T>(
    kind: { type: string },
    items: readonly T[],
    idOf: (item: T) => string,
    region = 'us-east-1',
  ) =>
    [
      kind.type,
      items.map(
        (body): Stored<T> => ({
          id: idOf(body),
          kind: kind.type,
          owner: { accountId: '111111111111', region },
          version: 1,
          createdRevision: 1,
          body,
        }),
      ),
    ] as const
  const records = new Map<string, readonly Stored<unknown>[]>([
    stored(kinds.vpc, estate.vpcs, (v) => v.vpcId),
    stored(kinds.subnet, estate.subnets, (s) => s.subnetId),
    stored(kinds.routeTable, estate.routeTables, (t) => t.routeTableId),
    stored(kinds.securityGroup, estate.securityGroups, (g) => g.groupId),
    stored(kinds.networkAcl, estate.networkAcls, (a) => a.networkAclId),
    stored(kinds.peering, estate.peerings, (p) => p.vpcPeeringConnectionId),
    stored(kinds.internetGateway, estate.internetGateways, (g) => g.internetGatewayId, 'eu-west-1'),
    stored(
      kinds.egressOnlyInternetGateway,
      estate.egressOnlyInternetGateways,
      (g) => g.egressOnlyInternetGatewayId,
    ),
    stored(kinds.natGateway, estate.natGateways, (g) => g.natGatewayId),
    stored(kinds.vpnGateway, estate.vpnGateways, (g) => g.vpnGatewayId),
    stored(kinds.networkInterface, estate.networkInterfaces, (e) => e.networkInterfaceId),
  ])
  // `changed` stands for a write transaction that has already changed resources.
  const state = { revision: 1, lists: 0, changed: false }
  const memo = new Map<string, unknown>()
  const context = (now: Date): Context => {
    const tx: Pick<Transaction, 'revision' | 'stateRevision' | 'list'> = {
      revision: state.revision,
      stateRevision: state.changed ? undefined : state.revision,
      list: async <T>(kind: string) => {
        state.lists++
        return (records.get(kind) ?? []) as Stored<T>[]
      },
    }
    return { tx: tx as Transaction, now, memo } as unknown as Context
  }
  return { state, context }
}

function estateWithPeering(peering: Partial<PeeringConnection>) {
  const b = new EstateBuilder(T0)
  const left = b.vpc('10.1.0.0/16')
  const right = b.vpc('10.2.0.0/16')
  b.interface(b.subnet(left, '10.1.1.0/24'), '10.1.1.10', { instanceId: 'i-0left' })
  b.internetGateway(left)
  const base = b.peering(left, right)
  b.replace({ ...base, ...peering })
  return { estate: b.build(), peeringId: base.vpcPeeringConnectionId }
}

describe('loadEstate', () => {
  it('loads every kind, settles peerings to the clock and notes gateway regions', async () => {
    const { estate, peeringId } = estateWithPeering({
      status: { code: 'pending-acceptance', message: 'Pending Acceptance by 111111111111' },
      expirationTime: at(10).toISOString(),
    })
    const { context } = storeOf(estate)
    const before = await loadEstate(context(at(5)))
    expect(before.peerings[0]!.status.code).toBe('pending-acceptance')
    expect(before.networkInterfaces).toHaveLength(1)
    const after = await loadEstate(context(at(11)))
    expect(after.peerings.find((p) => p.vpcPeeringConnectionId === peeringId)!.status.code).toBe('expired')
    const gatewayId = estate.internetGateways[0]!.internetGatewayId
    expect(after.regions?.get(gatewayId)).toBe('eu-west-1')
  })
})

describe('currentSnapshot', () => {
  it('is reused while the revision stands, and rebuilt when it moves', async () => {
    const { estate } = estateWithPeering({})
    const { state, context } = storeOf(estate)
    const first = await currentSnapshot(context(at(0)))
    const listsPerBuild = state.lists
    expect(await currentSnapshot(context(at(60)))).toBe(first)
    expect(state.lists).toBe(listsPerBuild)
    state.revision = 2
    const second = await currentSnapshot(context(at(60)))
    expect(second).not.toBe(first)
    expect(state.lists).toBe(2 * listsPerBuild)
  })

  it('is never cached for a transaction that has changed resources, which may still roll back', async () => {
    const { estate } = estateWithPeering({})
    const { state, context } = storeOf(estate)
    state.changed = true
    const own = await currentSnapshot(context(at(0)))
    const listsPerBuild = state.lists
    expect(await currentSnapshot(context(at(0)))).not.toBe(own)
    state.changed = false
    await currentSnapshot(context(at(0)))
    expect(state.lists).toBe(3 * listsPerBuild)
    expect(await currentSnapshot(context(at(0)))).toBe(await currentSnapshot(context(at(0))))
  })

  it('is rebuilt once the clock passes a pending peering change, with no write', async () => {
    const { estate, peeringId } = estateWithPeering({
      status: { code: 'provisioning', message: 'Provisioning' },
      next: { code: 'active', at: at(2).toISOString() },
    })
    const { context } = storeOf(estate)
    const early = await currentSnapshot(context(at(1)))
    expect(early.peerings.get(peeringId)!.active).toBe(false)
    expect(await currentSnapshot(context(at(1.5)))).toBe(early)
    const late = await currentSnapshot(context(at(3)))
    expect(late.peerings.get(peeringId)!.active).toBe(true)
    expect(await currentSnapshot(context(at(100)))).toBe(late)
  })

  it('shares one build between concurrent callers', async () => {
    const { estate } = estateWithPeering({})
    const single = storeOf(estate)
    await loadEstate(single.context(at(0)))
    const { state, context } = storeOf(estate)
    const [one, two] = await Promise.all([currentSnapshot(context(at(0))), currentSnapshot(context(at(0)))])
    expect(one).toBe(two)
    expect(state.lists).toBe(single.state.lists)
  })
})

describe('nextPeeringChange', () => {
  it('is the earliest future transition or expiry of an outstanding request', () => {
    const { estate } = estateWithPeering({})
    const [peering] = estate.peerings
    const pending = {
      ...peering!,
      status: { code: 'pending-acceptance' as const, message: '' },
      expirationTime: at(30).toISOString(),
    }
    const moving = { ...peering!, next: { code: 'active' as const, at: at(20).toISOString() } }
    expect(nextPeeringChange([pending, moving], at(0))?.valueOf()).toBe(at(20).getTime())
    expect(nextPeeringChange([pending, moving], at(25))?.valueOf()).toBe(at(30).getTime())
    expect(nextPeeringChange([peering!], at(0))).toBeUndefined()
  })
})

describe('resolveSource', () => {
  it('reads an interface id, an instance id or an address', async () => {
    const { estate } = estateWithPeering({})
    const snapshot = await currentSnapshot(storeOf(estate).context(at(0)))
    const eniId = estate.networkInterfaces[0]!.networkInterfaceId
    expect(resolveSource(snapshot, eniId)).toEqual({ networkInterfaceId: eniId })
    expect(resolveSource(snapshot, 'i-0left')).toEqual({ networkInterfaceId: eniId })
    expect(resolveSource(snapshot, '10.1.1.10')).toEqual({ address: '10.1.1.10' })
    expect(resolveSource(snapshot, '10.1.1.11')).toBeUndefined()
    expect(resolveSource(snapshot, 'i-0missing')).toBeUndefined()
    expect(resolveSource(snapshot, 'eni-0missing')).toBeUndefined()
  })
})

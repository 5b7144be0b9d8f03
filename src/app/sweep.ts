import { isStillListed, type NatGateway, type VpnGateway } from '../domain/gateways.js'
import { type Instance, isListed } from '../domain/instance.js'
import { isVisibleTo, type PeeringConnection, settle } from '../domain/peering.js'
import type { Stored } from '../ports/store.js'
import type { Caller, Context, Services } from './context.js'
import { kinds } from './resources.js'
import { runUseCase } from './run.js'

/**
 * What no account can see any more: peering connections past every party's visibility window,
 * instances terminated and NAT or VPN gateways deleted over an hour ago. AWS forgets them; so
 * does vpcpeer, with their tags (which would otherwise still show in DescribeTags).
 */
export async function forgotten(ctx: Context): Promise<Stored<unknown>[]> {
  const gone = <T>(kind: { type: string }, hidden: (body: T) => boolean) =>
    ctx.tx.list<T>(kind.type).then((all) => all.filter((stored) => hidden(stored.body)))
  return [
    ...(await gone<PeeringConnection>(kinds.peering, (body) => {
      const peering = settle(body, ctx.now)
      return !isVisibleTo(peering, 'requester', ctx.now) && !isVisibleTo(peering, 'accepter', ctx.now)
    })),
    ...(await gone<Instance>(kinds.instance, (body) => !isListed(body, ctx.now))),
    ...(await gone<NatGateway>(kinds.natGateway, (body) => !isStillListed(body, ctx.now))),
    ...(await gone<VpnGateway>(kinds.vpnGateway, (body) => !isStillListed(body, ctx.now))),
  ]
}

/** Removes everything `forgotten` finds; returns how many records went. */
export async function sweep(ctx: Context): Promise<number> {
  const records = await forgotten(ctx)
  for (const record of records) await ctx.tx.remove(record)
  return records.length
}

/** The sweeper acts for no account; it only needs the time and the transaction. */
const SYSTEM: Caller = { accountId: '000000000000', region: 'aws-global', accessKeyId: '' }

/** Forgets what nobody can see any more; a write happens only when there is something to remove. */
export async function sweepForgotten(services: Services): Promise<number> {
  const candidates = await runUseCase(services, SYSTEM, {
    name: 'sweep',
    mutates: false,
    run: async (ctx) => (await forgotten(ctx)).length,
  })
  return candidates === 0 ? 0 : runUseCase(services, SYSTEM, { name: 'sweep', mutates: true, run: sweep })
}

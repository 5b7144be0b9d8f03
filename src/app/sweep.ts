import { isStillListed, type NatGateway, type VpnGateway } from '../domain/gateways.js'
import { type Instance, isListed } from '../domain/instance.js'
import { isVisibleTo, type PeeringConnection, settle } from '../domain/peering.js'
import type { Stored } from '../ports/store.js'
import type { Context } from './context.js'
import { kinds } from './resources.js'

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

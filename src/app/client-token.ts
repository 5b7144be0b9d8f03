import { errors } from '../domain/errors.js'
import type { Stored } from '../ports/store.js'
import { type Context, sameScope } from './context.js'
import type { ResourceKind } from './resources.js'

/**
 * Idempotent creates: a retry with the same ClientToken returns what the first call made,
 * provided it asks for the same thing (`sameRequest`); otherwise IdempotentParameterMismatch.
 * Undefined when the token is new (or absent).
 */
export async function earlierCreate<T extends { clientToken?: string }>(
  ctx: Context,
  kind: ResourceKind,
  token: string | undefined,
  sameRequest: (earlier: T) => boolean,
): Promise<Stored<T> | undefined> {
  if (token === undefined) return undefined
  const earlier = (await ctx.tx.list<T>(kind.type, { visibleTo: ctx.caller })).find(
    (r) => sameScope(r.owner, ctx.caller) && r.body.clientToken === token,
  )
  if (earlier && !sameRequest(earlier.body)) throw errors.idempotentParameterMismatch(token)
  return earlier
}

import type { IdSource } from '../domain/ids.js'
import type { Scope, Transaction } from '../ports/store.js'

/** Who is calling: the account and region the request was signed for. */
export interface Caller extends Scope {
  readonly accessKeyId: string
}

/** Everything a use case may touch: the caller, one open transaction, the time and new ids. */
export interface Context {
  readonly caller: Caller
  readonly tx: Transaction
  readonly now: Date
  readonly newId: IdSource
}

export const sameScope = (a: Scope, b: Scope) => a.accountId === b.accountId && a.region === b.region

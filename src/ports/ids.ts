import { createHash, randomBytes } from 'node:crypto'

/** New resource ids: the prefix, a dash and 17 lowercase hex digits, as AWS issues them today. */
export type IdSource = (prefix: string) => string

export const randomIds: IdSource = (prefix) => `${prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`

/** Hex digits derived from `seed`, for ids and addresses that must never change (at most 64). */
export const stableHex = (seed: string, digits: number) =>
  createHash('sha256').update(seed).digest('hex').slice(0, digits)

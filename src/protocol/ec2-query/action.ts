import type { Context } from '../../app/context.js'
import { bool, type Spec, type StructOf } from './params.js'

type Members = Record<string, Spec<unknown>>

/**
 * One EC2 action: its wire parameters (DryRun is added to all), whether it writes, and how it
 * turns a decoded input into the response members. A handler returning `{}` answers
 * `<return>true</return>`, as AWS does for actions without output.
 */
export interface Action<M extends Members = Members> {
  readonly params: M
  readonly mutates: boolean
  run(ctx: Context, input: StructOf<M>): Promise<Record<string, unknown>> | Record<string, unknown>
}

export const dryRunParam = { DryRun: bool() }

export const command = <M extends Members>(params: M, run: Action<M>['run']): Action<M> => ({
  params,
  mutates: true,
  run,
})

export const query = <M extends Members>(params: M, run: Action<M>['run']): Action<M> => ({
  params,
  mutates: false,
  run,
})

/** Erases the parameter type so actions of every shape share one table. */
// biome-ignore lint/suspicious/noExplicitAny: the table holds actions of every input shape; each is checked where defined.
export type AnyAction = Action<any>

import { ConflictError } from '../ports/store.js'
import type { Caller, Context, Services } from './context.js'

/** A use case as its callers name it: whether it writes, and what it does inside the transaction. */
export interface UseCase<T> {
  readonly name: string
  readonly mutates: boolean
  run(ctx: Context): Promise<T> | T
}

/** A write that loses a race (ConflictError) starts again from a fresh transaction, this often at most. */
export const WRITE_ATTEMPTS = 3

/**
 * Runs one use case for a caller: the one way every entry point (the EC2 Query API, the JSON
 * API, the sweeper) reaches the application. A read runs in a read transaction; a write in a
 * write transaction, retried from the start when it lost a race. Errors pass through unchanged.
 */
export async function runUseCase<T>(services: Services, caller: Caller, useCase: UseCase<T>): Promise<T> {
  const work = async (tx: Context['tx']) =>
    useCase.run({
      caller,
      tx,
      now: services.clock.now(),
      newId: services.newId,
      settings: services.settings,
      memo: services.memo,
      flowLogSink: services.flowLogSink,
    })
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await (useCase.mutates ? services.store.write(work) : services.store.read(work))
      services.onRun?.({ name: useCase.name, mutates: useCase.mutates, attempts: attempt, failed: false })
      return result
    } catch (error) {
      if (error instanceof ConflictError && attempt < WRITE_ATTEMPTS) continue
      services.onRun?.({ name: useCase.name, mutates: useCase.mutates, attempts: attempt, failed: true })
      throw error
    }
  }
}

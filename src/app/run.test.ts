import { describe, expect, it } from 'vitest'
import { ConflictError, type Store, type Transaction } from '../ports/store.js'
import { DEFAULT_SETTINGS, type RunReport, type Services } from './context.js'
import { runUseCase, WRITE_ATTEMPTS } from './run.js'

const caller = { accountId: '111111111111', region: 'us-east-1', accessKeyId: '111111111111' }

/** A store whose transactions are plain objects; it counts which kind each call opened. */
function countingStore() {
  const opened: ('read' | 'write')[] = []
  const open =
    (kind: 'read' | 'write') =>
    async <T>(work: (tx: Transaction) => Promise<T>) => {
      opened.push(kind)
      return work({ revision: opened.length } as unknown as Transaction)
    }
  const store = { dialect: 'sqlite', read: open('read'), write: open('write') } as unknown as Store
  return { store, opened }
}

function servicesOver(store: Store, reports: RunReport[]): Services {
  return {
    store,
    clock: { now: () => new Date('2024-05-01T00:00:00Z') },
    newId: (prefix) => `${prefix}-1`,
    settings: DEFAULT_SETTINGS,
    memo: new Map(),
    flowLogSink: { write: async () => {} },
    onRun: (report) => reports.push(report),
  }
}

describe('the use-case runner', () => {
  it('runs a read in a read transaction and a write in a write transaction, as the caller', async () => {
    const { store, opened } = countingStore()
    const reports: RunReport[] = []
    const services = servicesOver(store, reports)
    const seen = await runUseCase(services, caller, {
      name: 'DescribeVpcs',
      mutates: false,
      run: (ctx) => `${ctx.caller.accountId} at ${ctx.now.toISOString()}`,
    })
    await runUseCase(services, caller, { name: 'CreateVpc', mutates: true, run: () => 'done' })
    expect(seen).toBe('111111111111 at 2024-05-01T00:00:00.000Z')
    expect(opened).toEqual(['read', 'write'])
    expect(reports).toEqual([
      { name: 'DescribeVpcs', mutates: false, attempts: 1, failed: false },
      { name: 'CreateVpc', mutates: true, attempts: 1, failed: false },
    ])
  })

  it('starts a write again from a fresh transaction when it loses a race, and reports the attempts', async () => {
    const { store, opened } = countingStore()
    const reports: RunReport[] = []
    let tries = 0
    const result = await runUseCase(servicesOver(store, reports), caller, {
      name: 'AcceptVpcPeeringConnection',
      mutates: true,
      run: (ctx) => {
        tries++
        if (tries < 2) throw new ConflictError('pcx-1')
        return ctx.tx.revision
      },
    })
    expect(result).toBe(2)
    expect(opened).toEqual(['write', 'write'])
    expect(reports).toEqual([
      { name: 'AcceptVpcPeeringConnection', mutates: true, attempts: 2, failed: false },
    ])
  })

  it(`gives up after ${WRITE_ATTEMPTS} lost races and lets the conflict through`, async () => {
    const { store, opened } = countingStore()
    const reports: RunReport[] = []
    const losing = runUseCase(servicesOver(store, reports), caller, {
      name: 'DeleteVpc',
      mutates: true,
      run: () => {
        throw new ConflictError('vpc-1')
      },
    })
    await expect(losing).rejects.toBeInstanceOf(ConflictError)
    expect(opened).toHaveLength(WRITE_ATTEMPTS)
    expect(reports).toEqual([{ name: 'DeleteVpc', mutates: true, attempts: WRITE_ATTEMPTS, failed: true }])
  })

  it('never retries other errors', async () => {
    const { store, opened } = countingStore()
    const failing = runUseCase(servicesOver(store, []), caller, {
      name: 'CreateVpc',
      mutates: true,
      run: () => {
        throw new RangeError('no')
      },
    })
    await expect(failing).rejects.toBeInstanceOf(RangeError)
    expect(opened).toEqual(['write'])
  })
})

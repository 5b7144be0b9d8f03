import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ConflictError, type NewResource, type Scope, type Store } from '../src/ports/store.js'
import { openStore, type StoreOptions } from '../src/storage/kysely-store.js'
import { createScratchDatabase, postgresServerUrl, postgresSkipped } from './support/postgres.js'

/** A database the contract can open; opening `options` again reaches the same data. */
interface Database {
  readonly options: StoreOptions
  drop(): Promise<void>
}

interface Backend {
  /** The database the contract runs on. */
  main(): Promise<Database>
  /** Another database that may be opened more than once (for the migration check). */
  reopenable(): Promise<Database>
}

const sqliteFile = async (): Promise<Database> => {
  const dir = mkdtempSync(join(tmpdir(), 'vpcpeer-contract-'))
  return {
    options: { sqlitePath: join(dir, 'vpcpeer.db') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  }
}

const sqlite: Backend = {
  main: async () => ({ options: { sqlitePath: ':memory:' }, drop: async () => {} }),
  reopenable: sqliteFile,
}

const postgresOn = (serverUrl: string): Backend => {
  const scratch = async (): Promise<Database> => {
    const database = await createScratchDatabase(serverUrl)
    return { options: { databaseUrl: database.url }, drop: database.drop }
  }
  return { main: scratch, reopenable: scratch }
}

const OWNER: Scope = { accountId: '111111111111', region: 'us-east-1' }
const PEER: Scope = { accountId: '222222222222', region: 'eu-west-1' }
/** The owner's account in another region: a scope of its own. */
const OWNER_ELSEWHERE: Scope = { accountId: OWNER.accountId, region: 'eu-west-1' }

interface Body {
  readonly name: string
  readonly count?: number
  readonly nested?: { readonly list: readonly string[] }
}

const resource = (
  id: string,
  kind: string,
  extra: Partial<Pick<NewResource<Body>, 'owner' | 'peer' | 'vpcId'>> = {},
): NewResource<Body> => ({ id, kind, owner: OWNER, body: { name: id }, ...extra })

function storeContract(backend: Backend) {
  let store: Store
  // Undone in reverse, and only what was set up: a failed beforeAll leaves nothing behind.
  const cleanups: (() => Promise<void>)[] = []

  beforeAll(async () => {
    const database = await backend.main()
    cleanups.push(database.drop)
    store = await openStore(database.options)
    cleanups.push(() => store.close())
  })
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
  })
  /** The revision after the reset before each test: a reset moves it on, never back. */
  let base = 0
  beforeEach(async () => {
    await store.reset()
    base = await store.revision()
  })

  const ids = (list: readonly { id: string }[]) => list.map((r) => r.id)
  const insertAll = (...resources: NewResource<Body>[]) =>
    store.write(async (tx) => {
      for (const r of resources) await tx.insert(r)
    })

  it('runs its migrations again on an existing database without touching the data', async () => {
    const reopenable = await backend.reopenable()
    try {
      const first = await openStore(reopenable.options)
      await first.write(async (tx) => {
        await tx.insert(resource('vpc-1', 'vpc'))
        await tx.putTags(OWNER, 'vpc-1', [{ key: 'Name', value: 'kept' }])
      })
      await first.close()

      const second = await openStore(reopenable.options)
      try {
        expect(await second.revision()).toBe(1)
        const [vpc, tags] = await second.read(async (tx) =>
          Promise.all([tx.get<Body>('vpc', 'vpc-1'), tx.tagsOf(OWNER, ['vpc-1'])]),
        )
        expect(vpc?.body).toEqual({ name: 'vpc-1' })
        expect(tags.get('vpc-1')).toEqual([{ key: 'Name', value: 'kept' }])
        await second.write((tx) => tx.insert(resource('vpc-2', 'vpc')))
        expect(await second.revision()).toBe(2)
      } finally {
        await second.close()
      }
    } finally {
      await reopenable.drop()
    }
  })

  it('reads one state in a read transaction while another instance commits a change', async () => {
    const shared = await backend.reopenable()
    const first = await openStore(shared.options)
    const second = await openStore(shared.options)
    try {
      await first.write(async (tx) => {
        await tx.insert(resource('vpc-1', 'vpc'))
        await tx.putTags(OWNER, 'vpc-1', [{ key: 'Name', value: 'kept' }])
      })
      const [listed, tags, revision] = await first.read(async (tx) => {
        const listed = await tx.list('vpc')
        // Deleted with its tags in one transaction by another instance, between two statements.
        await second.write(async (other) => other.remove((await other.get('vpc', 'vpc-1'))!))
        return [listed, await tx.tagsOf(OWNER, ['vpc-1']), tx.revision] as const
      })
      expect(ids(listed)).toEqual(['vpc-1'])
      expect(tags.get('vpc-1')).toEqual([{ key: 'Name', value: 'kept' }])
      expect(revision).toBe(1)
      expect(await first.read((tx) => tx.list('vpc'))).toEqual([])
    } finally {
      await first.close()
      await second.close()
      await shared.drop()
    }
  })

  it('inserts and gets a resource with all its fields', async () => {
    const body: Body = { name: 'pcx', count: 3, nested: { list: ['a', 'ü', '"quoted"'] } }
    const inserted = await store.write((tx) =>
      tx.insert<Body>({ id: 'pcx-1', kind: 'peering', owner: OWNER, peer: PEER, vpcId: 'vpc-1', body }),
    )
    expect(inserted).toEqual({
      id: 'pcx-1',
      kind: 'peering',
      owner: OWNER,
      peer: PEER,
      vpcId: 'vpc-1',
      version: 1,
      createdRevision: base + 1,
      body,
    })
    expect(await store.read((tx) => tx.get<Body>('peering', 'pcx-1'))).toEqual(inserted)
  })

  it('leaves peer and vpcId out when a resource has none', async () => {
    await insertAll(resource('vpc-1', 'vpc'))
    const vpc = await store.read((tx) => tx.get<Body>('vpc', 'vpc-1'))
    expect(vpc).toBeDefined()
    expect(vpc).not.toHaveProperty('peer')
    expect(vpc).not.toHaveProperty('vpcId')
  })

  it('gets nothing for an unknown id or for the id under another kind', async () => {
    await insertAll(resource('vpc-1', 'vpc'))
    const [unknown, wrongKind] = await store.read((tx) =>
      Promise.all([tx.get('vpc', 'vpc-404'), tx.get('subnet', 'vpc-1')]),
    )
    expect(unknown).toBeUndefined()
    expect(wrongKind).toBeUndefined()
  })

  it('refuses a second resource with the same id', async () => {
    await insertAll(resource('vpc-1', 'vpc'))
    await expect(store.write((tx) => tx.insert(resource('vpc-1', 'vpc')))).rejects.toThrow()
    expect(await store.read((tx) => tx.list('vpc'))).toHaveLength(1)
  })

  it('lists by kind, by owner or peer scope, by VPC and by ids', async () => {
    await insertAll(
      resource('vpc-1', 'vpc', { vpcId: 'vpc-1' }),
      resource('vpc-2', 'vpc', { owner: PEER, vpcId: 'vpc-2' }),
      resource('vpc-3', 'vpc', { owner: OWNER_ELSEWHERE }),
      resource('subnet-1', 'subnet', { vpcId: 'vpc-1' }),
      resource('subnet-2', 'subnet', { vpcId: 'vpc-2', owner: PEER }),
      resource('pcx-1', 'peering', { peer: PEER }),
      resource('pcx-2', 'peering', { owner: PEER, peer: OWNER_ELSEWHERE }),
    )
    await store.read(async (tx) => {
      expect(ids(await tx.list('vpc'))).toEqual(['vpc-1', 'vpc-2', 'vpc-3'])
      expect(ids(await tx.list('subnet'))).toEqual(['subnet-1', 'subnet-2'])
      expect(ids(await tx.list('vpc', { visibleTo: OWNER }))).toEqual(['vpc-1'])
      expect(ids(await tx.list('vpc', { visibleTo: OWNER_ELSEWHERE }))).toEqual(['vpc-3'])
      // A peering shows to its owner and to its peer, each in its own region.
      expect(ids(await tx.list('peering', { visibleTo: OWNER }))).toEqual(['pcx-1'])
      expect(ids(await tx.list('peering', { visibleTo: PEER }))).toEqual(['pcx-1', 'pcx-2'])
      expect(ids(await tx.list('peering', { visibleTo: OWNER_ELSEWHERE }))).toEqual(['pcx-2'])
      expect(ids(await tx.list('subnet', { vpcId: 'vpc-2' }))).toEqual(['subnet-2'])
      expect(ids(await tx.list('vpc', { ids: ['vpc-3', 'vpc-1', 'vpc-404'] }))).toEqual(['vpc-1', 'vpc-3'])
      expect(await tx.list('vpc', { ids: [] })).toEqual([])
      expect(ids(await tx.list('subnet', { visibleTo: PEER, vpcId: 'vpc-1' }))).toEqual([])
      expect(ids(await tx.list('vpc', { visibleTo: OWNER, ids: ['vpc-1', 'vpc-2'] }))).toEqual(['vpc-1'])
    })
  })

  it('lists only resources carrying a tag value in the caller view', async () => {
    await insertAll(resource('vpc-1', 'vpc'), resource('vpc-2', 'vpc'), resource('vpc-3', 'vpc'))
    await store.write(async (tx) => {
      await tx.putTags(OWNER, 'vpc-1', [{ key: 'Team', value: 'blue' }])
      await tx.putTags(OWNER, 'vpc-2', [{ key: 'Team', value: 'red' }])
      // The same value set by another view must not count for OWNER.
      await tx.putTags(PEER, 'vpc-3', [{ key: 'Team', value: 'blue' }])
    })
    await store.read(async (tx) => {
      const tagged = (key: string, ...values: string[]) =>
        tx.list('vpc', { visibleTo: OWNER, tagged: { key, values } })
      expect(ids(await tagged('Team', 'blue'))).toEqual(['vpc-1'])
      expect(ids(await tagged('Team', 'blue', 'red'))).toEqual(['vpc-1', 'vpc-2'])
      expect(ids(await tagged('team', 'blue'))).toEqual([])
      expect(ids(await tagged('Team', 'Blue'))).toEqual([])
    })
  })

  it('lists in creation order, by id (code point) within one write, whatever the updates', async () => {
    await insertAll(resource('vpc-c', 'vpc'))
    await insertAll(resource('vpc-b', 'vpc'), resource('vpc-a', 'vpc'), resource('vpc-B', 'vpc'))
    await insertAll(resource('vpc-0', 'vpc'))
    await store.write(async (tx) => {
      const first = await tx.get<Body>('vpc', 'vpc-c')
      await tx.update(first!, { name: 'renamed' })
    })
    const listed = await store.read((tx) => tx.list('vpc'))
    expect(ids(listed)).toEqual(['vpc-c', 'vpc-B', 'vpc-a', 'vpc-b', 'vpc-0'])
    expect(listed.map((r) => r.createdRevision - base)).toEqual([1, 2, 2, 2, 3])
  })

  it('bumps the version on update and refuses a stale update with ConflictError', async () => {
    await insertAll(resource('vpc-1', 'vpc'))
    const original = (await store.read((tx) => tx.get<Body>('vpc', 'vpc-1')))!
    const updated = await store.write((tx) => tx.update(original, { name: 'second' }))
    expect(updated).toEqual({ ...original, version: 2, body: { name: 'second' } })
    expect(await store.read((tx) => tx.get<Body>('vpc', 'vpc-1'))).toEqual(updated)

    await expect(store.write((tx) => tx.update(original, { name: 'stale' }))).rejects.toBeInstanceOf(
      ConflictError,
    )
    await expect(store.write((tx) => tx.remove(original))).rejects.toBeInstanceOf(ConflictError)
    expect((await store.read((tx) => tx.get<Body>('vpc', 'vpc-1')))?.body).toEqual({ name: 'second' })
  })

  it('removes a resource together with the tags every view put on it', async () => {
    await insertAll(resource('pcx-1', 'peering', { peer: PEER }), resource('pcx-2', 'peering'))
    await store.write(async (tx) => {
      await tx.putTags(OWNER, 'pcx-1', [{ key: 'Name', value: 'mine' }])
      await tx.putTags(PEER, 'pcx-1', [{ key: 'Name', value: 'theirs' }])
      await tx.putTags(OWNER, 'pcx-2', [{ key: 'Name', value: 'other' }])
      await tx.remove((await tx.get('peering', 'pcx-1'))!)
    })
    await store.read(async (tx) => {
      expect(await tx.get('peering', 'pcx-1')).toBeUndefined()
      expect(await tx.listTags(OWNER)).toEqual([{ resourceId: 'pcx-2', key: 'Name', value: 'other' }])
      expect(await tx.listTags(PEER)).toEqual([])
    })
  })

  it('moves a resource between VPCs with placement and keeps it without', async () => {
    await insertAll(resource('eni-1', 'interface', { vpcId: 'vpc-1' }))
    const vpcOf = async () => (await store.read((tx) => tx.get<Body>('interface', 'eni-1')))?.vpcId

    const moved = await store.write(async (tx) =>
      tx.update((await tx.get<Body>('interface', 'eni-1'))!, { name: 'moved' }, { vpcId: 'vpc-2' }),
    )
    expect(moved.vpcId).toBe('vpc-2')
    expect(await vpcOf()).toBe('vpc-2')
    await store.read(async (tx) => {
      expect(ids(await tx.inVpc('vpc-1'))).toEqual([])
      expect(ids(await tx.list('interface', { vpcId: 'vpc-2' }))).toEqual(['eni-1'])
    })

    await store.write(async (tx) => tx.update((await tx.get<Body>('interface', 'eni-1'))!, { name: 'kept' }))
    expect(await vpcOf()).toBe('vpc-2')

    const detached = await store.write(async (tx) =>
      tx.update((await tx.get<Body>('interface', 'eni-1'))!, { name: 'out' }, { vpcId: null }),
    )
    expect(detached).not.toHaveProperty('vpcId')
    expect(await store.read((tx) => tx.get<Body>('interface', 'eni-1'))).toEqual(detached)
    expect(await store.read((tx) => tx.inVpc('vpc-2'))).toEqual([])
  })

  it('finds everything in a VPC, of every kind and owner', async () => {
    await insertAll(
      resource('vpc-1', 'vpc', { vpcId: 'vpc-1' }),
      resource('subnet-1', 'subnet', { vpcId: 'vpc-1' }),
      resource('rtb-1', 'route-table', { vpcId: 'vpc-1' }),
      resource('pcx-1', 'peering', { owner: PEER, vpcId: 'vpc-1' }),
      resource('subnet-2', 'subnet', { vpcId: 'vpc-2' }),
      resource('igw-1', 'internet-gateway'),
    )
    const found = await store.read((tx) => tx.inVpc('vpc-1'))
    expect(ids(found).sort()).toEqual(['pcx-1', 'rtb-1', 'subnet-1', 'vpc-1'])
    expect(found.find((r) => r.id === 'subnet-1')?.kind).toBe('subnet')
  })

  it('keeps one tag set per view and overwrites a key within a view', async () => {
    await insertAll(resource('pcx-1', 'peering', { peer: PEER }), resource('pcx-2', 'peering'))
    await store.write(async (tx) => {
      await tx.putTags(OWNER, 'pcx-1', [
        { key: 'Name', value: 'requester-side' },
        { key: 'Env', value: 'prod' },
      ])
      await tx.putTags(PEER, 'pcx-1', [{ key: 'Name', value: 'accepter-side' }])
      await tx.putTags(OWNER, 'pcx-1', [{ key: 'Env', value: 'staging' }])
      await tx.putTags(OWNER, 'pcx-2', [])
    })
    await store.read(async (tx) => {
      const mine = await tx.tagsOf(OWNER, ['pcx-1', 'pcx-2'])
      expect(mine.get('pcx-1')).toEqual([
        { key: 'Env', value: 'staging' },
        { key: 'Name', value: 'requester-side' },
      ])
      expect(mine.has('pcx-2')).toBe(false)
      expect((await tx.tagsOf(PEER, ['pcx-1'])).get('pcx-1')).toEqual([
        { key: 'Name', value: 'accepter-side' },
      ])
      expect((await tx.tagsOf(OWNER_ELSEWHERE, ['pcx-1'])).size).toBe(0)
      expect((await tx.tagsOf(OWNER, [])).size).toBe(0)
    })
  })

  it('reads the tags of more resources than one query takes', async () => {
    const count = 1_201
    await store.write(async (tx) => {
      for (let i = 0; i < count; i++) await tx.putTags(OWNER, `vpc-${i}`, [{ key: 'Index', value: `${i}` }])
    })
    const wanted = Array.from({ length: count }, (_, i) => `vpc-${i}`)
    const tags = await store.read((tx) => tx.tagsOf(OWNER, wanted))
    expect(tags.size).toBe(count)
    expect(tags.get('vpc-1200')).toEqual([{ key: 'Index', value: '1200' }])
  })

  describe('removeTags', () => {
    const tagged = async () => {
      await store.write(async (tx) => {
        await tx.putTags(OWNER, 'vpc-1', [
          { key: 'Name', value: 'web' },
          { key: 'Env', value: 'prod' },
          { key: 'aws:cloudformation:stack-name', value: 'stack' },
          { key: 'AWS:Reserved', value: 'too' },
        ])
        await tx.putTags(PEER, 'vpc-1', [{ key: 'Name', value: 'peer-view' }])
      })
    }
    const keysOf = async (view: Scope) =>
      ((await store.read((tx) => tx.tagsOf(view, ['vpc-1']))).get('vpc-1') ?? []).map((t) => t.key)

    it('removes a key whatever its value when only the key is given', async () => {
      await tagged()
      await store.write((tx) => tx.removeTags(OWNER, 'vpc-1', [{ key: 'Name' }]))
      expect(await keysOf(OWNER)).toEqual(['AWS:Reserved', 'Env', 'aws:cloudformation:stack-name'])
      expect(await keysOf(PEER)).toEqual(['Name'])
    })

    it('removes a key with a value only when the value matches', async () => {
      await tagged()
      await store.write((tx) =>
        tx.removeTags(OWNER, 'vpc-1', [
          { key: 'Name', value: 'not-web' },
          { key: 'Env', value: 'prod' },
        ]),
      )
      expect(await keysOf(OWNER)).toEqual(['AWS:Reserved', 'Name', 'aws:cloudformation:stack-name'])
    })

    it('removes every tag but the aws: ones, in any case, when no tags are given', async () => {
      await tagged()
      await store.write((tx) => tx.removeTags(OWNER, 'vpc-1'))
      expect(await keysOf(OWNER)).toEqual(['AWS:Reserved', 'aws:cloudformation:stack-name'])
      expect(await keysOf(PEER)).toEqual(['Name'])
    })
  })

  it('lists the tags of one view by resource and key', async () => {
    await store.write(async (tx) => {
      await tx.putTags(OWNER, 'vpc-2', [
        { key: 'b', value: '2' },
        { key: 'a', value: '1' },
      ])
      await tx.putTags(OWNER, 'vpc-1', [{ key: 'z', value: '26' }])
      await tx.putTags(PEER, 'vpc-1', [{ key: 'peer', value: 'only' }])
    })
    expect(await store.read((tx) => tx.listTags(OWNER))).toEqual([
      { resourceId: 'vpc-1', key: 'z', value: '26' },
      { resourceId: 'vpc-2', key: 'a', value: '1' },
      { resourceId: 'vpc-2', key: 'b', value: '2' },
    ])
    expect(await store.read((tx) => tx.listTags(PEER))).toEqual([
      { resourceId: 'vpc-1', key: 'peer', value: 'only' },
    ])
  })

  it('bumps the revision by one per write transaction and never for a read', async () => {
    expect(await store.write(async (tx) => tx.revision)).toBe(base + 1)
    await insertAll(resource('vpc-1', 'vpc'), resource('vpc-2', 'vpc'), resource('vpc-3', 'vpc'))
    expect(await store.revision()).toBe(base + 2)
    expect(await store.read(async (tx) => (await tx.list('vpc')).length + tx.revision)).toBe(3 + base + 2)
    await store.read((tx) => tx.get('vpc', 'vpc-1'))
    expect(await store.revision()).toBe(base + 2)
  })

  it('rolls a failed write back completely', async () => {
    await insertAll(resource('vpc-1', 'vpc'))
    await store.write((tx) => tx.putTags(OWNER, 'vpc-1', [{ key: 'Name', value: 'before' }]))
    const before = await store.revision()
    const failure = new Error('half way')

    const attempt = store.write(async (tx) => {
      await tx.insert(resource('vpc-2', 'vpc'))
      await tx.update((await tx.get<Body>('vpc', 'vpc-1'))!, { name: 'changed' }, { vpcId: 'vpc-2' })
      await tx.putTags(OWNER, 'vpc-1', [{ key: 'Name', value: 'after' }])
      await tx.putTags(OWNER, 'vpc-2', [{ key: 'Name', value: 'new' }])
      throw failure
    })
    await expect(attempt).rejects.toBe(failure)

    expect(await store.revision()).toBe(before)
    await store.read(async (tx) => {
      expect(ids(await tx.list('vpc'))).toEqual(['vpc-1'])
      const vpc = await tx.get<Body>('vpc', 'vpc-1')
      expect(vpc).toMatchObject({ version: 1, body: { name: 'vpc-1' } })
      expect(vpc).not.toHaveProperty('vpcId')
      expect(await tx.listTags(OWNER)).toEqual([{ resourceId: 'vpc-1', key: 'Name', value: 'before' }])
    })
  })

  it('lands every one of many concurrent read-modify-write transactions', async () => {
    await insertAll({ ...resource('counter', 'counter'), body: { name: 'counter', count: 0 } })
    const before = await store.revision()
    const writers = 20
    const revisions = await Promise.all(
      Array.from({ length: writers }, () =>
        store.write(async (tx) => {
          const counter = (await tx.get<Body>('counter', 'counter'))!
          await tx.update(counter, { ...counter.body, count: (counter.body.count ?? 0) + 1 })
          return tx.revision
        }),
      ),
    )
    const counter = await store.read((tx) => tx.get<Body>('counter', 'counter'))
    expect(counter?.body.count).toBe(writers)
    expect(counter?.version).toBe(writers + 1)
    expect(await store.revision()).toBe(before + writers)
    // Each writer saw a revision of its own: writers were serialised, not interleaved.
    expect(new Set(revisions).size).toBe(writers)
  })

  it('empties everything on reset, and moves the revision on as a write does', async () => {
    await insertAll(resource('vpc-1', 'vpc'), resource('subnet-1', 'subnet', { vpcId: 'vpc-1' }))
    await store.write((tx) => tx.putTags(PEER, 'vpc-1', [{ key: 'Name', value: 'x' }]))
    await store.reset()
    expect(await store.revision()).toBe(base + 3)
    await store.read(async (tx) => {
      expect(await tx.list('vpc')).toEqual([])
      expect(await tx.inVpc('vpc-1')).toEqual([])
      expect(await tx.listTags(PEER)).toEqual([])
    })
    expect((await store.write((tx) => tx.insert(resource('vpc-1', 'vpc')))).createdRevision).toBe(base + 4)
  })
}

describe('sqlite (in memory) store contract', () => storeContract(sqlite))

describe.skipIf(!postgresServerUrl)(postgresServerUrl ? 'postgres store contract' : postgresSkipped, () =>
  storeContract(postgresOn(postgresServerUrl ?? '')),
)

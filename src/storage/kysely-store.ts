import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import {
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  sql,
} from 'kysely'
import pg from 'pg'
import {
  ConflictError,
  type ListQuery,
  type NewResource,
  type Scope,
  type Store,
  type Stored,
  type Tag,
  type TaggedResource,
  type Transaction,
} from '../ports/store.js'
import { type Database, migrations } from './schema.js'

type Row = Database['resources']

/**
 * Text order by code point. Sorting is done here, not by ORDER BY, because PostgreSQL sorts by
 * the database's collation (often a linguistic one) and SQLite by bytes: both must agree.
 */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

const toStored = <T>(row: Row): Stored<T> => ({
  id: row.id,
  kind: row.kind,
  owner: { accountId: row.account_id, region: row.region },
  ...(row.peer_account_id && row.peer_region
    ? { peer: { accountId: row.peer_account_id, region: row.peer_region } }
    : {}),
  ...(row.vpc_id ? { vpcId: row.vpc_id } : {}),
  version: Number(row.version),
  createdRevision: Number(row.created_revision),
  body: JSON.parse(row.body) as T,
})

/** Runs one unit of work against an open kysely transaction. */
class KyselyTransaction implements Transaction {
  private changed = false

  constructor(
    private readonly db: Kysely<Database>,
    readonly revision: number,
    private readonly writing: boolean,
  ) {}

  get stateRevision() {
    if (!this.writing) return this.revision
    return this.changed ? undefined : this.revision - 1
  }

  async get<T>(kind: string, id: string) {
    const row = await this.db.selectFrom('resources').selectAll().where('id', '=', id).executeTakeFirst()
    return row && row.kind === kind ? toStored<T>(row) : undefined
  }

  async list<T>(kind: string, query: ListQuery = {}) {
    if (query.ids && query.ids.length === 0) return []
    let select = this.db.selectFrom('resources').selectAll().where('kind', '=', kind)
    const scope = query.visibleTo
    if (scope) {
      select = select.where((eb) =>
        eb.or([
          eb.and([eb('account_id', '=', scope.accountId), eb('region', '=', scope.region)]),
          eb.and([eb('peer_account_id', '=', scope.accountId), eb('peer_region', '=', scope.region)]),
        ]),
      )
    }
    if (query.vpcId) select = select.where('vpc_id', '=', query.vpcId)
    if (query.ids) select = select.where('id', 'in', [...query.ids])
    const tagged = query.tagged
    if (tagged && scope && tagged.values.length > 0) {
      select = select.where('id', 'in', (eb) =>
        eb
          .selectFrom('tags')
          .select('resource_id')
          .where('account_id', '=', scope.accountId)
          .where('region', '=', scope.region)
          .where('key', '=', tagged.key)
          .where('value', 'in', [...tagged.values]),
      )
    }
    const rows = await select.execute()
    return rows
      .map((row) => toStored<T>(row))
      .sort((a, b) => a.createdRevision - b.createdRevision || byCodePoint(a.id, b.id))
  }

  async inVpc(vpcId: string) {
    const rows = await this.db.selectFrom('resources').selectAll().where('vpc_id', '=', vpcId).execute()
    return rows.map((row) => toStored<unknown>(row))
  }

  async insert<T>(resource: NewResource<T>) {
    this.changed = true
    const stored: Stored<T> = { ...resource, version: 1, createdRevision: this.revision }
    await this.db
      .insertInto('resources')
      .values({
        id: stored.id,
        kind: stored.kind,
        account_id: stored.owner.accountId,
        region: stored.owner.region,
        peer_account_id: stored.peer?.accountId ?? null,
        peer_region: stored.peer?.region ?? null,
        vpc_id: stored.vpcId ?? null,
        version: 1,
        created_revision: this.revision,
        body: JSON.stringify(stored.body),
      })
      .execute()
    return stored
  }

  async update<T>(resource: Stored<T>, body: T, placement?: { vpcId: string | null }) {
    this.changed = true
    const result = await this.db
      .updateTable('resources')
      .set({
        body: JSON.stringify(body),
        version: resource.version + 1,
        ...(placement ? { vpc_id: placement.vpcId } : {}),
      })
      .where('id', '=', resource.id)
      .where('version', '=', resource.version)
      .executeTakeFirst()
    if (result.numUpdatedRows !== 1n) throw new ConflictError(resource.id)
    const updated: Stored<T> = { ...resource, body, version: resource.version + 1 }
    if (!placement) return updated
    const { vpcId: _previous, ...rest } = updated
    return placement.vpcId === null ? rest : { ...rest, vpcId: placement.vpcId }
  }

  async remove(resource: Stored<unknown>) {
    this.changed = true
    const result = await this.db
      .deleteFrom('resources')
      .where('id', '=', resource.id)
      .where('version', '=', resource.version)
      .executeTakeFirst()
    if (result.numDeletedRows !== 1n) throw new ConflictError(resource.id)
    await this.db.deleteFrom('tags').where('resource_id', '=', resource.id).execute()
  }

  async tagsOf(view: Scope, resourceIds: readonly string[]) {
    const tags = new Map<string, Tag[]>()
    if (resourceIds.length === 0) return tags
    // Chunked so a page of 1,000 resources stays under every driver's parameter limit.
    for (let i = 0; i < resourceIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('tags')
        .select(['resource_id', 'key', 'value'])
        .where('account_id', '=', view.accountId)
        .where('region', '=', view.region)
        .where('resource_id', 'in', resourceIds.slice(i, i + 500))
        .execute()
      for (const row of rows) {
        const list = tags.get(row.resource_id) ?? []
        list.push({ key: row.key, value: row.value })
        tags.set(row.resource_id, list)
      }
    }
    for (const list of tags.values()) list.sort((a, b) => byCodePoint(a.key, b.key))
    return tags
  }

  async putTags(view: Scope, resourceId: string, tags: readonly Tag[]) {
    if (tags.length === 0) return
    await this.db
      .insertInto('tags')
      .values(
        tags.map((tag) => ({
          resource_id: resourceId,
          account_id: view.accountId,
          region: view.region,
          key: tag.key,
          value: tag.value,
        })),
      )
      .onConflict((oc) =>
        oc
          .columns(['resource_id', 'account_id', 'region', 'key'])
          .doUpdateSet((eb) => ({ value: eb.ref('excluded.value') })),
      )
      .execute()
  }

  async removeTags(view: Scope, resourceId: string, tags?: readonly { key: string; value?: string }[]) {
    const scoped = () =>
      this.db
        .deleteFrom('tags')
        .where('resource_id', '=', resourceId)
        .where('account_id', '=', view.accountId)
        .where('region', '=', view.region)
    if (!tags) {
      // Not LIKE: it ignores case in SQLite but not in PostgreSQL. The prefix is reserved in any case.
      await scoped()
        .where((eb) => eb(eb.fn('lower', [eb.fn('substr', ['key', eb.lit(1), eb.lit(4)])]), '<>', 'aws:'))
        .execute()
      return
    }
    for (const tag of tags) {
      let query = scoped().where('key', '=', tag.key)
      if (tag.value !== undefined) query = query.where('value', '=', tag.value)
      await query.execute()
    }
  }

  async listTags(view: Scope): Promise<TaggedResource[]> {
    const rows = await this.db
      .selectFrom('tags')
      .select(['resource_id', 'key', 'value'])
      .where('account_id', '=', view.accountId)
      .where('region', '=', view.region)
      .execute()
    return rows
      .map((row) => ({ resourceId: row.resource_id, key: row.key, value: row.value }))
      .sort((a, b) => byCodePoint(a.resourceId, b.resourceId) || byCodePoint(a.key, b.key))
  }
}

class KyselyStore implements Store {
  constructor(
    readonly dialect: 'sqlite' | 'postgres',
    private readonly db: Kysely<Database>,
  ) {}

  read<T>(work: (tx: Transaction) => Promise<T>) {
    // One snapshot for the whole read: at PostgreSQL's default (read committed) each statement
    // sees the latest commit, so a listing could show a resource another instance deleted
    // between two statements without the tags it had. SQLite's transactions are snapshots already.
    const transaction =
      this.dialect === 'postgres'
        ? this.db.transaction().setIsolationLevel('repeatable read')
        : this.db.transaction()
    return transaction.execute(async (trx) =>
      work(new KyselyTransaction(trx, await currentRevision(trx), false)),
    )
  }

  write<T>(work: (tx: Transaction) => Promise<T>) {
    return this.db.transaction().execute(async (trx) => {
      // Bumping first takes the row lock, so writers queue here and then read fresh data.
      const row = await trx
        .updateTable('meta')
        .set((eb) => ({ value: eb('value', '+', 1) }))
        .where('name', '=', 'revision')
        .returning('value')
        .executeTakeFirstOrThrow()
      return work(new KyselyTransaction(trx, Number(row.value), true))
    })
  }

  revision() {
    return currentRevision(this.db)
  }

  async reset() {
    await this.db.transaction().execute(async (trx) => {
      // Bumped first, as by a write: the reset queues behind writers, and since the revision
      // never goes back, no cache keyed by it (each server's data-plane snapshot) can answer
      // from the state just emptied.
      await trx
        .updateTable('meta')
        .set((eb) => ({ value: eb('value', '+', 1) }))
        .where('name', '=', 'revision')
        .execute()
      await trx.deleteFrom('resources').execute()
      await trx.deleteFrom('tags').execute()
    })
  }

  close() {
    return this.db.destroy()
  }
}

async function currentRevision(db: Kysely<Database>) {
  const row = await db
    .selectFrom('meta')
    .select('value')
    .where('name', '=', 'revision')
    .executeTakeFirstOrThrow()
  return Number(row.value)
}

const provider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => migrations,
}

async function migrate(db: Kysely<Database>) {
  const { error } = await new Migrator({ db, provider }).migrateToLatest()
  if (error) throw error
}

export interface StoreOptions {
  /** `postgres://…`; when absent, SQLite. */
  readonly databaseUrl?: string
  /** The SQLite file; `:memory:` for an ephemeral store. */
  readonly sqlitePath?: string
}

/** Opens (and migrates) the store the options name. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10 })
    // An idle connection the server drops (a restart, a terminated backend) is discarded by the
    // pool and the next query opens a new one; unheard, its 'error' event would end the process.
    pool.on('error', () => {})
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    await migrate(db)
    return new KyselyStore('postgres', db)
  }
  const path = options.sqlitePath ?? ':memory:'
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const database = new SqliteDatabase(path)
  database.pragma('journal_mode = WAL')
  // FULL: an acknowledged write survives power loss as well as a killed process.
  database.pragma('synchronous = FULL')
  database.pragma('busy_timeout = 5000')
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) })
  await migrate(db)
  await sql`select 1`.execute(db)
  return new KyselyStore('sqlite', db)
}

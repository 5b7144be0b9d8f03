import type { Generated, Kysely, Migration } from 'kysely'

/** Only text and integer columns, so one schema serves SQLite and PostgreSQL alike. */
export interface Database {
  resources: {
    id: string
    kind: string
    account_id: string
    region: string
    peer_account_id: string | null
    peer_region: string | null
    vpc_id: string | null
    version: number
    created_revision: number
    body: string
  }
  tags: {
    resource_id: string
    account_id: string
    region: string
    key: string
    value: string
  }
  meta: {
    name: string
    value: Generated<number>
  }
}

/** Migrations are listed here in order; never edit a released one, add the next. */
export const migrations: Record<string, Migration> = {
  '0001_resources_and_tags': {
    // biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, not as Database types it now.
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('resources')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('peer_account_id', 'text')
        .addColumn('peer_region', 'text')
        .addColumn('vpc_id', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_revision', 'integer', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('resources_by_scope')
        .on('resources')
        .columns(['kind', 'account_id', 'region'])
        .execute()
      await db.schema
        .createIndex('resources_by_peer')
        .on('resources')
        .columns(['kind', 'peer_account_id'])
        .execute()
      await db.schema.createIndex('resources_by_vpc').on('resources').columns(['vpc_id', 'kind']).execute()
      await db.schema
        .createTable('tags')
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('tags_pk', ['resource_id', 'account_id', 'region', 'key'])
        .execute()
      await db.schema.createIndex('tags_by_view').on('tags').columns(['account_id', 'region']).execute()
      await db.schema
        .createTable('meta')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull().defaultTo(0))
        .execute()
      await db.insertInto('meta').values({ name: 'revision', value: 0 }).execute()
    },
  },
}

import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** The PostgreSQL server the PostgreSQL suites use; they are skipped when it is not set. */
export const postgresServerUrl = process.env.VPCPEER_TEST_DATABASE_URL || undefined

/** Names a skipped PostgreSQL suite so the reason shows in the test report. */
export const postgresSkipped = 'postgres: set VPCPEER_TEST_DATABASE_URL to run'

export interface ScratchDatabase {
  /** The URL of the new, empty database. */
  readonly url: string
  drop(): Promise<void>
}

async function onServer(serverUrl: string, statement: string) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

/** Creates a database of its own on the server, so test files can run side by side. */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `vpcpeer_test_${randomBytes(6).toString('hex')}`
  try {
    // A linguistic collation, as production clusters often have, so any reliance on
    // byte-order sorting in SQL shows up here rather than in the field.
    await onServer(
      serverUrl,
      `create database ${name} template template0 locale_provider icu icu_locale 'en-US'`,
    )
  } catch {
    await onServer(serverUrl, `create database ${name}`)
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    // FORCE ends connections a failed test may have left open.
    drop: () => onServer(serverUrl, `drop database if exists ${name} with (force)`),
  }
}

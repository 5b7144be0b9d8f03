import { EC2Client } from '@aws-sdk/client-ec2'
import { XMLParser } from 'fast-xml-parser'
import type { FastifyInstance } from 'fastify'
import type { Settings } from '../../src/app/context.js'
import { AdjustableClock } from '../../src/ports/clock.js'
import type { Store } from '../../src/ports/store.js'
import type { AuthMode } from '../../src/protocol/sigv4/verify.js'
import { buildServer } from '../../src/server/app.js'
import type { Limits } from '../../src/server/limits.js'
import { openStore } from '../../src/storage/kysely-store.js'

export interface TestServer {
  readonly url: string
  readonly app: FastifyInstance
  readonly store: Store
  readonly clock: AdjustableClock
  close(): Promise<void>
}

/** A real server on 127.0.0.1, port 0, over an in-memory SQLite store unless one is given. */
export async function startTestServer(
  options: { auth?: AuthMode; store?: Store; settings?: Partial<Settings>; limits?: Partial<Limits> } = {},
): Promise<TestServer> {
  const store = options.store ?? (await openStore({ sqlitePath: ':memory:' }))
  const clock = new AdjustableClock()
  const app = await buildServer({
    store,
    clock,
    auth: options.auth ?? { kind: 'open', defaultRegion: 'us-east-1' },
    logLevel: 'silent',
    ...(options.settings ? { settings: options.settings } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const address = app.server.address()
  if (!address || typeof address === 'string') throw new Error('server has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    app,
    store,
    clock,
    async close() {
      await app.close()
      if (!options.store) await store.close()
    },
  }
}

export const ACCOUNT_A = '111111111111'
export const ACCOUNT_B = '222222222222'

/** An SDK client acting as `accountId` in `region`; in open mode the key id names the account. */
export function ec2Client(
  url: string,
  { accountId = ACCOUNT_A, region = 'us-east-1', secret = 'test-secret' } = {},
): EC2Client {
  return new EC2Client({
    endpoint: url,
    region,
    maxAttempts: 1,
    credentials: { accessKeyId: accountId, secretAccessKey: secret },
  })
}

export interface RawResponse {
  readonly status: number
  readonly body: string
  readonly headers: Headers
}

/** Sends an unsigned form POST (open mode answers it as account 000000000000 in us-east-1). */
export async function postForm(
  url: string,
  body: string | Record<string, string>,
  headers: Record<string, string> = {},
) {
  const text = typeof body === 'string' ? body : new URLSearchParams(body).toString()
  const response = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: text,
  })
  return {
    status: response.status,
    body: await response.text(),
    headers: response.headers,
  } satisfies RawResponse
}

const parser = new XMLParser({
  ignoreAttributes: false,
  parseTagValue: false,
  isArray: (name) => name === 'item',
})

/** Parses an XML reply into plain objects (every value a string, `item` always a list). */
export const parseXml = (text: string) => parser.parse(text) as Record<string, any>

/** The error code and message of an EC2 error reply. */
export function errorOf(response: RawResponse): { code: string; message: string } {
  const error = parseXml(response.body).Response?.Errors?.Error
  return { code: error?.Code, message: error?.Message }
}

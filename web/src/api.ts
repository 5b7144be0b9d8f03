import type { ApiErrorBody } from '../../src/app/console-views.js'
import { type Credentials, signRequest } from './sigv4.ts'

export const API_PREFIX = '/_vpcpeer/api'
/** The service name the console signs for; the JSON API reads the account and region from it like EC2 does. */
export const SERVICE = 'vpcpeer'

/** An error the API answered, shown to the user as the API's own code and message. */
export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'ApiFailure'
  }
}

export const describeFailure = (error: unknown) =>
  error instanceof ApiFailure
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error)

export interface Identity {
  readonly credentials: Credentials
  readonly region: string
}

type Query = Readonly<Record<string, string | number | undefined>>

function urlOf(path: string, query: Query = {}): URL {
  const url = new URL(`${API_PREFIX}${path}`, window.location.origin)
  // Encoded the SigV4 way so the wire query and the signed one are the same text.
  const parts = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
  url.search = parts.join('&')
  return url
}

async function readReply<T>(response: Response): Promise<T> {
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = text ? JSON.parse(text) : undefined
  } catch {
    throw new ApiFailure(
      'InvalidResponse',
      `The server answered ${response.status} with ${text.slice(0, 200)}`,
      response.status,
    )
  }
  if (!response.ok) {
    const failure = (parsed as Partial<ApiErrorBody> | undefined)?.error
    if (failure && typeof failure === 'object')
      throw new ApiFailure(failure.code, failure.message, response.status)
    throw new ApiFailure(
      `Http${response.status}`,
      typeof failure === 'string' ? failure : text,
      response.status,
    )
  }
  return parsed as T
}

/** A JSON API call signed as `identity`; unsigned when `identity` is undefined. */
export async function call<T>(
  identity: Identity | undefined,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  { query, body }: { query?: Query; body?: unknown } = {},
): Promise<T> {
  const url = urlOf(path, query)
  const text = body === undefined ? '' : JSON.stringify(body)
  const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
  if (identity) {
    Object.assign(
      headers,
      await signRequest({
        method,
        url,
        body: text,
        credentials: identity.credentials,
        region: identity.region,
        service: SERVICE,
        date: new Date(),
      }),
    )
  }
  let response: Response
  try {
    response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: text }) })
  } catch (error) {
    throw new ApiFailure('NetworkError', `Cannot reach the vpcpeer server: ${describeFailure(error)}`, 0)
  }
  return readReply<T>(response)
}

/** Calls bound to one identity. */
export function clientFor(identity: Identity) {
  return {
    get: <T>(path: string, query?: Query) => call<T>(identity, 'GET', path, query ? { query } : {}),
    post: <T>(path: string, body: unknown = {}) => call<T>(identity, 'POST', path, { body }),
    del: <T>(path: string) => call<T>(identity, 'DELETE', path),
  }
}

export type Client = ReturnType<typeof clientFor>

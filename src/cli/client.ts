import { XMLParser } from 'fast-xml-parser'
import { signRequest } from '../protocol/sigv4/sign.js'

/** Where and as whom the CLI talks to a running vpcpeer: the same public API any SDK uses. */
export interface Connection {
  readonly endpoint: string
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly region: string
}

export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`${code}: ${message}`)
    this.name = 'ApiCallError'
  }
}

const LIST_ELEMENTS = new Set(['item'])
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => LIST_ELEMENTS.has(name) })

/** Turns `{tagSet: {item: [...]}}` into `{tagSet: [...]}` and `<x/>` lists into `[]`, recursively. */
export function simplify(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => simplify(v))
  if (value === '' && key.endsWith('Set')) return []
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
    if (entries.length === 1 && entries[0]![0] === 'item') return simplify(entries[0]![1])
    return Object.fromEntries(entries.map(([k, v]) => [k, simplify(v, k)]))
  }
  return value
}

/** fetch, with a message that says what to do when the server is not there. */
async function reach(connection: Connection, url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const reason = cause?.code ?? cause?.message ?? (error as Error).message
    throw new Error(
      `cannot reach vpcpeer at ${connection.endpoint} (${reason}); is \`vpcpeer serve\` running?`,
    )
  }
}

/** Calls one EC2 action, signed with SigV4, and returns the response members as plain objects. */
export async function callEc2(
  connection: Connection,
  action: string,
  params: Record<string, string | undefined> = {},
): Promise<Record<string, any>> {
  const form = new URLSearchParams({ Action: action, Version: '2016-11-15' })
  for (const [key, value] of Object.entries(params)) if (value !== undefined) form.append(key, value)
  const body = form.toString()
  const url = new URL('/', connection.endpoint).toString()
  const headers = signRequest({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey },
    region: connection.region,
    service: 'ec2',
    date: new Date(),
  })
  const response = await reach(connection, url, { method: 'POST', headers, body })
  const parsed = parser.parse(await response.text()) as Record<string, any>
  if (!response.ok) {
    const error = parsed.Response?.Errors?.Error
    throw new ApiCallError(
      error?.Code ?? 'Unknown',
      error?.Message ?? `HTTP ${response.status}`,
      response.status,
    )
  }
  const { requestId: _requestId, ...members } = parsed[`${action}Response`] ?? {}
  return simplify(members) as Record<string, any>
}

/** Calls a paginated Describe until the last page and gathers the list under `listKey`. */
export async function describeAll(
  connection: Connection,
  action: string,
  listKey: string,
  params: Record<string, string | undefined> = {},
): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = []
  let nextToken: string | undefined
  do {
    const page = await callEc2(connection, action, { ...params, NextToken: nextToken })
    items.push(...((page[listKey] as Record<string, any>[] | undefined) ?? []))
    nextToken = page.nextToken as string | undefined
  } while (nextToken)
  return items
}

/**
 * Calls a JSON route under /_vpcpeer/api (the data plane: traffic, flows), signed with SigV4 for
 * the service `vpcpeer`; query values that are undefined are left out.
 */
export async function callApi<T>(
  connection: Connection,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { query?: Record<string, string | number | undefined>; body?: unknown } = {},
): Promise<T> {
  const url = new URL(`/_vpcpeer/api${path}`, connection.endpoint)
  for (const [name, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined) url.searchParams.append(name, String(value))
  }
  const body = options.body === undefined ? undefined : JSON.stringify(options.body)
  const headers = signRequest({
    method,
    url,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
    credentials: { accessKeyId: connection.accessKeyId, secretAccessKey: connection.secretAccessKey },
    region: connection.region,
    service: 'vpcpeer',
    date: new Date(),
  })
  const response = await reach(connection, url.toString(), {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  })
  const text = await response.text()
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ApiCallError('Unknown', `HTTP ${response.status}: ${text.slice(0, 200)}`, response.status)
  }
  if (!response.ok) {
    const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error
    throw new ApiCallError(
      error?.code ?? 'Unknown',
      error?.message ?? `HTTP ${response.status}`,
      response.status,
    )
  }
  return parsed as T
}

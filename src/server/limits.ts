/** What one client may take of the server (docs/configuration.md, "Limits"). */
export interface Limits {
  /** The largest request body accepted, in bytes (RequestEntityTooLarge above it). */
  readonly bodyBytes: number
  /** How long a request (headers and body) may take to arrive (RequestTimeout after it). */
  readonly requestTimeoutMs: number
  /** How long an idle keep-alive connection stays open. */
  readonly keepAliveTimeoutMs: number
  /** Connections open at once; more are closed as they arrive. */
  readonly maxConnections: number
}

export const DEFAULT_LIMITS: Limits = {
  bodyBytes: 10 * 1024 * 1024,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
}

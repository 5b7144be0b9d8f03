import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { DEFAULT_SETTINGS, type Settings } from '../app/context.js'
import type { Credential } from '../ports/credentials.js'
import type { AuthMode } from '../protocol/sigv4/verify.js'
import { DEFAULT_LIMITS, type Limits } from '../server/limits.js'

/**
 * The server's settings, from one schema: defaults, then `VPCPEER_*` variables, then flags
 * (commander binds each flag to its variable). Bad values stop startup with a clear message.
 */
export const serveSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(4566),
    dataDir: z.string().min(1).default('.vpcpeer'),
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    ephemeral: z.boolean().default(false),
    auth: z.enum(['open', 'strict']).default('open'),
    credentials: z.string().min(1).optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be a region name like us-east-1')
      .default('us-east-1'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    peeringTransitionSeconds: z.coerce.number().min(0).max(3600).default(0),
    peeringActiveLimit: z.coerce.number().int().min(1).max(125).default(50),
    peeringOutstandingLimit: z.coerce.number().int().min(1).max(1000).default(25),
    /** Where S3-destination flow logs write their files; `<dataDir>/flow-logs` unless given. */
    flowLogDir: z.string().min(1).optional(),
    // Limits: what one client may take of the server (docs/configuration.md, "Limits").
    bodyLimit: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 ** 3)
      .default(DEFAULT_LIMITS.bodyBytes),
    requestTimeoutSeconds: z.coerce
      .number()
      .min(0.1)
      .max(3600)
      .default(DEFAULT_LIMITS.requestTimeoutMs / 1000),
    keepAliveTimeoutSeconds: z.coerce
      .number()
      .min(0.1)
      .max(3600)
      .default(DEFAULT_LIMITS.keepAliveTimeoutMs / 1000),
    maxConnections: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_LIMITS.maxConnections),
    maxPageSize: z.coerce.number().int().min(5).max(1_000_000).default(DEFAULT_SETTINGS.maxPageSize),
  })
  .refine((c) => c.auth !== 'strict' || c.credentials !== undefined, {
    message: '--auth strict needs --credentials FILE (or VPCPEER_CREDENTIALS)',
    path: ['credentials'],
  })
  .refine((c) => !(c.ephemeral && c.databaseUrl), {
    message: '--ephemeral and --database-url cannot be used together',
    path: ['ephemeral'],
  })

export type ServeConfig = z.infer<typeof serveSchema>

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function parseServeConfig(input: Record<string, unknown>): ServeConfig {
  const result = serveSchema.safeParse(input)
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `  ${issue.path.join('.') || 'config'}: ${issue.message}`,
    )
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

/** The account tunables the use cases read. */
export const settingsOf = (config: ServeConfig): Settings => ({
  peeringTransitionMs: config.peeringTransitionSeconds * 1000,
  activePeeringsPerVpc: config.peeringActiveLimit,
  outstandingPeeringsPerAccount: config.peeringOutstandingLimit,
  flowLogDirectory: config.flowLogDir ?? join(config.dataDir, 'flow-logs'),
  maxPageSize: config.maxPageSize,
})

export const limitsOf = (config: ServeConfig): Limits => ({
  bodyBytes: config.bodyLimit,
  requestTimeoutMs: config.requestTimeoutSeconds * 1000,
  keepAliveTimeoutMs: config.keepAliveTimeoutSeconds * 1000,
  maxConnections: config.maxConnections,
})

export const sqlitePath = (config: ServeConfig) =>
  config.ephemeral ? ':memory:' : join(config.dataDir, 'vpcpeer.db')

const credentialsFile = z.object({
  credentials: z
    .array(
      z.object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        accountId: z.string().regex(/^\d{12}$/, 'must be 12 digits'),
        admin: z.boolean().optional(),
      }),
    )
    .min(1),
})

/** Reads a strict-mode credentials file: `{"credentials": [{accessKeyId, secretAccessKey, accountId, admin?}]}`. */
export function loadCredentials(path: string): Map<string, Credential> {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(`cannot read credentials file ${path}: ${(error as Error).message}`)
  }
  const result = credentialsFile.safeParse(raw)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid credentials file ${path}:\n${lines.join('\n')}`)
  }
  return new Map(
    result.data.credentials.map((c) => [
      c.accessKeyId,
      { secretAccessKey: c.secretAccessKey, accountId: c.accountId, ...(c.admin ? { admin: true } : {}) },
    ]),
  )
}

export function authMode(config: ServeConfig): AuthMode {
  if (config.auth === 'open') return { kind: 'open', defaultRegion: config.region }
  const credentials = loadCredentials(config.credentials!)
  return { kind: 'strict', lookup: (accessKeyId) => credentials.get(accessKeyId) }
}

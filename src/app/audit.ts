import { type AuditReport, auditEstate, countBySeverity } from '../dataplane/audit.js'
import type { FlowLog } from '../domain/flow-log.js'
import type { Context } from './context.js'
import { currentSnapshot } from './dataplane.js'
import { kinds } from './resources.js'

export type { AuditReport }

/**
 * `vpcpeer audit` as a use case: the caller's account (in every region) checked against peering
 * practice on one compiled snapshot of the estate (dataplane/audit.ts). Findings name only the
 * caller's resources, and of other accounts only what its peerings already show it.
 */

export interface AuditRequest {
  /** Report pending requests that expire within this many hours (default 48). */
  readonly expiryWindowHours?: number
}

export async function auditAccount(ctx: Context, request: AuditRequest = {}): Promise<AuditReport> {
  const snapshot = await currentSnapshot(ctx)
  const flowLogs = (await ctx.tx.list<FlowLog>(kinds.flowLog.type)).map((stored) => stored.body)
  const findings = auditEstate({
    snapshot,
    flowLogs,
    accountId: ctx.caller.accountId,
    ...(request.expiryWindowHours !== undefined
      ? { expiryWindowMs: request.expiryWindowHours * 3600 * 1000 }
      : {}),
  })
  return {
    accountId: ctx.caller.accountId,
    at: ctx.now.toISOString(),
    findings,
    summary: { ...countBySeverity(findings), total: findings.length },
  }
}

import { z } from 'zod'
import { auditAccount } from '../../app/audit.js'
import { type ApiRoute, parseBody } from './routes.js'

/** GET /audit: the caller's account checked against peering practice (app/audit.ts). */

const auditQuery = z
  .object({
    expiryWindowHours: z.coerce.number().int().min(1).max(168).optional(),
  })
  .strict()

export const auditRoutes: readonly ApiRoute[] = [
  {
    method: 'GET',
    path: '/audit',
    mutates: false,
    handle: (ctx, { query }) => auditAccount(ctx, parseBody(auditQuery, query, 'audit request')),
  },
]

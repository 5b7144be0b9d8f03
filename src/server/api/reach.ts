import { z } from 'zod'
import { reachMatrix, traceFlow } from '../../app/reach.js'
import { type ApiRoute, parseBody } from './routes.js'

/** POST /trace explains one flow hop by hop; POST /matrix computes the VPC or subnet matrix (app/reach.ts). */

const port = z.number().int().min(0).max(65535)
const protocol = z.union([z.string().min(1), z.number().int()]).transform(String)

const traceRequest = z
  .object({
    from: z.string().min(1),
    to: z.string().min(1),
    protocol: protocol.default('tcp'),
    port: port.optional(),
    icmpCode: z.number().int().min(0).max(255).optional(),
    sourcePort: port.optional(),
  })
  .strict()

const matrixRequest = z
  .object({
    level: z.enum(['vpc', 'subnet']).default('vpc'),
    protocol: protocol.default('tcp'),
    port: port.optional(),
    sourcePort: port.optional(),
    /** Only these of the caller's VPCs as sources (all of them when absent). */
    vpcIds: z.array(z.string().min(1)).optional(),
  })
  .strict()

export const reachRoutes: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/trace',
    mutates: false,
    handle: (ctx, { body }) => traceFlow(ctx, parseBody(traceRequest, body ?? {}, 'trace request')),
  },
  {
    method: 'POST',
    path: '/matrix',
    mutates: false,
    handle: (ctx, { body }) => reachMatrix(ctx, parseBody(matrixRequest, body ?? {}, 'matrix request')),
  },
]

import { z } from 'zod'
import * as consoleCases from '../../app/console.js'
import { type ApiRoute, param, parseBody } from './routes.js'

/** The console's reads and actions; the use cases are app/console.ts. */

const peeringRequest = z.object({
  vpcId: z.string().min(1),
  peerVpcId: z.string().min(1),
  peerOwnerId: z.string().min(1).optional(),
  peerRegion: z.string().min(1).optional(),
  name: z.string().min(1).max(256).optional(),
})

const analysisRequest = z
  .object({
    /** An interface or instance id: the trace answer's `flow.sourceInterfaceId`. */
    source: z.string().min(1),
    sourceIp: z.string().min(1).optional(),
    destinationIp: z.string().min(1),
    protocol: z.string().min(1),
    port: z.number().int().optional(),
  })
  .strict()

export const consoleRoutes: readonly ApiRoute[] = [
  { method: 'GET', path: '/whoami', mutates: false, handle: (ctx) => consoleCases.whoAmI(ctx) },
  { method: 'GET', path: '/topology', mutates: false, handle: (ctx) => consoleCases.topology(ctx) },
  {
    method: 'GET',
    path: '/vpcs/:vpcId',
    mutates: false,
    handle: (ctx, request) => consoleCases.vpcDetail(ctx, param(request, 'vpcId')),
  },
  {
    method: 'POST',
    path: '/peerings',
    mutates: true,
    handle: (ctx, { body }) =>
      consoleCases.requestPeering(ctx, parseBody(peeringRequest, body, 'peering request')),
  },
  {
    method: 'POST',
    path: '/peerings/:peeringId/accept',
    mutates: true,
    handle: (ctx, request) => consoleCases.acceptPeeringRequest(ctx, param(request, 'peeringId')),
  },
  {
    method: 'POST',
    path: '/peerings/:peeringId/reject',
    mutates: true,
    handle: (ctx, request) => consoleCases.rejectPeeringRequest(ctx, param(request, 'peeringId')),
  },
  {
    method: 'POST',
    path: '/insights',
    mutates: true,
    handle: (ctx, { body }) => consoleCases.saveAnalysis(ctx, parseBody(analysisRequest, body, 'path')),
  },
  {
    method: 'DELETE',
    path: '/peerings/:peeringId',
    mutates: true,
    handle: (ctx, request) => consoleCases.removePeering(ctx, param(request, 'peeringId')),
  },
]

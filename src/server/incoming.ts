import type { FastifyRequest } from 'fastify'
import type { IncomingRequest } from '../protocol/sigv4/verify.js'

/** A fastify request as the SigV4 verifier reads it: the raw path and query, the exact body bytes. */
export function incomingOf(request: FastifyRequest): IncomingRequest {
  const url = request.raw.url ?? '/'
  const queryStart = url.indexOf('?')
  return {
    method: request.method,
    path: queryStart < 0 ? url : url.slice(0, queryStart),
    rawQuery: queryStart < 0 ? '' : url.slice(queryStart + 1),
    headers: request.headers,
    body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
  }
}

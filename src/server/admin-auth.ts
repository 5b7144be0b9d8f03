import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { errors, isApiError } from '../domain/errors.js'
import { type AuthMode, authenticate } from '../protocol/sigv4/verify.js'
import { type AdminOptions, adminPlugin } from './admin.js'
import { incomingOf } from './incoming.js'

/**
 * Who may call the admin routes. In open mode anyone who can reach the server (it listens on
 * loopback unless told otherwise). In strict mode the health check stays open, for probes;
 * reading the clock needs any valid signature; resetting the server and moving its clock change
 * every account's state, so they need a signature by a key marked `"admin": true` in the
 * credentials file. Refusals answer like the JSON API: `{"error": {"code", "message"}}`.
 */
export const OPEN_ADMIN_ROUTES = new Set(['GET /_vpcpeer/health'])
const ADMIN_KEY_ROUTES = new Set(['POST /_vpcpeer/reset', 'POST /_vpcpeer/clock'])

export function adminGuard(auth: AuthMode) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (auth.kind === 'open') return
    const route = `${request.method} ${request.routeOptions.url ?? ''}`
    if (OPEN_ADMIN_ROUTES.has(route)) return
    try {
      const identity = authenticate(incomingOf(request), auth)
      if (ADMIN_KEY_ROUTES.has(route) && !identity.admin) {
        throw errors.unauthorizedOperation(
          `You are not authorized to perform this operation: ${route} needs a key marked "admin": true in the credentials file.`,
        )
      }
    } catch (error) {
      if (!isApiError(error)) throw error
      return reply
        .code(error.status)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ error: { code: error.code, message: error.message } }))
    }
  }
}

/** The admin routes behind the guard (fastify hooks apply to the routes of their scope). */
export const guardedAdminPlugin: FastifyPluginAsync<AdminOptions & { readonly auth: AuthMode }> = async (
  app,
  { auth, ...options },
) => {
  app.addHook('preHandler', adminGuard(auth))
  await app.register(adminPlugin, options)
}

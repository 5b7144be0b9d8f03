import type { FastifyPluginAsync } from 'fastify'
import { z } from 'zod'
import type { Services } from '../app/context.js'
import { sweepForgotten } from '../app/sweep.js'
import { type AdjustableClock, LATEST_CLOCK_TIME } from '../ports/clock.js'

export interface AdminOptions {
  readonly services: Services
  readonly clock: AdjustableClock
}

/** How often the server forgets records past every visibility window (and after each clock move). */
const SWEEP_INTERVAL_MS = 60_000

/**
 * The admin endpoints test suites drive (health, reset, the server clock) and the sweeper that
 * forgets what the clock has put past every visibility window.
 */
export const adminPlugin: FastifyPluginAsync<AdminOptions> = async (app, { services, clock }) => {
  const { store } = services
  const sweeper = setInterval(() => {
    sweepForgotten(services).catch((error: unknown) =>
      app.log.error({ err: error }, 'sweeping forgotten records failed'),
    )
  }, SWEEP_INTERVAL_MS)
  sweeper.unref()
  app.addHook('onClose', async () => clearInterval(sweeper))

  app.get('/_vpcpeer/health', async () => ({
    status: 'ok',
    database: store.dialect,
    revision: await store.revision(),
    now: clock.now().toISOString(),
  }))

  app.post('/_vpcpeer/reset', async () => {
    await store.reset()
    return { reset: true }
  })

  app.get('/_vpcpeer/clock', async () => ({ now: clock.now().toISOString(), offsetMs: clock.offset }))

  /** Moves the server clock forward: `?advanceSeconds=N` or a JSON body `{"advanceSeconds": N}`. */
  app.post('/_vpcpeer/clock', async (request, reply) => {
    const seconds = advanceSecondsOf(request.query, request.body)
    if (seconds === undefined) {
      return reply.code(400).send({
        error:
          'advanceSeconds must be a number of seconds, zero or more, in the query or a JSON body like {"advanceSeconds": 3600}',
      })
    }
    if (seconds * 1000 > clock.headroomMs()) {
      return reply.code(400).send({
        error: `advanceSeconds=${seconds} would move the clock past ${LATEST_CLOCK_TIME.toISOString()}, the latest it may show; it may move ${Math.floor(clock.headroomMs() / 1000)} seconds more`,
      })
    }
    const now = clock.advance(seconds * 1000)
    return { now: now.toISOString(), offsetMs: clock.offset, forgotten: await sweepForgotten(services) }
  })
}

/** A count of seconds: a JSON number, or a plain decimal in the query string. */
const seconds = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .pipe(z.number().finite().nonnegative())

/** The seconds asked for, from the query or else the JSON body; undefined when they are not a count of seconds. */
function advanceSecondsOf(query: unknown, body: unknown): number | undefined {
  const fromQuery = z.object({ advanceSeconds: z.unknown() }).safeParse(query)
  let asked: unknown = fromQuery.success ? fromQuery.data.advanceSeconds : undefined
  if (asked === undefined && Buffer.isBuffer(body) && body.length > 0) {
    try {
      asked = (JSON.parse(body.toString('utf8')) as { advanceSeconds?: unknown } | null)?.advanceSeconds
    } catch {
      return undefined
    }
  }
  const parsed = seconds.safeParse(asked)
  return parsed.success ? parsed.data : undefined
}

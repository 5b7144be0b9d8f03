import type { FastifyPluginAsync } from 'fastify'
import { Counter, Histogram, Registry } from 'prom-client'
import type { RunReport } from '../app/context.js'

/** One private registry per server, so two servers in one process (tests) never share counts. */
export function createMetrics() {
  const registry = new Registry()
  const requests = new Counter({
    name: 'vpcpeer_requests_total',
    help: 'API requests by action and outcome (success, client_error, server_error)',
    labelNames: ['action', 'outcome'] as const,
    registers: [registry],
  })
  const errorsByCode = new Counter({
    name: 'vpcpeer_errors_total',
    help: 'Error responses by AWS error code',
    labelNames: ['code'] as const,
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'vpcpeer_request_duration_seconds',
    help: 'API request latency by action',
    labelNames: ['action'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const retries = new Counter({
    name: 'vpcpeer_write_retries_total',
    help: 'Write transactions started again after losing a race to another writer, by use case',
    labelNames: ['use_case'] as const,
    registers: [registry],
  })
  return {
    registry,
    record(action: string, status: number, seconds: number, errorCode?: string) {
      const outcome = status < 400 ? 'success' : status < 500 ? 'client_error' : 'server_error'
      requests.inc({ action, outcome })
      latency.observe({ action }, seconds)
      if (errorCode) errorsByCode.inc({ code: errorCode })
    },
    /** The use-case runner's hook. */
    recordRun(report: RunReport) {
      if (report.attempts > 1) retries.inc({ use_case: report.name }, report.attempts - 1)
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>

/** `GET /metrics` in Prometheus's text format. */
export const metricsPlugin: FastifyPluginAsync<{ readonly metrics: Metrics }> = async (app, { metrics }) => {
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
  )
}

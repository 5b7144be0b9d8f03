import { randomUUID } from 'node:crypto'
import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { errors } from '../domain/errors.js'
import { ec2Error } from '../protocol/ec2-query/handler.js'
import { XML_TYPE } from './query.js'

/**
 * Answers what Node refuses before any route sees it (a request line and headers over
 * `maxHeaderSize`, such as a GET with a very long query string, or bytes that are not HTTP) in
 * EC2's error envelope, as every other refusal is, instead of Fastify's JSON; so does a request
 * that has not arrived in full within the request timeout (a slow body, or nothing sent at all).
 */
export function answerClientError(this: FastifyInstance, error: Error & { code?: string }, socket: Duplex) {
  // A reset connection has nobody left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const refusal =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? errors.requestHeaderSectionTooLarge(maxHeaderSize)
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? errors.requestTimeout(this.server.requestTimeout / 1000)
        : errors.invalidRequest('The request is not valid HTTP/1.1.')
  const requestId = randomUUID()
  this.log.debug({ err: error, requestId }, `refused before routing: ${refusal.code}`)
  if (socket.writable) {
    const { body } = ec2Error(refusal, requestId, 'unknown')
    // end, not write then destroy: destroying at once can drop the answer and reset the connection.
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
        `Content-Type: ${XML_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-amzn-requestid: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    )
    // A client that keeps the connection open after the answer is cut off soon after.
    setTimeout(() => socket.destroy(), 1000).unref()
    return
  }
  socket.destroy(error)
}

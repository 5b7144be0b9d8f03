import type { EC2Client } from '@aws-sdk/client-ec2'
import { expect } from 'vitest'
import { ec2Client } from './server.js'

let nextAccount = 0

/**
 * A client for an account no other test uses, so listings see only what the test made (in open
 * auth mode a 12-digit access key id is the account).
 */
export function freshClient(url: string, region = 'us-east-1'): EC2Client & { accountId: string } {
  nextAccount++
  const accountId = `${process.pid % 1000}`.padStart(3, '0') + `${nextAccount}`.padStart(9, '0')
  return Object.assign(ec2Client(url, { accountId, region }), { accountId })
}

export interface SdkError {
  readonly name: string
  readonly message: string
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string }
}

/** Awaits a call that must fail with this EC2 error code, and returns the error for more checks. */
export async function expectError(
  call: Promise<unknown>,
  code: string,
  message?: string | RegExp,
  status = 400,
): Promise<SdkError> {
  let caught: unknown
  try {
    await call
  } catch (error) {
    caught = error
  }
  expect(caught, `expected ${code}`).toBeDefined()
  const error = caught as SdkError
  expect({ code: error.name, status: error.$metadata.httpStatusCode }).toEqual({ code, status })
  if (typeof message === 'string') expect(error.message).toBe(message)
  else if (message) expect(error.message).toMatch(message)
  return error
}

/** Orders strings by code unit, as a plain `sort()` would, for comparing id lists. */
export const byCodeUnit = (a = '', b = '') => (a < b ? -1 : a > b ? 1 : 0)

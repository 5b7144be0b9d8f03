import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Credential } from '../../src/ports/credentials.js'
import { signRequest as signWithNodeCrypto } from '../../src/protocol/sigv4/sign.js'
import { signRequest as signInBrowser } from '../../web/src/sigv4.js'
import { startTestServer, type TestServer } from '../support/server.js'

/**
 * The console's WebCrypto signer (web/src/sigv4.ts) must canonicalise exactly as the server's
 * verifier does (src/protocol/sigv4/canonical.ts): checked against the CLI's signer, which
 * shares the verifier's code, and against a strict-mode server.
 */

const text = (chars: string) => fc.string({ unit: fc.constantFrom(...chars), maxLength: 12 })
const awkward = 'aZ09-_.~ +*!()/%=&?é☃'

const request = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  segments: fc.array(text('abc019-_.~ +*!()é☃%'), { maxLength: 4 }),
  query: fc.array(fc.tuple(text(awkward), text(awkward)), { maxLength: 4 }),
  body: fc.string({ maxLength: 40 }),
  secret: fc.string({ minLength: 1, maxLength: 20 }),
  region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-southeast-2'),
  date: fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2035-01-01T00:00:00Z'),
    noInvalidDate: true,
  }),
})

const urlOf = (segments: readonly string[], query: readonly (readonly [string, string])[]) => {
  const url = new URL(`http://127.0.0.1:4566/_vpcpeer/api/${segments.map(encodeURIComponent).join('/')}`)
  url.search = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
  return url
}

describe('the console’s SigV4 signer', () => {
  it('signs every request exactly as the shared node signer does', async () => {
    await fc.assert(
      fc.asyncProperty(request, async ({ method, segments, query, body, secret, region, date }) => {
        const url = urlOf(segments, query)
        const credentials = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: secret }
        const browser = await signInBrowser({
          method,
          url,
          body,
          credentials,
          region,
          service: 'vpcpeer',
          date,
        })
        const node = signWithNodeCrypto({ method, url, body, credentials, region, service: 'vpcpeer', date })
        expect(browser).toEqual({
          authorization: node.authorization,
          'x-amz-date': node['x-amz-date'],
          'x-amz-content-sha256': node['x-amz-content-sha256'],
        })
      }),
      { numRuns: 300 },
    )
  })

  describe('against a strict-mode server', () => {
    const key = { accessKeyId: 'AKIASIGNEREXAMPLE', secretAccessKey: 'a secret/with+odd=chars' }
    const store = new Map<string, Credential>([
      [key.accessKeyId, { secretAccessKey: key.secretAccessKey, accountId: '444444444444' }],
    ])
    let server: TestServer
    beforeAll(async () => {
      server = await startTestServer({ auth: { kind: 'strict', lookup: (id) => store.get(id) } })
    })
    afterAll(() => server.close())

    async function send(
      method: string,
      path: string,
      query: [string, string][],
      body: string,
      secret: string,
    ) {
      const url = new URL(`${server.url}/_vpcpeer/api${path}`)
      url.search = query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')
      const headers = await signInBrowser({
        method,
        url,
        body,
        credentials: { ...key, secretAccessKey: secret },
        region: 'eu-west-1',
        service: 'vpcpeer',
        date: new Date(),
      })
      const response = await fetch(url, {
        method,
        headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body } : {}),
      })
      return {
        status: response.status,
        json: (await response.json()) as { accountId?: string; region?: string; error?: { code: string } },
      }
    }

    it('is accepted, with an awkward query and a body, as the account the key belongs to', async () => {
      const who = await send(
        'GET',
        '/whoami',
        [
          ['a b', "x+y*'()!"],
          ['é', '☃'],
        ],
        '',
        key.secretAccessKey,
      )
      expect(who).toMatchObject({ status: 200, json: { accountId: '444444444444', region: 'eu-west-1' } })
      const created = await send(
        'POST',
        '/peerings',
        [],
        JSON.stringify({ vpcId: 'vpc-00000000000000000', peerVpcId: 'vpc-11111111111111111' }),
        key.secretAccessKey,
      )
      // Past the signature check: the use case itself answers.
      expect(created.json.error?.code).toBe('InvalidVpcID.NotFound')
    })

    it('is refused with a wrong secret', async () => {
      const refused = await send('GET', '/topology', [], '', 'not the secret')
      expect(refused).toMatchObject({ status: 403, json: { error: { code: 'SignatureDoesNotMatch' } } })
    })
  })
})

import { Sha256 } from '@aws-crypto/sha256-js'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ApiError } from '../../domain/errors.js'
import { uriEncode } from './canonical.js'
import { type SigningCredentials, signRequest } from './sign.js'
import { type AuthMode, authenticate, DEFAULT_ACCOUNT, type IncomingRequest } from './verify.js'

// The date of AWS's own SigV4 test suite; every request here is signed at it.
const SIGNING_DATE = new Date('2015-08-30T12:36:00Z')
const HOST = '127.0.0.1:8080'
const ACCOUNT = '123456789012'
const EXAMPLE_CREDENTIALS: SigningCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
}

const secondsAfterSigning = (seconds: number) => new Date(SIGNING_DATE.getTime() + seconds * 1000)

/** What a client sends, before signing: the path and query exactly as they go on the wire. */
interface RequestSpec {
  readonly method: 'GET' | 'POST'
  readonly path: string
  readonly query: readonly (readonly [string, string])[]
  /** Extra headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  readonly credentials: SigningCredentials
  readonly region: string
  readonly service: string
}

const rawQueryOf = (pairs: RequestSpec['query']) =>
  pairs.map(([key, value]) => `${uriEncode(key)}=${uriEncode(value)}`).join('&')

/** A plain EC2 call, as @aws-sdk/client-ec2 makes it. */
const fixedSpec = (): RequestSpec => ({
  method: 'POST',
  path: '/',
  query: [],
  headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  body: Buffer.from('Action=DescribeVpcs&Version=2016-11-15'),
  credentials: EXAMPLE_CREDENTIALS,
  region: 'eu-west-2',
  service: 'ec2',
})

/** Smithy's query shape: repeated keys become a list. */
function smithyQuery(pairs: RequestSpec['query']): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null)
  for (const [key, value] of pairs) {
    const previous = query[key]
    query[key] = previous === undefined ? value : [previous, value].flat()
  }
  return query
}

const smithySigner = (spec: RequestSpec, applyChecksum: boolean) =>
  new SignatureV4({
    service: spec.service,
    region: spec.region,
    credentials: spec.credentials,
    sha256: Sha256,
    applyChecksum,
  })

const smithyRequest = (spec: RequestSpec, path = spec.path) =>
  new HttpRequest({
    method: spec.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 8080,
    path,
    query: smithyQuery(spec.query),
    headers: { ...spec.headers, host: HOST },
    body: spec.body,
  })

const asStrings = (headers: Record<string, string | string[] | undefined>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)]))

/** Signs with the AWS SDK's signer, the oracle, and returns the request as the server receives it. */
async function smithySigned(spec: RequestSpec): Promise<IncomingRequest> {
  const signed = await smithySigner(spec, false).sign(smithyRequest(spec), { signingDate: SIGNING_DATE })
  return {
    method: spec.method,
    path: spec.path,
    rawQuery: rawQueryOf(spec.query),
    headers: asStrings(signed.headers),
    body: spec.body,
  }
}

const strictFor = (credentials: SigningCredentials): AuthMode => ({
  kind: 'strict',
  lookup: (accessKeyId) =>
    accessKeyId === credentials.accessKeyId
      ? { secretAccessKey: credentials.secretAccessKey, accountId: ACCOUNT }
      : undefined,
})

/** The error authenticate throws; fails the test when it accepts the request instead. */
function rejection(request: IncomingRequest, mode: AuthMode, now = SIGNING_DATE): ApiError {
  try {
    authenticate(request, mode, now)
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('authenticate accepted the request')
}

// Characters that canonicalisation bugs trip over: reserved, percent, plus, unicode, astral.
const awkwardUnit = fc.oneof(
  fc.constantFrom(
    ' ',
    '   ',
    '*',
    '~',
    '+',
    '%',
    '%20',
    '=',
    '&',
    '/',
    '?',
    '#',
    '.',
    "'",
    '(',
    '!',
    'é',
    '日本',
    '😀',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)
const awkwardText = (minLength = 0) => fc.string({ unit: awkwardUnit, minLength, maxLength: 10 })

// Wire paths: segments already percent-encoded, plus empty, `.` and `..` segments to normalise.
const pathArb = fc
  .array(fc.oneof(fc.constantFrom('', '.', '..'), awkwardText(1).map(uriEncode)), { maxLength: 4 })
  .map((segments) => `/${segments.join('/')}`)

const queryArb = (minLength = 0) =>
  fc
    .array(fc.tuple(awkwardText(1), awkwardText()), { minLength, maxLength: 6 })
    // Repeat some keys, as `Filter.1.Value.N`-style lists and sloppy clients do.
    .chain((pairs) =>
      fc
        .subarray(pairs)
        .map((repeats) => [...pairs, ...repeats.map(([key], i) => [key, `${i}`] as [string, string])]),
    )
    // Smithy copies the query into a plain object, where `__proto__` sets the prototype instead
    // of adding a key, so the oracle cannot sign it; our own signer and verifier handle it.
    .map((pairs) => pairs.filter(([key]) => key.toLowerCase() !== 'x-amz-signature' && key !== '__proto__'))

const printableAscii = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code))
const headerValueArb = fc.string({
  unit: fc.oneof(printableAscii, fc.constantFrom(' ', '   ', '\t')),
  maxLength: 16,
})
const headerNameArb = fc.oneof(
  fc.stringMatching(/^x-test-[a-z0-9]{1,6}$/),
  fc.constantFrom('content-type', 'user-agent', 'x-amzn-trace-id'),
)

const bodyArb = (minLength = 0) =>
  fc.oneof(
    fc.string({ unit: 'binary', minLength, maxLength: 40 }).map((text) => Buffer.from(text, 'utf8')),
    fc.uint8Array({ minLength, maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
  )

const credentialsArb: fc.Arbitrary<SigningCredentials> = fc.record(
  {
    accessKeyId: fc.stringMatching(/^[A-Z0-9]{16,20}$/),
    secretAccessKey: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
    sessionToken: fc.base64String({ minLength: 4, maxLength: 40 }),
  },
  { requiredKeys: ['accessKeyId', 'secretAccessKey'] },
)

const specArb = ({ minQuery = 0, minBody = 0 } = {}): fc.Arbitrary<RequestSpec> =>
  fc.record({
    method: fc.constantFrom('GET', 'POST'),
    path: pathArb,
    query: queryArb(minQuery),
    headers: fc.dictionary(headerNameArb, headerValueArb, { maxKeys: 4 }),
    body: bodyArb(minBody),
    credentials: credentialsArb,
    region: fc.constantFrom('us-east-1', 'eu-west-2', 'ap-southeast-1'),
    service: fc.constantFrom('ec2', 'sts', 'iam'),
  })

// `now` anywhere inside the 15-minute window either side of the signing date.
const skewArb = fc.integer({ min: -15 * 60, max: 15 * 60 })

describe('verifying requests signed by @smithy/signature-v4', () => {
  it('accepts every correctly signed request, within 15 minutes of its date', async () => {
    await fc.assert(
      fc.asyncProperty(specArb(), skewArb, async (spec, skewSeconds) => {
        const request = await smithySigned(spec)
        const identity = authenticate(request, strictFor(spec.credentials), secondsAfterSigning(skewSeconds))
        expect(identity).toEqual({
          accessKeyId: spec.credentials.accessKeyId,
          accountId: ACCOUNT,
          region: spec.region,
          service: spec.service,
        })
      }),
      { numRuns: 300 },
    )
  })

  // A different character that is never whitespace, so header folding cannot undo the change.
  const otherChar = (char: string | undefined) => (char === 'x' ? 'y' : 'x')
  const replaceAt = (text: string, position: number) => {
    const chars = [...text]
    if (chars.length === 0) return 'x'
    const index = position % chars.length
    chars[index] = otherChar(chars[index])
    return chars.join('')
  }
  const signedHeadersOf = (request: IncomingRequest) =>
    /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization))![1]!.split(';')

  type Mutation = (request: IncomingRequest, spec: RequestSpec, position: number) => IncomingRequest
  const mutations: Record<string, Mutation> = {
    'one byte of the body': (request, _spec, position) => {
      const body = Buffer.from(request.body)
      const index = position % body.length
      body[index] = body[index]! ^ (1 + (position % 255))
      return { ...request, body }
    },
    'one character of a signed header value': (request, _spec, position) => {
      const names = signedHeadersOf(request).filter((name) => name !== 'x-amz-date')
      const name = names[position % names.length]!
      const value = String(request.headers[name] ?? '')
      return { ...request, headers: { ...request.headers, [name]: replaceAt(value, position) } }
    },
    'one character of a query key or value': (request, spec, position) => {
      const pairs = spec.query.map(([key, value]) => [key, value] as [string, string])
      const pair = pairs[position % pairs.length]!
      const side = position % 2
      pair[side] = replaceAt(pair[side]!, Math.floor(position / 2))
      return { ...request, rawQuery: rawQueryOf(pairs) }
    },
    'one character of the signature': (request, _spec, position) => {
      const authorization = String(request.headers.authorization)
      const start = authorization.indexOf('Signature=') + 'Signature='.length
      const index = start + (position % 64)
      const changed = authorization[index] === '0' ? '1' : '0'
      const mangled = authorization.slice(0, index) + changed + authorization.slice(index + 1)
      return { ...request, headers: { ...request.headers, authorization: mangled } }
    },
  }

  it.each(Object.entries(mutations))(
    'rejects a change to %s with SignatureDoesNotMatch',
    async (_, mutate) => {
      await fc.assert(
        fc.asyncProperty(
          specArb({ minQuery: 1, minBody: 1 }),
          fc.nat(),
          skewArb,
          async (spec, position, skewSeconds) => {
            const request = await smithySigned(spec)
            const error = rejection(
              mutate(request, spec, position),
              strictFor(spec.credentials),
              secondsAfterSigning(skewSeconds),
            )
            expect(error.code).toBe('SignatureDoesNotMatch')
            expect(error.status).toBe(403)
          },
        ),
        { numRuns: 150 },
      )
    },
  )

  it('accepts the get-vanilla request of the AWS SigV4 test suite', () => {
    const request: IncomingRequest = {
      method: 'GET',
      path: '/',
      rawQuery: '',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: Buffer.alloc(0),
    }
    expect(authenticate(request, strictFor(EXAMPLE_CREDENTIALS), SIGNING_DATE).service).toBe('service')
  })

  it('rejects a request whose x-amz-date was moved by one second', async () => {
    const spec = fixedSpec()
    const request = await smithySigned(spec)
    const moved = { ...request, headers: { ...request.headers, 'x-amz-date': '20150830T123601Z' } }
    expect(rejection(moved, strictFor(spec.credentials)).code).toBe('SignatureDoesNotMatch')
  })

  it('rejects a request signed with another secret', async () => {
    const spec = fixedSpec()
    const request = await smithySigned({
      ...spec,
      credentials: { ...spec.credentials, secretAccessKey: 'not-the-secret' },
    })
    expect(rejection(request, strictFor(spec.credentials)).code).toBe('SignatureDoesNotMatch')
  })

  it('rejects a body that does not match its declared x-amz-content-sha256', async () => {
    const spec = fixedSpec()
    const signed = await smithySigner(spec, true).sign(smithyRequest(spec), { signingDate: SIGNING_DATE })
    const request: IncomingRequest = {
      method: spec.method,
      path: spec.path,
      rawQuery: '',
      headers: asStrings(signed.headers),
      body: Buffer.from('Action=DeleteVpc&Version=2016-11-15'),
    }
    expect(
      authenticate({ ...request, body: spec.body }, strictFor(spec.credentials), SIGNING_DATE),
    ).toMatchObject({ accountId: ACCOUNT })
    expect(rejection(request, strictFor(spec.credentials)).code).toBe('SignatureDoesNotMatch')
  })
})

describe('signRequest', () => {
  it('sends host, x-amz-date and x-amz-content-sha256, all signed', () => {
    const headers = signRequest({
      method: 'GET',
      url: 'https://example.amazonaws.com/',
      credentials: EXAMPLE_CREDENTIALS,
      region: 'us-east-1',
      service: 'service',
      date: SIGNING_DATE,
    })
    expect(headers).toMatchObject({
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    })
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20150830\/us-east-1\/service\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    )
    expect(headers).not.toHaveProperty('x-amz-security-token')
  })

  it('produces exactly the headers smithy produces for the same request', async () => {
    await fc.assert(
      fc.asyncProperty(specArb(), async (spec) => {
        const rawQuery = rawQueryOf(spec.query)
        const url = new URL(`http://${HOST}${spec.path}${rawQuery ? `?${rawQuery}` : ''}`)
        const ours = signRequest({
          method: spec.method,
          url,
          headers: spec.headers,
          body: spec.body,
          credentials: spec.credentials,
          region: spec.region,
          service: spec.service,
          date: SIGNING_DATE,
        })
        // Smithy is given the path as the URL normalised it, which is what goes on the wire.
        const theirs = await smithySigner(spec, true).sign(smithyRequest(spec, url.pathname), {
          signingDate: SIGNING_DATE,
        })
        expect(ours).toEqual(asStrings(theirs.headers))

        const received = { method: spec.method, path: url.pathname, rawQuery, headers: ours, body: spec.body }
        expect(authenticate(received, strictFor(spec.credentials), SIGNING_DATE).accountId).toBe(ACCOUNT)
      }),
      { numRuns: 300 },
    )
  })

  it('sends the session token as x-amz-security-token and signs it', () => {
    const headers = signRequest({
      method: 'POST',
      url: `http://${HOST}/`,
      body: 'Action=DescribeVpcs&Version=2016-11-15',
      credentials: { ...EXAMPLE_CREDENTIALS, sessionToken: 'session-token' },
      region: 'us-east-1',
      service: 'ec2',
      date: SIGNING_DATE,
    })
    expect(headers['x-amz-security-token']).toBe('session-token')
    expect(headers.authorization).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    )
  })
})

describe('authentication failures', () => {
  const strict = strictFor(EXAMPLE_CREDENTIALS)

  it('answers AuthFailure (401) for an access key it does not know', async () => {
    const request = await smithySigned({
      ...fixedSpec(),
      credentials: { ...EXAMPLE_CREDENTIALS, accessKeyId: 'AKIDUNKNOWN' },
    })
    const error = rejection(request, strict)
    expect([error.code, error.status]).toEqual(['AuthFailure', 401])
  })

  it.each([
    ['16 minutes after', 16 * 60],
    ['16 minutes before', -16 * 60],
  ])('answers RequestExpired when the server clock is %s the signing date', async (_, skewSeconds) => {
    const request = await smithySigned(fixedSpec())
    expect(
      authenticate(request, strict, secondsAfterSigning(Math.sign(skewSeconds) * 15 * 60)).accountId,
    ).toBe(ACCOUNT)
    const error = rejection(request, strict, secondsAfterSigning(skewSeconds))
    expect([error.code, error.status, error.message]).toEqual(['RequestExpired', 400, 'Request has expired.'])
  })

  it('answers MissingAuthenticationToken (401) for an unsigned request', () => {
    const spec = fixedSpec()
    const request = { method: 'POST', path: '/', rawQuery: '', headers: { ...spec.headers }, body: spec.body }
    const error = rejection(request, strict)
    expect([error.code, error.status]).toEqual(['MissingAuthenticationToken', 401])
  })

  const authorizationEdits: [string, (authorization: string) => string][] = [
    ['without Signature=', (text) => text.replace(/, Signature=[0-9a-f]+/, '')],
    ['without SignedHeaders=', (text) => text.replace(/, SignedHeaders=[^,]+/, '')],
    ['with another algorithm', (text) => text.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512')],
    ['with a four-part credential scope', (text) => text.replace('/eu-west-2/', '/')],
    ['with a wrong scope terminator', (text) => text.replace('aws4_request', 'aws5_request')],
    ['with a malformed scope date', (text) => text.replace('/20150830/', '/2015-08-30/')],
    ['with a scope date that is not the x-amz-date day', (text) => text.replace('/20150830/', '/20150831/')],
  ]
  it.each(authorizationEdits)(
    'answers IncompleteSignature (400) for an Authorization header %s',
    async (_, edit) => {
      const request = await smithySigned(fixedSpec())
      const authorization = String(request.headers.authorization)
      const edited = edit(authorization)
      expect(edited).not.toBe(authorization)
      const error = rejection({ ...request, headers: { ...request.headers, authorization: edited } }, strict)
      expect([error.code, error.status]).toEqual(['IncompleteSignature', 400])
    },
  )

  it('answers IncompleteSignature when the signed request has no x-amz-date', async () => {
    const request = await smithySigned(fixedSpec())
    const { 'x-amz-date': _date, ...headers } = request.headers
    expect(rejection({ ...request, headers }, strict).code).toBe('IncompleteSignature')
  })
})

describe('presigned query strings', () => {
  const strict = strictFor(EXAMPLE_CREDENTIALS)

  async function presigned(expiresIn: number, credentials = EXAMPLE_CREDENTIALS): Promise<IncomingRequest> {
    const spec: RequestSpec = {
      ...fixedSpec(),
      method: 'GET',
      query: [
        ['Action', 'DescribeVpcs'],
        ['Version', '2016-11-15'],
        ['Filter.1.Name', 'tag:Name'],
        ['Filter.1.Value.1', 'a b*'],
      ],
      headers: {},
      body: Buffer.alloc(0),
      credentials,
    }
    const signed = await smithySigner(spec, false).presign(smithyRequest(spec), {
      signingDate: SIGNING_DATE,
      expiresIn,
    })
    const pairs = Object.entries(signed.query ?? {}).flatMap(([key, value]) =>
      [value ?? ''].flat().map((item) => [key, item] as [string, string]),
    )
    return { method: 'GET', path: '/', rawQuery: rawQueryOf(pairs), headers: { host: HOST }, body: spec.body }
  }

  it('accepts a presigned request until it expires, then answers RequestExpired', async () => {
    const request = await presigned(300)
    expect(authenticate(request, strict, secondsAfterSigning(300))).toEqual({
      accessKeyId: 'AKIDEXAMPLE',
      accountId: ACCOUNT,
      region: 'eu-west-2',
      service: 'ec2',
    })
    expect(rejection(request, strict, secondsAfterSigning(301)).code).toBe('RequestExpired')
    expect(rejection(request, strict, secondsAfterSigning(-16 * 60)).code).toBe('RequestExpired')
  })

  it('stays valid past 15 minutes when X-Amz-Expires says so', async () => {
    const request = await presigned(3600)
    expect(authenticate(request, strict, secondsAfterSigning(3599)).accountId).toBe(ACCOUNT)
    expect(rejection(request, strict, secondsAfterSigning(3601)).code).toBe('RequestExpired')
  })

  it('signs the session token into the query', async () => {
    const request = await presigned(300, { ...EXAMPLE_CREDENTIALS, sessionToken: 'token/with+chars' })
    expect(request.rawQuery).toContain('X-Amz-Security-Token=token%2Fwith%2Bchars')
    expect(authenticate(request, strict, SIGNING_DATE).accountId).toBe(ACCOUNT)
    const stripped = request.rawQuery.replace(/&?X-Amz-Security-Token=[^&]*/, '')
    expect(rejection({ ...request, rawQuery: stripped }, strict).code).toBe('SignatureDoesNotMatch')
  })

  it('rejects a changed query parameter or signature with SignatureDoesNotMatch', async () => {
    const request = await presigned(300)
    const changedFilter = request.rawQuery.replace('a%20b%2A', 'a%20c%2A')
    const changedSignature = request.rawQuery.replace(/X-Amz-Signature=([0-9a-f])/, (_, first: string) =>
      first === '0' ? 'X-Amz-Signature=1' : 'X-Amz-Signature=0',
    )
    for (const rawQuery of [changedFilter, changedSignature]) {
      expect(rawQuery).not.toBe(request.rawQuery)
      expect(rejection({ ...request, rawQuery }, strict).code).toBe('SignatureDoesNotMatch')
    }
  })

  it.each(['-1', 'soon', '604801', '1.5'])(
    'answers IncompleteSignature for X-Amz-Expires=%s',
    async (expires) => {
      const request = await presigned(300)
      const rawQuery = request.rawQuery.replace('X-Amz-Expires=300', `X-Amz-Expires=${expires}`)
      expect(rejection({ ...request, rawQuery }, strict, secondsAfterSigning(10 * 24 * 3600)).code).toBe(
        'IncompleteSignature',
      )
    },
  )

  it('answers IncompleteSignature when a presigned part is missing', async () => {
    const request = await presigned(300)
    const rawQuery = request.rawQuery.replace(/&?X-Amz-SignedHeaders=[^&]*/, '')
    expect(rejection({ ...request, rawQuery }, strict).code).toBe('IncompleteSignature')
  })
})

describe('open mode', () => {
  const open: AuthMode = { kind: 'open', defaultRegion: 'us-west-2' }
  const signedBy = (accessKeyId: string, region: string) =>
    smithySigned({
      ...fixedSpec(),
      region,
      credentials: { accessKeyId, secretAccessKey: 'anything' },
    })

  it('takes a 12-digit access key id as the account and the region from the scope', async () => {
    const identity = authenticate(await signedBy('210987654321', 'ap-southeast-1'), open, new Date())
    expect(identity).toEqual({
      accessKeyId: '210987654321',
      accountId: '210987654321',
      region: 'ap-southeast-1',
      service: 'ec2',
    })
  })

  it.each(['AKIDEXAMPLE', '12345678901', '1234567890123'])(
    'maps key id %s to the default account',
    async (key) => {
      const identity = authenticate(await signedBy(key, 'eu-west-2'), open, new Date())
      expect([identity.accountId, identity.region]).toEqual([DEFAULT_ACCOUNT, 'eu-west-2'])
    },
  )

  it('does not check signatures or dates', async () => {
    const request = await signedBy('210987654321', 'eu-west-2')
    const tampered = { ...request, body: Buffer.from('Action=DeleteVpc') }
    expect(authenticate(tampered, open, secondsAfterSigning(24 * 3600)).accountId).toBe('210987654321')
  })

  it('answers an unsigned request as the default account in the default region', () => {
    const request = {
      method: 'POST',
      path: '/',
      rawQuery: '',
      headers: {},
      body: Buffer.from('Action=DescribeVpcs'),
    }
    expect(authenticate(request, open)).toEqual({
      accessKeyId: '',
      accountId: DEFAULT_ACCOUNT,
      region: 'us-west-2',
    })
  })
})

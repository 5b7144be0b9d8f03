// biome-ignore-all lint/suspicious/noTemplateCurlyInString: flow-log formats are literally lists of ${field}.
import { describe, expect, it } from 'vitest'
import { ApiError } from '../domain/errors.js'
import {
  DEFAULT_FIELDS,
  DEFAULT_LOG_FORMAT,
  fieldValues,
  formatRecord,
  headerLine,
  hitValues,
  parseLogFormat,
  parseRecord,
  type RecordContext,
  versionOf,
} from './flow-log-format.js'
import type { InterfaceHit } from './types.js'

const failure = (run: () => unknown) => {
  try {
    run()
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected an ApiError')
}

describe('log formats', () => {
  it('defaults to the version-2 fields in the order AWS documents', () => {
    expect(DEFAULT_LOG_FORMAT).toBe(
      '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}',
    )
    expect(parseLogFormat(DEFAULT_LOG_FORMAT)).toEqual(DEFAULT_FIELDS)
  })

  it('reads a custom format in its own order, its version the highest of its fields', () => {
    expect(parseLogFormat('${dstport} ${srcaddr}')).toEqual(['dstport', 'srcaddr'])
    expect(versionOf(parseLogFormat('${srcaddr} ${dstaddr}'))).toBe(2)
    expect(versionOf(parseLogFormat('${srcaddr} ${vpc-id}'))).toBe(3)
    expect(versionOf(parseLogFormat('${az-id} ${vpc-id}'))).toBe(4)
    expect(versionOf(parseLogFormat('${traffic-path} ${region}'))).toBe(5)
  })

  it.each([
    ['empty', ''],
    ['a trailing space', '${srcaddr} '],
    ['two spaces', '${srcaddr}  ${dstaddr}'],
    ['a bare name', 'srcaddr'],
    ['an unclosed entry', '${srcaddr'],
  ])('refuses %s with the validation error AWS gives', (_, format) => {
    expect(failure(() => parseLogFormat(format))).toEqual({
      code: 'InvalidParameterValue',
      message: `1 validation error detected: Value '${format}' at 'logFormat' has an invalid format`,
    })
  })

  it('refuses a field it does not know, naming it', () => {
    expect(failure(() => parseLogFormat('${srcaddr} ${colour} ${flavour}'))).toEqual({
      code: 'InvalidParameterValue',
      message:
        'Value (${srcaddr} ${colour} ${flavour}) for parameter logFormat is invalid. Unknown fields: ${colour}, ${flavour}.',
    })
  })
})

describe('records', () => {
  it("writes AWS's accepted-SSH example in the default format", () => {
    const line = formatRecord(DEFAULT_FIELDS, {
      'account-id': '123456789010',
      'interface-id': 'eni-1235b8ca123456789',
      srcaddr: '172.31.16.139',
      dstaddr: '172.31.16.21',
      srcport: 20641,
      dstport: 22,
      protocol: 6,
      packets: 20,
      bytes: 4249,
      start: 1418530010,
      end: 1418530070,
      action: 'ACCEPT',
      'log-status': 'OK',
    })
    expect(line).toBe(
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
    )
  })

  it('writes - for what does not apply, and the format version for version', () => {
    const format = parseLogFormat('${version} ${vpc-id} ${instance-id} ${pkt-srcaddr}')
    expect(formatRecord(format, { 'vpc-id': 'vpc-1' })).toBe('3 vpc-1 - -')
    expect(fieldValues(format, {}).version).toBe('3')
  })

  it('heads a file with the field names, and reads its lines back by them', () => {
    const format = parseLogFormat('${srcaddr} ${dstport} ${action}')
    expect(headerLine(format)).toBe('srcaddr dstport action')
    expect(parseRecord(format, '10.0.0.1 443 REJECT')).toEqual({
      srcaddr: '10.0.0.1',
      dstport: '443',
      action: 'REJECT',
    })
  })
})

describe('what an interface hit records', () => {
  const hit: InterfaceHit = {
    networkInterfaceId: 'eni-0aaaaaaaaaaaaaaaa',
    ownerId: '111111111111',
    vpcId: 'vpc-0aaaaaaaaaaaaaaaa',
    subnetId: 'subnet-0aaaaaaaaaaaaaaaa',
    flowDirection: 'egress',
    action: 'ACCEPT',
    sourceAddress: '10.1.0.10',
    destinationAddress: '10.2.0.20',
    sourcePort: 49152,
    destinationPort: 5432,
    trafficPath: 4,
    reply: false,
  }
  const context: RecordContext = {
    protocol: 6,
    packets: 3,
    bytes: 180,
    start: 1700000000,
    end: 1700000000,
    region: 'us-east-1',
    availabilityZoneId: 'use1-az1',
    instanceId: 'i-0aaaaaaaaaaaaaaaa',
  }
  const everything = parseLogFormat(
    '${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${flow-direction} ${traffic-path}',
  )
  const record = (h: InterfaceHit, c: RecordContext = context) =>
    parseRecord(everything, formatRecord(everything, hitValues(h, c)))

  it('records an egress request with its peering traffic path and the true private addresses', () => {
    expect(record(hit)).toEqual({
      'account-id': '111111111111',
      'interface-id': 'eni-0aaaaaaaaaaaaaaaa',
      srcaddr: '10.1.0.10',
      dstaddr: '10.2.0.20',
      srcport: '49152',
      dstport: '5432',
      protocol: '6',
      packets: '3',
      bytes: '180',
      start: '1700000000',
      end: '1700000000',
      action: 'ACCEPT',
      'log-status': 'OK',
      'vpc-id': 'vpc-0aaaaaaaaaaaaaaaa',
      'subnet-id': 'subnet-0aaaaaaaaaaaaaaaa',
      'instance-id': 'i-0aaaaaaaaaaaaaaaa',
      'tcp-flags': '2',
      type: 'IPv4',
      'pkt-srcaddr': '10.1.0.10',
      'pkt-dstaddr': '10.2.0.20',
      region: 'us-east-1',
      'az-id': 'use1-az1',
      'flow-direction': 'egress',
      'traffic-path': '4',
    })
  })

  it('gives ingress records no traffic path, and replies the SYN-ACK flags', () => {
    const ingressReply = record({ ...hit, flowDirection: 'ingress', reply: true, action: 'REJECT' })
    expect(ingressReply['traffic-path']).toBe('-')
    expect(ingressReply['tcp-flags']).toBe('18')
    expect(ingressReply.action).toBe('REJECT')
  })

  it('writes ports 0 and no TCP flags for ICMP, and IPv6 as the type of an IPv6 flow', () => {
    const { sourcePort: _s, destinationPort: _d, ...portless } = hit
    const icmp = record(
      { ...portless, sourceAddress: '2600:1f18::10', destinationAddress: '2600:1f18::20' },
      {
        ...context,
        protocol: 58,
      },
    )
    expect([icmp.srcport, icmp.dstport, icmp['tcp-flags'], icmp.type]).toEqual(['0', '0', '0', 'IPv6'])
  })

  it('writes - for the instance of a requester-managed interface', () => {
    const { instanceId: _, ...noInstance } = context
    expect(record(hit, noInstance)['instance-id']).toBe('-')
  })
})

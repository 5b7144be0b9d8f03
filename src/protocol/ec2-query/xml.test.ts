import { parseXML } from '@aws-sdk/xml-builder'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { document, element, escapeXml, formatTime, XML_DECLARATION } from './xml.js'

/** Characters, weighted toward the ones XML and the SDK's parser treat specially. */
const tricky = fc.oneof(
  fc.constantFrom(
    '\r',
    '\n',
    '\t',
    '\u0000',
    '\u0001',
    '\u001f',
    '&',
    '<',
    '>',
    '"',
    "'",
    ' ',
    ']]>',
    '&amp;',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f')
    expect(escapeXml('&amp;')).toBe('&amp;amp;')
  })

  it('keeps tabs and newlines but writes carriage returns and control characters as references', () => {
    expect(escapeXml('a\tb\nc')).toBe('a\tb\nc')
    expect(escapeXml('a\r\nb')).toBe('a&#xD;\nb')
    expect(escapeXml('\u0000\u0001\u001f')).toBe('&#x0;&#x1;&#x1F;')
    expect(escapeXml('héllo ✓ 😀')).toBe('héllo ✓ 😀')
  })

  it('round-trips any string through the parser the AWS SDK uses', () => {
    fc.assert(
      fc.property(fc.string({ unit: tricky }), (text) => {
        // The SDK reads whitespace-only text holding a newline as empty; nothing a server can change.
        fc.pre(!(text.trim() === '' && text.includes('\n')))
        const parsed = parseXML(document('R', '', { v: text })) as { R: { v: string } }
        expect(parsed.R.v).toBe(text)
      }),
    )
  })
})

describe('element', () => {
  it('writes scalars, booleans and numbers as text', () => {
    expect(element('a', 'x')).toBe('<a>x</a>')
    expect(element('a', '')).toBe('<a></a>')
    expect(element('a', true)).toBe('<a>true</a>')
    expect(element('a', false)).toBe('<a>false</a>')
    expect(element('a', 0)).toBe('<a>0</a>')
    expect(element('a', 42)).toBe('<a>42</a>')
  })

  it('leaves out undefined and null members', () => {
    expect(element('a', undefined)).toBe('')
    expect(element('a', null)).toBe('')
    expect(element('a', { x: 1, y: undefined, z: null })).toBe('<a><x>1</x></a>')
  })

  it('writes an empty list as a self-closed element and lists as <item>s', () => {
    expect(element('tagSet', [])).toBe('<tagSet/>')
    expect(element('tagSet', [{ key: 'Name', value: 'x' }])).toBe(
      '<tagSet><item><key>Name</key><value>x</value></item></tagSet>',
    )
    expect(element('ids', ['a', 'b'])).toBe('<ids><item>a</item><item>b</item></ids>')
  })

  it('nests objects and lists of objects in member order', () => {
    expect(element('vpc', { vpcId: 'vpc-1', cidrBlockState: { state: 'associated' }, tagSet: [] })).toBe(
      '<vpc><vpcId>vpc-1</vpcId><cidrBlockState><state>associated</state></cidrBlockState><tagSet/></vpc>',
    )
  })

  it('writes dates in UTC with milliseconds', () => {
    const date = new Date(Date.UTC(2014, 1, 18, 14, 37, 25))
    expect(formatTime(date)).toBe('2014-02-18T14:37:25.000Z')
    expect(element('t', date)).toBe('<t>2014-02-18T14:37:25.000Z</t>')
    expect(element('t', new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 67)))).toBe('<t>2024-01-02T03:04:05.067Z</t>')
  })

  it('escapes text inside nested members', () => {
    expect(element('tagSet', [{ key: '<k>', value: 'a&b' }])).toBe(
      '<tagSet><item><key>&lt;k&gt;</key><value>a&amp;b</value></item></tagSet>',
    )
  })
})

describe('document', () => {
  it('writes the declaration, the root with its attributes and the members, unindented', () => {
    expect(
      document('DeleteVpcResponse', ' xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"', {
        requestId: 'r-1',
        return: true,
        skipped: undefined,
      }),
    ).toBe(
      `${XML_DECLARATION}<DeleteVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><return>true</return></DeleteVpcResponse>`,
    )
    expect(XML_DECLARATION).toBe('<?xml version="1.0" encoding="UTF-8"?>')
  })
})

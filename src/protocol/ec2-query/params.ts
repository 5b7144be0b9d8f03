import type { Filter } from '../../app/describe.js'
import type { TagSpecification } from '../../app/tags.js'
import { errors } from '../../domain/errors.js'
import type { TagInput } from '../../domain/tags.js'

/**
 * Query parameters, decoded into a tree: `Filter.1.Value.2=x` becomes
 * Filter → 1 → Value → 2 = "x". Each action declares its parameters with the small schema
 * below, which turns the tree into a typed input and answers AWS's errors for unknown,
 * missing and mistyped parameters, naming the full wire name (`Filter.1.Name`).
 */
export interface Node {
  value?: string
  children?: Map<string, Node>
}

/** Parameters every request may carry besides the action's own (signing and envelope). */
const ENVELOPE =
  /^(Action|Version|X-Amz-[A-Za-z-]+|AWSAccessKeyId|SignatureVersion|SignatureMethod|Signature|Timestamp|Expires)$/

/**
 * The most parameters one request may carry, and the most entries of a list that sets no
 * limit of its own: a request's cost stays bounded whatever its body size allows.
 */
export const MAX_PARAMETERS = 5000
export const MAX_LIST_ENTRIES = 1000
/** AWS's limit on the values of all filters of one call. */
export const MAX_FILTER_VALUES = 200

export function decodeTree(params: URLSearchParams): Node {
  const root: Node = { children: new Map() }
  let count = 0
  for (const _ of params) count++
  if (count > MAX_PARAMETERS) {
    throw errors.invalidRequest(
      `The request has ${count} parameters; at most ${MAX_PARAMETERS} are accepted.`,
    )
  }
  for (const [key, value] of params) {
    if (ENVELOPE.test(key)) continue
    let node = root
    for (const part of key.split('.')) {
      node.children ??= new Map()
      let child = node.children.get(part)
      if (!child) {
        child = {}
        node.children.set(part, child)
      }
      node = child
    }
    node.value = value
  }
  return root
}

/** The first wire name under `node`, for error messages (`VpcId.1` under `VpcId`). */
function firstName(node: Node, path: string): string {
  const first = node.children?.entries().next().value
  return first ? firstName(first[1], `${path}.${first[0]}`) : path
}

/**
 * What a parameter looks like on the wire, for tools that generate requests (the protocol
 * fuzzer reads every action's parameters from here, so a new parameter is fuzzed unasked).
 */
export type Shape =
  | { readonly kind: 'string' | 'bool' | 'timestamp' }
  | { readonly kind: 'int'; readonly min?: number; readonly max?: number }
  | { readonly kind: 'oneOf'; readonly values: readonly string[] }
  | { readonly kind: 'list'; readonly item: Shape; readonly max?: number }
  | { readonly kind: 'struct'; readonly members: Readonly<Record<string, Spec<unknown>>> }

export interface Spec<T> {
  readonly shape: Shape
  /** Whether the action fails with MissingParameter when this parameter is absent. */
  readonly required: boolean
  /** The value when absent (lists: []), so inputs need no undefined checks. */
  readonly absent?: T
  decode(node: Node, name: string): T
}

type Infer<S> = S extends Spec<infer T> ? T : never
type RequiredKeys<M> = {
  [K in keyof M]: M[K] extends { required: true } ? K : M[K] extends { absent: unknown } ? K : never
}[keyof M]
export type StructOf<M extends Record<string, Spec<unknown>>> = { [K in RequiredKeys<M>]: Infer<M[K]> } & {
  [K in Exclude<keyof M, RequiredKeys<M>>]?: Infer<M[K]>
}

function scalar<T>(shape: Shape, decode: (text: string, name: string) => T): Spec<T> {
  return {
    shape,
    required: false,
    decode(node, name) {
      if (node.children?.size) throw errors.unknownParameter(firstName(node, name))
      return decode(node.value ?? '', name)
    },
  }
}

export const string = () => scalar({ kind: 'string' }, (text) => text)

export const int = (range: { min?: number; max?: number } = {}) =>
  scalar({ kind: 'int', ...range }, (text, name) => {
    if (!/^-?\d{1,15}$/.test(text)) throw errors.invalidValue(name, text, 'Expected an integer.')
    const value = Number(text)
    if ((range.min !== undefined && value < range.min) || (range.max !== undefined && value > range.max)) {
      throw errors.invalidValue(
        name,
        text,
        `It must be between ${range.min ?? '-∞'} and ${range.max ?? '∞'}.`,
      )
    }
    return value
  })

export const bool = () =>
  scalar({ kind: 'bool' }, (text, name) => {
    const lower = text.toLowerCase()
    if (lower !== 'true' && lower !== 'false')
      throw errors.invalidValue(name, text, 'Expected true or false.')
    return lower === 'true'
  })

export const oneOf = <const V extends string>(values: readonly V[]) =>
  scalar({ kind: 'oneOf', values }, (text, name) => {
    if (!(values as readonly string[]).includes(text)) {
      throw errors.invalidValue(name, text, `Valid values: ${values.join(', ')}.`)
    }
    return text as V
  })

export const timestamp = () =>
  scalar({ kind: 'timestamp' }, (text, name) => {
    const date = new Date(text)
    if (Number.isNaN(date.getTime())) throw errors.invalidValue(name, text, 'Expected an ISO 8601 timestamp.')
    return date
  })

export function required<T>(spec: Spec<T>): Spec<T> & { required: true } {
  return { ...spec, required: true }
}

/** A flattened list, `Name.1`, `Name.2`, … ordered by index; at most MAX_LIST_ENTRIES unless `max` says. */
export function list<T>(
  item: Spec<T>,
  { max = MAX_LIST_ENTRIES }: { max?: number } = {},
): Spec<T[]> & { absent: T[] } {
  return {
    shape: { kind: 'list', item: item.shape, max },
    required: false,
    absent: [],
    decode(node, name) {
      if (node.value !== undefined) throw errors.unknownParameter(name)
      const entries = [...(node.children ?? [])]
      for (const [index, child] of entries) {
        if (!/^[1-9]\d{0,5}$/.test(index)) throw errors.unknownParameter(firstName(child, `${name}.${index}`))
      }
      entries.sort((a, b) => Number(a[0]) - Number(b[0]))
      if (entries.length > max) {
        throw errors.invalidParameterValue(`The maximum number of ${name} values is ${max}.`)
      }
      return entries.map(([index, child]) => item.decode(child, `${name}.${index}`))
    },
  }
}

/** A nested structure, `Name.Member`. */
export function struct<M extends Record<string, Spec<unknown>>>(members: M): Spec<StructOf<M>> {
  return {
    shape: { kind: 'struct', members },
    required: false,
    decode(node, name) {
      if (node.value !== undefined && !node.children?.size) throw errors.unknownParameter(name)
      return decodeMembers(members, node, `${name}.`)
    },
  }
}

export function decodeMembers<M extends Record<string, Spec<unknown>>>(
  members: M,
  node: Node,
  prefix = '',
): StructOf<M> {
  const out: Record<string, unknown> = {}
  for (const [key, child] of node.children ?? []) {
    // Own members only: `toString` or `__proto__` on the wire are unknown, not Object.prototype.
    const spec = Object.hasOwn(members, key) ? members[key] : undefined
    if (!spec) throw errors.unknownParameter(firstName(child, `${prefix}${key}`))
    out[key] = spec.decode(child, `${prefix}${key}`)
  }
  for (const [key, spec] of Object.entries(members)) {
    if (Object.hasOwn(out, key)) continue
    if (spec.required) throw errors.missingParameter(`${prefix}${key}`)
    if (spec.absent !== undefined) out[key] = spec.absent
  }
  return out as StructOf<M>
}

/**
 * A parameter decoded by `spec` and then converted, so that wire names end here: the use cases
 * take camelCase domain inputs. Whether it is required, and its value when absent, carry over.
 */
export function mapped<T, U, S extends Spec<T>>(
  spec: S & Spec<T>,
  convert: (value: T) => U,
): Spec<U> & { required: S['required'] } & (S extends { absent: T } ? { absent: U } : unknown) {
  return {
    shape: spec.shape,
    required: spec.required,
    ...(spec.absent !== undefined ? { absent: convert(spec.absent) } : {}),
    decode: (node, name) => convert(spec.decode(node, name)),
  } as Spec<U> & { required: S['required'] } & (S extends { absent: T } ? { absent: U } : unknown)
}

/** A decoded value with every member name's first letter lowered: `IpRanges.N.CidrIp` → `ipRanges[n].cidrIp`. */
export type CamelCased<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? CamelCased<U>[]
    : T extends object
      ? { [K in keyof T as K extends string ? Uncapitalize<K> : K]: CamelCased<T[K]> }
      : T

function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys)
  if (value === null || typeof value !== 'object' || value instanceof Date) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key[0]!.toLowerCase() + key.slice(1),
      camelCaseKeys(member),
    ]),
  )
}

/** The parameter with its wire member names camelCased, for a use case whose input mirrors the wire's structure. */
export const camelCased = <T, S extends Spec<T>>(spec: S & Spec<T>) =>
  mapped<T, CamelCased<T>, S>(spec, (value) => camelCaseKeys(value) as CamelCased<T>)

// Shapes shared by many actions.

export const filters = mapped(
  list(struct({ Name: required(string()), Value: list(string()) }), { max: 50 }),
  (wire): Filter[] => {
    const values = wire.reduce((sum, filter) => sum + filter.Value.length, 0)
    if (values > MAX_FILTER_VALUES) {
      throw errors.filterLimitExceeded(
        `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`,
      )
    }
    return wire.map((filter) => ({ name: filter.Name, values: filter.Value }))
  },
)

export const tag = mapped(
  struct({ Key: string(), Value: string() }),
  ({ Key, Value }): TagInput => ({
    ...(Key !== undefined ? { key: Key } : {}),
    ...(Value !== undefined ? { value: Value } : {}),
  }),
)

export const tagSpecifications = mapped(
  list(struct({ ResourceType: string(), Tag: list(tag) })),
  (wire): TagSpecification[] =>
    wire.map((spec) => ({
      ...(spec.ResourceType !== undefined ? { resourceType: spec.ResourceType } : {}),
      tags: spec.Tag,
    })),
)

export const booleanValue = struct({ Value: bool() })

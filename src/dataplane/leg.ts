/** The pieces one leg of a flow is built from: numbered components, blockers, and where a packet got to. */
import type { NatGateway } from '../domain/gateways.js'
import type { Address } from './address.js'
import { hasPorts, isIcmp, type Packet, protocolLabel } from './filters.js'
import type { GatewayEntry, InterfaceEntry, Snapshot, SubnetEntry, VpcEntry } from './snapshot.js'
import type { ComponentRef, Explanation, PacketHeader, PathComponent } from './types.js'

export type Writable<T> = { -readonly [K in keyof T]: T[K] }
export type Step = Writable<PathComponent> & { explanations: Explanation[] }
export type Finding = Omit<Explanation, 'leg'>

/** The components and blockers of one direction, numbered as they are added. */
export class Leg {
  readonly components: Step[] = []
  readonly explanations: Explanation[] = []

  constructor(
    readonly leg: 'forward' | 'return',
    public header: PacketHeader,
  ) {}

  add(component: Omit<PathComponent, 'sequenceNumber' | 'explanations'>): Step {
    const step: Step = {
      sequenceNumber: this.components.length + 1,
      inboundHeader: this.header,
      outboundHeader: this.header,
      ...component,
      explanations: [],
    }
    this.components.push(step)
    return step
  }

  block(at: Step, finding: Finding) {
    const explanation: Explanation = { ...finding, leg: this.leg }
    at.explanations.push(explanation)
    this.explanations.push(explanation)
  }
}

/** Where the forward leg delivered the packet. */
export type Arrival =
  | {
      readonly kind: 'interface'
      readonly iface: InterfaceEntry
      /** The source address as the receiver sees it (a NAT gateway's, after translation). */
      readonly sourceAddress: Address
      /** The VPC the packet was sent from, where the reply must be routed back to. */
      readonly fromVpc: VpcEntry
      readonly sameSubnet: boolean
      readonly nat?: GatewayEntry<NatGateway>
    }
  | { readonly kind: 'outside' }

/** Who sends at a routing step: the source interface, or a NAT gateway that translated it. */
export interface Sender {
  readonly address: Address
  readonly subnet: SubnetEntry
  readonly interfaceRef: ComponentRef
  readonly hasPublicIpv4: boolean
  readonly nat?: GatewayEntry<NatGateway>
}

export interface Trace {
  readonly snapshot: Snapshot
  readonly destination: Address
  readonly packet: Packet
  /** Flow-log traffic-path of the first hop, once a route names it. */
  trafficPath?: number
}

/** A packet's protocol and port in words, for messages. */
export function trafficText(packet: Packet): string {
  const label = protocolLabel(packet.protocol)
  if (hasPorts(packet.protocol))
    return packet.port === undefined ? `${label} on any port` : `${label} port ${packet.port}`
  if (isIcmp(packet.protocol) && packet.port !== undefined) {
    return `${label} type ${packet.port}${packet.icmpCode !== undefined ? ` code ${packet.icmpCode}` : ''}`
  }
  return label === 'all' ? 'traffic' : label
}

export const listed = (ids: readonly string[]) => ids.join(', ')

/** Drops header fields set to undefined (the end interfaces have one side only). */
export function clean(step: Step): PathComponent {
  const { inboundHeader, outboundHeader, ...rest } = step
  return {
    ...rest,
    ...(inboundHeader ? { inboundHeader } : {}),
    ...(outboundHeader ? { outboundHeader } : {}),
  }
}

import type { ComponentKind, ComponentRef } from './types.js'

/** The resource type an EC2 ARN names for each kind (AWS writes NAT gateways as `natgateway`). */
const ARN_TYPES: Readonly<Record<ComponentKind, string>> = {
  'network-interface': 'network-interface',
  instance: 'instance',
  'security-group': 'security-group',
  'network-acl': 'network-acl',
  subnet: 'subnet',
  vpc: 'vpc',
  'route-table': 'route-table',
  'vpc-peering-connection': 'vpc-peering-connection',
  'internet-gateway': 'internet-gateway',
  'egress-only-internet-gateway': 'egress-only-internet-gateway',
  'nat-gateway': 'natgateway',
  'vpn-gateway': 'vpn-gateway',
}

export const componentRef = (
  kind: ComponentKind,
  id: string,
  region: string,
  account: string,
): ComponentRef => ({
  kind,
  id,
  arn: `arn:aws:ec2:${region}:${account}:${ARN_TYPES[kind]}/${id}`,
})

/** A component named in a request that the estate does not hold: no owner or region to put in an ARN. */
export const unknownRef = (kind: ComponentKind, id: string): ComponentRef => componentRef(kind, id, '', '')

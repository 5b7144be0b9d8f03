/**
 * Reachability Analyzer explanation codes in plain words, for the trace view. The engine's own
 * message (specific to the flow) is shown beside this.
 */
const PLAIN_WORDS: Record<string, string> = {
  ENI_SG_RULES_MISMATCH: 'No rule of the security groups on this interface allows this traffic.',
  SG_HAS_NO_RULES: 'The security groups on this interface have no rules at all in this direction.',
  SUBNET_ACL_RESTRICTION: "The subnet's network ACL denies this traffic (the first matching entry decides).",
  NO_ROUTE_TO_DESTINATION: 'The route table has no route that covers the destination address.',
  BAD_STATE_ROUTE:
    'The matching route is a blackhole: its target (a peering that is not active, or a gateway that is gone) cannot carry traffic.',
  BAD_STATE: 'A component on the path is not in a state that carries traffic.',
  PCX_REQUIRES_ADDRESS_IN_VPC_CIDR:
    "A peering connection delivers only to addresses inside the peer VPC's own CIDR blocks. Peering is not transitive: traffic cannot pass through the peer VPC to a third network.",
  NGW_REQUIRES_SOURCE_IN_VPC:
    'A NAT gateway serves only its own VPC: traffic from a peered VPC cannot use it (no edge-to-edge routing).',
  DISCONNECTED_VPCS: 'No active peering connection joins the source VPC to the destination VPC.',
  IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS:
    'To reach the internet over IPv4 through an internet gateway, the interface needs a public IP address.',
  UNKNOWN_DESTINATION: 'No network interface holds the destination address in the VPC the route leads to.',
  NO_SOURCE_OR_DESTINATION:
    'The source or the destination could not be found, or has no address of the needed family.',
  SG_REFERENCES_NOT_PRESERVED: 'A security group reference does not reach across this connection.',
  ENI_SOURCE_DEST_CHECK_RESTRICTION:
    "The interface's source/destination check drops traffic that is not its own.",
}

export const plainWords = (code: string) => PLAIN_WORDS[code] ?? 'See the message for what blocked the flow.'

/**
 * The parts of the data plane's JSON answers the console reads: flow-log records from
 * GET /flows and POST /traffic (src/app/traffic.ts) and traced paths from POST /trace
 * (src/app/reach.ts over src/dataplane/types.ts, FlowResult). Declared here, not imported, because those modules
 * bring node-only code into the browser's type check.
 */
export interface FlowRecord {
  readonly flowLogId: string
  readonly logStreamName?: string
  readonly message: string
  readonly fields: Readonly<Record<string, string>>
  /** Unix seconds. */
  readonly start: number
  readonly cursor: string
}

export interface FlowsAnswer {
  readonly records: readonly FlowRecord[]
  readonly cursor?: string
}

export interface TrafficAnswer {
  readonly reachable: boolean
  readonly records: readonly unknown[]
}

export interface ComponentRef {
  readonly kind: string
  readonly id: string
  readonly name?: string
}

export interface MatchedRoute {
  readonly destinationCidr: string
  readonly target: string
  readonly state: 'active' | 'blackhole'
}

export interface MatchedSecurityGroupRule {
  readonly groupId: string
  readonly ruleId: string
  readonly direction: 'ingress' | 'egress'
  readonly protocol: string
  readonly portRange?: { readonly from: number; readonly to: number }
  readonly cidr?: string
  readonly referencedGroupId?: string
}

export interface MatchedAclRule {
  readonly networkAclId: string
  readonly ruleNumber: number
  readonly ruleAction: 'allow' | 'deny'
  readonly egress: boolean
  readonly protocol: string
  readonly cidr: string
  readonly portRange?: { readonly from: number; readonly to: number }
}

export interface Explanation {
  readonly explanationCode: string
  readonly component: ComponentRef
  readonly direction?: 'ingress' | 'egress'
  readonly leg: 'forward' | 'return'
  readonly vpc?: ComponentRef
  readonly subnet?: ComponentRef
  readonly routeTable?: ComponentRef
  readonly routeTableRoute?: MatchedRoute
  readonly vpcPeeringConnection?: ComponentRef
  readonly securityGroups?: readonly ComponentRef[]
  readonly acl?: ComponentRef
  readonly aclRule?: MatchedAclRule
  readonly message: string
}

export interface PathComponent {
  readonly sequenceNumber: number
  readonly component: ComponentRef
  readonly vpc?: ComponentRef
  readonly subnet?: ComponentRef
  readonly sourceVpc?: ComponentRef
  readonly destinationVpc?: ComponentRef
  readonly routeTableRoute?: MatchedRoute
  readonly securityGroupRule?: MatchedSecurityGroupRule
  readonly aclRule?: MatchedAclRule
  readonly explanations: readonly Explanation[]
}

export interface TraceAnswer {
  /** The flow as evaluated: the sending interface, and the destination as an address. */
  readonly flow: {
    readonly sourceInterfaceId: string
    readonly sourceAddress?: string
    readonly destination: string
  }
  readonly reachable: boolean
  readonly forwardPath: readonly PathComponent[]
  readonly returnPath: readonly PathComponent[]
  readonly explanations: readonly Explanation[]
}

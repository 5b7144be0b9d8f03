import type { AnalysedHop, NetworkInsightsAnalysis } from '../../../app/network-insights.js'
import * as insights from '../../../app/network-insights.js'
import { kinds } from '../../../app/resources.js'
import type {
  ComponentRef,
  Explanation,
  MatchedAclRule,
  MatchedRoute,
  MatchedSecurityGroupRule,
  PacketHeader,
} from '../../../dataplane/types.js'
import { ec2Arn, type NetworkInsightsPath, type PathFilter } from '../../../domain/network-insights.js'
import { parseAddress } from '../../../net/prefix.js'
import type { Tag } from '../../../ports/store.js'
import { command, query } from '../action.js'
import { int, list, required, string, struct, tagSpecifications, timestamp } from '../params.js'
import { defined, describeParams, describeRequest, tagSet } from '../shapes.js'

/** Reachability Analyzer's shapes, with the model's element names (Appendix A). */

const filterPortRangeShape = (range: { fromPort: number; toPort: number } | undefined) =>
  range && { fromPort: range.fromPort, toPort: range.toPort }

const pathFilterShape = (filter: PathFilter | undefined) =>
  filter && {
    sourceAddress: filter.sourceAddress,
    sourcePortRange: filterPortRangeShape(filter.sourcePortRange),
    destinationAddress: filter.destinationAddress,
    destinationPortRange: filterPortRangeShape(filter.destinationPortRange),
  }

export function networkInsightsPathShape(path: NetworkInsightsPath, tags: readonly Tag[]) {
  return {
    networkInsightsPathId: path.networkInsightsPathId,
    networkInsightsPathArn: ec2Arn(
      { region: path.region, accountId: path.ownerId },
      kinds.networkInsightsPath.type,
      path.networkInsightsPathId,
    ),
    createdDate: new Date(path.createdDate),
    source: path.source,
    destination: path.destination,
    sourceArn: path.sourceArn,
    destinationArn: path.destinationArn,
    sourceIp: path.sourceIp,
    destinationIp: path.destinationIp,
    protocol: path.protocol,
    destinationPort: path.destinationPort,
    tagSet: tagSet(tags),
    filterAtSource: pathFilterShape(path.filterAtSource),
    filterAtDestination: pathFilterShape(path.filterAtDestination),
  }
}

type Names = ReadonlyMap<string, string>

const componentShape = (ref: ComponentRef | undefined, names: Names) =>
  ref && { id: ref.id, arn: ref.arn, name: names.get(ref.id) }

const portRangeShape = (range: { from: number; to: number } | undefined) =>
  range && { from: range.from, to: range.to }

const PROTOCOL_NAMES: Readonly<Record<string, string>> = {
  '-1': 'all',
  '1': 'icmp',
  '6': 'tcp',
  '17': 'udp',
  '58': 'icmpv6',
}

/** Rules show protocols by name, as AWS's analyses do (`all`, `tcp` …). */
const ruleProtocol = (protocol: string) => PROTOCOL_NAMES[protocol] ?? protocol

/** Which AnalysisRouteTableRoute member holds a route's target, by the target's id prefix. */
const ROUTE_TARGET_MEMBERS: Readonly<Record<string, string>> = {
  igw: 'gatewayId',
  vgw: 'gatewayId',
  pcx: 'vpcPeeringConnectionId',
  nat: 'natGatewayId',
  eigw: 'egressOnlyInternetGatewayId',
  eni: 'networkInterfaceId',
  i: 'instanceId',
  tgw: 'transitGatewayId',
}

function routeShape(route: MatchedRoute | undefined) {
  if (!route) return undefined
  const member =
    route.target === 'local'
      ? 'gatewayId'
      : (ROUTE_TARGET_MEMBERS[route.target.slice(0, route.target.lastIndexOf('-'))] ?? 'gatewayId')
  return {
    destinationCidr: route.destinationCidr,
    [member]: route.target,
    origin: route.origin.toLowerCase(),
    state: route.state,
  }
}

const securityGroupRuleShape = (rule: MatchedSecurityGroupRule | undefined) =>
  rule && {
    cidr: rule.cidr,
    direction: rule.direction,
    securityGroupId: rule.referencedGroupId,
    portRange: portRangeShape(rule.portRange),
    prefixListId: rule.prefixListId,
    protocol: ruleProtocol(rule.protocol),
  }

const aclRuleShape = (rule: MatchedAclRule | undefined) =>
  rule && {
    cidr: rule.cidr,
    egress: rule.egress,
    portRange: portRangeShape(rule.portRange),
    protocol: ruleProtocol(rule.protocol),
    ruleAction: rule.ruleAction,
    ruleNumber: rule.ruleNumber,
  }

/** One address as the CIDR AWS prints for it (`10.0.1.5/32`). */
const hostCidr = (address: string) => `${address}/${parseAddress(address)?.family === 6 ? 128 : 32}`

const onePort = (port: number | undefined) => (port === undefined ? undefined : [{ from: port, to: port }])

const headerShape = (header: PacketHeader | undefined) =>
  header && {
    destinationAddressSet: [hostCidr(header.destinationAddress)],
    destinationPortRangeSet: onePort(header.destinationPort),
    protocol: String(header.protocol),
    sourceAddressSet: [hostCidr(header.sourceAddress)],
    sourcePortRangeSet: onePort(header.sourcePort),
  }

/** Explanation members that name the blocking component by its kind, besides `component`. */
const COMPONENT_MEMBERS: Partial<Record<string, keyof ExplanationComponents>> = {
  'network-interface': 'networkInterface',
  'internet-gateway': 'internetGateway',
  'nat-gateway': 'natGateway',
  'vpn-gateway': 'vpnGateway',
  'vpc-peering-connection': 'vpcPeeringConnection',
  'route-table': 'routeTable',
  'network-acl': 'acl',
  'security-group': 'securityGroup',
  subnet: 'subnet',
  vpc: 'vpc',
}

interface ExplanationComponents {
  networkInterface?: ComponentRef
  internetGateway?: ComponentRef
  natGateway?: ComponentRef
  vpnGateway?: ComponentRef
  vpcPeeringConnection?: ComponentRef
  routeTable?: ComponentRef
  acl?: ComponentRef
  securityGroup?: ComponentRef
  subnet?: ComponentRef
  vpc?: ComponentRef
}

function explanationShape(explanation: Explanation, names: Names) {
  const refs: ExplanationComponents = {
    vpcPeeringConnection: explanation.vpcPeeringConnection,
    routeTable: explanation.routeTable,
    acl: explanation.acl,
    subnet: explanation.subnet,
    vpc: explanation.vpc,
  }
  for (const named of [explanation.gateway, explanation.component]) {
    const member = named && COMPONENT_MEMBERS[named.kind]
    if (member) refs[member] ??= named
  }
  const ref = (key: keyof ExplanationComponents) => componentShape(refs[key], names)
  return {
    acl: ref('acl'),
    aclRule: aclRuleShape(explanation.aclRule),
    address: explanation.address,
    cidrSet: explanation.cidrs,
    component: componentShape(explanation.component, names),
    destinationVpc: componentShape(explanation.destinationVpc, names),
    direction: explanation.direction,
    explanationCode: explanation.explanationCode,
    internetGateway: ref('internetGateway'),
    natGateway: ref('natGateway'),
    networkInterface: ref('networkInterface'),
    vpcPeeringConnection: ref('vpcPeeringConnection'),
    port: explanation.port,
    protocolSet: explanation.protocol === undefined ? undefined : [explanation.protocol],
    routeTableRoute: routeShape(explanation.routeTableRoute),
    routeTable: ref('routeTable'),
    securityGroup: ref('securityGroup'),
    securityGroupSet: explanation.securityGroups?.map((group) => componentShape(group, names)),
    sourceVpc: componentShape(explanation.sourceVpc, names),
    state: explanation.state,
    subnet: ref('subnet'),
    vpc: ref('vpc'),
    vpnGateway: ref('vpnGateway'),
  }
}

export const pathComponentShape = (hop: AnalysedHop, names: Names) => ({
  sequenceNumber: hop.sequenceNumber,
  aclRule: aclRuleShape(hop.aclRule),
  attachedTo: componentShape(hop.attachedTo, names),
  component: componentShape(hop.component, names),
  destinationVpc: componentShape(hop.destinationVpc, names),
  outboundHeader: headerShape(hop.outboundHeader),
  inboundHeader: headerShape(hop.inboundHeader),
  routeTableRoute: routeShape(hop.routeTableRoute),
  securityGroupRule: securityGroupRuleShape(hop.securityGroupRule),
  sourceVpc: componentShape(hop.sourceVpc, names),
  subnet: componentShape(hop.subnet, names),
  vpc: componentShape(hop.vpc, names),
  explanationSet: hop.explanations.map((explanation) => explanationShape(explanation, names)),
})

/** The analysis as StartNetworkInsightsAnalysis answers it: just started, no findings yet. */
function analysisStartShape(analysis: NetworkInsightsAnalysis, tags: readonly Tag[]) {
  return {
    networkInsightsAnalysisId: analysis.networkInsightsAnalysisId,
    networkInsightsAnalysisArn: ec2Arn(
      { region: analysis.region, accountId: analysis.ownerId },
      kinds.networkInsightsAnalysis.type,
      analysis.networkInsightsAnalysisId,
    ),
    networkInsightsPathId: analysis.networkInsightsPathId,
    additionalAccountSet: analysis.additionalAccounts.length ? analysis.additionalAccounts : undefined,
    filterInArnSet: analysis.filterInArns.length ? analysis.filterInArns : undefined,
    filterOutArnSet: analysis.filterOutArns.length ? analysis.filterOutArns : undefined,
    startDate: new Date(analysis.startDate),
    status: 'running',
    tagSet: tagSet(tags),
  }
}

export function networkInsightsAnalysisShape(
  analysis: NetworkInsightsAnalysis,
  tags: readonly Tag[],
  names: Names,
) {
  return {
    ...analysisStartShape(analysis, tags),
    status: analysis.status,
    statusMessage: analysis.statusMessage,
    networkPathFound: analysis.networkPathFound,
    forwardPathComponentSet: analysis.forwardPath.map((hop) => pathComponentShape(hop, names)),
    returnPathComponentSet: analysis.returnPath.map((hop) => pathComponentShape(hop, names)),
    explanationSet: analysis.explanations.map((explanation) => explanationShape(explanation, names)),
  }
}

const portRangeParam = struct({ FromPort: int({ min: 0, max: 65535 }), ToPort: int({ min: 0, max: 65535 }) })

const pathFilterParam = struct({
  SourceAddress: string(),
  SourcePortRange: portRangeParam,
  DestinationAddress: string(),
  DestinationPortRange: portRangeParam,
})

const pathId = { NetworkInsightsPathId: required(string()) }
const analysisId = { NetworkInsightsAnalysisId: required(string()) }
const insightsPage = { min: 1, max: 100 }

export const networkInsightsActions = {
  CreateNetworkInsightsPath: command(
    {
      Source: required(string()),
      Destination: string(),
      SourceIp: string(),
      DestinationIp: string(),
      Protocol: required(string()),
      DestinationPort: int({ min: 0, max: 65535 }),
      FilterAtSource: pathFilterParam,
      FilterAtDestination: pathFilterParam,
      TagSpecification: tagSpecifications,
      ClientToken: required(string()),
    },
    async (ctx, input) => {
      const { path, tags } = await insights.createNetworkInsightsPath(ctx, {
        source: input.Source,
        protocol: input.Protocol,
        tagSpecifications: input.TagSpecification,
        ...defined({
          destination: input.Destination,
          sourceIp: input.SourceIp,
          destinationIp: input.DestinationIp,
          destinationPort: input.DestinationPort,
          filterAtSource: input.FilterAtSource,
          filterAtDestination: input.FilterAtDestination,
          clientToken: input.ClientToken,
        }),
      })
      return { networkInsightsPath: networkInsightsPathShape(path, tags) }
    },
  ),

  DescribeNetworkInsightsPaths: query(
    describeParams('NetworkInsightsPathId', insightsPage),
    async (ctx, input) => {
      const page = await insights.describeNetworkInsightsPaths(
        ctx,
        describeRequest(input.NetworkInsightsPathId, input, ctx),
      )
      return {
        networkInsightsPathSet: page.items.map((item) =>
          networkInsightsPathShape(item.resource.body, item.tags),
        ),
        nextToken: page.nextToken,
      }
    },
  ),

  DeleteNetworkInsightsPath: command(pathId, async (ctx, input) => {
    await insights.deleteNetworkInsightsPath(ctx, input.NetworkInsightsPathId)
    return { networkInsightsPathId: input.NetworkInsightsPathId }
  }),

  StartNetworkInsightsAnalysis: command(
    {
      ...pathId,
      AdditionalAccount: list(string()),
      FilterInArn: list(string()),
      FilterOutArn: list(string()),
      TagSpecification: tagSpecifications,
      ClientToken: required(string()),
    },
    async (ctx, input) => {
      const { analysis, tags } = await insights.startNetworkInsightsAnalysis(ctx, {
        networkInsightsPathId: input.NetworkInsightsPathId,
        additionalAccounts: input.AdditionalAccount,
        filterInArns: input.FilterInArn,
        filterOutArns: input.FilterOutArn,
        tagSpecifications: input.TagSpecification,
        clientToken: input.ClientToken,
      })
      return { networkInsightsAnalysis: analysisStartShape(analysis, tags) }
    },
  ),

  DescribeNetworkInsightsAnalyses: query(
    {
      ...describeParams('NetworkInsightsAnalysisId', insightsPage),
      NetworkInsightsPathId: string(),
      AnalysisStartTime: timestamp(),
      AnalysisEndTime: timestamp(),
    },
    async (ctx, input) => {
      const page = await insights.describeNetworkInsightsAnalyses(ctx, {
        ...describeRequest(input.NetworkInsightsAnalysisId, input, ctx),
        ...defined({
          networkInsightsPathId: input.NetworkInsightsPathId,
          analysisStartTime: input.AnalysisStartTime,
          analysisEndTime: input.AnalysisEndTime,
        }),
      })
      return {
        networkInsightsAnalysisSet: page.items.map((item) =>
          networkInsightsAnalysisShape(item.resource.body, item.tags, page.names),
        ),
        nextToken: page.nextToken,
      }
    },
  ),

  DeleteNetworkInsightsAnalysis: command(analysisId, async (ctx, input) => {
    await insights.deleteNetworkInsightsAnalysis(ctx, input.NetworkInsightsAnalysisId)
    return { networkInsightsAnalysisId: input.NetworkInsightsAnalysisId }
  }),
}

import type { Plan, PlannedPeering, PlannedRoute, PlannedRule, PlannedVpc } from './design.js'

/**
 * A plan as Terraform for hashicorp/aws: `main.tf` builds the VPCs, subnets, route tables with
 * routes narrowed to the tiers that talk, the peerings (accepted across accounts and regions
 * through provider aliases), security-group rules for exactly the named ports and flow logs.
 * Hub designs go to `transit-gateway.tf`, which AWS can apply and vpcpeer cannot yet (it does not
 * emulate transit gateways).
 */

export interface TerraformFiles {
  readonly 'main.tf': string
  readonly 'transit-gateway.tf'?: string
}

/** The version the Terraform suites run; any 5.x from it on works. */
export const PROVIDER_CONSTRAINT = '~> 5.100'

/** Terraform names: each `-`, `.` or `/` becomes `_`; plan names never hold `--`, so `__` separates parts. */
const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, '_')
const providerOf = (account: string, region: string) => `aws.a${account}_${id(region)}`
const quote = (text: string) => JSON.stringify(text)

function block(type: string, labels: readonly string[], body: readonly (string | undefined)[]): string {
  const lines = body.filter((line): line is string => line !== undefined).map((line) => `  ${line}`)
  return `${type} ${labels.map(quote).join(' ')} {\n${lines.join('\n')}\n}\n`
}

const tags = (entries: Record<string, string>) =>
  `tags = { ${Object.entries(entries)
    .map(([k, v]) => `${k} = ${quote(v)}`)
    .join(', ')} }`

function header(): string {
  return `${[
    '# Made by `vpcpeer plan`. For vpcpeer: terraform apply -var endpoint=http://127.0.0.1:4566',
    '# For AWS itself leave endpoint unset and give each account a profile in var.profiles.',
    '',
  ].join('\n')}
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ${quote(PROVIDER_CONSTRAINT)} }
  }
}

${block(
  'variable',
  ['endpoint'],
  [
    'description = "URL of a vpcpeer server; null (the default) means AWS itself"',
    'type        = string',
    'default     = null',
  ],
)}
${block(
  'variable',
  ['profiles'],
  [
    'description = "AWS profile per account id, used when endpoint is null"',
    'type        = map(string)',
    'default     = {}',
  ],
)}
locals {
  on_vpcpeer = var.endpoint != null
}
`
}

function provider(account: string, region: string): string {
  return block(
    'provider',
    ['aws'],
    [
      `alias                       = ${quote(providerOf(account, region).slice(4))}`,
      `region                      = ${quote(region)}`,
      '# On vpcpeer a 12-digit access key acts as that account.',
      `access_key                  = local.on_vpcpeer ? ${quote(account)} : null`,
      'secret_key                  = local.on_vpcpeer ? "vpcpeer" : null',
      `profile                     = local.on_vpcpeer ? null : lookup(var.profiles, ${quote(account)}, null)`,
      'skip_credentials_validation = local.on_vpcpeer',
      'skip_metadata_api_check     = local.on_vpcpeer',
      'skip_region_validation      = local.on_vpcpeer',
      'endpoints {',
      '  ec2 = var.endpoint',
      '  sts = var.endpoint',
      '  iam = var.endpoint',
      '}',
    ],
  )
}

const tierId = (vpc: string, tier: string) => `${id(vpc)}__${id(tier)}`
const peeringId = (peering: PlannedPeering) => `${id(peering.requester)}__${id(peering.accepter)}`

function vpcResources(vpc: PlannedVpc, flowLogBucket: string | undefined): string {
  const p = `provider = ${providerOf(vpc.account, vpc.region)}`
  const out = [
    block(
      'resource',
      ['aws_vpc', id(vpc.name)],
      [
        p,
        `cidr_block = ${quote(vpc.cidr)}`,
        tags({ Name: vpc.name, Environment: vpc.environment, ManagedBy: 'vpcpeer plan' }),
      ],
    ),
  ]
  for (const tier of vpc.tiers) {
    const t = tierId(vpc.name, tier.name)
    out.push(
      block(
        'resource',
        ['aws_route_table', t],
        [p, `vpc_id = aws_vpc.${id(vpc.name)}.id`, tags({ Name: `${vpc.name}-${tier.name}` })],
      ),
      block(
        'resource',
        ['aws_security_group', t],
        [
          p,
          `name        = ${quote(`${vpc.name}-${tier.name}`)}`,
          `description = ${quote(`Tier ${tier.name} of ${vpc.name}: only the ports the plan names`)}`,
          `vpc_id      = aws_vpc.${id(vpc.name)}.id`,
          tags({ Name: `${vpc.name}-${tier.name}` }),
        ],
      ),
    )
    for (const subnet of tier.subnets) {
      const s = `${t}__${subnet.availabilityZone.slice(-1)}`
      out.push(
        block(
          'resource',
          ['aws_subnet', s],
          [
            p,
            `vpc_id            = aws_vpc.${id(vpc.name)}.id`,
            `cidr_block        = ${quote(subnet.cidr)}`,
            `availability_zone = ${quote(subnet.availabilityZone)}`,
            tags({ Name: `${vpc.name}-${tier.name}-${subnet.availabilityZone.slice(-1)}` }),
          ],
        ),
        block(
          'resource',
          ['aws_route_table_association', s],
          [p, `subnet_id      = aws_subnet.${s}.id`, `route_table_id = aws_route_table.${t}.id`],
        ),
      )
    }
  }
  if (flowLogBucket) {
    out.push(
      block(
        'resource',
        ['aws_flow_log', id(vpc.name)],
        [
          p,
          `vpc_id               = aws_vpc.${id(vpc.name)}.id`,
          'traffic_type         = "ALL"',
          'log_destination_type = "s3"',
          `log_destination      = ${quote(`arn:aws:s3:::${flowLogBucket}/${vpc.name}/`)}`,
          tags({ Name: vpc.name }),
        ],
      ),
    )
  }
  return out.join('\n')
}

/** The id that routes use: the accepter's, across accounts or regions, so routes wait for acceptance. */
const peeringReference = (peering: PlannedPeering) =>
  peering.crossAccount || peering.crossRegion
    ? `aws_vpc_peering_connection_accepter.${peeringId(peering)}.vpc_peering_connection_id`
    : `aws_vpc_peering_connection.${peeringId(peering)}.id`

function peeringResources(peering: PlannedPeering, vpcs: ReadonlyMap<string, PlannedVpc>): string {
  const requester = vpcs.get(peering.requester)!
  const accepter = vpcs.get(peering.accepter)!
  const name = peeringId(peering)
  const local = !peering.crossAccount && !peering.crossRegion
  const out = [
    block(
      'resource',
      ['aws_vpc_peering_connection', name],
      [
        `provider      = ${providerOf(requester.account, requester.region)}`,
        `vpc_id        = aws_vpc.${id(requester.name)}.id`,
        `peer_vpc_id   = aws_vpc.${id(accepter.name)}.id`,
        peering.crossAccount ? `peer_owner_id = ${quote(accepter.account)}` : undefined,
        peering.crossRegion ? `peer_region   = ${quote(accepter.region)}` : undefined,
        local ? 'auto_accept   = true' : undefined,
        tags({ Name: peering.name }),
      ],
    ),
  ]
  if (!local) {
    out.push(
      block(
        'resource',
        ['aws_vpc_peering_connection_accepter', name],
        [
          `provider                  = ${providerOf(accepter.account, accepter.region)}`,
          `vpc_peering_connection_id = aws_vpc_peering_connection.${name}.id`,
          'auto_accept               = true',
          tags({ Name: peering.name }),
        ],
      ),
    )
  }
  return out.join('\n')
}

function routeResource(
  route: PlannedRoute,
  vpcs: ReadonlyMap<string, PlannedVpc>,
  peerings: ReadonlyMap<string, PlannedPeering> = new Map(),
) {
  const vpc = vpcs.get(route.vpc)!
  const target =
    'peering' in route.target
      ? `vpc_peering_connection_id = ${peeringReference(peerings.get(route.target.peering)!)}`
      : `transit_gateway_id        = aws_ec2_transit_gateway.${id(route.target.transitGateway)}.id`
  return block(
    'resource',
    ['aws_route', `${tierId(route.vpc, route.tier)}__${id(route.destination)}`],
    [
      `provider                  = ${providerOf(vpc.account, vpc.region)}`,
      `route_table_id            = aws_route_table.${tierId(route.vpc, route.tier)}.id`,
      `destination_cidr_block    = ${quote(route.destination)}`,
      target,
    ],
  )
}

function ruleResource(rule: PlannedRule, vpcs: ReadonlyMap<string, PlannedVpc>) {
  const vpc = vpcs.get(rule.vpc)!
  const ports = rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}_${rule.toPort}`
  const kind =
    rule.direction === 'ingress'
      ? 'aws_vpc_security_group_ingress_rule'
      : 'aws_vpc_security_group_egress_rule'
  return block(
    'resource',
    [
      kind,
      `${tierId(rule.vpc, rule.tier)}__${tierId(...(rule.peer.split('.') as [string, string]))}__${rule.protocol}_${ports}`,
    ],
    [
      `provider          = ${providerOf(vpc.account, vpc.region)}`,
      `security_group_id = aws_security_group.${tierId(rule.vpc, rule.tier)}.id`,
      `cidr_ipv4         = ${quote(rule.cidr)}`,
      `ip_protocol       = ${quote(rule.protocol)}`,
      `from_port         = ${rule.fromPort}`,
      `to_port           = ${rule.toPort}`,
      `description       = ${quote(`${rule.direction === 'ingress' ? 'from' : 'to'} ${rule.peer}`)}`,
    ],
  )
}

function outputs(plan: Plan): string {
  const map = (entries: readonly (readonly [string, string])[]) =>
    `{\n${entries.map(([k, v]) => `    ${quote(k)} = ${v}`).join('\n')}\n  }`
  return [
    block(
      'output',
      ['vpc_ids'],
      [`value = ${map(plan.vpcs.map((v) => [v.name, `aws_vpc.${id(v.name)}.id`]))}`],
    ),
    block(
      'output',
      ['peering_ids'],
      [`value = ${map(plan.peerings.map((p) => [p.name, `aws_vpc_peering_connection.${peeringId(p)}.id`]))}`],
    ),
  ].join('\n')
}

/** Transit gateways for the hub designs: shared across accounts with RAM, peered across regions. */
function transitGatewayFile(plan: Plan, vpcs: ReadonlyMap<string, PlannedVpc>): string {
  const out: string[] = [
    '# Hub designs: transit gateways. AWS applies this file; vpcpeer does not emulate transit\n# gateways yet, so against vpcpeer leave this file out (the hub groups then stay unconnected).\n',
  ]
  for (const tgw of plan.transitGateways) {
    const t = id(tgw.region)
    const owner = providerOf(tgw.account, tgw.region)
    out.push(
      block(
        'resource',
        ['aws_ec2_transit_gateway', t],
        [
          `provider                        = ${owner}`,
          `description                     = ${quote(`vpcpeer plan hub in ${tgw.region}`)}`,
          'auto_accept_shared_attachments  = "enable"',
          tags({ Name: `hub-${tgw.region}` }),
        ],
      ),
    )
    const others = [...new Set(tgw.attachments.map((n) => vpcs.get(n)!.account))].filter(
      (a) => a !== tgw.account,
    )
    if (others.length > 0) {
      out.push(
        block(
          'resource',
          ['aws_ram_resource_share', t],
          [
            `provider                  = ${owner}`,
            `name                      = ${quote(`hub-${tgw.region}`)}`,
            'allow_external_principals = true',
          ],
        ),
        block(
          'resource',
          ['aws_ram_resource_association', t],
          [
            `provider           = ${owner}`,
            `resource_arn       = aws_ec2_transit_gateway.${t}.arn`,
            `resource_share_arn = aws_ram_resource_share.${t}.arn`,
          ],
        ),
      )
      for (const account of others) {
        out.push(
          block(
            'resource',
            ['aws_ram_principal_association', `${t}_${account}`],
            [
              `provider           = ${owner}`,
              `principal          = ${quote(account)}`,
              `resource_share_arn = aws_ram_resource_share.${t}.arn`,
            ],
          ),
          block(
            'resource',
            ['aws_ram_resource_share_accepter', `${t}_${account}`],
            [
              `provider  = ${providerOf(account, tgw.region)}`,
              `share_arn = aws_ram_principal_association.${t}_${account}.resource_share_arn`,
            ],
          ),
        )
      }
    }
    for (const name of tgw.attachments) {
      const vpc = vpcs.get(name)!
      const shared = vpc.account !== tgw.account
      out.push(
        block(
          'resource',
          ['aws_ec2_transit_gateway_vpc_attachment', id(name)],
          [
            `provider           = ${providerOf(vpc.account, vpc.region)}`,
            `transit_gateway_id = aws_ec2_transit_gateway.${t}.id`,
            `vpc_id             = aws_vpc.${id(name)}.id`,
            `subnet_ids         = [${vpc.tiers[0]!.subnets.map((s) => `aws_subnet.${tierId(name, vpc.tiers[0]!.name)}__${s.availabilityZone.slice(-1)}.id`).join(', ')}]`,
            shared ? `depends_on         = [aws_ram_resource_share_accepter.${t}_${vpc.account}]` : undefined,
            tags({ Name: name }),
          ],
        ),
      )
    }
  }
  // Each pair of regions once: the first region (in order) requests, the other accepts, and each
  // side routes the other region's member VPCs over the peering attachment.
  for (const tgw of plan.transitGateways) {
    for (const peerRegion of tgw.peerRegions.filter((r) => r > tgw.region)) {
      const peer = plan.transitGateways.find((g) => g.region === peerRegion)!
      const name = `${id(tgw.region)}__${id(peerRegion)}`
      out.push(
        block(
          'resource',
          ['aws_ec2_transit_gateway_peering_attachment', name],
          [
            `provider                = ${providerOf(tgw.account, tgw.region)}`,
            `transit_gateway_id      = aws_ec2_transit_gateway.${id(tgw.region)}.id`,
            `peer_transit_gateway_id = aws_ec2_transit_gateway.${id(peerRegion)}.id`,
            `peer_region             = ${quote(peerRegion)}`,
            `peer_account_id         = ${quote(peer.account)}`,
          ],
        ),
        block(
          'resource',
          ['aws_ec2_transit_gateway_peering_attachment_accepter', name],
          [
            `provider                      = ${providerOf(peer.account, peerRegion)}`,
            `transit_gateway_attachment_id = aws_ec2_transit_gateway_peering_attachment.${name}.id`,
          ],
        ),
      )
      for (const [side, other, owner] of [
        [tgw, peer, providerOf(tgw.account, tgw.region)],
        [peer, tgw, providerOf(peer.account, peerRegion)],
      ] as const) {
        for (const member of other.attachments) {
          out.push(
            block(
              'resource',
              ['aws_ec2_transit_gateway_route', `${id(side.region)}__${id(member)}`],
              [
                `provider                       = ${owner}`,
                `destination_cidr_block         = ${quote(vpcs.get(member)!.cidr)}`,
                `transit_gateway_attachment_id  = aws_ec2_transit_gateway_peering_attachment_accepter.${name}.transit_gateway_attachment_id`,
                `transit_gateway_route_table_id = aws_ec2_transit_gateway.${id(side.region)}.association_default_route_table_id`,
              ],
            ),
          )
        }
      }
    }
  }
  for (const route of plan.routes.filter((r) => 'transitGateway' in r.target))
    out.push(routeResource(route, vpcs))
  return out.join('\n')
}

export function renderTerraform(plan: Plan): TerraformFiles {
  const vpcs = new Map(plan.vpcs.map((v) => [v.name, v]))
  const peerings = new Map(plan.peerings.map((p) => [p.name, p]))
  const scopes = [...new Set(plan.vpcs.map((v) => `${v.account} ${v.region}`))]
  const main = [
    header(),
    ...scopes.map((scope) => {
      const [account, region] = scope.split(' ') as [string, string]
      return provider(account, region)
    }),
    ...plan.vpcs.map((v) => vpcResources(v, plan.flowLogBucket)),
    ...plan.peerings.map((p) => peeringResources(p, vpcs)),
    ...plan.routes.filter((r) => 'peering' in r.target).map((r) => routeResource(r, vpcs, peerings)),
    ...plan.rules.map((r) => ruleResource(r, vpcs)),
    outputs(plan),
  ].join('\n')
  return plan.transitGateways.length > 0
    ? { 'main.tf': main, 'transit-gateway.tf': transitGatewayFile(plan, vpcs) }
    : { 'main.tf': main }
}

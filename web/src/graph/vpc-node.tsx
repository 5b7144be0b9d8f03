import { Handle, type Node, type NodeProps, Position } from '@xyflow/react'
import { memo } from 'react'
import type { VpcNode } from '../../../src/app/console-views.js'
import { plural } from '../format.ts'
import { hrefOf } from '../router.ts'
import { type Mark, markClass } from './highlight.ts'

export interface VpcNodeData extends Record<string, unknown> {
  readonly vpc: VpcNode
  readonly expanded: boolean
  readonly callerAccount: string
  readonly mark?: Mark
  readonly subnetMarks: ReadonlyMap<string, Mark>
  readonly onToggleSubnets: (vpcId: string) => void
}

export type VpcFlowNode = Node<VpcNodeData, 'vpc'>

/** How a screen reader announces a VPC node. */
export function vpcLabel(vpc: VpcNode): string {
  const blocks = [...vpc.cidrBlocks, ...vpc.ipv6CidrBlocks].join(', ') || 'blocks not shown'
  const owner = vpc.owned ? '' : ', seen through a peering connection'
  return `VPC ${vpc.name ? `${vpc.name} ` : ''}${vpc.vpcId}, ${blocks}, account ${vpc.accountId}, region ${vpc.region}${owner}`
}

const HopBadge = ({ value }: { value: Mark | undefined }) =>
  value ? <span className="hop-badge">hop {value.hops.join(', ')}</span> : null

/** A VPC: name, id, blocks, account and region; its subnets when expanded. */
export const VpcNodeView = memo(function VpcNodeView({ data }: NodeProps<VpcFlowNode>) {
  const { vpc, expanded, mark, subnetMarks, callerAccount } = data
  const blocks = [...vpc.cidrBlocks, ...vpc.ipv6CidrBlocks]
  const otherAccount = vpc.accountId !== callerAccount
  return (
    <div
      className={`vpc-node ${vpc.owned ? 'owned' : 'remote'} ${markClass(mark)}`}
      data-vpc-id={vpc.vpcId}
      data-testid="vpc-node"
    >
      <Handle type="target" position={Position.Top} className="centre-handle" isConnectable={false} />
      <Handle type="source" position={Position.Bottom} className="centre-handle" isConnectable={false} />
      <div className="vpc-title">
        <strong>{vpc.name ?? vpc.vpcId}</strong>
        <HopBadge value={mark} />
      </div>
      {vpc.name ? <div className="vpc-id">{vpc.vpcId}</div> : null}
      <div className="vpc-cidrs">{blocks.length > 0 ? blocks.join(', ') : 'blocks not shown yet'}</div>
      <div className="vpc-meta">
        <span className={otherAccount ? 'badge account other' : 'badge account'}>acct {vpc.accountId}</span>
        <span className="badge region">{vpc.region}</span>
        {vpc.owned ? null : <span className="badge remote-badge">via peering</span>}
      </div>
      {vpc.blackholeRoutes > 0 ? (
        <div className="flag blackhole" data-testid="vpc-blackhole">
          ⚠ {plural(vpc.blackholeRoutes, 'blackhole route')}
        </div>
      ) : null}
      {vpc.owned ? (
        <div className="vpc-actions">
          {vpc.subnets.length > 0 ? (
            <button
              type="button"
              className="link-button nodrag"
              aria-expanded={expanded}
              aria-label={`${expanded ? 'Hide' : 'Show'} the ${plural(vpc.subnets.length, 'subnet')} of ${vpc.vpcId}`}
              onClick={() => data.onToggleSubnets(vpc.vpcId)}
            >
              {expanded ? '▾' : '▸'} {plural(vpc.subnets.length, 'subnet')}
            </button>
          ) : (
            <span className="muted">no subnets</span>
          )}
          <a
            className="nodrag"
            href={hrefOf('vpc', { vpcId: vpc.vpcId })}
            aria-label={`Details of ${vpc.vpcId}`}
          >
            Details
          </a>
        </div>
      ) : null}
      {expanded ? (
        <ul className="subnet-list" aria-label={`Subnets of ${vpc.vpcId}`}>
          {vpc.subnets.map((subnet) => {
            const subnetMark = subnetMarks.get(subnet.subnetId)
            return (
              <li
                key={subnet.subnetId}
                className={`subnet ${markClass(subnetMark)}`}
                data-subnet-id={subnet.subnetId}
              >
                <span className="subnet-name">{subnet.name ?? subnet.subnetId}</span>{' '}
                <span className="mono">{subnet.cidrBlock ?? subnet.ipv6CidrBlocks[0] ?? ''}</span>{' '}
                <span className="muted">{subnet.availabilityZone}</span> <HopBadge value={subnetMark} />
              </li>
            )
          })}
        </ul>
      ) : null}
    </div>
  )
})

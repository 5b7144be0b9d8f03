import '@xyflow/react/dist/style.css'
import {
  Background,
  Controls,
  MiniMap,
  type OnSelectionChangeParams,
  ReactFlow,
  ReactFlowProvider,
  useEdgesState,
  useNodesState,
  useReactFlow,
} from '@xyflow/react'
import { useCallback, useEffect, useMemo, useRef } from 'react'
import type { Topology, VpcNode } from '../../../src/app/console-views.js'
import { type Highlight, NO_HIGHLIGHT } from './highlight.ts'
import { layoutGraph, type Point } from './layout.ts'
import { PeeringEdgeView, type PeeringFlowEdge, peeringLabel } from './peering-edge.tsx'
import { type VpcFlowNode, VpcNodeView, vpcLabel } from './vpc-node.tsx'

export type Selection = { readonly kind: 'vpc' | 'peering'; readonly id: string } | undefined

export interface GraphProps {
  readonly topology: Topology
  readonly shown: (vpc: VpcNode) => boolean
  readonly expanded: ReadonlySet<string>
  readonly onToggleSubnets: (vpcId: string) => void
  readonly selection: Selection
  readonly onSelect: (selection: Selection) => void
  readonly highlight?: Highlight
}

const nodeTypes = { vpc: VpcNodeView }
const edgeTypes = { peering: PeeringEdgeView }
/** Above this many nodes only what is on screen is drawn, so panning stays smooth. */
const VISIBLE_ONLY_ABOVE = 150
/** A small graph fits the screen; a large one gets an overview to find one's way. */
const MINIMAP_ABOVE = 30

/** Positions survive view changes and refreshes: a VPC stays where it was first laid out or dragged. */
const positions = new Map<string, Point>()

// Deleting from the graph is off, so the descriptions say what Enter does here. xyflow reads
// the node description from the `keyboardDisabled` key when the keyboard is enabled, so both are set.
const NODE_DESCRIPTION =
  'Press Enter or Space to select this VPC and show it in the side panel; the arrow keys move it.'
const ARIA_LABELS = {
  'node.a11yDescription.default': NODE_DESCRIPTION,
  'node.a11yDescription.keyboardDisabled': NODE_DESCRIPTION,
  'edge.a11yDescription.default':
    'Press Enter or Space to select this peering connection and show its actions.',
}

const FIT_VIEW = { padding: 0.12, maxZoom: 1.2 }

const sameSelection = (a: Selection, b: Selection) => a?.kind === b?.kind && a?.id === b?.id

function GraphCanvas({
  topology,
  shown,
  expanded,
  onToggleSubnets,
  selection,
  onSelect,
  highlight,
}: GraphProps) {
  const marks = highlight ?? NO_HIGHLIGHT
  const visibleVpcs = useMemo(() => topology.vpcs.filter(shown), [topology, shown])
  const visibleIds = useMemo(() => new Set(visibleVpcs.map((vpc) => vpc.vpcId)), [visibleVpcs])
  const visiblePeerings = useMemo(
    () =>
      topology.peerings.filter((p) => visibleIds.has(p.requester.vpcId) && visibleIds.has(p.accepter.vpcId)),
    [topology, visibleIds],
  )

  // Layout runs over the whole estate, so filtering hides nodes without moving the others.
  const placed = useMemo(() => {
    const laid = layoutGraph(
      topology.vpcs.map((vpc) => ({ id: vpc.vpcId, group: vpc.accountId })),
      topology.peerings.map((p) => ({ source: p.requester.vpcId, target: p.accepter.vpcId })),
      positions,
    )
    for (const [id, point] of laid) positions.set(id, point)
    return laid
  }, [topology])

  const selectPeering = useCallback((id: string) => onSelect({ kind: 'peering', id }), [onSelect])

  const builtNodes = useMemo(
    (): VpcFlowNode[] =>
      visibleVpcs.map((vpc) => ({
        id: vpc.vpcId,
        type: 'vpc',
        position: positions.get(vpc.vpcId) ?? placed.get(vpc.vpcId) ?? { x: 0, y: 0 },
        ariaLabel: vpcLabel(vpc),
        selected: selection?.kind === 'vpc' && selection.id === vpc.vpcId,
        data: {
          vpc,
          expanded: expanded.has(vpc.vpcId),
          callerAccount: topology.accountId,
          ...(marks.vpcs.has(vpc.vpcId) ? { mark: marks.vpcs.get(vpc.vpcId)! } : {}),
          subnetMarks: marks.subnets,
          onToggleSubnets,
        },
      })),
    [visibleVpcs, placed, selection, expanded, topology.accountId, marks, onToggleSubnets],
  )

  const builtEdges = useMemo((): PeeringFlowEdge[] => {
    const lanes = new Map<string, string[]>()
    const pairOf = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`)
    for (const p of visiblePeerings) {
      const pair = pairOf(p.requester.vpcId, p.accepter.vpcId)
      lanes.set(pair, [...(lanes.get(pair) ?? []), p.peeringId])
    }
    return visiblePeerings.map((peering) => {
      const lane = lanes.get(pairOf(peering.requester.vpcId, peering.accepter.vpcId)) ?? []
      const mark = marks.peerings.get(peering.peeringId)
      return {
        id: peering.peeringId,
        type: 'peering',
        source: peering.requester.vpcId,
        target: peering.accepter.vpcId,
        ariaLabel: peeringLabel(peering),
        selected: selection?.kind === 'peering' && selection.id === peering.peeringId,
        data: {
          peering,
          lane: lane.indexOf(peering.peeringId),
          lanes: lane.length,
          ...(mark ? { mark } : {}),
          onSelect: selectPeering,
        },
      }
    })
  }, [visiblePeerings, selection, marks, selectPeering])

  const [nodes, setNodes, onNodesChange] = useNodesState<VpcFlowNode>(builtNodes)
  const [edges, setEdges, onEdgesChange] = useEdgesState<PeeringFlowEdge>(builtEdges)
  useEffect(() => setNodes(builtNodes), [builtNodes, setNodes])
  useEffect(() => setEdges(builtEdges), [builtEdges, setEdges])

  const flow = useReactFlow()
  const fittedCount = useRef(builtNodes.length)
  useEffect(() => {
    // Fit the view again when filters change how many VPCs show, not on every refresh.
    if (fittedCount.current === builtNodes.length) return
    fittedCount.current = builtNodes.length
    void flow.fitView(FIT_VIEW)
  }, [builtNodes.length, flow])

  // The address holds the selection; the graph reports what the user picks. The handler
  // stays the same function, because the graph calls it again whenever it changes.
  const latest = useRef({ selection, onSelect })
  latest.current = { selection, onSelect }
  const onSelectionChange = useCallback(
    ({ nodes: chosenNodes, edges: chosenEdges }: OnSelectionChangeParams) => {
      const next: Selection = chosenNodes[0]
        ? { kind: 'vpc', id: chosenNodes[0].id }
        : chosenEdges[0]
          ? { kind: 'peering', id: chosenEdges[0].id }
          : undefined
      // Clearing is the pane's and the panel's job: a refresh passing through no selection must not clear it.
      if (next && !sameSelection(next, latest.current.selection)) latest.current.onSelect(next)
    },
    [],
  )
  const onPaneClick = useCallback(() => latest.current.onSelect(undefined), [])

  return (
    <ReactFlow<VpcFlowNode, PeeringFlowEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onNodeDragStop={(_event, node) => positions.set(node.id, node.position)}
      onSelectionChange={onSelectionChange}
      onPaneClick={onPaneClick}
      nodesConnectable={false}
      deleteKeyCode={null}
      fitView
      fitViewOptions={FIT_VIEW}
      minZoom={0.05}
      maxZoom={2}
      onlyRenderVisibleElements={builtNodes.length > VISIBLE_ONLY_ABOVE}
      proOptions={{ hideAttribution: true }}
      aria-label="Topology graph: VPCs and the peering connections between them"
      ariaLabelConfig={ARIA_LABELS}
    >
      <Background gap={24} />
      <Controls showInteractive={false} />
      {builtNodes.length > MINIMAP_ABOVE ? (
        <MiniMap pannable zoomable ariaLabel="Overview of the whole graph" />
      ) : null}
    </ReactFlow>
  )
}

/** The estate as a graph: VPCs as nodes, peering connections as edges. */
export function TopologyGraph(props: GraphProps) {
  return (
    <div className="graph" data-testid="topology-graph">
      <ReactFlowProvider>
        <GraphCanvas {...props} />
      </ReactFlowProvider>
    </div>
  )
}

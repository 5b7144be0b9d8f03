import { kinds } from '../../src/app/resources.js'
import type { Estate } from '../../src/dataplane/types.js'
import type { Store } from '../../src/ports/store.js'

/**
 * Writes an estate's records (a synthetic one from bench/estate.ts, a hand-built one) straight
 * into a store, as the use cases would have stored them: owner, peer and VPC placement.
 */
export async function seedEstate(store: Store, estate: Estate): Promise<void> {
  const regionOfVpc = new Map(estate.vpcs.map((v) => [v.vpcId, v.region]))
  const scope = (accountId: string, region: string | undefined) => ({
    accountId,
    region: region ?? 'us-east-1',
  })
  const inVpc = (vpcId: string, ownerId: string) => ({ owner: scope(ownerId, regionOfVpc.get(vpcId)), vpcId })
  await store.write(async (tx) => {
    for (const vpc of estate.vpcs)
      await tx.insert({
        id: vpc.vpcId,
        kind: kinds.vpc.type,
        owner: scope(vpc.ownerId, vpc.region),
        vpcId: vpc.vpcId,
        body: vpc,
      })
    const inVpcs = [
      ...estate.subnets.map((s) => ({ id: s.subnetId, kind: kinds.subnet.type, body: s })),
      ...estate.routeTables.map((t) => ({ id: t.routeTableId, kind: kinds.routeTable.type, body: t })),
      ...estate.securityGroups.map((g) => ({ id: g.groupId, kind: kinds.securityGroup.type, body: g })),
      ...estate.networkAcls.map((a) => ({ id: a.networkAclId, kind: kinds.networkAcl.type, body: a })),
      ...estate.networkInterfaces.map((e) => ({
        id: e.networkInterfaceId,
        kind: kinds.networkInterface.type,
        body: e,
      })),
    ]
    for (const { id, kind, body } of inVpcs)
      await tx.insert({ id, kind, ...inVpc(body.vpcId, body.ownerId), body })
    for (const p of estate.peerings) {
      await tx.insert({
        id: p.vpcPeeringConnectionId,
        kind: kinds.peering.type,
        owner: scope(p.requester.ownerId, p.requester.region),
        peer: scope(p.accepter.ownerId, p.accepter.region),
        body: p,
      })
    }
    const gateways = [
      ...estate.internetGateways.map((g) => ({
        id: g.internetGatewayId,
        kind: kinds.internetGateway.type,
        g,
      })),
      ...estate.egressOnlyInternetGateways.map((g) => ({
        id: g.egressOnlyInternetGatewayId,
        kind: kinds.egressOnlyInternetGateway.type,
        g,
      })),
      ...estate.natGateways.map((g) => ({ id: g.natGatewayId, kind: kinds.natGateway.type, g })),
      ...estate.vpnGateways.map((g) => ({ id: g.vpnGatewayId, kind: kinds.vpnGateway.type, g })),
    ]
    for (const { id, kind, g } of gateways) {
      const vpcId = 'vpcId' in g ? g.vpcId : undefined
      const region = estate.regions?.get(id) ?? (vpcId ? regionOfVpc.get(vpcId) : undefined)
      await tx.insert({ id, kind, owner: scope(g.ownerId, region), ...(vpcId ? { vpcId } : {}), body: g })
    }
  })
}

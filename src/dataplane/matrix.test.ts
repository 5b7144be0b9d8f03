import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateEstate } from '../../bench/estate.js'
import { buildEstate, estatePlan } from '../../test/dataplane/random-estate.js'
import type { NetworkInterface } from '../domain/network-interface.js'
import type { RouteTable } from '../domain/route-table.js'
import type { SecurityGroup } from '../domain/security-group.js'
import { formatAddress } from '../net/prefix.js'
import { readAddress } from './address.js'
import { evaluateFlow } from './evaluate.js'
import { representativeAddress, subnetMatrix, vpcMatrix } from './matrix.js'
import { compileSnapshot, holdersOf, type Snapshot } from './snapshot.js'
import type { Estate } from './types.js'

const SECURITY_GROUP_CODES = new Set(['ENI_SG_RULES_MISMATCH', 'SG_HAS_NO_RULES'])

const lab = generateEstate('S')
const labSnapshot = compileSnapshot(lab.estate)
/** The lab's roles are the first ten VPCs (bench/estate.ts). */
const [A, B, C, , E, F, , H] = lab.estate.vpcs.map((v) => v.vpcId) as string[]
const peeringBetween = (a: string, b: string) =>
  lab.estate.peerings.find(
    (p) =>
      (p.requester.vpcId === a && p.accepter.vpcId === b) ||
      (p.requester.vpcId === b && p.accepter.vpcId === a),
  )!.vpcPeeringConnectionId

const pairOf = (snapshot: Snapshot, source: string, destination: string) =>
  vpcMatrix(snapshot, [source]).find((p) => p.destination === destination)

/** The lab estate with A's route tables changed by `change`. */
function withRoutesOfA(change: (table: RouteTable) => RouteTable): Snapshot {
  const routeTables = lab.estate.routeTables.map((t) => (t.vpcId === A ? change(t) : t))
  return compileSnapshot({ ...lab.estate, routeTables })
}

describe('vpcMatrix', () => {
  it('joins peers both ways with the routes that decide, and lists only the diagonal and peers', () => {
    const pairs = vpcMatrix(labSnapshot, [A!])
    expect(pairs[0]).toEqual({ source: A, destination: A, reachable: true, blockers: [] })
    const toB = pairs.find((p) => p.destination === B)!
    expect(toB).toMatchObject({
      reachable: true,
      peering: { id: peeringBetween(A!, B!), status: 'active' },
      forwardRoute: { route: { target: peeringBetween(A!, B!), state: 'active' } },
      returnRoute: { route: { target: peeringBetween(A!, B!), state: 'active' } },
      blockers: [],
    })
    // Peering is not transitive: A↔B and B↔C give A nothing towards C.
    expect(pairs.some((p) => p.destination === C)).toBe(false)
  })

  it('counts a route to part of the peer (its private subnets only)', () => {
    const toE = pairOf(labSnapshot, A!, E!)!
    expect(toE.reachable).toBe(true)
    expect(toE.forwardRoute?.route.destinationCidr).toMatch(/\/23$/)
  })

  it('names a missing return route and a peering that is not active', () => {
    expect(pairOf(labSnapshot, A!, H!)).toMatchObject({
      reachable: false,
      blockers: [{ code: 'NO_ROUTE_TO_DESTINATION', leg: 'return', componentId: H }],
    })
    const toF = pairOf(labSnapshot, A!, F!)!
    expect(toF.peering?.status).toBe('pending-acceptance')
    expect(toF.forwardRoute?.route.state).toBe('blackhole')
    expect(toF.blockers.map((b) => [b.code, b.leg])).toEqual([
      ['BAD_STATE', 'forward'],
      ['NO_ROUTE_TO_DESTINATION', 'return'],
    ])
  })

  it('does not count a route that more specific routes shadow everywhere', () => {
    // B's /20 as two /21s sent into A↔H: the /20 route into A↔B is never the longest match.
    const toH = peeringBetween(A!, H!)
    const network = readAddress(lab.estate.vpcs[1]!.cidrBlock.split('/')[0]!)!.value as number
    const halves = [network, network + 2048].map((start) => `${formatAddress(4, BigInt(start))}/21`)
    const shadowed = withRoutesOfA((table) => ({
      ...table,
      routes: [
        ...table.routes.filter((r) => !halves.includes(r.destinationCidrBlock ?? '')),
        ...halves.map((cidr) => ({
          destinationCidrBlock: cidr,
          vpcPeeringConnectionId: toH,
          origin: 'CreateRoute' as const,
        })),
      ],
    }))
    const pair = pairOf(shadowed, A!, B!)!
    expect(pair.reachable).toBe(false)
    expect(pair.forwardRoute).toBeUndefined()
    expect(pair.blockers).toMatchObject([{ code: 'NO_ROUTE_TO_DESTINATION', leg: 'forward' }])
  })

  it("counts a route to the peer's secondary block alone", () => {
    const vpcB = lab.estate.vpcs[1]!
    const secondary = vpcB.cidrBlockAssociations[1]!.cidrBlock
    const pcx = peeringBetween(A!, B!)
    const onlySecondary = withRoutesOfA((table) => ({
      ...table,
      routes: [
        ...table.routes.filter((r) => r.vpcPeeringConnectionId !== pcx),
        { destinationCidrBlock: secondary, vpcPeeringConnectionId: pcx, origin: 'CreateRoute' },
      ],
    }))
    const pair = pairOf(onlySecondary, A!, B!)!
    expect(pair.reachable).toBe(true)
    expect(pair.forwardRoute).toMatchObject({
      route: { destinationCidr: secondary },
      address: secondary.split('/')[0],
    })
  })

  it('keeps only the destinations asked for', () => {
    const pairs = vpcMatrix(labSnapshot, [A!, B!], new Set([B!]))
    expect(pairs.map((p) => [p.source, p.destination])).toEqual([
      [A, B],
      [B, B],
    ])
  })
})

/** The subnet holding an interface, and the subnet holding an address. */
const subnetOfInterface = (id: string) => labSnapshot.interfaces.get(id)!.subnet.subnet.subnetId
const subnetOfAddress = (text: string) =>
  holdersOf(labSnapshot, readAddress(text)!)[0]?.subnet.subnet.subnetId

describe('subnetMatrix', () => {
  it("finds the lab's faults that subnets alone decide, with the engine's codes", () => {
    const everything = lab.estate.vpcs.map((v) => v.vpcId)
    const byPort = new Map<number, ReturnType<typeof subnetMatrix>>()
    let checked = 0
    for (const fault of lab.faults) {
      const source = 'networkInterfaceId' in fault.flow.source ? fault.flow.source.networkInterfaceId : ''
      const destination = subnetOfAddress(fault.flow.destination)
      const port = fault.flow.port!
      if (!destination || fault.blockers.some((b) => SECURITY_GROUP_CODES.has(b.code))) continue
      if (!byPort.has(port)) byPort.set(port, subnetMatrix(labSnapshot, everything, { protocol: 6, port }))
      const pair = byPort
        .get(port)!
        .find((p) => p.source === subnetOfInterface(source) && p.destination === destination)
      // Pairs of unpeered VPCs are not candidates: the matrix leaves them out as unreachable.
      if (!pair) {
        expect(fault.reachable, fault.id).toBe(false)
        continue
      }
      checked++
      expect(
        pair.blockers.map((b) => ({ code: b.code, leg: b.leg })),
        fault.id,
      ).toEqual(fault.blockers)
    }
    expect(checked).toBeGreaterThanOrEqual(10)
  })

  it('reports progress per source subnet and refuses protocols without ports', () => {
    const seen: [number, number][] = []
    subnetMatrix(labSnapshot, [A!, B!], {
      protocol: 17,
      port: 53,
      onProgress: (done, total) => seen.push([done, total]),
    })
    const total = lab.estate.subnets.filter((s) => s.vpcId === A || s.vpcId === B).length
    expect(seen.at(-1)).toEqual([total, total])
    expect(seen).toHaveLength(total)
    expect(() => subnetMatrix(labSnapshot, [A!], { protocol: 1, port: 8 })).toThrow(/tcp and udp/)
  })

  it("agrees with the flow engine at each subnet's first address, security groups aside", () => {
    fc.assert(
      fc.property(estatePlan, fc.constantFrom(22, 443, 5432), (plan, port) => {
        const estate = withProbes(buildEstate(plan))
        const snapshot = compileSnapshot(estate)
        const holders = (eni: NetworkInterface) =>
          holdersOf(snapshot, readAddress(eni.privateIpAddress)!).length
        const probeAt = new Map(
          estate.networkInterfaces
            .filter((eni) => eni.description.startsWith(PROBE))
            .map((eni) => [eni.subnetId, eni]),
        )
        const pairs = subnetMatrix(
          snapshot,
          estate.vpcs.map((v) => v.vpcId),
          { protocol: 6, port },
        )
        for (const pair of pairs) {
          const source = probeAt.get(pair.source)
          const destination = probeAt.get(pair.destination)
          // In overlapping VPCs both probes may hold one address: the engine then sees a flow to itself.
          if (!source || !destination || source.privateIpAddress === destination.privateIpAddress) continue
          const routing = pair.blockers.find(
            (b) => b.leg === 'forward' && b.code !== 'SUBNET_ACL_RESTRICTION',
          )
          // A route to a gateway, or to the right place holding an overlapping address, leads
          // elsewhere: the engine follows it, the matrix only says it does not reach this subnet.
          if (routing?.route && routing.code === 'NO_ROUTE_TO_DESTINATION') continue
          const result = evaluateFlow(snapshot, {
            source: { networkInterfaceId: source.networkInterfaceId },
            destination: destination.privateIpAddress,
            protocol: 6,
            port,
          })
          // The engine names DISCONNECTED_VPCS from every interface holding the address, the
          // matrix from the destination subnet's VPC: the same when only one interface holds it.
          const compared = (code: string) =>
            !SECURITY_GROUP_CODES.has(code) && (code !== 'DISCONNECTED_VPCS' || holders(destination) === 1)
          const codes = result.explanations
            .filter((e) => compared(e.explanationCode))
            .map((e) => `${e.leg} ${e.explanationCode}`)
          expect(pair.blockers.filter((b) => compared(b.code)).map((b) => `${b.leg} ${b.code}`)).toEqual(
            codes,
          )
        }
      }),
      { numRuns: 150 },
    )
  })
})

const PROBE = 'matrix probe'

/** The estate plus, in every IPv4 subnet, an interface at network + 4 whose group allows everything. */
function withProbes(estate: Estate): Estate {
  const groups: SecurityGroup[] = estate.vpcs.map((vpc, i) => ({
    groupId: `sg-probe${String(i).padStart(12, '0')}`,
    groupName: 'probe',
    description: PROBE,
    vpcId: vpc.vpcId,
    ownerId: vpc.ownerId,
    region: vpc.region,
    ingress: [{ ruleId: `sgr-in${i}`, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }],
    egress: [{ ruleId: `sgr-out${i}`, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }],
  }))
  const groupOf = new Map(groups.map((g) => [g.vpcId, g.groupId]))
  const snapshot = compileSnapshot(estate)
  const held = (eni: NetworkInterface) => [eni.privateIpAddress, ...eni.secondaryPrivateIpAddresses]
  const taken = new Set(
    estate.networkInterfaces.flatMap((eni) => held(eni).map((ip) => `${eni.vpcId} ${ip}`)),
  )
  const probes: NetworkInterface[] = []
  for (const subnet of snapshot.subnets.values()) {
    const address = representativeAddress(subnet)
    const key = `${subnet.subnet.vpcId} ${address?.text}`
    if (!address || taken.has(key)) continue
    taken.add(key)
    const { subnetId, vpcId, ownerId, region, availabilityZone } = subnet.subnet
    probes.push({
      networkInterfaceId: `eni-probe${String(probes.length).padStart(12, '0')}`,
      subnetId,
      vpcId,
      ownerId,
      region,
      availabilityZone,
      description: `${PROBE} ${subnetId}`,
      privateIpAddress: address.text,
      secondaryPrivateIpAddresses: [],
      ipv6Addresses: [],
      groupIds: [groupOf.get(vpcId)!],
      sourceDestCheck: true,
      macAddress: '02:00:00:00:00:00',
      interfaceType: 'interface',
    })
  }
  return {
    ...estate,
    securityGroups: [...estate.securityGroups, ...groups],
    networkInterfaces: [...probes, ...estate.networkInterfaces],
  }
}

import { describe, expect, it } from 'vitest'
import { generateEstate } from '../bench/estate.js'
import { evaluateFlow } from '../src/dataplane/evaluate.js'
import { compileSnapshot } from '../src/dataplane/snapshot.js'

const { estate, faults } = generateEstate('S')
const snapshot = compileSnapshot(estate)

describe('planted faults at tier S, through the engine', () => {
  it.each(faults.map((fault) => [fault.id, fault] as const))('%s', (_id, fault) => {
    const result = evaluateFlow(snapshot, fault.flow)
    const blockers = result.explanations.map((e) => ({ code: e.explanationCode, leg: e.leg }))
    expect({ reachable: result.reachable, blockers }).toEqual({
      reachable: fault.reachable,
      blockers: fault.blockers,
    })
  })

  it('the same seed gives the same estate, ids included', () => {
    const again = generateEstate('S')
    expect(again.estate).toEqual(estate)
    expect(generateEstate('S', 2).estate.vpcs[0]!.vpcId).not.toBe(estate.vpcs[0]!.vpcId)
  })
})

/** The (account, region) a caller acts in; every resource belongs to one. */
export interface Scope {
  readonly accountId: string
  readonly region: string
}

/** Regions vpcpeer lists, with the short codes AWS uses in availability-zone ids (use1-az1). */
const REGIONS: Record<string, string> = {
  'us-east-1': 'use1',
  'us-east-2': 'use2',
  'us-west-1': 'usw1',
  'us-west-2': 'usw2',
  'ca-central-1': 'cac1',
  'sa-east-1': 'sae1',
  'eu-west-1': 'euw1',
  'eu-west-2': 'euw2',
  'eu-west-3': 'euw3',
  'eu-central-1': 'euc1',
  'eu-north-1': 'eun1',
  'eu-south-1': 'eus1',
  'ap-south-1': 'aps1',
  'ap-northeast-1': 'apne1',
  'ap-northeast-2': 'apne2',
  'ap-northeast-3': 'apne3',
  'ap-southeast-1': 'apse1',
  'ap-southeast-2': 'apse2',
  'ap-east-1': 'ape1',
  'me-south-1': 'mes1',
  'af-south-1': 'afs1',
}

export const knownRegions = Object.keys(REGIONS)

/** Region names look like `eu-west-1`; any well-formed one works, so new AWS regions need no release. */
export const isRegionName = (name: string) => /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(name)

export interface AvailabilityZone {
  readonly zoneName: string
  readonly zoneId: string
  readonly regionName: string
}

/** Three zones per region, a to c. */
export function availabilityZones(region: string): AvailabilityZone[] {
  const code = REGIONS[region] ?? region.replace(/-/g, '')
  return ['a', 'b', 'c'].map((letter, index) => ({
    zoneName: `${region}${letter}`,
    zoneId: `${code}-az${index + 1}`,
    regionName: region,
  }))
}

export const regionEndpoint = (region: string) => `ec2.${region}.amazonaws.com`

import type { AnyAction } from '../action.js'
import { accessScopeActions } from './access-scopes.js'
import { accountActions } from './account.js'
import { flowLogActions } from './flow-logs.js'
import { gatewayActions } from './gateways.js'
import { instanceActions } from './instances.js'
import { networkAclActions } from './network-acls.js'
import { networkInsightsActions } from './network-insights.js'
import { networkInterfaceActions } from './network-interfaces.js'
import { peeringActions } from './peering.js'
import { routeTableActions } from './route-tables.js'
import { securityGroupActions } from './security-groups.js'
import { subnetActions } from './subnets.js'
import { tagActions } from './tags.js'
import { vpcActions } from './vpcs.js'

/** Every EC2 action vpcpeer answers; any other name answers InvalidAction. */
export const ec2Actions: Readonly<Record<string, AnyAction>> = {
  ...vpcActions,
  ...subnetActions,
  ...tagActions,
  ...accountActions,
  ...peeringActions,
  ...networkInterfaceActions,
  ...instanceActions,
  ...networkAclActions,
  ...routeTableActions,
  ...gatewayActions,
  ...securityGroupActions,
  ...flowLogActions,
  ...networkInsightsActions,
  ...accessScopeActions,
}

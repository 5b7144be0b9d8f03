import { isStillListed } from './gateways.js'

/**
 * An EC2 instance, modelled as far as networking needs: it is its primary network interface
 * (device index 0) in a subnet, whose addresses and security groups are the instance's. Images
 * and instance types are accepted and echoed, not modelled.
 */
export interface Instance {
  readonly instanceId: string
  readonly reservationId: string
  readonly ownerId: string
  readonly region: string
  readonly imageId: string
  readonly instanceType: string
  /** Its position among the instances one RunInstances call launched. */
  readonly amiLaunchIndex: number
  /** Kept after termination, when the instance has left its VPC. */
  readonly subnetId: string
  readonly vpcId: string
  readonly availabilityZone: string
  readonly availabilityZoneId?: string
  /** The primary interface, attached to this instance while it runs. */
  readonly networkInterfaceId: string
  readonly state: 'running' | 'terminated'
  readonly launchTime: string
  readonly terminateTime?: string
  readonly clientToken?: string
}

export type InstanceStateName =
  | 'pending'
  | 'running'
  | 'shutting-down'
  | 'terminated'
  | 'stopping'
  | 'stopped'

/** AWS's state codes (the low byte of `instanceState.code`). */
export const INSTANCE_STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
}

export const instanceState = (name: InstanceStateName) => ({ code: INSTANCE_STATE_CODES[name], name })

/** RunInstances defaults to this type when none is given, as AWS does. */
export const DEFAULT_INSTANCE_TYPE = 'm1.small'

/** A family and a size, such as `t3.micro` or `u-6tb1.metal`. */
export const isInstanceTypeName = (name: string) => /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/.test(name)

/** Terminated instances stay listed for about an hour, as in AWS, then vanish. */
export const isListed = (instance: Instance, now: Date) =>
  instance.terminateTime === undefined || isStillListed({ deleteTime: instance.terminateTime }, now)

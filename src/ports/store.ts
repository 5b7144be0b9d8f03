/**
 * What the use cases need from a database. Every API action runs inside one transaction
 * (`read` or `write`); a `write` first takes the next global revision, which also serialises
 * writers, so concurrent accept/delete/reject on one connection never both win.
 */

import type { Scope } from '../domain/regions.js'
import type { Tag } from '../domain/tags.js'

export type { Scope, Tag }

export interface Stored<T> {
  readonly id: string
  readonly kind: string
  readonly owner: Scope
  /** The second party of a resource two accounts see (a peering's accepter). */
  readonly peer?: Scope
  /** The VPC this resource lives in, for dependency checks. */
  readonly vpcId?: string
  /** Bumped by every update; an update with a stale version fails (optimistic concurrency). */
  readonly version: number
  /** The global revision at creation; listings are in creation order. */
  readonly createdRevision: number
  readonly body: T
}

export type NewResource<T> = Omit<Stored<T>, 'version' | 'createdRevision'>

export interface ListQuery {
  /** Resources owned by this scope, or seen by it as the peer. */
  readonly visibleTo?: Scope
  readonly vpcId?: string
  readonly ids?: readonly string[]
  /** Only resources that carry this tag, with one of these values, in the `visibleTo` view. */
  readonly tagged?: { readonly key: string; readonly values: readonly string[] }
}

export interface TaggedResource extends Tag {
  readonly resourceId: string
}

export interface Transaction {
  /** The global revision: after this transaction's own bump when writing. */
  readonly revision: number
  /**
   * The committed revision whose state this transaction sees, for caches of derived data:
   * a read sees `revision`; a write sees `revision - 1` until it changes a resource, and from
   * then on a state of its own that no cache may keep (it could still roll back).
   */
  readonly stateRevision: number | undefined
  get<T>(kind: string, id: string): Promise<Stored<T> | undefined>
  list<T>(kind: string, query?: ListQuery): Promise<Stored<T>[]>
  /** Everything that lives in the VPC (subnets, route tables …), for DependencyViolation. */
  inVpc(vpcId: string): Promise<Stored<unknown>[]>
  insert<T>(resource: NewResource<T>): Promise<Stored<T>>
  /** Saves a new body; `placement.vpcId` moves the resource into (or, with null, out of) a VPC. */
  update<T>(resource: Stored<T>, body: T, placement?: { vpcId: string | null }): Promise<Stored<T>>
  remove(resource: Stored<unknown>): Promise<void>

  /** Tags are per view: a peering's two accounts (or regions) each keep their own set. */
  tagsOf(view: Scope, resourceIds: readonly string[]): Promise<Map<string, Tag[]>>
  putTags(view: Scope, resourceId: string, tags: readonly Tag[]): Promise<void>
  /** Removes the keys given (all keys when undefined); a value given must match to remove. */
  removeTags(
    view: Scope,
    resourceId: string,
    tags?: readonly { key: string; value?: string }[],
  ): Promise<void>
  listTags(view: Scope): Promise<TaggedResource[]>
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres'
  read<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  write<T>(work: (tx: Transaction) => Promise<T>): Promise<T>
  revision(): Promise<number>
  /** Deletes every resource and tag (for test suites); the revision moves on, as after a write. */
  reset(): Promise<void>
  close(): Promise<void>
}

/** Raised when an update lost a race; the write is retried from the start. */
export class ConflictError extends Error {
  constructor(id: string) {
    super(`concurrent update of ${id}`)
    this.name = 'ConflictError'
  }
}

/** A strict-mode key: the secret that signs with it and the account it acts for. */
export interface Credential {
  readonly secretAccessKey: string
  readonly accountId: string
  /** Whether the key may reset the server and move its clock (strict mode's admin routes). */
  readonly admin?: boolean
}

/** The credential store strict mode verifies signatures against: a key id's credential, if any. */
export type CredentialLookup = (accessKeyId: string) => Credential | undefined

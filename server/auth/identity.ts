/** Who may call the API, as carried by a bearer token. */
export const ROLES = [
  'province',
  'city',
  'district',
  'street',
  'department',
  'expert',
  'partner',
  'public',
] as const
export type Role = (typeof ROLES)[number]

export interface Identity {
  /** Token subject: a user or system name. */
  subject: string
  role: Role
  /** The region the identity acts for (GB/T 2260 or statistical code); absent only for `public`. */
  regionCode: string | null
  /** 责任部门: the department a `department` identity (or any other) works for. */
  department: string | null
}

/** Roles whose reads are limited to what is marked public, like a request without a token. */
export function readsPublicOnly(role: Role): boolean {
  return role === 'public'
}

/**
 * What a request may read. `public`: only rows marked public (no token, or the `public` role). `region`: every
 * row whose `region_code` starts with `prefix`, the scope prefix of the identity's region, and nothing outside.
 */
export type Scope =
  | { kind: 'public' }
  | { kind: 'region'; regionCode: string; prefix: string; level: string; department: string | null }

export const PUBLIC_SCOPE: Scope = { kind: 'public' }

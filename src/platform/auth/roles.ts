export const ROLES = ['viewer', 'responder', 'admin'] as const;
export type AccessRole = (typeof ROLES)[number];

const RANK: Record<AccessRole, number> = { viewer: 0, responder: 1, admin: 2 };

export function roleAllows(held: AccessRole, required: AccessRole): boolean {
  return RANK[held] >= RANK[required];
}

/** Who is calling: the token's name is the actor of every write. */
export interface Principal {
  tokenId: string | null;
  name: string;
  role: AccessRole;
}

import type { Role } from './roles';

/** Who is acting: passed from the edge into every service that reads or writes. */
export interface Actor {
  id: number;
  email: string;
  role: Role;
  donorId: number | null;
  /**
   * The organisation the actor acts within (issue 19). Null only for work no organisation's person
   * triggered (start-up, migrations, the command line) until that work is scoped per organisation.
   */
  organisationId: number | null;
}

/** Used by the seeder and other start-up work that no person triggered. */
export const SYSTEM_ACTOR: Actor = { id: 0, email: 'system', role: 'admin', donorId: null, organisationId: null };

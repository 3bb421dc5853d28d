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

/**
 * The organisation whose records `actor` writes (docs/organisations.md). Work that no
 * organisation's person triggered (start-up, the command line) is given one explicitly before it
 * writes a record: without one it fails here rather than write a record of no organisation.
 */
export function organisationOf(actor: Actor): number {
  if (actor.organisationId === null) throw new Error(`${actor.email} acts for no organisation, and a record must belong to one`);
  return actor.organisationId;
}

/** `actor` acting within `organisationId`: start-up and command-line work of one organisation. */
export function actingFor(actor: Actor, organisationId: number): Actor {
  return { ...actor, organisationId };
}

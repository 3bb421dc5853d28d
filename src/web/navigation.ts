import type { Role } from '../access/roles';

export interface NavLink {
  href: string;
  label: string;
  current: boolean;
  /** Overdue items behind the link (the calendar), when any. */
  overdue?: number;
}

interface NavEntry {
  href: string;
  label: string;
  roles: readonly Role[];
}

const STAFF: readonly Role[] = ['admin', 'officer', 'leadership'];

/** The header's links, in the order a desk officer's day goes. Pages owned by other features are linked here too. */
const ENTRIES: readonly NavEntry[] = [
  { href: '/', label: 'Funding gap', roles: STAFF },
  { href: '/pledges', label: 'Pledges', roles: ['admin', 'officer', 'leadership', 'donor'] },
  { href: '/donors', label: 'Donors', roles: STAFF },
  { href: '/priorities', label: 'Priorities', roles: STAFF },
  { href: '/national', label: 'National figures', roles: STAFF },
  { href: '/clearance', label: 'Clearance', roles: STAFF },
  { href: '/calendar', label: 'Calendar', roles: STAFF },
  { href: '/digests', label: 'Digests', roles: STAFF },
  { href: '/rates', label: 'Exchange rates', roles: STAFF },
  { href: '/import', label: 'Import', roles: ['admin', 'officer'] },
  { href: '/audit', label: 'Audit log', roles: STAFF },
  { href: '/users', label: 'Users', roles: ['admin'] },
];

export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrator',
  officer: 'Desk officer',
  leadership: 'Leadership',
  donor: 'Donor',
};

function isCurrent(href: string, path: string): boolean {
  if (href === '/') return path === '/';
  return path === href || path.startsWith(`${href}/`);
}

/** The links a role may follow, the one for the current page marked. A donor user gets its own donor page instead of the list. */
export function navigationFor(role: Role, donorId: number | null, path: string, overdue = 0): NavLink[] {
  const links = ENTRIES.filter((e) => e.roles.includes(role)).map((e) => ({ href: e.href, label: e.label }));
  if (role === 'donor' && donorId !== null) links.push({ href: `/donors/${donorId}`, label: 'Our donor page' });
  return links.map((l) => ({ ...l, current: isCurrent(l.href, path), ...(l.href === '/calendar' && overdue > 0 ? { overdue } : {}) }));
}

/** Where a role lands after signing in. */
export function homeFor(role: Role, donorId: number | null): string {
  if (role === 'donor') return donorId !== null ? `/donors/${donorId}` : '/pledges';
  if (role === 'leadership') return '/';
  return '/pledges';
}

/** Only a path on this site may follow sign-in: `//evil.example` and `/\evil` are other sites to a browser. */
export function safeLocalPath(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 500) return null;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return null;
  return next;
}

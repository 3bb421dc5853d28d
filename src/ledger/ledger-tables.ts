/** The tables a figure reads the ledger from: the ledger itself, or its rows as known on a past day. */
export interface LedgerTables {
  pledges: string;
  disbursements: string;
  pledgePriorities: string;
}

export const CURRENT_LEDGER: LedgerTables = { pledges: 'pledges', disbursements: 'disbursements', pledgePriorities: 'pledge_priorities' };

/** Temporary tables of one reading transaction holding the ledger as known on a past day, queried by the same SQL. */
export const KNOWN_ON_LEDGER: LedgerTables = { pledges: 'known_pledges', disbursements: 'known_disbursements', pledgePriorities: 'known_pledge_priorities' };

import { LedgerFoundation1732300000000 } from './1732300000000-ledger-foundation';
import { DigestOutbox1732400000000 } from './1732400000000-digest-outbox';
import { ClearanceProgress1732500000000 } from './1732500000000-clearance-progress';
import { LedgerValuation1732600000000 } from './1732600000000-ledger-valuation';
import { SignInThrottle1732700000000 } from './1732700000000-sign-in-throttle';
import { NationalObservations1733100000000 } from './1733100000000-national-observations';
import { ReceiptStatusAndSourceCorrections1733200000000 } from './1733200000000-receipt-status-and-source-corrections';
import { ReceiptBalanceIndex1733300000000 } from './1733300000000-receipt-balance-index';
import { UserManagement1733410000000 } from './1733410000000-user-management';
import { Obligations1733420000000 } from './1733420000000-obligations';
import { PriorityTargets1733430000000 } from './1733430000000-priority-targets';
import { StagedUploads1733440000000 } from './1733440000000-staged-uploads';
import { DonorDetails1733450000000 } from './1733450000000-donor-details';
import { Statements1733500000000 } from './1733500000000-statements';
import { DigestInputs1733500000001 } from './1733500000001-digest-inputs';
import { PledgeInstalments1733510000000 } from './1733510000000-pledge-instalments';
import { ClearanceResults1733520000000 } from './1733520000000-clearance-results';
import { FiguresVersion1733530000000 } from './1733530000000-figures-version';
import { LedgerAggregates1733540000000 } from './1733540000000-ledger-aggregates';
import { PendingRevaluations1733550000000 } from './1733550000000-pending-revaluations';
import { LedgerTotalsFeed1733560000000 } from './1733560000000-ledger-totals-feed';
import { Organisations1733570000000 } from './1733570000000-organisations';
import { TenantRecords1733580000000 } from './1733580000000-tenant-records';
import { KeysPerOrganisation1733590000000 } from './1733590000000-keys-per-organisation';

/** Every migration, in order. Each feature appends its own; none is ever edited after it lands. */
export const MIGRATIONS = [
  LedgerFoundation1732300000000,
  DigestOutbox1732400000000,
  ClearanceProgress1732500000000,
  LedgerValuation1732600000000,
  SignInThrottle1732700000000,
  NationalObservations1733100000000,
  ReceiptStatusAndSourceCorrections1733200000000,
  ReceiptBalanceIndex1733300000000,
  UserManagement1733410000000,
  Obligations1733420000000,
  PriorityTargets1733430000000,
  StagedUploads1733440000000,
  DonorDetails1733450000000,
  Statements1733500000000,
  DigestInputs1733500000001,
  PledgeInstalments1733510000000,
  ClearanceResults1733520000000,
  FiguresVersion1733530000000,
  LedgerAggregates1733540000000,
  PendingRevaluations1733550000000,
  LedgerTotalsFeed1733560000000,
  Organisations1733570000000,
  TenantRecords1733580000000,
  KeysPerOrganisation1733590000000,
];

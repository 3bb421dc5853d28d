import { AuditEntryEntity } from './audit/audit-entry.entity';
import { AuthTokenEntity, PasswordResetEntity, UserEntity } from './auth/user.entity';
import { DigestMessageEntity, DigestSettingEntity } from './digests/digest-message.entity';
import { DonorContactEntity, DonorEntity } from './donors/donor.entity';
import { ClearanceProgressEntity } from './funding/clearance-progress.entity';
import { ClearanceResultEntity } from './funding/clearance-result.entity';
import { FxRateEntity } from './fx/fx-rate.entity';
import { IdempotencyKeyEntity } from './idempotency/idempotency-key.entity';
import { GovernmentSpendEntity, ReportedFigureEntity } from './national/national.entity';
import { InstalmentEntity } from './ledger/instalment.entity';
import { DisbursementEntity, PledgeEntity, PledgePriorityEntity } from './ledger/pledge.entity';
import { PriorityEntity, PriorityTargetEntity } from './priorities/priority.entity';
import { CalendarFeedEntity, ObligationEntity } from './obligations/obligation.entity';
import { StagedUploadEntity } from './staging/staged-upload.entity';
import { StatementEntity } from './statements/statement.entity';
import { OrganisationEntity } from './organisations/organisation.entity';

/** Every entity, registered once for both databases: the app module hands them to DatabaseModule, so database/ imports no feature. */
export const ENTITIES = [
  OrganisationEntity,
  UserEntity,
  AuthTokenEntity,
  PasswordResetEntity,
  AuditEntryEntity,
  DonorEntity,
  DonorContactEntity,
  PriorityEntity,
  PriorityTargetEntity,
  PledgeEntity,
  PledgePriorityEntity,
  DisbursementEntity,
  InstalmentEntity,
  GovernmentSpendEntity,
  ReportedFigureEntity,
  FxRateEntity,
  IdempotencyKeyEntity,
  ClearanceProgressEntity,
  ClearanceResultEntity,
  DigestMessageEntity,
  DigestSettingEntity,
  ObligationEntity,
  CalendarFeedEntity,
  StagedUploadEntity,
  StatementEntity,
];

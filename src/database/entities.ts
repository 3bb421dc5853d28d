import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { AuthTokenEntity, UserEntity } from '../auth/user.entity';
import { DigestMessageEntity, DigestSettingEntity } from '../digests/digest-message.entity';
import { DonorContactEntity, DonorEntity } from '../donors/donor.entity';
import { ClearanceProgressEntity } from '../funding/clearance-progress.entity';
import { FxRateEntity } from '../fx/fx-rate.entity';
import { IdempotencyKeyEntity } from '../idempotency/idempotency-key.entity';
import { GovernmentSpendEntity, ReportedFigureEntity } from '../national/national.entity';
import { DisbursementEntity, PledgeEntity, PledgePriorityEntity } from '../ledger/pledge.entity';
import { PriorityEntity } from '../priorities/priority.entity';

/** Every entity, registered once for both databases. */
export const ENTITIES = [
  UserEntity,
  AuthTokenEntity,
  AuditEntryEntity,
  DonorEntity,
  DonorContactEntity,
  PriorityEntity,
  PledgeEntity,
  PledgePriorityEntity,
  DisbursementEntity,
  GovernmentSpendEntity,
  ReportedFigureEntity,
  FxRateEntity,
  IdempotencyKeyEntity,
  ClearanceProgressEntity,
  DigestMessageEntity,
  DigestSettingEntity,
];

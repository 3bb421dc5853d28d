-- The SQL InstalmentsRepository sends on PostgreSQL, recorded by test/medium/ledger-repositories.test.ts.
-- Regenerate: UPDATE_SQL_SNAPSHOTS=1 npx jest test/medium/ledger-repositories.test.ts --selectProjects medium (and with TEST_DB=postgres).

-- InstalmentsRepository.change
UPDATE "pledge_instalments" SET "due_on" = $1, "amount_minor" = $2, "quantity" = $3, "updated_at" = CURRENT_TIMESTAMP WHERE "id" = $4;

-- InstalmentsRepository.countOverdue
SELECT COUNT(*) AS n FROM (SELECT i.id, i.pledge_id, p.donor_id, p.title AS pledge_title, p.kind, p.currency, p.in_kind_unit AS unit, i.due_on,
    COALESCE(i.amount_minor, i.quantity) AS size,
    COALESCE(SUM(COALESCE(i.amount_minor, i.quantity)) OVER (PARTITION BY i.pledge_id ORDER BY i.due_on, i.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS scheduled_before,
    CASE WHEN p.kind = 'cash' THEN p.disbursed_minor ELSE p.delivered_quantity END AS received,
    p.pledged_on, p.source_date, p.created_at AS pledge_created_at
  FROM pledge_instalments i CROSS JOIN pledges p
  WHERE p.id = i.pledge_id AND i.removed_at IS NULL AND p.cancelled_at IS NULL) s WHERE s.due_on < $1::date AND s.scheduled_before + s.size > s.received;

-- InstalmentsRepository.findLive
SELECT "InstalmentEntity"."organisation_id" AS "InstalmentEntity_organisation_id", "InstalmentEntity"."id" AS "InstalmentEntity_id", "InstalmentEntity"."pledge_id" AS "InstalmentEntity_pledge_id", "InstalmentEntity"."due_on" AS "InstalmentEntity_due_on", "InstalmentEntity"."amount_minor" AS "InstalmentEntity_amount_minor", "InstalmentEntity"."quantity" AS "InstalmentEntity_quantity", "InstalmentEntity"."created_by" AS "InstalmentEntity_created_by", "InstalmentEntity"."removed_at" AS "InstalmentEntity_removed_at", "InstalmentEntity"."removed_by" AS "InstalmentEntity_removed_by", "InstalmentEntity"."created_at" AS "InstalmentEntity_created_at", "InstalmentEntity"."updated_at" AS "InstalmentEntity_updated_at" FROM "pledge_instalments" "InstalmentEntity" WHERE (("InstalmentEntity"."id" = $1) AND ("InstalmentEntity"."pledge_id" = $2) AND ("InstalmentEntity"."removed_at" IS NULL)) LIMIT 1;

-- InstalmentsRepository.inWindow
SELECT s.* FROM (SELECT i.id, i.pledge_id, p.donor_id, p.title AS pledge_title, p.kind, p.currency, p.in_kind_unit AS unit, i.due_on,
    COALESCE(i.amount_minor, i.quantity) AS size,
    COALESCE(SUM(COALESCE(i.amount_minor, i.quantity)) OVER (PARTITION BY i.pledge_id ORDER BY i.due_on, i.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS scheduled_before,
    CASE WHEN p.kind = 'cash' THEN p.disbursed_minor ELSE p.delivered_quantity END AS received,
    p.pledged_on, p.source_date, p.created_at AS pledge_created_at
  FROM pledge_instalments i CROSS JOIN pledges p
  WHERE p.id = i.pledge_id AND i.removed_at IS NULL AND p.cancelled_at IS NULL AND p.donor_id = $1) s
  WHERE s.due_on <= $2::date AND (s.due_on >= $3::date OR (s.due_on < $4::date AND s.scheduled_before + s.size > s.received))
  ORDER BY s.due_on, s.id LIMIT 2000;

SELECT s.* FROM (SELECT i.id, i.pledge_id, p.donor_id, p.title AS pledge_title, p.kind, p.currency, p.in_kind_unit AS unit, i.due_on,
    COALESCE(i.amount_minor, i.quantity) AS size,
    COALESCE(SUM(COALESCE(i.amount_minor, i.quantity)) OVER (PARTITION BY i.pledge_id ORDER BY i.due_on, i.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS scheduled_before,
    CASE WHEN p.kind = 'cash' THEN p.disbursed_minor ELSE p.delivered_quantity END AS received,
    p.pledged_on, p.source_date, p.created_at AS pledge_created_at
  FROM pledge_instalments i CROSS JOIN pledges p
  WHERE p.id = i.pledge_id AND i.removed_at IS NULL AND p.cancelled_at IS NULL) s
  WHERE s.due_on <= $1::date AND (s.due_on >= $2::date OR (s.due_on < $3::date AND s.scheduled_before + s.size > s.received))
  ORDER BY s.due_on, s.id LIMIT 2000;

-- InstalmentsRepository.insert
INSERT INTO "pledge_instalments"("organisation_id", "pledge_id", "due_on", "amount_minor", "quantity", "created_by", "removed_at", "removed_by", "created_at", "updated_at") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, DEFAULT, DEFAULT) RETURNING "id", "created_at", "updated_at";

-- InstalmentsRepository.liveOfPledge
SELECT "InstalmentEntity"."organisation_id" AS "InstalmentEntity_organisation_id", "InstalmentEntity"."id" AS "InstalmentEntity_id", "InstalmentEntity"."pledge_id" AS "InstalmentEntity_pledge_id", "InstalmentEntity"."due_on" AS "InstalmentEntity_due_on", "InstalmentEntity"."amount_minor" AS "InstalmentEntity_amount_minor", "InstalmentEntity"."quantity" AS "InstalmentEntity_quantity", "InstalmentEntity"."created_by" AS "InstalmentEntity_created_by", "InstalmentEntity"."removed_at" AS "InstalmentEntity_removed_at", "InstalmentEntity"."removed_by" AS "InstalmentEntity_removed_by", "InstalmentEntity"."created_at" AS "InstalmentEntity_created_at", "InstalmentEntity"."updated_at" AS "InstalmentEntity_updated_at" FROM "pledge_instalments" "InstalmentEntity" WHERE (("InstalmentEntity"."pledge_id" = $1) AND ("InstalmentEntity"."removed_at" IS NULL)) ORDER BY "InstalmentEntity"."due_on" ASC, "InstalmentEntity"."id" ASC;

-- InstalmentsRepository.liveOfPledges
SELECT "InstalmentEntity"."organisation_id" AS "InstalmentEntity_organisation_id", "InstalmentEntity"."id" AS "InstalmentEntity_id", "InstalmentEntity"."pledge_id" AS "InstalmentEntity_pledge_id", "InstalmentEntity"."due_on" AS "InstalmentEntity_due_on", "InstalmentEntity"."amount_minor" AS "InstalmentEntity_amount_minor", "InstalmentEntity"."quantity" AS "InstalmentEntity_quantity", "InstalmentEntity"."created_by" AS "InstalmentEntity_created_by", "InstalmentEntity"."removed_at" AS "InstalmentEntity_removed_at", "InstalmentEntity"."removed_by" AS "InstalmentEntity_removed_by", "InstalmentEntity"."created_at" AS "InstalmentEntity_created_at", "InstalmentEntity"."updated_at" AS "InstalmentEntity_updated_at" FROM "pledge_instalments" "InstalmentEntity" WHERE (("InstalmentEntity"."pledge_id" IN ($1, $2)) AND ("InstalmentEntity"."removed_at" IS NULL)) ORDER BY "InstalmentEntity"."pledge_id" ASC, "InstalmentEntity"."due_on" ASC, "InstalmentEntity"."id" ASC;

-- InstalmentsRepository.markRemoved
UPDATE "pledge_instalments" SET "removed_at" = $1, "removed_by" = $2, "updated_at" = CURRENT_TIMESTAMP WHERE "id" = $3;

-- InstalmentsRepository.uncoveredCash
SELECT s.* FROM (SELECT i.id, i.pledge_id, p.donor_id, p.title AS pledge_title, p.kind, p.currency, p.in_kind_unit AS unit, i.due_on,
    COALESCE(i.amount_minor, i.quantity) AS size,
    COALESCE(SUM(COALESCE(i.amount_minor, i.quantity)) OVER (PARTITION BY i.pledge_id ORDER BY i.due_on, i.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS scheduled_before,
    CASE WHEN p.kind = 'cash' THEN p.disbursed_minor ELSE p.delivered_quantity END AS received,
    p.pledged_on, p.source_date, p.created_at AS pledge_created_at
  FROM pledge_instalments i CROSS JOIN pledges p
  WHERE p.id = i.pledge_id AND i.removed_at IS NULL AND p.cancelled_at IS NULL AND p.kind = 'cash') s WHERE s.scheduled_before + s.size > s.received ORDER BY s.due_on, s.id;

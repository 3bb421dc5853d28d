-- The SQL LedgerValuationRepository sends on PostgreSQL, recorded by test/medium/ledger-repositories.test.ts.
-- Regenerate: UPDATE_SQL_SNAPSHOTS=1 npx jest test/medium/ledger-repositories.test.ts --selectProjects medium (and with TEST_DB=postgres).

-- LedgerValuationRepository.anyWaiting
SELECT 1 AS waiting WHERE EXISTS (SELECT 1 FROM pledges WHERE valued_at IS NULL AND id > 0) OR EXISTS (SELECT 1 FROM disbursements WHERE valued_at IS NULL AND id > 0);

-- LedgerValuationRepository.countWaiting
SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM pledges WHERE valued_at IS NULL AND id > 0 LIMIT $1) AS p)
            + (SELECT COUNT(*) FROM (SELECT 1 FROM disbursements WHERE valued_at IS NULL AND id > 0 LIMIT $2) AS d) AS waiting;

-- LedgerValuationRepository.currenciesWaiting
SELECT currency FROM pledges WHERE currency IS NOT NULL AND valued_at IS NULL GROUP BY currency
       UNION SELECT CASE WHEN p.kind = 'cash' THEN d.currency ELSE p.currency END AS currency
               FROM disbursements d JOIN pledges p ON p.id = d.pledge_id WHERE d.valued_at IS NULL GROUP BY 1;

-- LedgerValuationRepository.markWindow
DELETE FROM pending_revaluations WHERE id = $1;

SELECT id FROM disbursements WHERE id >= $1 ORDER BY id LIMIT 1 OFFSET $2;

SELECT id FROM pledges WHERE id >= $1 ORDER BY id LIMIT 1 OFFSET $2;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= $1 AND valued_at IS NOT NULL AND id >= $2;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= $1 AND valued_at IS NOT NULL AND id >= $2 AND id < $3;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= $1 AND valued_at IS NOT NULL AND id >= $2 AND id < $3 AND value_currency = $4;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= $1 AND valued_at IS NOT NULL AND id >= $2 AND value_currency = $3;

UPDATE pending_revaluations SET next_pledge_id = $1, next_receipt_id = $2 WHERE id = $3;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, (pledges.created_at AT TIME ZONE 'UTC')::date) >= $1 AND valued_at IS NOT NULL AND id >= $2;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, (pledges.created_at AT TIME ZONE 'UTC')::date) >= $1 AND valued_at IS NOT NULL AND id >= $2 AND currency = $3;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, (pledges.created_at AT TIME ZONE 'UTC')::date) >= $1 AND valued_at IS NOT NULL AND id >= $2 AND id < $3;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, (pledges.created_at AT TIME ZONE 'UTC')::date) >= $1 AND valued_at IS NOT NULL AND id >= $2 AND id < $3 AND currency = $4;

-- LedgerValuationRepository.nextWaiting
SELECT MIN(id) AS id FROM disbursements WHERE valued_at IS NULL AND id > $1;

SELECT MIN(id) AS id FROM pledges WHERE valued_at IS NULL AND id > $1;

-- LedgerValuationRepository.pendingRevaluations
SELECT id, from_date, currency, next_pledge_id, next_receipt_id FROM pending_revaluations ORDER BY id;

-- LedgerValuationRepository.pledgeFactsOf
SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date
           FROM pledges p WHERE p.id IN ($1);

-- LedgerValuationRepository.receiptFactsOf
SELECT d.id AS id, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency, d.quantity AS quantity, d.received_on AS received_on,
       p.kind AS pledge_kind, p.currency AS pledge_currency, CAST(p.unit_value_minor AS TEXT) AS unit_value
  FROM disbursements d JOIN pledges p ON p.id = d.pledge_id WHERE d.id IN ($1);

-- LedgerValuationRepository.recordRevaluation
INSERT INTO pending_revaluations (from_date, currency, next_pledge_id, next_receipt_id) VALUES ($1, $2, 0, 0) RETURNING id, from_date, currency, next_pledge_id, next_receipt_id;

-- LedgerValuationRepository.storeValues
UPDATE disbursements SET value_usd_minor = v.column2, value_eur_minor = v.column3, value_azn_minor = v.column4, valued_at = CURRENT_TIMESTAMP, value_currency = v.column5
         FROM (VALUES (CAST($1 AS INTEGER), CAST($2 AS BIGINT), CAST($3 AS BIGINT), CAST($4 AS BIGINT), CAST($5 AS VARCHAR(3))), (CAST($6 AS INTEGER), CAST($7 AS BIGINT), CAST($8 AS BIGINT), CAST($9 AS BIGINT), CAST($10 AS VARCHAR(3)))) AS v
        WHERE disbursements.id = v.column1 AND disbursements.valued_at IS NULL AND disbursements.id BETWEEN $11 AND $12;

UPDATE pledges SET value_usd_minor = v.column2, value_eur_minor = v.column3, value_azn_minor = v.column4, valued_at = CURRENT_TIMESTAMP
         FROM (VALUES (CAST($1 AS INTEGER), CAST($2 AS BIGINT), CAST($3 AS BIGINT), CAST($4 AS BIGINT)), (CAST($5 AS INTEGER), CAST($6 AS BIGINT), CAST($7 AS BIGINT), CAST($8 AS BIGINT)), (CAST($9 AS INTEGER), CAST($10 AS BIGINT), CAST($11 AS BIGINT), CAST($12 AS BIGINT))) AS v
        WHERE pledges.id = v.column1 AND pledges.valued_at IS NULL AND pledges.id BETWEEN $13 AND $14;

-- LedgerValuationRepository.waitingPledges
SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date
         FROM pledges p WHERE p.valued_at IS NULL AND p.id >= $1 AND p.id < $2 ORDER BY p.id;

-- LedgerValuationRepository.waitingReceipts
SELECT d.id AS id, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency, d.quantity AS quantity, d.received_on AS received_on,
       p.kind AS pledge_kind, p.currency AS pledge_currency, CAST(p.unit_value_minor AS TEXT) AS unit_value
  FROM disbursements d JOIN pledges p ON p.id = d.pledge_id WHERE d.valued_at IS NULL AND d.id >= $1 AND d.id < $2 ORDER BY d.id;

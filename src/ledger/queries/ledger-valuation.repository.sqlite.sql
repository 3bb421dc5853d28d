-- The SQL LedgerValuationRepository sends on SQLite, recorded by test/medium/ledger-repositories.test.ts.
-- Regenerate: UPDATE_SQL_SNAPSHOTS=1 npx jest test/medium/ledger-repositories.test.ts --selectProjects medium (and with TEST_DB=postgres).

-- LedgerValuationRepository.anyWaiting
SELECT 1 AS waiting WHERE EXISTS (SELECT 1 FROM pledges WHERE valued_at IS NULL AND id > 0) OR EXISTS (SELECT 1 FROM disbursements WHERE valued_at IS NULL AND id > 0);

-- LedgerValuationRepository.countWaiting
SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM pledges WHERE valued_at IS NULL AND id > 0 LIMIT ?) AS p)
            + (SELECT COUNT(*) FROM (SELECT 1 FROM disbursements WHERE valued_at IS NULL AND id > 0 LIMIT ?) AS d) AS waiting;

-- LedgerValuationRepository.currenciesWaiting
SELECT currency FROM pledges WHERE currency IS NOT NULL AND valued_at IS NULL GROUP BY currency
       UNION SELECT CASE WHEN p.kind = 'cash' THEN d.currency ELSE p.currency END AS currency
               FROM disbursements d JOIN pledges p ON p.id = d.pledge_id WHERE d.valued_at IS NULL GROUP BY 1;

-- LedgerValuationRepository.markWindow
DELETE FROM pending_revaluations WHERE id = ?;

SELECT id FROM disbursements WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?;

SELECT id FROM pledges WHERE id >= ? ORDER BY id LIMIT 1 OFFSET ?;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= ? AND valued_at IS NOT NULL AND id >= ?;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= ? AND valued_at IS NOT NULL AND id >= ? AND id < ?;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= ? AND valued_at IS NOT NULL AND id >= ? AND id < ? AND value_currency = ?;

UPDATE disbursements SET valued_at = NULL WHERE received_on >= ? AND valued_at IS NOT NULL AND id >= ? AND value_currency = ?;

UPDATE pending_revaluations SET next_pledge_id = ?, next_receipt_id = ? WHERE id = ?;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, date(pledges.created_at)) >= ? AND valued_at IS NOT NULL AND id >= ?;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, date(pledges.created_at)) >= ? AND valued_at IS NOT NULL AND id >= ? AND currency = ?;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, date(pledges.created_at)) >= ? AND valued_at IS NOT NULL AND id >= ? AND id < ?;

UPDATE pledges SET valued_at = NULL WHERE COALESCE(pledges.pledged_on, pledges.source_date, date(pledges.created_at)) >= ? AND valued_at IS NOT NULL AND id >= ? AND id < ? AND currency = ?;

-- LedgerValuationRepository.nextWaiting
SELECT MIN(id) AS id FROM disbursements WHERE valued_at IS NULL AND id > ?;

SELECT MIN(id) AS id FROM pledges WHERE valued_at IS NULL AND id > ?;

-- LedgerValuationRepository.pendingRevaluations
SELECT id, from_date, currency, next_pledge_id, next_receipt_id FROM pending_revaluations ORDER BY id;

-- LedgerValuationRepository.pledgeFactsOf
SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, COALESCE(p.pledged_on, p.source_date, date(p.created_at)) AS value_date
           FROM pledges p WHERE p.id IN (?);

-- LedgerValuationRepository.receiptFactsOf
SELECT d.id AS id, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency, d.quantity AS quantity, d.received_on AS received_on,
       p.kind AS pledge_kind, p.currency AS pledge_currency, CAST(p.unit_value_minor AS TEXT) AS unit_value
  FROM disbursements d JOIN pledges p ON p.id = d.pledge_id WHERE d.id IN (?);

-- LedgerValuationRepository.recordRevaluation
INSERT INTO pending_revaluations (from_date, currency, next_pledge_id, next_receipt_id) VALUES (?, ?, 0, 0) RETURNING id, from_date, currency, next_pledge_id, next_receipt_id;

-- LedgerValuationRepository.storeValues
UPDATE disbursements SET value_usd_minor = v.column2, value_eur_minor = v.column3, value_azn_minor = v.column4, valued_at = CURRENT_TIMESTAMP, value_currency = v.column5
         FROM (VALUES (CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS VARCHAR(3))), (CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS VARCHAR(3)))) AS v
        WHERE disbursements.id = v.column1 AND disbursements.valued_at IS NULL AND disbursements.id BETWEEN ? AND ?;

UPDATE pledges SET value_usd_minor = v.column2, value_eur_minor = v.column3, value_azn_minor = v.column4, valued_at = CURRENT_TIMESTAMP
         FROM (VALUES (CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)), (CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT)), (CAST(? AS INTEGER), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))) AS v
        WHERE pledges.id = v.column1 AND pledges.valued_at IS NULL AND pledges.id BETWEEN ? AND ?;

-- LedgerValuationRepository.waitingPledges
SELECT p.id AS id, p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, COALESCE(p.pledged_on, p.source_date, date(p.created_at)) AS value_date
         FROM pledges p WHERE p.valued_at IS NULL AND p.id >= ? AND p.id < ? ORDER BY p.id;

-- LedgerValuationRepository.waitingReceipts
SELECT d.id AS id, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency, d.quantity AS quantity, d.received_on AS received_on,
       p.kind AS pledge_kind, p.currency AS pledge_currency, CAST(p.unit_value_minor AS TEXT) AS unit_value
  FROM disbursements d JOIN pledges p ON p.id = d.pledge_id WHERE d.valued_at IS NULL AND d.id >= ? AND d.id < ? ORDER BY d.id;

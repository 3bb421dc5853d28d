-- The SQL LedgerFiguresRepository sends on PostgreSQL, recorded by test/medium/ledger-repositories.test.ts.
-- Regenerate: UPDATE_SQL_SNAPSHOTS=1 npx jest test/medium/ledger-repositories.test.ts --selectProjects medium (and with TEST_DB=postgres).

-- LedgerFiguresRepository.balancesByDonor
SELECT p.donor_id AS donor_id, p.kind AS kind, CASE WHEN (FALSE) THEN 'cancelled' WHEN NOT (TRUE) THEN 'received' WHEN (p.receipt_expectation = 'owed' OR (p.receipt_due_on IS NOT NULL AND p.receipt_due_on < $1::date)) THEN 'outstanding' ELSE 'not_documented' END AS bucket,
              p.currency AS currency, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CAST(SUM(b.balance) AS TEXT) AS total
         FROM (SELECT p.id AS id,
                      CASE WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE((SELECT SUM(d.counted_minor) FROM disbursements d WHERE d.pledge_id = p.id AND d.received_on <= $1::date), 0)
                           ELSE p.amount_minor - COALESCE((SELECT SUM(d.quantity) FROM disbursements d WHERE d.pledge_id = p.id AND d.received_on <= $1::date), 0) * p.unit_value_minor END AS balance
                 FROM pledges p
                WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer AND (p.kind = 'cash' OR p.unit_value_minor IS NOT NULL)) b
         JOIN pledges p ON p.id = b.id
        WHERE b.balance > 0
        GROUP BY 1, 2, 3, 4, 5;

-- LedgerFiguresRepository.buildKnownOn
CREATE INDEX ix_known_disbursements_pledge ON known_disbursements (pledge_id);

CREATE INDEX ix_known_pledge_priorities_pledge ON known_pledge_priorities (pledge_id);

CREATE TEMPORARY TABLE known_disbursements ON COMMIT DROP AS SELECT * FROM disbursements WHERE created_at < $1::timestamptz AND pledge_id IN (SELECT id FROM known_pledges);

CREATE TEMPORARY TABLE known_pledge_priorities ON COMMIT DROP AS SELECT * FROM pledge_priorities WHERE pledge_id IN (SELECT id FROM known_pledges);

CREATE TEMPORARY TABLE known_pledges ON COMMIT DROP AS SELECT * FROM pledges WHERE created_at < $1::timestamptz;

DELETE FROM known_pledge_priorities WHERE pledge_id = $1::integer;

DROP TABLE IF EXISTS pg_temp.known_disbursements;

DROP TABLE IF EXISTS pg_temp.known_pledge_priorities;

DROP TABLE IF EXISTS pg_temp.known_pledges;

INSERT INTO known_pledge_priorities (organisation_id, pledge_id, priority_code, share_bp) SELECT organisation_id, id, $1::varchar, $2::integer FROM known_pledges WHERE id = $3::integer;

UPDATE known_disbursements SET valued_at = NULL, value_currency = NULL;

UPDATE known_pledges SET title = $1, commitment = $2, channel = $3, channel_name = $4, instrument = $5,
                pledged_on = $6, source_date = $7, receipt_expectation = $8, receipt_due_on = $9,
                source = $10, notes = $11, cancelled_at = $12
          WHERE id = $13::integer;

UPDATE known_pledges SET valued_at = NULL,
              disbursed_minor = COALESCE((SELECT SUM(d.counted_minor) FROM known_disbursements d WHERE d.pledge_id = known_pledges.id), 0),
              delivered_quantity = COALESCE((SELECT SUM(d.quantity) FROM known_disbursements d WHERE d.pledge_id = known_pledges.id), 0);

-- LedgerFiguresRepository.cancelledByDonor
SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(CASE WHEN p.valued_at IS NOT NULL THEN p.value_usd_minor END) AS TEXT) AS total,
            SUM(CASE WHEN p.valued_at IS NOT NULL AND p.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
         FROM known_pledges p
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND NOT (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
        GROUP BY 1, 2;

SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(CASE WHEN p.valued_at IS NOT NULL THEN p.value_usd_minor END) AS TEXT) AS total,
            SUM(CASE WHEN p.valued_at IS NOT NULL AND p.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
         FROM pledges p
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND NOT (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
        GROUP BY 1, 2;

-- LedgerFiguresRepository.donorPledgeCandidates
SELECT COUNT(*) AS n FROM pledges p WHERE p.donor_id = $1::integer;

SELECT p.id AS id, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CAST(p.value_usd_minor AS TEXT) AS value
           FROM pledges p WHERE p.donor_id = $1::integer AND p.value_usd_minor IS NOT NULL AND p.valued_at IS NOT NULL ORDER BY p.value_usd_minor DESC, p.id DESC LIMIT 2;

SELECT p.id AS id, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CAST(p.value_usd_minor AS TEXT) AS value
           FROM pledges p WHERE p.donor_id = $1::integer AND p.valued_at IS NULL ORDER BY p.id;

SELECT p.id AS id, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CAST(p.value_usd_minor AS TEXT) AS value
           FROM pledges p WHERE p.donor_id = $1::integer ORDER BY COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) DESC, p.id DESC LIMIT 2;

-- LedgerFiguresRepository.dropKnownOn
DROP TABLE IF EXISTS pg_temp.known_disbursements;

DROP TABLE IF EXISTS pg_temp.known_pledge_priorities;

DROP TABLE IF EXISTS pg_temp.known_pledges;

-- LedgerFiguresRepository.inKindQuantities
SELECT g.group_key AS group_key, g.unit AS unit, SUM(g.quantity) AS pledged, SUM(g.delivered) AS delivered,
              SUM(CASE WHEN g.up_to THEN 1 ELSE 0 END) AS up_to,
              SUM(CASE WHEN g.quantity > g.delivered THEN g.quantity - g.delivered ELSE 0 END) AS to_come,
              SUM(CASE WHEN g.up_to AND g.quantity > g.delivered THEN 1 ELSE 0 END) AS to_come_up_to
         FROM (SELECT p.donor_id AS group_key, p.in_kind_unit AS unit, p.in_kind_quantity AS quantity, p.in_kind_quantity_is_maximum AS up_to,
                      COALESCE((SELECT SUM(dq.quantity) FROM disbursements dq
                                 WHERE dq.pledge_id = p.id AND dq.received_on <= $1::date AND dq.quantity IS NOT NULL), 0) AS delivered
                 FROM pledges p
                 
                WHERE p.kind = 'in_kind' AND p.in_kind_quantity IS NOT NULL
                  AND COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer) g
        GROUP BY 1, 2
        ORDER BY 1, 2;

-- LedgerFiguresRepository.inKindQuantitiesByPriority
SELECT g.group_key AS group_key, g.unit AS unit, SUM(g.quantity) AS pledged, SUM(g.delivered) AS delivered,
              SUM(CASE WHEN g.up_to THEN 1 ELSE 0 END) AS up_to,
              SUM(CASE WHEN g.quantity > g.delivered THEN g.quantity - g.delivered ELSE 0 END) AS to_come,
              SUM(CASE WHEN g.up_to AND g.quantity > g.delivered THEN 1 ELSE 0 END) AS to_come_up_to
         FROM (SELECT pp.priority_code AS group_key, p.in_kind_unit AS unit, p.in_kind_quantity AS quantity, p.in_kind_quantity_is_maximum AS up_to,
                      COALESCE((SELECT SUM(dq.quantity) FROM disbursements dq
                                 WHERE dq.pledge_id = p.id AND dq.received_on <= $1::date AND dq.quantity IS NOT NULL), 0) AS delivered
                 FROM pledges p
                 JOIN pledge_priorities pp ON pp.pledge_id = p.id
                WHERE p.kind = 'in_kind' AND p.in_kind_quantity IS NOT NULL
                  AND COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date)) g
        GROUP BY 1, 2
        ORDER BY 1, 2;

-- LedgerFiguresRepository.pledgeFigures
SELECT d.id AS id, d.pledge_id AS pledge_id FROM disbursements d WHERE 1 = 1 AND d.received_on <= $1::date AND d.pledge_id IN (1) ORDER BY d.id;

SELECT d.id AS id, d.pledge_id AS pledge_id FROM disbursements d WHERE d.valued_at IS NULL AND d.received_on <= $1::date AND d.pledge_id IN (1) ORDER BY d.id;

SELECT d.id AS id, d.pledge_id AS pledge_id FROM disbursements d WHERE d.valued_at IS NULL AND d.received_on <= $1::date AND d.pledge_id IN (1, 2, 4) ORDER BY d.id;

SELECT p.id AS id, p.currency AS currency, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CAST(p.value_usd_minor AS TEXT) AS pledged_value,
                CASE WHEN 1 = 1 THEN 1 ELSE 0 END AS waiting,
                CAST(COALESCE(r.received_value, 0) AS TEXT) AS received_value, r.unvalued AS unvalued,
                CAST(CASE WHEN p.amount_minor IS NULL THEN NULL
                          WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                          WHEN p.unit_value_minor IS NULL THEN NULL
                          ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END AS TEXT) AS balance, CASE WHEN (NOT (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date)) THEN 'cancelled' WHEN NOT ((CASE WHEN p.amount_minor IS NULL THEN NULL
                          WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                          WHEN p.unit_value_minor IS NULL THEN NULL
                          ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END) > 0) THEN 'received' WHEN (p.receipt_expectation = 'owed' OR (p.receipt_due_on IS NOT NULL AND p.receipt_due_on < $1::date)) THEN 'outstanding' ELSE 'not_documented' END AS bucket
           FROM pledges p
           LEFT JOIN (SELECT d.pledge_id AS pledge_id, SUM(d.counted_minor) AS counted, SUM(d.quantity) AS quantity,
                             SUM(CASE WHEN 1 = 0 THEN d.value_usd_minor END) AS received_value,
                             SUM(CASE WHEN 1 = 0 AND d.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued
                        FROM disbursements d WHERE d.received_on <= $1::date AND d.pledge_id IN (1) GROUP BY d.pledge_id) r ON r.pledge_id = p.id
          WHERE p.id IN (1);

SELECT p.id AS id, p.currency AS currency, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CAST(p.value_usd_minor AS TEXT) AS pledged_value,
                CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END AS waiting,
                CAST(COALESCE(r.received_value, 0) AS TEXT) AS received_value, r.unvalued AS unvalued,
                CAST(CASE WHEN p.amount_minor IS NULL THEN NULL
                          WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                          WHEN p.unit_value_minor IS NULL THEN NULL
                          ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END AS TEXT) AS balance, CASE WHEN (NOT (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date)) THEN 'cancelled' WHEN NOT ((CASE WHEN p.amount_minor IS NULL THEN NULL
                          WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                          WHEN p.unit_value_minor IS NULL THEN NULL
                          ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END) > 0) THEN 'received' WHEN (p.receipt_expectation = 'owed' OR (p.receipt_due_on IS NOT NULL AND p.receipt_due_on < $1::date)) THEN 'outstanding' ELSE 'not_documented' END AS bucket
           FROM pledges p
           LEFT JOIN (SELECT d.pledge_id AS pledge_id, SUM(d.counted_minor) AS counted, SUM(d.quantity) AS quantity,
                             SUM(CASE WHEN d.valued_at IS NOT NULL THEN d.value_usd_minor END) AS received_value,
                             SUM(CASE WHEN d.valued_at IS NOT NULL AND d.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued
                        FROM disbursements d WHERE d.received_on <= $1::date AND d.pledge_id IN (1) GROUP BY d.pledge_id) r ON r.pledge_id = p.id
          WHERE p.id IN (1);

SELECT p.id AS id, p.currency AS currency, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CAST(p.value_usd_minor AS TEXT) AS pledged_value,
                CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END AS waiting,
                CAST(COALESCE(r.received_value, 0) AS TEXT) AS received_value, r.unvalued AS unvalued,
                CAST(CASE WHEN p.amount_minor IS NULL THEN NULL
                          WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                          WHEN p.unit_value_minor IS NULL THEN NULL
                          ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END AS TEXT) AS balance, CASE WHEN (NOT (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date)) THEN 'cancelled' WHEN NOT ((CASE WHEN p.amount_minor IS NULL THEN NULL
                          WHEN p.kind = 'cash' THEN p.amount_minor - COALESCE(r.counted, 0)
                          WHEN p.unit_value_minor IS NULL THEN NULL
                          ELSE p.amount_minor - COALESCE(r.quantity, 0) * p.unit_value_minor END) > 0) THEN 'received' WHEN (p.receipt_expectation = 'owed' OR (p.receipt_due_on IS NOT NULL AND p.receipt_due_on < $1::date)) THEN 'outstanding' ELSE 'not_documented' END AS bucket
           FROM pledges p
           LEFT JOIN (SELECT d.pledge_id AS pledge_id, SUM(d.counted_minor) AS counted, SUM(d.quantity) AS quantity,
                             SUM(CASE WHEN d.valued_at IS NOT NULL THEN d.value_usd_minor END) AS received_value,
                             SUM(CASE WHEN d.valued_at IS NOT NULL AND d.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued
                        FROM disbursements d WHERE d.received_on <= $1::date AND d.pledge_id IN (1, 2, 4) GROUP BY d.pledge_id) r ON r.pledge_id = p.id
          WHERE p.id IN (1, 2, 4);

-- LedgerFiguresRepository.pledgeRecords
SELECT p.id AS id, p.donor_id AS donor_id, p.title AS title, p.kind AS kind, p.commitment AS commitment,
              CAST(p.amount_minor AS TEXT) AS amount, p.currency AS currency, p.in_kind_quantity AS quantity, p.in_kind_unit AS unit,
              p.in_kind_quantity_is_maximum AS up_to, CAST(p.unit_value_minor AS TEXT) AS unit_value,
              p.channel AS channel, p.channel_name AS channel_name, p.instrument AS instrument, p.source AS source,
              COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, CASE WHEN (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) THEN 0 ELSE 1 END AS cancelled,
              CAST(COALESCE((SELECT SUM(d.counted_minor) FROM disbursements d WHERE d.pledge_id = p.id AND d.received_on <= $1::date), 0) AS TEXT) AS received, COALESCE((SELECT SUM(d.quantity) FROM disbursements d WHERE d.pledge_id = p.id AND d.received_on <= $1::date), 0) AS delivered
         FROM pledges p
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.donor_id = $2::integer
        ORDER BY p.id;

-- LedgerFiguresRepository.pledgedByDonor
SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(CASE WHEN p.valued_at IS NOT NULL THEN p.value_usd_minor END) AS TEXT) AS total,
            SUM(CASE WHEN p.valued_at IS NOT NULL AND p.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
         FROM known_pledges p
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
        GROUP BY 1, 2;

SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(CASE WHEN p.valued_at IS NOT NULL THEN p.value_usd_minor END) AS TEXT) AS total,
            SUM(CASE WHEN p.valued_at IS NOT NULL AND p.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
         FROM pledges p
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND EXISTS (SELECT 1 FROM pledge_priorities fp WHERE fp.pledge_id = p.id AND fp.priority_code = $2)
        GROUP BY 1, 2;

SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(CASE WHEN p.valued_at IS NOT NULL THEN p.value_usd_minor END) AS TEXT) AS total,
            SUM(CASE WHEN p.valued_at IS NOT NULL AND p.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
         FROM pledges p
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
        GROUP BY 1, 2;

-- LedgerFiguresRepository.pledgedByPriority
SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp, CAST(SUM(CASE WHEN p.valued_at IS NOT NULL THEN p.value_usd_minor END) AS TEXT) AS total,
            SUM(CASE WHEN p.valued_at IS NOT NULL AND p.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
         FROM known_pledge_priorities pp
         JOIN known_pledges p ON p.id = pp.pledge_id
         JOIN (SELECT pledge_id, COUNT(*) AS earmark_count FROM known_pledge_priorities GROUP BY pledge_id) ec ON ec.pledge_id = p.id
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
        GROUP BY 1, 2, 3;

SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp, CAST(SUM(CASE WHEN p.valued_at IS NOT NULL THEN p.value_usd_minor END) AS TEXT) AS total,
            SUM(CASE WHEN p.valued_at IS NOT NULL AND p.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
            SUM(CASE WHEN p.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
         FROM pledge_priorities pp
         JOIN pledges p ON p.id = pp.pledge_id
         JOIN (SELECT pledge_id, COUNT(*) AS earmark_count FROM pledge_priorities GROUP BY pledge_id) ec ON ec.pledge_id = p.id
        WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
        GROUP BY 1, 2, 3;

-- LedgerFiguresRepository.receiptRecords
SELECT d.id AS id, d.pledge_id AS pledge_id, d.received_on AS received_on, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency,
              d.quantity AS quantity, d.reference AS reference
         FROM disbursements d JOIN pledges p ON p.id = d.pledge_id
        WHERE d.received_on <= $1::date AND COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.donor_id = $2::integer
        ORDER BY d.id;

-- LedgerFiguresRepository.receivedByDonor
SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued, SUM(r.waiting) AS waiting
         FROM (SELECT d.pledge_id AS pledge_id, SUM(CASE WHEN d.valued_at IS NOT NULL THEN d.value_usd_minor END) AS total,
                    SUM(CASE WHEN d.valued_at IS NOT NULL AND d.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
                    SUM(CASE WHEN d.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
               FROM disbursements d WHERE d.received_on <= $1::date AND (d.value_currency IS NOT NULL OR d.valued_at IS NULL) GROUP BY d.pledge_id) r
         JOIN pledges p ON p.id = r.pledge_id
        WHERE (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND (CASE WHEN (p.cancelled_at IS NOT NULL) THEN 'cancelled' WHEN (p.kind = 'cash' AND p.amount_minor IS NOT NULL AND p.disbursed_minor >= p.amount_minor) THEN 'fully_disbursed' WHEN (p.kind = 'in_kind' AND p.in_kind_quantity IS NOT NULL AND p.delivered_quantity >= p.in_kind_quantity) THEN 'fully_disbursed' WHEN (p.kind = 'cash' AND p.disbursed_minor > 0) THEN 'partly_disbursed' WHEN (p.kind = 'in_kind' AND p.delivered_quantity > 0) THEN 'partly_disbursed' ELSE p.commitment END) = $2
        GROUP BY 1, 2;

SELECT p.donor_id AS donor_id, p.kind AS kind, CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued, SUM(r.waiting) AS waiting
         FROM (SELECT d.pledge_id AS pledge_id, SUM(CASE WHEN d.valued_at IS NOT NULL THEN d.value_usd_minor END) AS total,
                    SUM(CASE WHEN d.valued_at IS NOT NULL AND d.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
                    SUM(CASE WHEN d.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
               FROM disbursements d WHERE d.received_on <= $1::date AND (d.value_currency IS NOT NULL OR d.valued_at IS NULL) GROUP BY d.pledge_id) r
         JOIN pledges p ON p.id = r.pledge_id
        WHERE (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.currency = $2
        GROUP BY 1, 2;

-- LedgerFiguresRepository.receivedByPriority
SELECT pp.priority_code AS priority_code, ec.earmark_count AS earmark_count, pp.share_bp AS share_bp,
              CAST(SUM(r.total) AS TEXT) AS total, SUM(r.unvalued) AS unvalued, SUM(r.waiting) AS waiting
         FROM (SELECT d.pledge_id AS pledge_id, SUM(CASE WHEN d.valued_at IS NOT NULL THEN d.value_usd_minor END) AS total,
                    SUM(CASE WHEN d.valued_at IS NOT NULL AND d.value_usd_minor IS NULL THEN 1 ELSE 0 END) AS unvalued,
                    SUM(CASE WHEN d.valued_at IS NULL THEN 1 ELSE 0 END) AS waiting
               FROM disbursements d WHERE d.received_on <= $1::date AND (d.value_currency IS NOT NULL OR d.valued_at IS NULL) GROUP BY d.pledge_id) r
         JOIN pledges p ON p.id = r.pledge_id
         JOIN pledge_priorities pp ON pp.pledge_id = r.pledge_id
         JOIN (SELECT pledge_id, COUNT(*) AS earmark_count FROM pledge_priorities GROUP BY pledge_id) ec ON ec.pledge_id = r.pledge_id
        WHERE (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND (LOWER(p.title) LIKE $2 ESCAPE '\' OR LOWER(p.source) LIKE $2 ESCAPE '\' OR EXISTS (SELECT 1 FROM donors sd WHERE sd.id = p.donor_id AND LOWER(sd.name) LIKE $2 ESCAPE '\'))
        GROUP BY 1, 2, 3;

-- LedgerFiguresRepository.splitRuleCounts
SELECT SUM(CASE WHEN s.stated > 0 THEN 1 ELSE 0 END) AS stated, SUM(CASE WHEN s.stated = 0 THEN 1 ELSE 0 END) AS even
         FROM (SELECT pp.pledge_id, COUNT(pp.share_bp) AS stated
                 FROM pledge_priorities pp JOIN pledges p ON p.id = pp.pledge_id
                WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
                GROUP BY pp.pledge_id HAVING COUNT(*) > 1) s;

-- LedgerFiguresRepository.valueDates
SELECT p.currency AS currency, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date FROM pledges p WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer GROUP BY 1, 2
       UNION
       SELECT d.value_currency AS currency, d.received_on AS value_date FROM disbursements d JOIN pledges p ON p.id = d.pledge_id
          WHERE d.received_on <= $1::date AND d.value_currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) AND p.donor_id = $2::integer
          GROUP BY 1, 2;

SELECT p.currency AS currency, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date FROM pledges p WHERE COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) GROUP BY 1, 2
       UNION
       SELECT d.value_currency AS currency, d.received_on AS value_date FROM disbursements d
          WHERE d.received_on <= $1::date AND d.value_currency IS NOT NULL
            AND d.pledge_id NOT IN (SELECT c.id FROM pledges c WHERE c.cancelled_at IS NOT NULL AND (c.cancelled_at AT TIME ZONE 'UTC')::date <= $1::date)
          GROUP BY 1, 2;

-- LedgerFiguresRepository.waitingPledges
SELECT p.id AS id, p.donor_id AS donor_id, p.kind AS kind, CASE WHEN (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) THEN 0 ELSE 1 END AS cancelled,
              p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, pp.priority_code AS priority_code, pp.share_bp AS share_bp, (SELECT COUNT(*) FROM pledge_priorities ec WHERE ec.pledge_id = p.id) AS earmark_count
         FROM pledges p LEFT JOIN pledge_priorities pp ON pp.pledge_id = p.id
        WHERE p.valued_at IS NULL AND p.id >= $2::integer AND p.id < $3::integer AND COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL
        ORDER BY p.id;

SELECT p.id AS id, p.donor_id AS donor_id, p.kind AS kind, CASE WHEN (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $1::date) THEN 0 ELSE 1 END AS cancelled,
              p.currency AS currency, CAST(p.amount_minor AS TEXT) AS amount, COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) AS value_date, pp.priority_code AS priority_code, pp.share_bp AS share_bp, (SELECT COUNT(*) FROM pledge_priorities ec WHERE ec.pledge_id = p.id) AS earmark_count
         FROM pledges p LEFT JOIN pledge_priorities pp ON pp.pledge_id = p.id
        WHERE p.valued_at IS NULL AND p.id >= $2::integer AND p.id < $3::integer AND COALESCE(p.pledged_on, p.source_date, (p.created_at AT TIME ZONE 'UTC')::date) <= $1::date AND p.amount_minor IS NOT NULL AND p.currency IS NOT NULL AND p.donor_id = $4::integer
        ORDER BY p.id;

-- LedgerFiguresRepository.waitingReceipts
SELECT d.id AS id, CAST(d.amount_minor AS TEXT) AS amount, d.currency AS currency, d.quantity AS quantity, d.received_on AS received_on,
       p.kind AS pledge_kind, p.currency AS pledge_currency, CAST(p.unit_value_minor AS TEXT) AS unit_value, d.pledge_id AS pledge_id, p.donor_id AS donor_id, pp.priority_code AS priority_code, pp.share_bp AS share_bp, (SELECT COUNT(*) FROM pledge_priorities ec WHERE ec.pledge_id = d.pledge_id) AS earmark_count
         FROM disbursements d JOIN pledges p ON p.id = d.pledge_id LEFT JOIN pledge_priorities pp ON pp.pledge_id = d.pledge_id
        WHERE d.valued_at IS NULL AND d.id >= $1::integer AND d.id < $2::integer AND d.received_on <= $3::date AND (d.value_currency IS NOT NULL OR d.valued_at IS NULL) AND (p.cancelled_at IS NULL OR (p.cancelled_at AT TIME ZONE 'UTC')::date > $3::date)
        ORDER BY d.id;

-- Retention without deleting rows: the change log becomes a table partitioned by month of recorded_at, so a month
-- past the retention period can be archived whole (detached from the live log, kept in its own table) instead of
-- its rows being deleted. Event ids stay unique across live and archived months through event_ids.

-- recorded_at is taken when the row is inserted (after the chain's lock), so within a chain it never goes back.
ALTER SEQUENCE change_log_seq_seq OWNED BY NONE;
ALTER TABLE change_log RENAME TO change_log_v2;
ALTER TABLE change_log_v2 RENAME CONSTRAINT change_log_event_id_unique TO change_log_v2_event_id_unique;
ALTER INDEX change_log_pkey RENAME TO change_log_v2_pkey;
DROP TRIGGER change_log_no_update_or_delete ON change_log_v2;
DROP TRIGGER change_log_no_truncate ON change_log_v2;

CREATE TABLE change_log (
    seq              BIGINT      NOT NULL DEFAULT nextval('change_log_seq_seq'),
    event_id         TEXT        NOT NULL,
    type             TEXT        NOT NULL,
    source           TEXT,
    subject          TEXT,
    event_time       TIMESTAMPTZ,
    recorded_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    topic            TEXT        NOT NULL,
    kafka_key        TEXT,
    application      TEXT,
    repository       TEXT,
    commit_sha       TEXT,
    delivery_id      TEXT,
    actor            TEXT,
    reason           TEXT,
    data             JSONB       NOT NULL,
    chain            TEXT        NOT NULL DEFAULT '',
    prev_hash        TEXT        NOT NULL DEFAULT '',
    hash             TEXT        NOT NULL DEFAULT '',
    rejected         BOOLEAN     NOT NULL DEFAULT false,
    rejection_reason TEXT,
    PRIMARY KEY (seq, recorded_at)
) PARTITION BY RANGE (recorded_at);
ALTER SEQUENCE change_log_seq_seq OWNED BY change_log.seq;

-- Every event id ever recorded, live or archived: the log's dedupe key.
CREATE TABLE event_ids (
    event_id TEXT PRIMARY KEY
);

-- Where each chain continues after its archived months: the last link of the chain in the newest archived month.
CREATE TABLE chain_checkpoints (
    chain      TEXT        NOT NULL,
    seq        BIGINT      NOT NULL,
    hash       TEXT        NOT NULL,
    partition  TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, seq)
);

-- Creates the partition of the month holding the given time, with the append-only triggers; idempotent.
CREATE FUNCTION change_log_ensure_month(at TIMESTAMPTZ) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    month_start TIMESTAMPTZ := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    month_end   TIMESTAMPTZ := month_start + INTERVAL '1 month';
    part        TEXT := 'change_log_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    IF to_regclass(quote_ident(current_schema()) || '.' || part) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF change_log FOR VALUES FROM (%L) TO (%L)', part, month_start, month_end);
        EXECUTE format('CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION change_log_is_append_only()', part);
    END IF;
    RETURN part;
END;
$$;

-- Months for the existing rows, this month and the next.
DO $$
DECLARE
    m TIMESTAMPTZ;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM change_log_v2 LOOP
        PERFORM change_log_ensure_month(m);
    END LOOP;
    PERFORM change_log_ensure_month(now());
    PERFORM change_log_ensure_month(now() + INTERVAL '1 month');
END;
$$;

INSERT INTO change_log (seq, event_id, type, source, subject, event_time, recorded_at, topic, kafka_key, application,
                        repository, commit_sha, delivery_id, actor, reason, data, chain, prev_hash, hash, rejected,
                        rejection_reason)
SELECT seq, event_id, type, source, subject, event_time, recorded_at, topic, kafka_key, application, repository,
       commit_sha, delivery_id, actor, reason, data, chain, prev_hash, hash, rejected, rejection_reason
FROM change_log_v2;
INSERT INTO event_ids (event_id) SELECT event_id FROM change_log_v2;
DROP TABLE change_log_v2;

CREATE INDEX change_log_application_idx ON change_log (application, seq);
CREATE INDEX change_log_repository_idx  ON change_log (repository, seq);
CREATE INDEX change_log_commit_idx      ON change_log (commit_sha text_pattern_ops);
CREATE INDEX change_log_delivery_idx    ON change_log (delivery_id);
CREATE INDEX change_log_type_idx        ON change_log (type, seq);
CREATE INDEX change_log_time_idx        ON change_log (event_time);
CREATE INDEX change_log_actor_idx       ON change_log (actor);
CREATE INDEX change_log_chain_idx       ON change_log (chain, seq);
CREATE INDEX change_log_seq_idx         ON change_log (seq);

CREATE TRIGGER change_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_is_append_only();
CREATE TRIGGER change_log_no_truncate
    BEFORE TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_is_append_only();
CREATE TRIGGER event_ids_no_update_or_delete
    BEFORE UPDATE OR DELETE ON event_ids
    FOR EACH ROW EXECUTE FUNCTION change_log_is_append_only();
CREATE TRIGGER chain_checkpoints_no_update_or_delete
    BEFORE UPDATE OR DELETE ON chain_checkpoints
    FOR EACH ROW EXECUTE FUNCTION change_log_is_append_only();

REVOKE UPDATE, DELETE, TRUNCATE ON change_log, event_ids, chain_checkpoints FROM PUBLIC;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_writer') THEN
        GRANT SELECT, INSERT ON change_log, event_ids TO driftless_writer;
        GRANT SELECT ON chain_checkpoints TO driftless_writer;
        GRANT USAGE, SELECT ON SEQUENCE change_log_seq_seq TO driftless_writer;
    END IF;
END;
$$;

-- The change log: every event from every Driftless topic, one row each, never updated, never deleted.
--
-- Tamper evidence: every entry belongs to one hash chain, its application ('' for events of no application), and
-- carries hash = SHA-256(prev_hash || canonical entry), computed by the service; inserts to one chain are serialised
-- with an advisory lock. GET /api/verify walks each chain and reports the first broken link.
--
-- Retention without deleting rows: the log is partitioned by month of recorded_at, so a month past the retention
-- period can be archived whole (detached from the live log and kept as a table of its own). Event ids stay unique
-- across live and archived months through event_ids, and each chain continues from a checkpoint of its archived part.

CREATE FUNCTION change_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the change log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE SEQUENCE change_log_seq_seq;

CREATE TABLE change_log (
    seq              BIGINT      NOT NULL DEFAULT nextval('change_log_seq_seq'),
    event_id         TEXT        NOT NULL,
    type             TEXT        NOT NULL,
    source           TEXT,
    subject          TEXT,
    event_time       TIMESTAMPTZ,
    -- taken when the row is inserted (after the chain's lock), so within a chain it never goes back
    recorded_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    topic            TEXT        NOT NULL,
    kafka_key        TEXT,
    application      TEXT,
    repository       TEXT,
    commit_sha       TEXT,
    delivery_id      TEXT,
    actor            TEXT,
    reason           TEXT,
    -- the CloudEvent itself in CloudEvents' JSON format: attributes, every extension, and its data
    event            JSONB       NOT NULL,
    chain            TEXT        NOT NULL,
    prev_hash        TEXT        NOT NULL,
    hash             TEXT        NOT NULL,
    -- an event that is not a Driftless CloudEvent, or whose data does not match its type's schema, is still
    -- recorded, marked rejected with the reason
    rejected         BOOLEAN     NOT NULL DEFAULT false,
    rejection_reason TEXT,
    PRIMARY KEY (seq, recorded_at)
) PARTITION BY RANGE (recorded_at);
ALTER SEQUENCE change_log_seq_seq OWNED BY change_log.seq;

CREATE INDEX change_log_seq_idx         ON change_log (seq);
CREATE INDEX change_log_chain_idx       ON change_log (chain, seq);
CREATE INDEX change_log_application_idx ON change_log (application, seq);
CREATE INDEX change_log_repository_idx  ON change_log (repository, seq);
CREATE INDEX change_log_commit_idx      ON change_log (commit_sha text_pattern_ops);
CREATE INDEX change_log_delivery_idx    ON change_log (delivery_id);
CREATE INDEX change_log_type_idx        ON change_log (type, seq);
CREATE INDEX change_log_time_idx        ON change_log (event_time);
CREATE INDEX change_log_actor_idx       ON change_log (actor);

-- Every event id ever recorded, live or archived: the log's dedupe key, so redelivery is harmless.
CREATE TABLE event_ids (
    event_id TEXT PRIMARY KEY
);

-- Where each chain continues after its archived months: its last link in the newest archived month.
CREATE TABLE chain_checkpoints (
    chain      TEXT        NOT NULL,
    seq        BIGINT      NOT NULL,
    hash       TEXT        NOT NULL,
    partition  TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (chain, seq)
);

-- Creates the partition of the month holding the given time, append-only like the log; idempotent.
CREATE FUNCTION change_log_ensure_month(at TIMESTAMPTZ) RETURNS TEXT LANGUAGE plpgsql AS $$
DECLARE
    month_start TIMESTAMPTZ := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    month_end   TIMESTAMPTZ := month_start + INTERVAL '1 month';
    part        TEXT := 'change_log_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    -- two replicas (or a start and an insert) may ask for the same month at once
    PERFORM pg_advisory_xact_lock(hashtext('change_log_ensure_month:' || current_schema() || ':' || part));
    IF to_regclass(quote_ident(current_schema()) || '.' || part) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF change_log FOR VALUES FROM (%L) TO (%L)', part, month_start, month_end);
        EXECUTE format('CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION change_log_is_append_only()', part);
    END IF;
    RETURN part;
END;
$$;

SELECT change_log_ensure_month(now());
SELECT change_log_ensure_month(now() + INTERVAL '1 month');

-- Append-only: no row is ever updated or deleted, no table truncated, whoever asks.
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

-- The role the service inserts as (driftless.audit.writer-role): it may read and insert, nothing else. Created
-- when the migrating user may create roles; shared by every schema of the cluster.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_writer')
       AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
        CREATE ROLE driftless_writer NOLOGIN;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_writer') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO driftless_writer', current_schema());
        GRANT SELECT, INSERT ON change_log, event_ids TO driftless_writer;
        GRANT SELECT ON chain_checkpoints TO driftless_writer;
        GRANT USAGE, SELECT ON SEQUENCE change_log_seq_seq TO driftless_writer;
        IF NOT pg_has_role(current_user, 'driftless_writer', 'MEMBER')
           AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
            EXECUTE format('GRANT driftless_writer TO %I', current_user);
        END IF;
    END IF;
END;
$$;

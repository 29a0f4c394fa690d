-- Tamper evidence and rejected events.
--
-- Every entry belongs to one hash chain: its application, or '' for events that belong to no application.
-- hash = SHA-256(prev_hash || canonical entry), computed by the service; inserts to one chain are serialised with
-- an advisory lock. GET /api/verify walks each chain and reports the first broken link.
ALTER TABLE change_log ADD COLUMN chain            TEXT    NOT NULL DEFAULT '';
ALTER TABLE change_log ADD COLUMN prev_hash        TEXT    NOT NULL DEFAULT '';
ALTER TABLE change_log ADD COLUMN hash             TEXT    NOT NULL DEFAULT '';
-- An event that is not a Driftless CloudEvent, or whose data does not match its type's schema, is still recorded,
-- marked rejected with the reason.
ALTER TABLE change_log ADD COLUMN rejected         BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE change_log ADD COLUMN rejection_reason TEXT;

CREATE INDEX change_log_chain_idx ON change_log (chain, seq);

-- Append-only: no row is ever updated or deleted, and the table is never truncated.
CREATE FUNCTION change_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the change log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER change_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_is_append_only();

CREATE TRIGGER change_log_no_truncate
    BEFORE TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_is_append_only();

-- The role the service writes with (quarkus.datasource.jdbc.new-connection-sql=SET ROLE driftless_writer):
-- it may read and insert, nothing else. Created when the migrating user may create roles.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_writer') THEN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
            CREATE ROLE driftless_writer NOLOGIN;
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_writer') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO driftless_writer', current_schema());
        GRANT SELECT, INSERT ON change_log TO driftless_writer;
        GRANT USAGE, SELECT ON SEQUENCE change_log_seq_seq TO driftless_writer;
        EXECUTE format('GRANT driftless_writer TO %I', current_user);
    END IF;
END;
$$;
REVOKE UPDATE, DELETE, TRUNCATE ON change_log FROM PUBLIC;

-- Roles that mean something. Migrations run as the schema's owner (quarkus.flyway.username, DRIFTLESS_DB_OWNER_USER);
-- audit-service runs as a login that owns nothing (DRIFTLESS_DB_USER), a member of two roles:
--
--   driftless_writer     SELECT and INSERT on the log, its event ids and checkpoints (read), and the one function
--                        that adds a month to the log (change_log_ensure_month, run with the owner's rights)
--   driftless_retention  the one function that archives a month (change_log_archive_month, the owner's rights):
--                        checkpoint, detach, rename, keep append-only. It moves a month out of the live log; it
--                        cannot delete, change or drop anything.
--
-- So the runtime login cannot ALTER, disable triggers on, TRUNCATE, UPDATE, DELETE or DROP anything of the log: only
-- the owner can, and the owner's credentials are needed only to migrate (and to redact Secrets recorded in clear by
-- versions before Secrets were sealed). The roles are cluster-wide: created here when the owner may create roles,
-- otherwise by whoever creates the logins (deploy/compose/postgres-init.sh, ./driftless up, docs/deploy.md).

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_retention')
       AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
        CREATE ROLE driftless_retention NOLOGIN;
    END IF;
END;
$$;

-- A new month of the log, created with the owner's rights whoever calls it.
ALTER FUNCTION change_log_ensure_month(TIMESTAMPTZ) SECURITY DEFINER;
REVOKE EXECUTE ON FUNCTION change_log_ensure_month(TIMESTAMPTZ) FROM PUBLIC;

-- Archives one month of the log, with the owner's rights: a checkpoint of each chain at its last entry of the month,
-- then the month leaves the live log and is kept, append-only, as archived_change_log_YYYY_MM.
CREATE FUNCTION change_log_archive_month(part TEXT) RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    archive TEXT := 'archived_' || part;
BEGIN
    IF part !~ '^change_log_[0-9]{4}_[0-9]{2}$' THEN
        RAISE EXCEPTION 'not a month of the change log: %', part USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_inherits
                   JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                   JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
                   JOIN pg_namespace ns ON ns.oid = parent.relnamespace
                   WHERE parent.relname = 'change_log' AND child.relname = part AND ns.nspname = current_schema()) THEN
        RAISE EXCEPTION 'no live month % in the change log', part USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- oldest first: archiving a later month first would fork its chains (they continue from the archive's checkpoint)
    IF part <> (SELECT min(child.relname) FROM pg_inherits
                JOIN pg_class child ON child.oid = pg_inherits.inhrelid
                JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
                JOIN pg_namespace ns ON ns.oid = parent.relnamespace
                WHERE parent.relname = 'change_log' AND ns.nspname = current_schema()) THEN
        RAISE EXCEPTION 'only the oldest live month may be archived, not %', part USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_date(substr(part, 12), 'YYYY_MM') > now() THEN
        RAISE EXCEPTION 'month % has not begun', part USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- the strongest lock first (DETACH needs it), so a concurrent insert waits instead of deadlocking
    PERFORM set_config('lock_timeout', '30s', true);
    LOCK TABLE change_log IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('INSERT INTO chain_checkpoints (chain, seq, hash, partition)'
                   ' SELECT DISTINCT ON (chain) chain, seq, hash, %L FROM %I ORDER BY chain, seq DESC', archive, part);
    EXECUTE format('ALTER TABLE change_log DETACH PARTITION %I', part);
    EXECUTE format('ALTER TABLE %I RENAME TO %I', part, archive);
    -- detaching drops the row triggers cloned from the live log: the archive stays append-only too
    EXECUTE format('CREATE OR REPLACE TRIGGER change_log_no_update_or_delete BEFORE UPDATE OR DELETE ON %I'
                   ' FOR EACH ROW EXECUTE FUNCTION change_log_is_append_only()', archive);
    -- the verification (as the runtime login) compares the checkpoints with the archive they name
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_writer') THEN
        EXECUTE format('GRANT SELECT ON %I TO driftless_writer', archive);
    END IF;
    RETURN archive;
END;
$$;
REVOKE EXECUTE ON FUNCTION change_log_archive_month(TEXT) FROM PUBLIC;

-- A SECURITY DEFINER function must not find its tables (or operators) through the caller's search path. The schema
-- comes first because both functions create and name tables in current_schema(); only the owner can create objects
-- in it, so nothing there can shadow a built-in the functions call.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION change_log_ensure_month(TIMESTAMPTZ) SET search_path = %I, pg_catalog, pg_temp',
                   current_schema());
    EXECUTE format('ALTER FUNCTION change_log_archive_month(TEXT) SET search_path = %I, pg_catalog, pg_temp',
                   current_schema());
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_writer') THEN
        GRANT EXECUTE ON FUNCTION change_log_ensure_month(TIMESTAMPTZ) TO driftless_writer;
        -- so audit-service may start as the runtime login alone once the schema is migrated (Flyway reads its
        -- history, finds nothing to do); the owner's login is needed only when an upgrade brings a migration
        IF to_regclass(quote_ident(current_schema()) || '.flyway_schema_history') IS NOT NULL THEN
            GRANT SELECT ON flyway_schema_history TO driftless_writer;
        END IF;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'driftless_retention') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO driftless_retention', current_schema());
        GRANT EXECUTE ON FUNCTION change_log_archive_month(TEXT) TO driftless_retention;
    END IF;
END;
$$;

-- Hashes of version 2 cover where an entry sits (seq, recorded_at, chain) as well as what it says
-- (audit-service's HashChain). Entries recorded before keep version 1; a chain never goes back to it.
ALTER TABLE change_log ADD COLUMN hash_version SMALLINT NOT NULL DEFAULT 1;

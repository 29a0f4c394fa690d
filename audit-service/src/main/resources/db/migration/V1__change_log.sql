-- The change log: every event from every Driftless topic, one row each, never updated.
-- Unique on the CloudEvent id, so a redelivered event is recorded once.
CREATE TABLE change_log (
    seq          BIGSERIAL PRIMARY KEY,
    event_id     TEXT        NOT NULL,
    type         TEXT        NOT NULL,
    source       TEXT,
    subject      TEXT,
    event_time   TIMESTAMPTZ,
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    topic        TEXT        NOT NULL,
    kafka_key    TEXT,
    application  TEXT,
    repository   TEXT,
    commit_sha   TEXT,
    delivery_id  TEXT,
    actor        TEXT,
    reason       TEXT,
    data         JSONB       NOT NULL,
    CONSTRAINT change_log_event_id_unique UNIQUE (event_id)
);

CREATE INDEX change_log_application_idx ON change_log (application, seq);
CREATE INDEX change_log_repository_idx  ON change_log (repository, seq);
CREATE INDEX change_log_commit_idx      ON change_log (commit_sha text_pattern_ops);
CREATE INDEX change_log_delivery_idx    ON change_log (delivery_id);
CREATE INDEX change_log_type_idx        ON change_log (type, seq);
CREATE INDEX change_log_time_idx        ON change_log (event_time);
CREATE INDEX change_log_actor_idx       ON change_log (actor);

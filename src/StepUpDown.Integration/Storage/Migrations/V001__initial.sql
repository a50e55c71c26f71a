-- Foundation schema. Hangfire keeps its own tables in the "hangfire" schema.
CREATE TABLE stepupdown.source_cursors (
    source              text        PRIMARY KEY,
    cursor              text        NULL,
    baseline_completed  boolean     NOT NULL DEFAULT false,
    last_polled_at      timestamptz NULL,
    updated_at          timestamptz NOT NULL
);

-- The last record stored for each child in each source: what the next version is compared with.
CREATE TABLE stepupdown.child_records (
    source      text        NOT NULL,
    child_id    text        NOT NULL,
    version     bigint      NOT NULL,
    level_code  text        NOT NULL,
    nhs_number  text        NULL,
    record      jsonb       NOT NULL,
    stored_at   timestamptz NOT NULL,
    PRIMARY KEY (source, child_id)
);
CREATE INDEX child_records_nhs_number ON stepupdown.child_records (nhs_number) WHERE nhs_number IS NOT NULL;

-- Every detected step, with the record that showed it (what notifications are written from).
CREATE TABLE stepupdown.steps (
    id            uuid        PRIMARY KEY,
    source        text        NOT NULL,
    child_id      text        NOT NULL,
    kind          text        NOT NULL,
    from_level    text        NOT NULL,
    to_level      text        NOT NULL,
    from_version  bigint      NULL,
    to_version    bigint      NOT NULL,
    record        jsonb       NOT NULL,
    detected_at   timestamptz NOT NULL
);
CREATE INDEX steps_child ON stepupdown.steps (source, child_id);

-- The delivery ledger: one row per (step, recipient).
CREATE TABLE stepupdown.notifications (
    id                 uuid        PRIMARY KEY,
    step_id            uuid        NOT NULL REFERENCES stepupdown.steps (id),
    recipient_role     text        NOT NULL,
    state              text        NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'withheld')),
    recipient_address  text        NULL,
    message_id         text        NOT NULL,
    attempts           integer     NOT NULL DEFAULT 0,
    last_error         text        NULL,
    created_at         timestamptz NOT NULL,
    enqueued_at        timestamptz NULL,
    sent_at            timestamptz NULL,
    UNIQUE (step_id, recipient_role)
);
CREATE INDEX notifications_unenqueued ON stepupdown.notifications (created_at) WHERE state = 'pending' AND enqueued_at IS NULL;

-- Records that could not be used, with why; the rest of their page went on.
CREATE TABLE stepupdown.quarantined_records (
    id           bigserial   PRIMARY KEY,
    source       text        NOT NULL,
    child_id     text        NULL,
    reason       text        NOT NULL,
    payload      text        NOT NULL,
    received_at  timestamptz NOT NULL
);
CREATE INDEX quarantined_records_child ON stepupdown.quarantined_records (source, child_id);

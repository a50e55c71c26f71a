-- The MASSH's daily list of quarantined case ids (design: Quarantine is never silent): one a day.
-- A re-run of the day's job (a retry, a second instance) sends nothing a second time.
CREATE TABLE stepupdown.quarantine_lists_sent (
    sent_on  date        PRIMARY KEY,  -- the council's day
    sent_at  timestamptz NOT NULL
);

-- A tombstone keeps the level the child was at (a level code, no personal data): a child purged
-- or erased whose case system later reopens the record above that level is news, told as a step
-- up; at the same level or lower it is adopted quietly. Tombstones left before this know no level.
ALTER TABLE stepupdown.tombstones ADD COLUMN level_code text NULL;

-- Who looked up which child's lead professional, and when (the lead lookup's access log, shown in
-- the child's audit trail): the caller's name (a dashboard account or an API key's name) and the
-- record the answer came from, never the NHS number asked by.
CREATE TABLE stepupdown.lookups (
    id            bigserial   PRIMARY KEY,
    looked_up_at  timestamptz NOT NULL,
    caller        text        NOT NULL,
    source        text        NULL,
    child_id      text        NULL,
    answered      boolean     NOT NULL
);
CREATE INDEX lookups_child ON stepupdown.lookups (source, child_id);

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

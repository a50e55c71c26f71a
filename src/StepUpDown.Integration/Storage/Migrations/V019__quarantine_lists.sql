-- The MASSH's daily list of quarantined case ids (design: Quarantine is never silent): one a day.
-- A re-run of the day's job (a retry, a second instance) sends nothing a second time.
CREATE TABLE stepupdown.quarantine_lists_sent (
    sent_on  date        PRIMARY KEY,  -- the council's day
    sent_at  timestamptz NOT NULL
);

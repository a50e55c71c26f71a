-- The weekly digests sent: one per team manager a week. A re-run of the week's job (a retry, a
-- second instance) skips a manager already sent to.
CREATE TABLE stepupdown.digests_sent (
    week_of  date        NOT NULL,  -- the Monday of the council's week
    manager  text        NOT NULL,  -- the team manager's address, lower-cased
    sent_at  timestamptz NOT NULL,
    PRIMARY KEY (week_of, manager)
);

-- The audit trail finds a step by the reference its notices carry: the first 12 hex digits of its id.
CREATE INDEX steps_reference ON stepupdown.steps (upper(substr(replace(id::text, '-', ''), 1, 12)));

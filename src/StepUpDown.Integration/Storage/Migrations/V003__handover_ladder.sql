-- Handovers tracked to completion, the escalation ladder, and messages not read from a record.

ALTER TABLE stepupdown.handovers
    ADD COLUMN started_on            date        NULL,  -- working days count from here: the agreement, or the unplanned fall
    ADD COLUMN agreement             jsonb       NULL,  -- the stepDown block as last seen (a source may drop it once done)
    ADD COLUMN missing               text[]      NOT NULL DEFAULT '{}',
    ADD COLUMN working_days          integer     NULL,  -- since started_on, at the last review; the duration once complete
    ADD COLUMN last_stage            integer     NULL,  -- the highest ladder stage sent (0 = the first)
    ADD COLUMN reviewed_at           timestamptz NULL,
    ADD COLUMN closed_at             timestamptz NULL,
    ADD COLUMN closed_reason         text        NULL;
UPDATE stepupdown.handovers SET started_on = COALESCE(agreed_on, opened_at::date);
ALTER TABLE stepupdown.handovers ALTER COLUMN started_on SET NOT NULL;

-- What a handover message says beyond the record: the stage, what is missing, for how long.
ALTER TABLE stepupdown.steps ADD COLUMN details jsonb NULL;

-- The template each ledger row is written with (ladder stages name theirs in configuration).
ALTER TABLE stepupdown.notifications ADD COLUMN template text NULL;

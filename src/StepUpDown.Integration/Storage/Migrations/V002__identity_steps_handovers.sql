-- Identity across sources, the full step table, and handovers.

-- The other-system records a record names in externalIds, as "system|id" keys: how a record
-- in one source finds the same child in another (both ways) when there is no valid NHS number.
CREATE TABLE stepupdown.child_external_ids (
    source     text NOT NULL,
    child_id   text NOT NULL,
    named_key  text NOT NULL,
    PRIMARY KEY (source, child_id, named_key)
);
CREATE INDEX child_external_ids_named_key ON stepupdown.child_external_ids (named_key);

ALTER TABLE stepupdown.steps
    ADD COLUMN subject      text   NULL,                -- e.g. the service id of a step in or out
    ADD COLUMN markers      text[] NOT NULL DEFAULT '{}', -- ReReferral, Unplanned, NonEngagement, InvalidNhsNumber
    ADD COLUMN occurred_on  date   NULL;                -- the source's date of the change
CREATE INDEX steps_step_downs ON stepupdown.steps (source, child_id, occurred_on) WHERE kind = 'StepDown';

-- A handover per agreed step down, or per unplanned one (every checklist item missing).
CREATE TABLE stepupdown.handovers (
    id            uuid        PRIMARY KEY,   -- the step that opened it
    source        text        NOT NULL,
    child_id      text        NOT NULL,
    planned       boolean     NOT NULL,
    agreed_on     date        NULL,
    target_level  text        NULL,          -- the source's own code, as recorded in stepDown.targetLevel
    state         text        NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'complete', 'withdrawn')),
    opened_at     timestamptz NOT NULL
);
CREATE INDEX handovers_open ON stepupdown.handovers (source, child_id) WHERE state = 'open';

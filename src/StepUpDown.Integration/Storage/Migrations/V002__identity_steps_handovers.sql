-- Identity across sources, the full step table, and handovers.

-- Keys ("system|id") of the other-system records a record names in externalIds.
ALTER TABLE stepupdown.child_records ADD COLUMN external_keys text[] NOT NULL DEFAULT '{}';
CREATE INDEX child_records_external_keys ON stepupdown.child_records USING gin (external_keys);

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

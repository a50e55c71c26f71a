-- The monitoring report picks a period's steps by their day: the source's date where it gave one,
-- else the council's day the step was detected. Each half has its own index, so a quarter reads
-- its own rows rather than the whole table; likewise the handovers completed in a period.
-- IF NOT EXISTS: a council with a very large steps table may build them beforehand with
-- CREATE INDEX CONCURRENTLY (same names) rather than block writes while this runs.
CREATE INDEX IF NOT EXISTS steps_occurred_on ON stepupdown.steps (occurred_on) WHERE occurred_on IS NOT NULL;
CREATE INDEX IF NOT EXISTS steps_undated_detected ON stepupdown.steps (detected_at) WHERE occurred_on IS NULL;
CREATE INDEX IF NOT EXISTS handovers_completed ON stepupdown.handovers (closed_at) WHERE state = 'complete';

-- Journeys across systems: an agreed step down's target on the continuum, a fall below it held
-- for the settling window, and when the ladder's last stage was last sent (it repeats).
ALTER TABLE stepupdown.handovers
    ADD COLUMN target         text NULL,  -- continuum code of stepDown.targetLevel, where it maps
    ADD COLUMN held_from      text NULL,  -- a fall below the target is held: the child's level before it
    ADD COLUMN held_since     date NULL,  -- the day the fall was held; the settling window counts from it
    ADD COLUMN last_stage_on  date NULL,  -- the council's date the last stage was sent
    ADD COLUMN review_error   text NULL;  -- why the last sweep could not review it (SqlState or exception type; no row data)

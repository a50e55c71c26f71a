-- One way through (issue 20): the handover a step's notices belong to is stored with the step,
-- by whoever wrote the step (the poller for the step that opened it, the sweep for its own), and
-- read back as a column; nothing parses it out of the subject any more. Steps written before
-- this are given theirs by the rule that used to read it: the step that opened a handover (an
-- agreement, an unplanned fall) is its own; the sweep's steps name theirs in the first 32
-- characters of their subject.
ALTER TABLE stepupdown.steps ADD COLUMN handover_id uuid;

UPDATE stepupdown.steps
   SET handover_id = CASE
           WHEN kind = 'StepDownAgreed' OR (kind = 'StepDown' AND 'Unplanned' = ANY(markers)) THEN id
           ELSE substr(subject, 1, 32)::uuid
       END
 WHERE kind = 'StepDownAgreed'
    OR (kind = 'StepDown' AND 'Unplanned' = ANY(markers))
    OR (kind IN ('HandoverStalled', 'StepDownComplete', 'StepDown') AND subject ~ '^[0-9a-f]{32}');

-- One way through (issue 20): where SQL must filter on a rule, Domain computes it once and the
-- row stores the answer; the queries only read it.
--
-- child_records.gp_owed: the child's GP is still owed the current plan (a notice to the GP was
-- withheld for want of a usable NHS number and none has been planned since), as
-- NotificationRules.GpStillOwed decides it when the poller stores a record or the sweep plans a
-- notice. Children stored before this are given theirs once, from the ledger, by the rule the
-- queries used to apply.
ALTER TABLE stepupdown.child_records ADD COLUMN gp_owed boolean NOT NULL DEFAULT false;

UPDATE stepupdown.child_records r
   SET gp_owed = true
 WHERE EXISTS (SELECT 1 FROM stepupdown.steps s JOIN stepupdown.notifications n ON n.step_id = s.id
                WHERE s.source = r.source AND s.child_id = r.child_id
                  AND n.recipient_role = 'massh-nhs-match'
                  AND NOT EXISTS (SELECT 1 FROM stepupdown.steps later JOIN stepupdown.notifications gp ON gp.step_id = later.id
                                   WHERE gp.recipient_role IN ('gp', 'previous-gp')
                                     AND later.source = s.source AND later.child_id = s.child_id AND gp.created_at > n.created_at));

-- steps.ends_episode: the step ends an episode of support (DetectedStep.EndsAnEpisode: a
-- completed step down, or a step down to the continuum's lowest level), so a step up within 12
-- months of it is a re-referral. Steps stored before this are null until the worker fills them
-- in at start-up from its configured continuum (EpisodeEndsBackfill), which only it knows.
ALTER TABLE stepupdown.steps ADD COLUMN ends_episode boolean;
CREATE INDEX steps_ends_episode_unknown ON stepupdown.steps (kind, to_level) WHERE ends_episode IS NULL;

-- The sweep reads the other handovers of each open handover's record (is it superseded?): by
-- record, whatever their state (handovers_open covers only open ones), so a sweep is not a scan
-- of the table per handover.
CREATE INDEX handovers_child ON stepupdown.handovers (source, child_id);

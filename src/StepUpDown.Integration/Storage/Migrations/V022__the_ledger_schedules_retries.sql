-- The ledger row is the only state machine of a notice: a failed attempt that may pass leaves the
-- row pending with the time of its next attempt and why it failed; no notice is a Hangfire job of
-- its own any more. Rows a delivery job owned are due now, the dispatch's from here on.
ALTER TABLE stepupdown.notifications
    ADD COLUMN next_attempt_at timestamptz NULL,
    ADD COLUMN failure_kind    text        NULL,
    -- An admin's last action on the Notifications page ("retried now", "given up"), who and when.
    ADD COLUMN action          text        NULL,
    ADD COLUMN action_by       text        NULL,
    ADD COLUMN action_at       timestamptz NULL;

UPDATE stepupdown.notifications
   SET next_attempt_at = now(), claimed_at = NULL, claimed_by = NULL
 WHERE job_id IS NOT NULL AND state IN ('pending', 'sending');

DROP INDEX IF EXISTS stepupdown.notifications_unowned;
ALTER TABLE stepupdown.notifications DROP COLUMN job_id;
CREATE INDEX notifications_due ON stepupdown.notifications (created_at) WHERE state IN ('pending', 'sending');

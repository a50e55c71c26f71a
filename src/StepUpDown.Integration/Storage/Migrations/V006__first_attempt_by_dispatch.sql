-- The dispatch makes each notification's first attempt itself. Only a row whose first attempt
-- failed gets its own delivery job (job_id), and that job owns the row's retries from then on.
-- A claim (claimed_at) not delivered and not handed to a job went with a crashed dispatch.
ALTER TABLE stepupdown.notifications RENAME COLUMN enqueued_at TO claimed_at;
ALTER TABLE stepupdown.notifications ADD COLUMN job_id text NULL;

-- Rows already tried had their own job before this version: it keeps them.
UPDATE stepupdown.notifications SET job_id = 'before-v006' WHERE attempts > 0 AND state IN ('pending', 'sending');

DROP INDEX stepupdown.notifications_untried;
CREATE INDEX notifications_unowned ON stepupdown.notifications (created_at) WHERE state IN ('pending', 'sending') AND job_id IS NULL;

-- The dashboard's Notifications page: the last day's figures, and what is not delivered.
CREATE INDEX notifications_created ON stepupdown.notifications (created_at);
CREATE INDEX notifications_undelivered ON stepupdown.notifications (created_at) WHERE state <> 'sent';

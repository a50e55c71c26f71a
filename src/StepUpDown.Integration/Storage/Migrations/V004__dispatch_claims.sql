-- Dispatch commits its claim (enqueued_at) before enqueuing jobs, and claims again untried rows
-- whose claim went stale: look up pending, untried rows by age.
DROP INDEX stepupdown.notifications_unenqueued;
CREATE INDEX notifications_untried ON stepupdown.notifications (created_at) WHERE state = 'pending' AND attempts = 0;

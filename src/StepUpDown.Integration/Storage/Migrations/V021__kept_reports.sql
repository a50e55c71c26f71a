-- A bounce for a notice not yet recorded as sent (its "accepted" record still being retried after
-- a database cut, or a report racing the record) is kept on its row, not lost: the moment the row
-- is recorded sent it becomes bounced with the kept code, and the MASSH's notice is added in the
-- same statement's transaction. The reason is the service's own words for the code, never the report's.
ALTER TABLE stepupdown.notifications
    ADD COLUMN kept_report_at     timestamptz NULL,
    ADD COLUMN kept_report_status text        NULL,
    ADD COLUMN kept_report_reason text        NULL;

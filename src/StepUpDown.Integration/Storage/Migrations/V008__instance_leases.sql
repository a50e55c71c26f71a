-- Who holds work: every running instance heartbeats its row; a claim or a send stamped with an
-- instance whose heartbeat has stopped belonged to a dead process and is taken over at once.
CREATE TABLE stepupdown.instances (
    id            uuid        PRIMARY KEY,
    started_at    timestamptz NOT NULL,
    heartbeat_at  timestamptz NOT NULL
);

ALTER TABLE stepupdown.notifications
    ADD COLUMN claimed_by  uuid NULL,  -- the instance whose dispatch claimed the row
    ADD COLUMN sending_by  uuid NULL;  -- the instance whose attempt marked it sending

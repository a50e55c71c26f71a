-- A delivery attempt under way is visible: pending -> sending -> sent | failed (| withheld).
ALTER TABLE stepupdown.notifications DROP CONSTRAINT notifications_state_check;
ALTER TABLE stepupdown.notifications
    ADD CONSTRAINT notifications_state_check CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'withheld')),
    ADD COLUMN sending_since timestamptz NULL;  -- set while an attempt is sending; older than an attempt can take: a crash left it

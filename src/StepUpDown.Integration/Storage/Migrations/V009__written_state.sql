-- 'written': a notice written to the .eml outbox (Mail:UseOutbox, or Development). Nobody has
-- received it, so it is not 'sent' and never counts as the GP told.
ALTER TABLE stepupdown.notifications DROP CONSTRAINT notifications_state_check;
ALTER TABLE stepupdown.notifications
    ADD CONSTRAINT notifications_state_check CHECK (state IN ('pending', 'sending', 'sent', 'written', 'failed', 'withheld'));

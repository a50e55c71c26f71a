-- Delivery evidence (issue 21): a notice the relay accepted whose report came back failed is
-- 'bounced', with the report's status code (never its text) and when; a delay is noted. Reports
-- that match no notice are listed for review, by when and what kind, without their contents.
ALTER TABLE stepupdown.notifications DROP CONSTRAINT notifications_state_check;
ALTER TABLE stepupdown.notifications
    ADD CONSTRAINT notifications_state_check CHECK (state IN ('pending', 'sending', 'sent', 'written', 'failed', 'withheld', 'bounced'));
ALTER TABLE stepupdown.notifications
    ADD COLUMN report_status text,
    ADD COLUMN bounced_at    timestamptz,
    ADD COLUMN delayed_at    timestamptz;

CREATE TABLE stepupdown.unmatched_reports (
    id          bigserial   PRIMARY KEY,
    received_at timestamptz NOT NULL,
    kind        text        NOT NULL,
    status      text
);

-- A bounce is answered once a later notice to the same address is delivered: readiness and the
-- Delivery reports page look for the bounces not answered yet.
CREATE INDEX notifications_bounced ON stepupdown.notifications (bounced_at) WHERE state = 'bounced';
CREATE INDEX notifications_sent_to ON stepupdown.notifications (recipient_address, sent_at) WHERE state = 'sent';

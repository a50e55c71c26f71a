-- The weekly digests go through the delivery ledger like every other notice (issue 30): one row
-- per manager and week, keyed by both, with no step. The row holds the digest as it was written
-- (subject, text, html, whom to), cleared once it is sent. The table of digests sent goes: a
-- week's digests already sent before this migration are not sent again, as the rows below say.
ALTER TABLE stepupdown.notifications ALTER COLUMN step_id DROP NOT NULL;
ALTER TABLE stepupdown.notifications ADD COLUMN content jsonb NULL;
ALTER TABLE stepupdown.notifications
    ADD CONSTRAINT notifications_of_a_step_or_a_digest CHECK (step_id IS NOT NULL OR recipient_role = 'digest');

-- The id is the one HandoverDigests gives the manager's row of that week (the first 16 bytes of
-- SHA-256 of "digest", the week's Monday and the address, a line each).
WITH sent AS (
    SELECT encode(substring(sha256(convert_to('digest' || E'\n' || to_char(week_of, 'YYYY-MM-DD') || E'\n' || manager, 'UTF8')) FROM 1 FOR 16), 'hex')::uuid AS id,
           manager, sent_at
      FROM stepupdown.digests_sent)
INSERT INTO stepupdown.notifications (id, step_id, recipient_role, state, recipient_address, message_id, attempts, created_at, sent_at, template)
SELECT id, NULL, 'digest', 'sent', manager, replace(id::text, '-', '') || '@digest.invalid', 1, sent_at, sent_at, 'handover-digest'
  FROM sent
ON CONFLICT DO NOTHING;

DROP TABLE stepupdown.digests_sent;

-- Answers by reply (design: Replies). The proposed lead's answer, on its handover: when they
-- accepted or declined by reply, the decline's reason in their own words (plain text, at most 500
-- characters, shown to the managers of the disagreement stage only), whether the managers have
-- been sent the decline, and the reply's token (the handover and a MAC over it and the address
-- it was sent to, no personal data): an answer counts only while that address is still the
-- proposed lead's.
ALTER TABLE stepupdown.handovers
    ADD COLUMN accepted_by_reply_at timestamptz NULL,
    ADD COLUMN declined_by_reply_at timestamptz NULL,
    ADD COLUMN decline_reason       text        NULL,
    ADD COLUMN decline_told         boolean     NOT NULL DEFAULT false,
    ADD COLUMN reply_token          text        NULL;

-- Every reply read, once (its Message-Id's hash is unique: a second read of one message acts
-- never). What it did, for the audit trail; those that wait for a person are listed on the
-- dashboard until someone marks them dealt with. No name, no address, no text: the sender's
-- domain and whether they were the proposed lead.
CREATE TABLE stepupdown.handover_replies (
    id               bigserial   PRIMARY KEY,
    message_hash     text        NOT NULL UNIQUE,
    received_at      timestamptz NOT NULL,
    handover_id      uuid        NULL REFERENCES stepupdown.handovers (id) ON DELETE CASCADE,
    kind             text        NOT NULL,  -- ReplyKind: Accept, Decline, Unreadable, Automatic
    outcome          text        NOT NULL,  -- ReplyOutcome
    sender_domain    text        NULL,
    from_proposed_lead boolean   NOT NULL,
    dealt_with_at    timestamptz NULL,
    dealt_with_by    text        NULL
);
CREATE INDEX handover_replies_handover ON stepupdown.handover_replies (handover_id);
CREATE INDEX handover_replies_waiting ON stepupdown.handover_replies (received_at) WHERE dealt_with_at IS NULL;

-- That an erasure happened, and when: nothing about whom (UK GDPR: the record of an erasure must
-- not keep what was erased).
CREATE TABLE stepupdown.erasures (
    id            bigserial   PRIMARY KEY,
    erased_at     timestamptz NOT NULL,
    rows_removed  integer     NOT NULL
);

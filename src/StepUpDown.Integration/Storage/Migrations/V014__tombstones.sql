-- What an erasure or the retention purge leaves of a child: a keyed hash of its id in its source
-- and the version erased, never the id or anything the record held (design: Guarantees,
-- Retention). A resync or replay of what was erased is then ignored, and a later version is
-- adopted quietly, as a baseline, instead of being announced as a child first seen.
CREATE TABLE stepupdown.tombstone_key (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    key       bytea   NOT NULL
);
-- 32 bytes from PostgreSQL's cryptographic generator (gen_random_uuid draws from it).
INSERT INTO stepupdown.tombstone_key (key)
VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

CREATE FUNCTION stepupdown.child_hash(child_id text) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$ SELECT sha256(k.key || convert_to(child_id, 'UTF8')) FROM stepupdown.tombstone_key k $$;

CREATE TABLE stepupdown.tombstones (
    source          text        NOT NULL,
    child_hash      bytea       NOT NULL,
    erased_version  bigint      NOT NULL,
    erased_at       timestamptz NOT NULL,
    PRIMARY KEY (source, child_hash)
);

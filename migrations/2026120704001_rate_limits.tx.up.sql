-- Rate limits shared by every replica (internal/ratelimit): fixed-window
-- counters and token buckets, one row per limited thing. key is an HMAC of
-- the limit's name, union and client address under a secret derived from
-- the identity keys, so no address is stored; rows expire with their
-- window. Not a tenant table (the key is opaque), and UNLOGGED: counters
-- are worth no WAL, and a crash or a failover that empties them only
-- restarts the windows.
CREATE UNLOGGED TABLE rate_limits (
    key     bytea PRIMARY KEY CHECK (length(key) = 32),
    tokens  double precision NOT NULL, -- window: hits so far; bucket: tokens left
    at      timestamptz NOT NULL,      -- window: its start; bucket: last refill
    expires timestamptz NOT NULL       -- the row means nothing after this
);
CREATE INDEX rate_limits_expires ON rate_limits (expires);
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO suara_app;

-- Work leased to a worker: a URL or feed a worker took is its own until lease_until (the database's clock, not
-- the worker's); when a worker dies, its work returns to the queue as its leases run out.
ALTER TABLE urls ADD COLUMN lease_owner TEXT;
ALTER TABLE urls ADD COLUMN lease_until TEXT;
ALTER TABLE feeds ADD COLUMN lease_owner TEXT;
ALTER TABLE feeds ADD COLUMN lease_until TEXT;

-- When each host may next be sent a request, shared by every fetching worker (seconds since 1970, UTC).
CREATE TABLE host_turns (
    host TEXT PRIMARY KEY,
    next_at REAL NOT NULL
);

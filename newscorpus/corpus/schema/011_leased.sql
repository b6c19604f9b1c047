-- The URLs a worker holds, found at once when it gives them back (most URLs are held by no one).
CREATE INDEX urls_leased ON urls (lease_owner) WHERE lease_owner IS NOT NULL;

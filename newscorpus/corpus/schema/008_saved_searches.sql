-- Saved searches (alerts): a query and its filters under a name. `seen_up_to` is the highest document id that
-- was indexed when the search was last checked (or saved): what is above it is new.
CREATE TABLE saved_searches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    query TEXT NOT NULL,
    filters TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    checked_at TEXT,
    seen_up_to INTEGER NOT NULL DEFAULT 0
);

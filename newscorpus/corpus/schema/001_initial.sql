-- Sources the user follows: a feed URL or a site homepage.
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('feed', 'site')),
    title TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    added_at TEXT NOT NULL,
    last_success TEXT,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0
);

-- Feeds polled for a source (the source itself, or those found on its homepage).
CREATE TABLE feeds (
    id INTEGER PRIMARY KEY,
    source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_polled_at TEXT,
    UNIQUE (source_id, url)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL UNIQUE,
    source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    title TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    published TEXT,
    fetched_at TEXT NOT NULL,
    language TEXT,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    indexed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX documents_unindexed ON documents (indexed) WHERE indexed = 0;
CREATE INDEX documents_hash ON documents (content_hash);

-- The URL frontier: every article URL seen, with its crawl state.
CREATE TABLE urls (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'fetched', 'failed', 'failed_permanent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    discovered_at TEXT NOT NULL,
    fetched_at TEXT,
    item TEXT NOT NULL DEFAULT '{}',
    document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL
);
CREATE INDEX urls_state ON urls (state, next_attempt_at);

CREATE TABLE dates (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    value TEXT,
    type TEXT NOT NULL
);
CREATE INDEX dates_document ON dates (document_id);

CREATE TABLE places (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    name TEXT,
    geonameid INTEGER,
    lat REAL,
    lon REAL,
    country_code TEXT,
    admin1 TEXT
);
CREATE INDEX places_document ON places (document_id);

CREATE TABLE laws (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    name TEXT,
    year INTEGER,
    section TEXT,
    jurisdiction TEXT
);
CREATE INDEX laws_document ON laws (document_id);

CREATE TABLE entities (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    label TEXT NOT NULL
);
CREATE INDEX entities_document ON entities (document_id);

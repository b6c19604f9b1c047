-- The crawl pipeline's stages as explicit URL states: queued -> fetched (the response is in the WARC archive, at
-- the location recorded here, waiting for extraction and NLP) -> analysed (its document is stored; the document's
-- `indexed` flag is the last stage). 'deferred': waiting, through no fault of its own, for a time its host asked
-- for or for a later pass. SQLite cannot change a CHECK constraint in place, so the table is rebuilt.
CREATE TABLE urls_new (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    source_id INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'deferred', 'fetched', 'analysed', 'failed', 'failed_permanent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    discovered_at TEXT NOT NULL,
    fetched_at TEXT,
    item TEXT NOT NULL DEFAULT '{}',
    document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_length INTEGER
);
INSERT INTO urls_new (id, url, source_id, state, attempts, next_attempt_at, last_error, discovered_at, fetched_at,
                      item, document_id)
    SELECT id, url, source_id, CASE state WHEN 'fetched' THEN 'analysed' ELSE state END, attempts, next_attempt_at,
           last_error, discovered_at, fetched_at, item, document_id
    FROM urls;
DROP TABLE urls;
ALTER TABLE urls_new RENAME TO urls;
CREATE INDEX urls_state ON urls (state, next_attempt_at);
CREATE INDEX urls_source ON urls (source_id, discovered_at);

-- Pauses that hosts asked for (HTTP 429, or 503 with Retry-After), honoured by every later crawl.
CREATE TABLE host_pauses (
    host TEXT PRIMARY KEY,
    until TEXT NOT NULL,
    reason TEXT NOT NULL
);

-- Per-source settings: an enabled flag, a language hint, poll interval bounds, a politeness delay.
ALTER TABLE sources ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sources ADD COLUMN language TEXT;
ALTER TABLE sources ADD COLUMN min_poll_seconds REAL;
ALTER TABLE sources ADD COLUMN max_poll_seconds REAL;
ALTER TABLE sources ADD COLUMN delay_seconds REAL;

-- Sitemaps are polled like feeds (conditional GET), and each feed has its own adaptive schedule.
ALTER TABLE feeds ADD COLUMN kind TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'sitemap'));
ALTER TABLE feeds ADD COLUMN poll_seconds REAL;
ALTER TABLE feeds ADD COLUMN next_poll_at TEXT;
ALTER TABLE feeds ADD COLUMN last_error TEXT;

-- Where the raw response of each document is archived.
ALTER TABLE documents ADD COLUMN warc_file TEXT;
ALTER TABLE documents ADD COLUMN warc_offset INTEGER;
ALTER TABLE documents ADD COLUMN warc_length INTEGER;

CREATE INDEX urls_source ON urls (source_id, discovered_at);

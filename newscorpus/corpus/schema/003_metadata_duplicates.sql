-- Dates kept apart (original publication, last modification) with the offset the page wrote;
-- where each field came from; why the NLP skipped a document.
ALTER TABLE documents ADD COLUMN modified TEXT;
ALTER TABLE documents ADD COLUMN published_offset TEXT;
ALTER TABLE documents ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}';
ALTER TABLE documents ADD COLUMN nlp_note TEXT;

-- Syndication: every document belongs to a cluster of near-duplicates (its own, when it has none);
-- the cluster id is the id of the cluster's first stored document.
ALTER TABLE documents ADD COLUMN cluster_id INTEGER;
UPDATE documents SET cluster_id = id;
CREATE INDEX documents_cluster ON documents (cluster_id);

-- Other URLs at which an exact duplicate (same normalised text) of a document was seen.
CREATE TABLE document_urls (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    url TEXT NOT NULL UNIQUE,
    seen_at TEXT NOT NULL
);

-- MinHash signatures and their LSH band buckets, for incremental near-duplicate detection.
CREATE TABLE minhashes (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    signature BLOB NOT NULL
);
-- A bucket is a hash of one band of a signature, salted with the band's number.
CREATE TABLE lsh_buckets (
    bucket INTEGER NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE
);
CREATE INDEX lsh_buckets_lookup ON lsh_buckets (bucket);

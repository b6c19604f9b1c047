-- The countries and first-level regions a story is about, with their share of its place mentions.
CREATE TABLE focus (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    country_code TEXT NOT NULL,
    admin1 TEXT,
    name TEXT NOT NULL,
    share REAL NOT NULL
);
CREATE INDEX focus_document ON focus (document_id);

-- The acronym or short name a story gives a law it cites ("PMLA", "RA 11861"); NULL when it gives none.
ALTER TABLE laws ADD COLUMN alias TEXT;

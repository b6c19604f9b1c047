-- Both ends of a range a date mention belongs to ("from March to May 2025"), as a JSON array; NULL otherwise.
ALTER TABLE dates ADD COLUMN range_ends TEXT;

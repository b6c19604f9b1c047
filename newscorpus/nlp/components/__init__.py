"""spaCy pipeline components of newscorpus: dates, places and law references."""

"""Finding offers: the search page, its JSON twin, and keeping the index in sync."""

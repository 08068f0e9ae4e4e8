"""Statistics for municipalities and associations: coverage, white spots, unmet demand, years."""

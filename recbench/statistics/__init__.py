"""Statistics over per-user and per-fold values: intervals, aggregation into result records,
paired significance tests and comparisons of runs."""

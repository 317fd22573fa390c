"""The ground floor: how work runs here - the execution seam (jobs and their backends),
thread budgets, the memory budget and every ``RECBENCH_*`` environment variable."""

"""Master-data sync (R-MASTER, R-SYNC; DESIGN flow 2 and D4): Rompslomp's contacts and
products become Simon's customers and articles.

mapping (pure: record + content hash) · entities (what differs per entity) · guard (pure:
the mass-deletion rule) · cadence (pure: what is due) · runs (sync_runs + deferring the job
in one transaction) · sync (one run: list, diff, upsert, deletions, log) · deletions ·
messages (the Dutch log lines) · tasks (the job engine's entry points).
"""

"""Invoice export (R-EXPORT, DESIGN D3): an archived work order becomes exactly one concept
invoice in Rompslomp.

mapping.py (pure: lines, description, api_reference, filter word) · checks.py (what blocks
an export, in plain Dutch) · products.py (what is read from Rompslomp at export time) ·
sender.py (the exactly-once state machine) · queue.py (deferring export jobs) · tasks.py
(the jobs) · snapshot.py + routes.py + schemas.py (preview, exports list, retry).
"""

"""Invoice export (R-EXPORT, DESIGN D3): an archived work order becomes exactly one concept
invoice in Rompslomp.

decision.py (pure: what an export does next, for the sender, the preview and retry) ·
mapping.py (pure: lines, description, api_reference, filter word) · checks.py (what blocks
an export, in plain Dutch) · products.py (what is read from Rompslomp at export time) ·
claim.py (the first transaction: facts, decision, what needs no Rompslomp) · sender.py
(talking to Rompslomp, exactly once) · transitions.py (changes of an export row) ·
lookup.py (finding our invoice by api_reference) · reconcile.py (the daily check of sent
invoices) · queue.py (deferring export jobs, the sweeps) · tasks.py (the jobs) ·
routes.py + actions.py + schemas.py (preview, exports list, retry, check).
"""

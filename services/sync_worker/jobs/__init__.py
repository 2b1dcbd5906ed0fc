"""The job engine (DESIGN D1: procrastinate): the app, transactional deferring, the
runtime jobs use, the outbox relay and the worker loop started by the sync worker."""

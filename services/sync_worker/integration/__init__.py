"""The activation wizard, settings, status and deactivation (R-SETUP, R-SYNC-4)."""

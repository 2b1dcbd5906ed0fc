"""The integration log (R-LOG): entries in plain Dutch with the action to take."""

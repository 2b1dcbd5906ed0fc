"""API keys of a company's employees: listed, issued and revoked by the office."""

"""Assembly of the HTTP API: each part's router mounted with its guard."""

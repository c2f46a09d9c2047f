"""Small shared pieces with no business logic: clock, settings, errors, canonical JSON."""

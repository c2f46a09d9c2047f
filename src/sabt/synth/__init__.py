"""A realistic synthetic Iran: a seeded year-by-year microsimulation from 1300 SH,
calibrated to published figures, loaded into the register through its bulk path."""

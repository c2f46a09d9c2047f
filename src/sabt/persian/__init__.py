"""Pure Persian helpers: national codes, Jalali dates, text normalisation, places."""

"""Accounts, roles and tokens. For now only the operator token (the registration issue
replaces it with staff accounts, organisations and scopes)."""

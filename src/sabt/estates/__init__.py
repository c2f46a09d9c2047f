"""Estates: the electronic inheritance certificate issued without a request, its objections
and the dispute board (7th Development Plan Art. 113(ث) and its bylaw)."""

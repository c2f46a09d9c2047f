"""SAHIM (سهیم): the citizen portal, HODA's first-party relying party."""

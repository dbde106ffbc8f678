"""Supervision and enforcement (Art. 21-26): cases, procedure and caps, documents."""

"""Integrity ledger: Merkle log, checkpoints, witness, proofs, audit, evidence packages."""

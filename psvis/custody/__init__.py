"""Custody of footage (Art. 18-19): retrieval requests, a chief's approval, two-officer
execution sessions, the registration book (登记), legal holds and the access log."""

"""psvis: a public security video image information system platform.

One platform that records camera streams and enforces the regulation that governs them
(Nanchang Municipal Government Order No. 157). The package has one folder per domain;
see ``docs/design/`` for the invariants each domain keeps.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"

"""The ``psvis`` command line."""

"""Synthetic Nanchang dataset and the `psvis demo` runner."""

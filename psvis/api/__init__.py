"""FastAPI app factory, dependencies and the error mapping."""

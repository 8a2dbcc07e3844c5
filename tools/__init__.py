"""Tools for building the documentation (not installed)."""

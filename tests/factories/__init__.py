"""Shared test factories and fixtures (import a module's fixtures in a conftest.py)."""

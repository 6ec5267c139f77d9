"""Fixtures of the X-ray tests (personas come from tests/conftest.py)."""

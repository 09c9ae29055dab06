"""Shared fixtures live in their own modules; this file only lists them."""

pytest_plugins = [
    "tests.fixtures_db",
    "tests.fixtures_bot",
]

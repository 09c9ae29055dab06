"""Placeholder: bot fixtures are written elsewhere; this file only lets conftest import it."""

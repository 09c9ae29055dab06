"""Tests of handlers/services that need no Telegram and no database."""

"""End-to-end tests through Telegram: the real application against the Bot API emulator."""

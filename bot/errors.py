"""The error every CLI step raises to end with one line on stderr (no imports: ``branchbot ask`` stays light)."""

from __future__ import annotations

EXIT_SETTINGS = 2  # a setting is wrong: fix it (systemd: RestartPreventExitStatus=2)
EXIT_UNREACHABLE = 1  # a service could not be reached: Restart=on-failure tries again later


class StartupError(Exception):
    """One Chinese line for stderr (never the token) and the exit status; ``str()`` is the line."""

    def __init__(self, line: str, exit_code: int = EXIT_SETTINGS) -> None:
        super().__init__(line)
        self.line = line
        self.exit_code = exit_code

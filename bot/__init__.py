"""Entry point and wiring: settings, build_services(), the PTB Application, the CLI."""

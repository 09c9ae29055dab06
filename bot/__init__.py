"""Entry point and wiring: configuration, application factory, CLI, web app, jobs."""

"""The application layer: use cases in ``handlers.services`` (no channel), Telegram adapters in
``handlers.tg``, web routes in ``handlers.web``. Importing this package loads nothing else."""

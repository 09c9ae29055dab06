"""Telegram adapters: parse the update, call one service, render with ``handlers.tg.render``.

Button data is encoded and decoded here (``handlers.tg.callbacks``); services only see plain values.
``handlers.tg.registry.register_handlers`` is the one place that sets handler order.
"""

"""Counters for ``/metrics`` (Prometheus text), Telegram-free: any layer may call :func:`count`.

One :class:`Metrics` per process (:data:`METRICS`), on its own ``CollectorRegistry`` so that tests can build
fresh ones. :meth:`Metrics.instrument` wires what can be counted from the services alone: records stored (a
``forms.on_stored`` hook), answers by confidence (a wrapper around ``qa.ask``) and reminders sent and failed (the
reports of senders made by ``services.reminder_sender``, or of one passed to :meth:`Metrics.count_reports`);
updates are counted by the Telegram adapter (``METRICS.updates.inc()``).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

if TYPE_CHECKING:
    from handlers.services import Services

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.updates = Counter("branchbot_updates", "Telegram updates received", registry=r)
        self.answers = Counter(
            "branchbot_answers", "Questions answered, by confidence", ["confidence"], registry=r
        )
        self.unanswered = Counter("branchbot_unanswered_questions", "Questions without an answer", registry=r)
        self.records = Counter("branchbot_records_stored", "Activity records stored", registry=r)
        self.reminders = Counter(
            "branchbot_reminders", "Reminders delivered, by outcome", ["outcome"], registry=r
        )
        self.outbox = Gauge("branchbot_outbox_depth", "Webhook updates stored, not yet processed", registry=r)
        for confidence in ("high", "low", "none"):
            self.answers.labels(confidence)
        for outcome in ("sent", "failed"):
            self.reminders.labels(outcome)

    def answer(self, confidence: str | None) -> None:
        self.answers.labels(confidence or "none").inc()
        if confidence is None:
            self.unanswered.inc()

    def reminder(self, outcome: str, n: int = 1) -> None:
        self.reminders.labels(outcome).inc(n)

    async def render(self, services: Services | None = None) -> bytes:
        """The Prometheus text; the outbox depth is read now from ``services.updates``."""
        if services is not None:
            self.outbox.set(await services.updates.depth())
        return generate_latest(self.registry)

    def instrument(self, services: Services) -> None:
        """Count records stored and answers given by ``services`` (idempotent)."""
        if getattr(services, "_metrics_wired", False):
            return
        services._metrics_wired = True  # type: ignore[attr-defined]

        async def stored(record_id: int) -> None:
            self.records.inc()

        services.forms.on_stored.append(stored)
        ask = services.qa.ask

        @functools.wraps(ask)
        async def counted(*args: Any, **kwargs: Any):
            result = await ask(*args, **kwargs)
            self.answer(getattr(result.answer, "confidence", None))
            return result

        services.qa.ask = counted  # type: ignore[method-assign]
        make_sender = services.reminder_sender

        @functools.wraps(make_sender)
        def counted_sender(*args: Any, **kwargs: Any):
            return self.count_reports(make_sender(*args, **kwargs))

        services.reminder_sender = counted_sender  # type: ignore[method-assign]

    def count_reports(self, sender: Any) -> Any:
        """Count what ``sender.send_due`` reports (``SendReport.sent`` / ``.failed``); returns the sender."""
        if getattr(sender, "_metrics_wired", False):
            return sender
        send_due = sender.send_due

        @functools.wraps(send_due)
        async def counted(*args: Any, **kwargs: Any):
            report = await send_due(*args, **kwargs)
            self.reminder("sent", getattr(report, "sent", 0))
            self.reminder("failed", getattr(report, "failed", 0))
            return report

        sender.send_due = counted
        sender._metrics_wired = True
        return sender


METRICS = Metrics()

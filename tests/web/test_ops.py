"""/healthz and /metrics."""

from __future__ import annotations

from tests.web.world import client_for


async def test_healthz(client, site):
    resp = await client.get("/healthz")
    assert resp.status == 200 and (await resp.json())["status"] == "ok"
    site.ready[0] = False
    resp = await client.get("/healthz")
    assert resp.status == 503 and (await resp.json()) == {
        "status": "unavailable",
        "database": True,
        "bot": False,
    }


async def test_healthz_without_database(site):
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    broken = create_async_engine("sqlite+aiosqlite:////nonexistent/folder/db.sqlite")
    site.services.session_factory = async_sessionmaker(broken)
    client = await client_for(site)
    try:
        resp = await client.get("/healthz")
        assert resp.status == 503 and (await resp.json())["database"] is False
    finally:
        await client.close()
        await broken.dispose()


async def test_metrics_text(client, site):
    site.metrics.updates.inc(3)
    site.metrics.answer("high")
    site.metrics.answer(None)
    site.metrics.reminder("failed")
    await site.services.updates.store_update(7, {"update_id": 7})
    resp = await client.get("/metrics")
    text = await resp.text()
    assert resp.status == 200 and resp.content_type == "text/plain"
    for line in (
        "branchbot_updates_total 3.0",
        'branchbot_answers_total{confidence="high"} 1.0',
        'branchbot_answers_total{confidence="none"} 1.0',
        "branchbot_unanswered_questions_total 1.0",
        "branchbot_records_stored_total 0.0",
        'branchbot_reminders_total{outcome="failed"} 1.0',
        'branchbot_reminders_total{outcome="sent"} 0.0',
        "branchbot_outbox_depth 1.0",
    ):
        assert line in text, line


async def test_instrument_counts_records_and_answers(site):
    from types import SimpleNamespace

    class Sender:
        async def send_due(self, at=None, rate=1.0):
            return SimpleNamespace(sent=5, failed=2)

    services = SimpleNamespace(
        forms=SimpleNamespace(on_stored=[]), qa=SimpleNamespace(), reminder_sender=lambda *a, **k: Sender()
    )

    async def ask(text, **kwargs):
        return SimpleNamespace(answer=SimpleNamespace(confidence="low"))

    services.qa.ask = ask
    site.metrics.instrument(services)
    site.metrics.instrument(services)  # idempotent
    assert len(services.forms.on_stored) == 1
    await services.forms.on_stored[0](1)
    await services.qa.ask("问题", user_id=1, chat_id=1)
    await services.reminder_sender(None).send_due()
    text = (await site.metrics.render()).decode()
    assert "branchbot_records_stored_total 1.0" in text and 'confidence="low"} 1.0' in text
    assert 'branchbot_reminders_total{outcome="sent"} 5.0' in text
    assert 'branchbot_reminders_total{outcome="failed"} 2.0' in text

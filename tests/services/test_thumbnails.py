"""Thumbnails: made once when a record is stored (the form's hook), never an error for what Pillow cannot read."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from handlers.services import Services
from handlers.services.form.model import Act, Action
from handlers.services.thumbnails import THUMB_SIDE, ThumbnailService, make_thumbnail
from storage.files import LocalFileStore
from storage.models import RecordFile
from storage.repositories import DraftRepository
from tests.services.supervision_world import SEC_A, add_record, jpeg, make_world, spec_for, stored_photo

# The start of a HEIC file (ftyp box, brand heic) followed by data no decoder without a HEIF plugin reads.
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200


def _size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "JPEG"
        return img.size


def test_make_thumbnail():
    assert _size(make_thumbnail(jpeg(4000, 3000))) == (THUMB_SIDE, 240)
    assert _size(make_thumbnail(jpeg(300, 200))) == (300, 200)  # never enlarged
    png = io.BytesIO()
    Image.new("RGBA", (640, 1280), (0, 0, 255, 0)).save(png, "PNG")
    small = make_thumbnail(png.getvalue())
    assert _size(small) == (160, THUMB_SIDE)
    with Image.open(io.BytesIO(small)) as img:
        assert img.getpixel((5, 5))[0] > 240  # transparency laid on white
    assert make_thumbnail(HEIC) is None
    assert make_thumbnail(b"not an image") is None
    assert make_thumbnail(jpeg()[:200]) is None  # truncated


def test_exif_orientation_is_applied():
    out = io.BytesIO()
    img = Image.new("RGB", (800, 400), (0, 128, 0))
    exif = img.getexif()
    exif[0x0112] = 6  # rotated 90 degrees
    img.save(out, "JPEG", exif=exif)
    assert _size(make_thumbnail(out.getvalue())) == (160, THUMB_SIDE)


async def test_thumbnails_of_a_record_once(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    thumbs = LocalFileStore(tmp_path / "thumbs")
    service = ThumbnailService(world.factory, world.clock, world.store, thumbs)
    photo = await stored_photo(world, jpeg(), 0)
    heic = spec_for(HEIC, 1, mime="image/heic")
    await world.store.put(HEIC)
    pdf = spec_for(b"%PDF-1.4 minutes", 0, role="minutes", mime="application/pdf")
    record_id = await add_record(world, world.a, SEC_A, files=[photo, heic, pdf])
    assert await service.for_record(record_id) == 1
    assert await service.for_record(record_id) == 0  # tried once, never again
    async with world.factory() as session:
        rows = {r.mime: r for r in await session.scalars(select(RecordFile))}
    assert rows["image/jpeg"].thumb_sha256 is not None and rows["image/jpeg"].thumb_made_at is not None
    assert rows["image/heic"].thumb_sha256 is None and rows["image/heic"].thumb_made_at is not None
    assert rows["application/pdf"].thumb_made_at is None  # documents get none
    assert _size(await thumbs.get(rows["image/jpeg"].thumb_sha256)) == (THUMB_SIDE, 240)
    assert not await world.store.exists(
        rows["image/jpeg"].thumb_sha256
    )  # the evidence store holds evidence only

    # The same photo in another record shares the thumbnail; a record stored before thumbnails is backfilled.
    again = await add_record(world, world.b, 102, files=[{**photo, "telegram_file_unique_id": "other"}])
    async with world.factory() as session:
        row = (await session.scalars(select(RecordFile).where(RecordFile.record_id == again))).one()
    assert row.thumb_made_at is None
    assert await service.backfill() == 1


async def test_the_form_makes_thumbnails_when_a_record_is_stored(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    services = Services(kb=None, session_factory=world.factory, clock=world.clock, files=world.store)
    photo = await world.store.put(jpeg(1200, 900))
    entry = {
        "sha256": photo.sha256,
        "size": photo.size,
        "mime": photo.mime,
        "file_id": "f1",
        "unique_id": "u1",
    }
    data = {
        "kind": "committee",
        "held_on": "2026-11-18",
        "topic": "研究发展党员",
        "photos": [entry, {**entry, "unique_id": "u2"}],
    }
    async with world.factory() as session, session.begin():
        await DraftRepository(session).save(
            user_id=SEC_A, branch_id=world.a, step="summary", data=data, at=world.clock.now()
        )
    seen: list[int] = []

    async def failing_hook(record_id: int) -> None:
        seen.append(record_id)
        raise RuntimeError("a broken adapter hook")

    services.forms.on_stored.append(failing_hook)
    reply = await services.forms.on_action(SEC_A, Action(Act.CONFIRM))
    assert "提交成功" in reply.text  # a failing hook does not spoil the receipt
    async with world.factory() as session:
        rows = list(await session.scalars(select(RecordFile)))
    assert len(rows) == 2 and all(r.thumb_sha256 for r in rows) and len(seen) == 1
    assert (
        await services.thumbs.exists(rows[0].thumb_sha256)
        and services.thumbs.root == world.store.root / "thumbnails"
    )
    assert rows[0].record_id == seen[0]

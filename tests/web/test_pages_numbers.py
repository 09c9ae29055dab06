"""Photos are numbered from 1 among the photos, though the form stores the minutes first and its positions count
every file (minutes 0, photos 1 and 2): the record and branch pages' alt text and the downloaded file's name."""

from __future__ import annotations

import re
from urllib.parse import quote

from tests.services.supervision_world import SEC_A, SUPERVISOR, add_record, jpeg, spec_for, stored_photo
from tests.web.world import logged_in

PDF_BYTES = b"%PDF-1.4\n" + b"minutes " * 200


async def _record_as_the_form_stores_it(site) -> int:
    world = site.world
    await world.store.put(PDF_BYTES)
    minutes = spec_for(PDF_BYTES, 0, role="minutes", mime="application/pdf")
    photos = [await stored_photo(world, jpeg(color=(0, i * 60, 0)), i + 1) for i in range(2)]
    record_id = await add_record(world, world.a, SEC_A, files=[minutes, *photos])
    assert await site.services.thumbnails.for_record(record_id) == 2
    return record_id


async def test_photos_are_numbered_from_one(client, site):
    record_id = await _record_as_the_form_stores_it(site)
    await logged_in(client, site, SUPERVISOR)
    record = await (await client.get(f"/record/{record_id}")).text()
    assert re.findall(r'alt="(照片\d+)"', record) == ["照片1", "照片2"]
    assert "下载会议记录文件 1" in record
    branch = await (await client.get(f"/branch/{site.world.a}")).text()
    # the seeded record's photo, then this record's two
    assert sorted(re.findall(r'alt="(照片\d+)"', branch)) == ["照片1", "照片1", "照片2"]
    [first_photo] = re.findall(r'<img src="/file/(\d+)[^"]*" alt="照片1"', record)
    download = await client.get(f"/file/{first_photo}")
    assert download.status == 200 and download.headers["Content-Disposition"].endswith(quote("-照片1.jpg"))


async def test_several_minutes_files_each_have_a_download(client, site):
    world = site.world
    docs = [PDF_BYTES + bytes([i]) for i in range(3)]
    for data in docs:
        await world.store.put(data)
    minutes = [spec_for(data, i, role="minutes", mime="application/pdf") for i, data in enumerate(docs)]
    record_id = await add_record(world, world.a, SEC_A, files=minutes)
    await logged_in(client, site, SUPERVISOR)
    record = await (await client.get(f"/record/{record_id}")).text()
    links = re.findall(r'href="/file/(\d+)">下载会议记录文件 (\d+)', record)
    assert [n for _, n in links] == ["1", "2", "3"]
    for (file_id, n), data in zip(links, docs, strict=True):
        download = await client.get(f"/file/{file_id}")
        assert await download.read() == data
        assert download.headers["Content-Disposition"].endswith(quote(f"-会议记录{n}.pdf"))

"""District supervisors: granted by administrators, scoped like secretaries (branch pages, files, lists)."""

from __future__ import annotations

from handlers.services.browse import BrowseService
from handlers.services.supervision import SupervisionService
from handlers.services.thumbnails import ThumbnailService
from storage.files import LocalFileStore
from tests.services.supervision_world import (
    ADMIN,
    ADMINS,
    OTHER_SUPERVISOR,
    SEC_A,
    SEC_B,
    STRANGER,
    SUPERVISOR,
    add_record,
    jpeg,
    make_world,
    stored_photo,
)

NEWCOMER = 777


async def test_grant_and_revoke(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    supervision = SupervisionService(world.factory, world.clock, ADMINS)
    assert (await supervision.grant(SUPERVISOR, NEWCOMER, [world.a])).status == "forbidden"
    unknown = await supervision.grant(ADMIN, NEWCOMER, [world.a, 9999])
    assert unknown.status == "unknown_branch" and unknown.unknown == {9999}
    assert (await supervision.viewer(NEWCOMER)).role == "none"

    granted = await supervision.grant(ADMIN, NEWCOMER, [world.a, world.c])
    assert granted.status == "ok" and granted.branch_ids == {world.a, world.c}
    viewer = await supervision.viewer(NEWCOMER)
    assert viewer.role == "supervisor" and viewer.branch_ids == {world.a, world.c}
    assert viewer.can_view_branch(world.c) and not viewer.can_view_branch(world.b)
    assert (await supervision.grant(ADMIN, NEWCOMER, [world.a])).branch_ids == {
        world.a,
        world.c,
    }  # idempotent

    assert (await supervision.revoke(ADMIN, NEWCOMER, [world.c])).branch_ids == {world.a}
    listed = await supervision.supervisors(ADMIN)
    assert [(s.user_id, [b.name for b in s.branches]) for s in listed] == [
        (NEWCOMER, ["第一支部"]),
        (SUPERVISOR, ["第一支部", "第二支部"]),
        (OTHER_SUPERVISOR, ["第三支部"]),
    ]
    assert await supervision.supervisors(SEC_A) is None
    assert (await supervision.revoke(ADMIN, NEWCOMER)).branch_ids == frozenset()
    assert (await supervision.viewer(NEWCOMER)).role == "none"
    assert await supervision.reviewers_of(world.a) == [ADMIN, SUPERVISOR]


async def test_roles():
    from handlers.services.supervision import Viewer

    assert Viewer(1, is_admin=True).branch_ids is None and Viewer(1, is_admin=True).role == "admin"
    secretary = Viewer(2, own_branch=5)
    assert secretary.role == "secretary" and secretary.branch_ids == {5} and not secretary.may_use_dashboard
    both = Viewer(3, supervised=frozenset({1}), own_branch=5)
    assert both.role == "supervisor" and both.branch_ids == {1, 5}


async def test_branch_pages_and_files_are_scoped(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    thumbs = LocalFileStore(tmp_path / "thumbs")
    browse = BrowseService(world.factory, world.clock, ADMINS, world.store, thumbs)
    photo = await stored_photo(world, jpeg())
    record_id = await add_record(world, world.a, SEC_A, files=[photo])
    await ThumbnailService(world.factory, world.clock, world.store, thumbs).for_record(record_id)

    assert [b.name for b in await browse.branches(SUPERVISOR)] == ["第一支部", "第二支部"]
    assert [b.name for b in await browse.branches(SEC_B)] == ["第二支部"]
    assert await browse.branches(STRANGER) == []

    page = await browse.branch_page(SUPERVISOR, world.a)
    assert page.branch.name == "第一支部" and page.form_label == "单独组建" and page.warnings == []
    [row] = page.records
    assert row.record.id == record_id and row.number.startswith("JL2026-")
    assert [(f.role, f.has_thumbnail) for f in row.photos] == [("photo", True)]
    assert await browse.branch_page(OTHER_SUPERVISOR, world.a) is None
    assert await browse.branch_page(SEC_B, world.a) is None
    assert await browse.branch_page(ADMIN, 9999) is None

    file_id = row.photos[0].file_id
    full = await browse.file(SUPERVISOR, file_id)
    thumb = await browse.file(SEC_A, file_id, thumbnail=True)
    assert (
        full.mime == "image/jpeg"
        and full.filename.endswith("-照片1.jpg")
        and full.ascii_filename.endswith("-photo1.jpg")
        and len(full.data) == photo["size"]
    )
    assert (
        thumb.mime == "image/jpeg"
        and thumb.filename.endswith("-照片1-缩略图.jpg")
        and len(thumb.data) < len(full.data)
    )
    assert await browse.file(OTHER_SUPERVISOR, file_id) is None
    assert await browse.file(OTHER_SUPERVISOR, file_id, thumbnail=True) is None
    assert await browse.file(SEC_B, file_id) is None
    assert await browse.file(ADMIN, 99999) is None


async def test_a_secretary_is_never_made_supervisor_of_their_own_branch(session_factory, tmp_path):
    """helper-96's review: granting a secretary their own branch went through without a word (they could never
    review its records). It is left out and said so; the other branches of the grant still go through."""
    world = await make_world(session_factory, tmp_path)
    supervision = SupervisionService(world.factory, world.clock, ADMINS)
    only_own = await supervision.grant(ADMIN, SEC_A, [world.a])
    assert only_own.status == "own_branch" and only_own.own_branch == (world.a, "第一支部")
    assert (await supervision.viewer(SEC_A)).supervised == frozenset()
    with_others = await supervision.grant(ADMIN, SEC_A, [world.a, world.c])
    assert with_others.status == "ok" and with_others.own_branch == (world.a, "第一支部")
    assert with_others.branch_ids == {world.c} and with_others.changed == {world.c}
    assert await supervision.reviewers_of(world.a) == [ADMIN, SUPERVISOR]


async def test_revoking_some_branches_says_which_were_taken_out(session_factory, tmp_path):
    world = await make_world(session_factory, tmp_path)
    supervision = SupervisionService(world.factory, world.clock, ADMINS)
    change = await supervision.revoke(ADMIN, SUPERVISOR, [world.a, world.c])  # c was never theirs
    assert change.status == "ok" and change.changed == {world.a} and change.branch_ids == {world.b}
    assert (await supervision.revoke(ADMIN, SUPERVISOR, [world.c])).status == "not_supervisor"

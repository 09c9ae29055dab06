import pytest

from tests.web.world import client_for, make_site


@pytest.fixture
async def site(session_factory, tmp_path):
    return await make_site(session_factory, tmp_path)


@pytest.fixture
async def client(site):
    client = await client_for(site)
    try:
        yield client
    finally:
        await client.close()

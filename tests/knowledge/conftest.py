"""The knowledge base over the shipped speeches only, built once per test module."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("BRANCHBOT_KB_DIR", raising=False)
        return KnowledgeBase.default()

"""The files the fuzz sends as evidence: a photo, a Word document and a PDF, each different per seed."""

from __future__ import annotations

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def jpeg(seed: int) -> bytes:
    from tests.tg.forms_world import jpeg as make

    return make(seed)


def docx(seed: int) -> bytes:
    from tests.tg.forms_world import docx as make

    return make(f"会议记录 {seed}")


def pdf(seed: int) -> bytes:
    return PDF + bytes([seed % 256])

"""The text of a PDF the portal wrote with reportlab, read back from its bytes (no PDF
library is installed): page streams are ASCII85 + Flate encoded, and text in the CID font
is shown as UTF-16BE literal strings."""

from __future__ import annotations

import base64
import re
import zlib

_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_LITERAL = re.compile(rb"\((?:\\.|[^\\()])*\)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _decoded_streams(data: bytes):
    for match in _STREAM.finditer(data):
        head = data[max(0, match.start() - 400) : match.start()]
        head = head[head.rfind(b"<<") :]
        raw = match.group(1).strip()
        if b"ASCII85Decode" in head:
            raw = base64.a85decode(raw[:-2] if raw.endswith(b"~>") else raw)
        if b"FlateDecode" in head:
            raw = zlib.decompress(raw)
        yield raw


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        byte = literal[i : i + 1]
        if byte != b"\\":
            out += byte
            i += 1
            continue
        following = literal[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        else:
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """Every string the PDF's pages show, one per line."""
    assert data.startswith(b"%PDF-")
    texts = []
    for stream in _decoded_streams(data):
        if b"BT" not in stream:
            continue
        for literal in _LITERAL.findall(stream):
            raw = _unescape(literal[1:-1])
            try:
                texts.append(raw.decode("utf-16-be") if len(raw) % 2 == 0 else raw.decode("latin-1"))
            except UnicodeDecodeError:
                texts.append(raw.decode("latin-1"))
    return "\n".join(texts)

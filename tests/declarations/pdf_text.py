"""The text of a PDF the portal wrote with reportlab, read back from its bytes (no PDF
library is installed): page streams are ASCII85 + Flate encoded. Text in an embedded
TrueType font is shown as one-byte codes of the font's subset, read through the subset's
ToUnicode map; text in a CID font is shown as UTF-16BE literal strings."""

from __future__ import annotations

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_LITERAL = rb"\((?:\\.|[^\\()])*\)"
# In a content stream: a font selection, a string shown, or an operator that starts a new line.
_TOKEN = re.compile(
    rb"/(?P<font>[^\s/\[\]()<>]+)\s+[\d.]+\s+Tf|(?P<literal>" + _LITERAL + rb")|(?P<newline>T\*|\bT[dDm]\b|\bET\b)"
)
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _decoded(body: bytes) -> bytes | None:
    """The decoded stream of an object's body, or None when it has none."""
    match = _STREAM.search(body)
    if match is None:
        return None
    head = body[: match.start()]
    raw = match.group(1).strip()
    if b"ASCII85Decode" in head:
        raw = base64.a85decode(raw[:-2] if raw.endswith(b"~>") else raw)
    if b"FlateDecode" in head:
        raw = zlib.decompress(raw)
    return raw


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


def _cmap(stream: bytes) -> dict[int, str]:
    """A ToUnicode CMap: one-byte code -> text."""
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(stream):
        codes = _HEX.findall(block)
        for code, text in zip(codes[::2], codes[1::2], strict=False):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in _BFRANGE.findall(stream):
        codes = _HEX.findall(block)
        for low, high, start in zip(codes[::3], codes[1::3], codes[2::3], strict=False):
            first = int.from_bytes(bytes.fromhex(start.decode()), "big")
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _font_maps(objects: dict[int, bytes]) -> dict[bytes, dict[int, str]]:
    """Each font resource name (/F2+0) that has a ToUnicode map, with that map."""
    maps = {}
    for body in objects.values():
        name = re.search(rb"/Name\s*/([^\s/\[\]()<>]+)", body)
        to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
        if name and to_unicode and b"/Font" in body:
            stream = _decoded(objects.get(int(to_unicode.group(1)), b""))
            if stream:
                maps[name.group(1)] = _cmap(stream)
    return maps


def _page_contents(objects: dict[int, bytes]) -> list[int]:
    """The content stream objects of the pages, in page order."""
    numbers = []
    for body in objects.values():
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", body)
        if contents:
            numbers += [int(number) for number in re.findall(rb"(\d+) 0 R", contents.group(1))]
    return numbers


def _text(raw: bytes, mapping: dict[int, str] | None) -> str:
    if mapping is not None:
        return "".join(mapping.get(byte, chr(byte)) for byte in raw)
    try:
        return raw.decode("utf-16-be") if len(raw) % 2 == 0 else raw.decode("latin-1")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def pdf_text(data: bytes) -> str:
    """Every line of text the PDF's pages show, one per line: the strings shown between
    two line moves are joined, even when they switch font (subset) in between."""
    assert data.startswith(b"%PDF-")
    objects = {int(match.group(1)): match.group(2) for match in _OBJECT.finditer(data)}
    maps = _font_maps(objects)
    lines: list[str] = []
    for number in _page_contents(objects):
        stream = _decoded(objects.get(number, b""))
        if not stream:
            continue
        font, line = None, ""
        for token in _TOKEN.finditer(stream):
            if token.group("font"):
                font = token.group("font")
            elif token.group("literal"):
                line += _text(_unescape(token.group("literal")[1:-1]), maps.get(font))
            elif line:
                lines.append(line)
                line = ""
        if line:
            lines.append(line)
    return "\n".join(lines)

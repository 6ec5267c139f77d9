"""The Japanese catalogue is complete and current: every msgid has a Japanese msgstr (all
plural forms), none is fuzzy, and every string the code and templates mark for
translation is in it (extracted by Django's makemessages into a temporary folder)."""

from __future__ import annotations

import ast
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"
# What makemessages reads (the django domain), and the folders with none of the portal's own
# (static holds vendored assets, whose text files are not templates).
SOURCES = {".py", ".html", ".txt"}
SKIPPED = {".git", ".venv", "var", "static", "staticfiles", "node_modules", "locale", "__pycache__"}


@dataclass
class Entry:
    msgid: str
    context: str = ""
    plural: str = ""
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False
    line: int = 0
    # Where the string is used (the "#:" comments): paths relative to the repository.
    sources: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.context}\x04{self.msgid}" if self.context else self.msgid


def po_entries(path: Path) -> list[Entry]:
    """The entries of a .po file, the header left out. A small reader of the format that
    makemessages writes: flags comments, msgctxt, msgid, msgid_plural, msgstr and
    msgstr[n], each followed by its continuation strings."""
    entries: list[Entry] = []
    entry, target, flags = None, None, False
    sources: list[str] = []

    def finish():
        if entry is not None and entry.msgid:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#,"):
            flags = flags or "fuzzy" in line
            continue
        if line.startswith("#:"):
            sources += [place.rpartition(":")[0] or place for place in line[2:].split()]
            continue
        if line.startswith("#"):
            continue
        keyword, _space, rest = line.partition(" ")
        text = ast.literal_eval(line if keyword.startswith('"') else rest)
        # A msgctxt starts an entry, and so does a msgid that no msgctxt came just before.
        if keyword == "msgctxt" or (keyword == "msgid" and target != "context"):
            finish()
            entry = Entry(msgid="", fuzzy=flags, obsolete=obsolete, line=number, sources=sources)
            flags, sources = False, []
        if keyword.startswith('"'):
            if target == "msgstr":
                entry.msgstr[-1] += text
            else:
                setattr(entry, target, getattr(entry, target) + text)
            continue
        if keyword == "msgctxt":
            entry.context, target = text, "context"
        elif keyword == "msgid":
            entry.msgid, target = text, "msgid"
        elif keyword == "msgid_plural":
            entry.plural, target = text, "plural"
        elif keyword.startswith("msgstr"):
            entry.msgstr.append(text)
            target = "msgstr"
    finish()
    return [entry for entry in entries if not entry.obsolete]


def test_the_reader_sees_fuzzy_untranslated_plural_and_context_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        'msgid "Done"\nmsgstr "完了"\n\n'
        '#, fuzzy, python-format\nmsgid "Paid %(n)s"\nmsgstr "支払済"\n\n'
        'msgctxt "lane"\nmsgid "Red"\nmsgstr ""\n\n'
        'msgid ""\n"Long "\n"text"\nmsgid_plural "Many"\nmsgstr[0] ""\n"長い"\n\n'
        '#~ msgid "Gone"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    entries = {entry.key: entry for entry in po_entries(po)}
    assert list(entries) == ["Done", "Paid %(n)s", "lane\x04Red", "Long text"]
    assert entries["Paid %(n)s"].fuzzy and not entries["Done"].fuzzy
    assert entries["lane\x04Red"].msgstr == [""]
    assert entries["Long text"].plural == "Many" and entries["Long text"].msgstr == ["長い"]


def _untranslated(entries: list[Entry]) -> list[str]:
    return [
        f"line {entry.line}: {entry.key!r}" + (" (fuzzy)" if entry.fuzzy else "")
        for entry in entries
        if entry.fuzzy or not entry.msgstr or any(not text for text in entry.msgstr)
    ]


# What the travellers read on their phone and at the kiosk, which is also in Chinese
# (simplified) and Korean.
TRAVELLER_SOURCES = (
    "templates/travellers/base_traveller.html",
    "templates/travellers/phone/",
    "templates/travellers/kiosk/",
    "declarations/travellers/views/phone.py",
    "declarations/travellers/views/kiosk.py",
    "declarations/travellers/api.py",
    "declarations/travellers/mrz.py",
    "declarations/travellers/questions.py",
)
TRAVELLER_CATALOGUES = ("zh_Hans", "ko")


@pytest.mark.parametrize("language", TRAVELLER_CATALOGUES)
def test_every_string_of_the_traveller_pages_is_translated(language):
    catalogue = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = [
        entry
        for entry in po_entries(catalogue)
        if any(source.startswith(TRAVELLER_SOURCES) for source in entry.sources)
    ]
    assert len(entries) > 50  # the traveller pages' strings are in the catalogue
    untranslated = _untranslated(entries)
    assert not untranslated, f"{len(untranslated)} traveller msgids without a {language} translation:\n" + "\n".join(
        untranslated
    )


def test_every_msgid_has_a_japanese_translation():
    untranslated = _untranslated(po_entries(CATALOGUE))
    assert not untranslated, f"{len(untranslated)} msgids without a Japanese translation:\n" + "\n".join(untranslated)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The msgids that makemessages extracts from the code and templates today. It runs
    on a copy of the sources, because makemessages writes into the nearest locale folder
    and the real catalogue must stay as it is."""
    copy = tmp_path_factory.mktemp("sources")
    for folder, folders, files in os.walk(ROOT):
        folders[:] = [name for name in folders if name not in SKIPPED]
        for name in files:
            if Path(name).suffix in SOURCES:
                source = Path(folder, name)
                target = copy / source.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    locale = copy / "locale"
    locale.mkdir()
    cwd = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[str(locale)]):
            call_command("makemessages", locale=["ja"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    return {entry.key for entry in po_entries(locale / "ja" / "LC_MESSAGES" / "django.po")}


def test_the_catalogue_has_every_string_of_the_code_and_templates(extracted):
    assert len(extracted) > 500  # the extraction found the portal's strings
    missing = sorted(extracted - {entry.key for entry in po_entries(CATALOGUE)})
    assert not missing, f"{len(missing)} msgids not in {CATALOGUE.relative_to(ROOT)} (run `make messages`):\n" + (
        "\n".join(repr(key) for key in missing)
    )


def test_the_page_checker_flags_english_words_and_lets_codes_names_and_addresses_pass():
    from tests.browser import untranslated_words

    text = (
        "申告 IM-2026-00000001 第1版 · 1A Tokyo Customs · USD · 20 kg · WTO協定税率 · NACCS · Company A\n"
        "https://portal.example.jp/declarations/ info@company.example Pending 納付 Pending"
    )
    assert untranslated_words(text, allowed={"Company A"}) == ["Tokyo", "Customs", "Pending"]
    assert untranslated_words("関税 ¥14,800 · CIF · JP-EU", allowed=set()) == []

"""Texts: both locales complete, Russian plurals, fallback to Russian, locale picking."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.core.i18n import MissingTextError, Translator
from bot.services.outbox import NotificationKind

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"


@pytest.fixture
def translator() -> Translator:
    return Translator(LOCALES, strict=True)


def test_locales_define_the_same_ids(translator: Translator) -> None:
    assert translator.locales == ("ru", "en")
    assert translator.message_ids("ru") == translator.message_ids("en")


def test_every_text_id_in_code_exists(translator: Translator) -> None:
    """String literals in bot/ that look like a text id are defined (catches typos early)."""
    known = translator.message_ids("ru")
    prefixes = {text_id.split("-")[0] for text_id in known}
    kebab = re.compile(r"^[a-z]+(?:-[a-z]+)+$")
    used: set[str] = set()
    for file in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if kebab.match(value) and value.split("-")[0] in prefixes:
                    used.add(value)
    assert used, "the scan found text ids"
    not_texts = {"first-contact", "set-locale", "seed-demo", *NotificationKind}
    assert used - known <= not_texts, used - known


def test_russian_plural_forms(translator: Translator) -> None:
    assert translator("ru", "input-too-long", {"limit": 1}).endswith("1 символа.")
    assert translator("ru", "input-too-long", {"limit": 5}).endswith("5 символов.")
    assert translator("en", "input-too-long", {"limit": 1}).endswith("1 character.")
    assert translator("en", "input-too-long", {"limit": 5}).endswith("5 characters.")


def test_missing_text_falls_back_to_russian(tmp_path: Path) -> None:
    (tmp_path / "ru").mkdir()
    (tmp_path / "en").mkdir()
    (tmp_path / "ru" / "a.ftl").write_text("hello = Привет\nonly-ru = Только по-русски\n")
    (tmp_path / "en" / "a.ftl").write_text("hello = Hello\n")
    lenient = Translator(tmp_path)
    assert lenient("en", "hello") == "Hello"
    assert lenient("en", "only-ru") == "Только по-русски"
    assert lenient("xx", "hello") == "Привет"
    assert lenient("en", "nowhere") == "nowhere"
    with pytest.raises(MissingTextError):
        Translator(tmp_path, strict=True)("en", "nowhere")


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("EN_us", "en"),
        ("ru-RU", "ru"),
        ("uk", "ru"),
        (None, "ru"),
        ("", "ru"),
        ("C.UTF-8", "ru"),
    ],
)
def test_messenger_language_picks_locale(
    translator: Translator, language: str | None, locale: str
) -> None:
    assert translator.pick_locale(language) == locale


def test_default_locale_can_be_english() -> None:
    translator = Translator(LOCALES, default_locale="en")
    assert translator.pick_locale("de") == "en"
    assert translator("de", "button-back") == "← Back"

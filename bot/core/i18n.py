"""Fluent translations: every user-facing text lives in locales/<lang>/*.ftl."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

log = logging.getLogger(__name__)

FALLBACK_LOCALE = "ru"


class MissingTextError(KeyError):
    """A message id exists in no locale (raised in strict mode, logged otherwise)."""


class Translator:
    """Renders message ids in a locale, falling back to Russian, then to the id itself."""

    def __init__(
        self, locales_dir: Path, *, default_locale: str = FALLBACK_LOCALE, strict: bool = False
    ) -> None:
        self._bundles: dict[str, FluentBundle] = {}
        self._ids: dict[str, set[str]] = {}
        for folder in sorted(p for p in locales_dir.iterdir() if p.is_dir()):
            bundle = FluentBundle([folder.name], use_isolating=False)
            ids: set[str] = set()
            for file in sorted(folder.glob("*.ftl")):
                resource = FluentResource(file.read_text(encoding="utf-8"))
                ids.update(entry.id.name for entry in resource.body if hasattr(entry, "id"))
                bundle.add_resource(resource)
            self._bundles[folder.name] = bundle
            self._ids[folder.name] = ids
        if FALLBACK_LOCALE not in self._bundles:
            raise ValueError(f"{locales_dir} has no {FALLBACK_LOCALE}/ folder")
        self.default_locale = default_locale if default_locale in self._bundles else FALLBACK_LOCALE
        self.strict = strict

    @property
    def locales(self) -> tuple[str, ...]:
        """The available locales, the fallback first."""
        return (FALLBACK_LOCALE, *sorted(set(self._bundles) - {FALLBACK_LOCALE}))

    def message_ids(self, locale: str) -> set[str]:
        """Ids defined in one locale (for checks)."""
        return set(self._ids.get(locale, set()))

    def pick_locale(self, language: str | None) -> str:
        """The locale for a messenger language code such as `en-US`, else the default."""
        if language:
            base = language.replace("_", "-").split("-")[0].lower()
            if base in self._bundles:
                return base
        return self.default_locale

    def has(self, message_id: str) -> bool:
        """Whether any locale defines the id."""
        return any(message_id in ids for ids in self._ids.values())

    def __call__(self, locale: str, message_id: str, args: Mapping[str, Any] | None = None) -> str:
        """Render `message_id` with `args` in `locale`."""
        for candidate in dict.fromkeys((locale, self.default_locale, FALLBACK_LOCALE)):
            bundle = self._bundles.get(candidate)
            if bundle is None or not bundle.has_message(message_id):
                continue
            pattern = bundle.get_message(message_id).value
            if pattern is None:  # a message with attributes only
                continue
            text, errors = bundle.format_pattern(pattern, dict(args or {}))
            if errors:
                if self.strict:
                    raise MissingTextError(f"{message_id}: {errors}")
                log.error("text %s in %s rendered with errors: %s", message_id, candidate, errors)
            return str(text)
        if self.strict:
            raise MissingTextError(message_id)
        log.error("missing text %s", message_id)
        return message_id

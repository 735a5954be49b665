"""After an invite link: consent, profile, parental consent, then the questionnaire."""

from __future__ import annotations

from bot.dialogs.engine import DialogRegistry


def register(registry: DialogRegistry) -> None:
    """Add this module's dialogs, menu entries and deep links."""

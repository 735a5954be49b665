"""Filling a questionnaire: one question at a time, review, edit, resume."""

from __future__ import annotations

from bot.dialogs.engine import DialogRegistry


def register(registry: DialogRegistry) -> None:
    """Add this module's dialogs, menu entries and deep links."""

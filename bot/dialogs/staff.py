"""Coordinators and curators: programs, invite links, who joined; invite link handling."""

from __future__ import annotations

from bot.dialogs.engine import DialogRegistry


def register(registry: DialogRegistry) -> None:
    """Add this module's dialogs, menu entries and deep links."""

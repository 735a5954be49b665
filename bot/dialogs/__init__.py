"""Dialogs: the engine and the flows built on it."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogs import (
    accounts,
    announce,
    deliveries,
    demo,
    digest,
    goals,
    matching,
    meetings,
    onboarding,
    pair_summary,
    pairs,
    questionnaire,
    reports,
    staff,
    stages,
    surveys,
)
from bot.dialogs.engine import DialogRegistry, MenuEntry, Outcome, Push, StepContext
from bot.dialogs.menu import HELP, ROOT, build_lang, build_menu
from bot.services.outbox import oversees_programs

__all__ = ["build_registry"]


def build_registry(locales: Sequence[str], *, with_demo: bool = True) -> DialogRegistry:
    """Every dialog of the bot, the main menu and the deep links."""
    registry = DialogRegistry(root=ROOT)
    registry.add(build_menu(registry))
    registry.add(HELP)
    registry.add(build_lang(locales))
    if with_demo:
        registry.add(demo.build_demo())
        registry.menu.append(MenuEntry("menu-demo", demo.NAME))

        async def demo_link(ctx: StepContext, payload: str) -> Outcome | None:
            return Push(demo.NAME) if payload == demo.LINK else None

        registry.links.append(demo_link)
    staff.register(registry)
    matching.register(registry)
    onboarding.register(registry)
    questionnaire.register(registry)
    pairs.register(registry)
    pair_summary.register(registry)
    meetings.register(registry)
    goals.register(registry)
    surveys.register(registry)
    digest.register(registry)
    reports.register(registry)
    stages.register(registry)
    announce.register(registry)
    registry.add(accounts.build_accounts())
    registry.menu.append(MenuEntry("menu-accounts", accounts.NAME))
    registry.add(deliveries.build_deliveries())
    registry.menu.append(MenuEntry("menu-deliveries", deliveries.NAME, shown_to=oversees_programs))
    registry.menu.extend([MenuEntry("menu-lang", "lang"), MenuEntry("menu-help", "help")])
    return registry

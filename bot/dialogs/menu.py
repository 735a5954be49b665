"""The main menu (the root of every conversation), help and the language choice."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    DialogRegistry,
    Finish,
    Outcome,
    Push,
    StepContext,
)

ROOT = "menu"
LOCALE_NAMES = {"ru": "lang-name-ru", "en": "lang-name-en"}


def build_menu(registry: DialogRegistry) -> Dialog:
    """The root dialog: one step listing the registered menu entries."""

    async def entries(ctx: StepContext) -> Sequence[Choice]:
        return [
            Choice(entry.dialog, entry.text_id)
            for entry in registry.menu
            if entry.visible is None or await entry.visible(ctx)
        ]

    async def open_entry(ctx: StepContext, value: JSON) -> Outcome:
        return Push(str(value))

    return Dialog(ROOT, [ChoiceStep("home", "menu-title", entries, then=open_entry)])


async def _back_to_menu(ctx: StepContext, value: JSON) -> Outcome:
    return Finish()


HELP = Dialog(
    "help",
    [ChoiceStep("show", "help", [Choice("menu", "button-to-menu")], then=_back_to_menu)],
)


def build_lang(locales: Sequence[str]) -> Dialog:
    """Choose the language; returns the chosen locale."""

    async def options(ctx: StepContext) -> Sequence[Choice]:
        return [Choice(code, LOCALE_NAMES.get(code), label=code) for code in locales]

    async def chosen(ctx: StepContext, value: JSON) -> Outcome:
        locale = str(value)
        if locale not in locales:
            return Finish()
        await ctx.services.people.set_locale(ctx.person, locale)
        ctx.say("lang-changed")
        return Finish(locale)

    return Dialog("lang", [ChoiceStep("choose", "lang-choose", options, then=chosen)])

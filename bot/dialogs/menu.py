"""The main menu (the root of every conversation), help and the language choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, bindparam, select

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
# The person's id in the menu's one query of every entry's condition.
PERSON = bindparam("person_id", type_=Integer)
LOCALE_NAMES = {"ru": "lang-name-ru", "en": "lang-name-en"}


def build_menu(registry: DialogRegistry) -> Dialog:
    """The root dialog: one step listing the registered menu entries."""
    # Built once (per number of entries) and reused: the statement is the same for everybody,
    # only the bound person id changes, so SQLAlchemy's compiled cache serves every render.
    queries: dict[int, Any] = {}  # Select of one boolean per conditioned entry

    async def entries(ctx: StepContext) -> Sequence[Choice]:
        conditions = [entry.shown_to for entry in registry.menu if entry.shown_to is not None]
        answers: list[bool] = []
        if conditions:
            query = queries.get(len(registry.menu))
            if query is None:
                query = select(*(condition(PERSON) for condition in conditions))
                queries[len(registry.menu)] = query
            row = (await ctx.session.execute(query, {"person_id": ctx.person.id})).one()
            answers = [bool(answer) for answer in row]
        shown = iter(answers)
        return [
            Choice(entry.dialog, entry.text_id)
            for entry in registry.menu
            if entry.shown_to is None or next(shown)
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

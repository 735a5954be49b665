"""Surveys in chat: the menu entry listing open surveys and the `s<id>` links of survey
notifications. Answering is the questionnaire dialog with a survey source
(`Push(questionnaire.NAME, {"survey_id": id})`): the same questions, review, change and back."""

from __future__ import annotations

import re

from bot.dialogs import questionnaire
from bot.dialogs.engine import (
    JSON,
    Choice,
    Dialog,
    DialogRegistry,
    Finish,
    MenuEntry,
    Outcome,
    Prompt,
    Push,
    Reject,
    Stay,
    Step,
    StepContext,
)
from bot.services.surveys import SurveyError, has_open_survey

NAME = "surveys"
# `s<feedback id>`: the button of a survey's invitation and reminder (see SurveyService).
LINK_RE = re.compile(r"^s(\d{1,12})$")
MENU = "menu"
LISTED = 10


async def open_survey(ctx: StepContext, feedback_id: int) -> Outcome | None:
    """The questionnaire dialog on this survey response, or None after saying why it cannot
    be answered (not the person's, answered already, replaced by a newer one)."""
    response = await ctx.services.surveys.response(ctx.person.id, feedback_id)
    if isinstance(response, SurveyError):
        ctx.say(questionnaire.survey_closed(response).text_id)
        return None
    return Push(questionnaire.NAME, {"survey_id": feedback_id})


async def survey_link(ctx: StepContext, payload: str) -> Outcome | None:
    """`s<id>` opens the survey response; anything else is not this handler's."""
    found = LINK_RE.match(payload)
    if found is None:
        return None
    return await open_survey(ctx, int(found.group(1))) or Stay()


class ListStep(Step):
    """The surveys waiting for answers, newest first."""

    name = "list"

    async def prompt(self, ctx: StepContext) -> Prompt:
        """One button per open survey, or a note that there is none."""
        surveys = await ctx.services.surveys.open_for(ctx.person.id)
        if not surveys:
            return Prompt("survey-list-empty", choices=[Choice(MENU, "button-to-menu")])
        choices = [
            Choice(
                survey.feedback_id,
                "survey-item",
                args={"kind": survey.kind.value, "round": survey.round, "program": survey.program},
            )
            for survey in surveys[:LISTED]
        ]
        return Prompt("survey-list", choices=choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """Open the chosen survey."""
        if value == MENU:
            return Finish()
        if not isinstance(value, int) or isinstance(value, bool):
            return Reject("button-stale")
        return await open_survey(ctx, value) or Stay()

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        """Back from a survey: the next one waiting, or the main menu when none is left."""
        if await ctx.services.surveys.open_for(ctx.person.id):
            return Stay()
        return Finish()


def register(registry: DialogRegistry) -> None:
    """The list of open surveys, its menu entry and the links of survey notifications."""
    registry.add(Dialog(NAME, [ListStep()]))
    registry.menu.append(MenuEntry("menu-surveys", NAME, shown_to=has_open_survey))
    registry.links.append(survey_link)


__all__ = ["LINK_RE", "NAME", "open_survey", "register", "survey_link"]

"""Filling a questionnaire: one question at a time, review, edit, resume.

Opened with `Push("questionnaire", {"participant_id": id})` for the intake questionnaire, or
`Push("questionnaire", {"survey_id": feedback_id})` for a pulse or final survey response (the
same steps; a `Source` holds what differs: where answers go and the texts around them). Finishes
with `{"done": True}` once the person confirms the review, `{"done": False}` when they cannot
answer (not theirs, no longer taking part, no questionnaire, a survey answered already). Every
answer is stored at once, so a person who leaves comes back to the first unanswered visible
question.

Back: the engine's Back pops `frame.history`, so this dialog keeps the history itself. At a
question it holds one entry per visible question before it (Back shows the previous visible
question); at the review, one entry leading to the last question; in the list of questions to
change and while changing an answer, one entry leading to the review. A render that finds fewer
entries than it left knows Back was pressed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from bot.dialogs.engine import (
    JSON,
    Choice,
    Dialog,
    DialogRegistry,
    Finish,
    Goto,
    Invalid,
    Outcome,
    Prompt,
    Reject,
    Stay,
    Step,
    StepContext,
)
from bot.services.questionnaires import (
    NoQuestionnaireError,
    Question,
    QuestionnaireDef,
    QuestionType,
)
from bot.services.surveys import SurveyError, SurveyResponse
from storage import MentorshipForm, Participant

if TYPE_CHECKING:
    from bot.services import Services

NAME = "questionnaire"
QUESTION, REVIEW, PICK = "question", "review", "pick"
# Button values of the question step: options `o:<id>`, scale points `n:<int>`, and these.
SKIP, DONE, KEEP, YES, NO, CLOSE = "a:skip", "a:done", "a:keep", "b:yes", "b:no", "a:close"
CONFIRM, EDIT = "confirm", "edit"
MARK = "✓ "
TYPED = frozenset({QuestionType.TEXT, QuestionType.NUMBER, QuestionType.DATE})
NUMBER_RE = re.compile(r"^[+-]?\d{1,12}(?:[.,]\d{1,6})?$")
DATE_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REVIEW_ANSWER_CHARS = 120


# --- parsing typed answers -----------------------------------------------------------------------


def format_number(value: float, locale: str) -> str:
    """A number as people write it: no trailing `.0`, a decimal comma in Russian."""
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return text if locale == "en" else text.replace(".", ",")


def format_date(value: date) -> str:
    """DD.MM.YYYY."""
    return value.strftime("%d.%m.%Y")


def _bounds_error(question: Question, locale: str) -> Invalid:
    low, high = question.min, question.max
    if low is not None and high is not None:
        return Invalid(
            "questionnaire-number-range",
            min=format_number(low, locale),
            max=format_number(high, locale),
        )
    if low is not None:
        return Invalid("questionnaire-number-min", min=format_number(low, locale))
    if high is not None:
        return Invalid("questionnaire-number-max", max=format_number(high, locale))
    return Invalid("questionnaire-number-any")


def parse_number(question: Question, text: str, *, locale: str = "ru") -> int | float:
    """A number typed with a comma or a point, checked against the question's bounds."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if not NUMBER_RE.match(cleaned):
        raise Invalid("questionnaire-number-invalid")
    value = float(cleaned.replace(",", "."))
    if question.integer and not value.is_integer():
        raise Invalid("questionnaire-number-whole")
    number: int | float = int(value) if question.integer else value
    if (question.min is not None and number < question.min) or (
        question.max is not None and number > question.max
    ):
        raise _bounds_error(question, locale)
    return number


def parse_date(question: Question, text: str, *, today: date) -> date:
    """A date as DD.MM.YYYY (or YYYY-MM-DD), within the question's dates and ages."""
    example = format_date(today)
    cleaned = text.strip()
    try:
        if ISO_DATE_RE.match(cleaned):
            value = date.fromisoformat(cleaned)
        else:
            match = DATE_RE.match(cleaned)
            if match is None:
                raise Invalid("questionnaire-date-invalid", example=example)
            day, month, year = (int(part) for part in match.groups())
            value = date(year, month, day)
    except ValueError:
        raise Invalid("questionnaire-date-invalid", example=example) from None
    earliest, latest = question.date_bounds(today)
    if earliest is not None and value < earliest:
        raise Invalid("questionnaire-date-early", date=format_date(earliest))
    if latest is not None and value > latest:
        raise Invalid("questionnaire-date-late", date=format_date(latest))
    return value


def parse_typed(question: Question, text: str, *, today: date, locale: str) -> JSON:
    """The stored value of a typed answer; Invalid explains what is wrong."""
    match question.type:
        case QuestionType.NUMBER:
            return parse_number(question, text, locale=locale)
        case QuestionType.DATE:
            return parse_date(question, text, today=today).isoformat()
        case _:
            if len(text) > question.max_length:
                raise Invalid("input-too-long", limit=question.max_length)
            return text


# --- the data a step shows -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Closed:
    """Why the dialog cannot go on: the text that says so."""

    text_id: str


INTAKE_UNAVAILABLE = Closed("questionnaire-unavailable")
SURVEY_CLOSED: dict[SurveyError, Closed] = {
    SurveyError.ANSWERED: Closed("survey-answered"),
    SurveyError.EXPIRED: Closed("survey-expired"),
}
SURVEY_UNAVAILABLE = Closed("survey-unavailable")


def survey_closed(error: SurveyError) -> Closed:
    """What a person is told when a survey response cannot be answered."""
    return SURVEY_CLOSED.get(error, SURVEY_UNAVAILABLE)


class Source:
    """Where the questions come from and the answers go: what differs between the intake
    questionnaire and a survey, with the texts said around the questions."""

    intro = "questionnaire-intro"
    resume = "questionnaire-resume"
    done = "questionnaire-done"
    unavailable = INTAKE_UNAVAILABLE

    def __init__(self, definition: QuestionnaireDef, form: MentorshipForm) -> None:
        self.definition = definition
        self.form = form

    async def answers(self) -> dict[str, JSON]:
        """The stored answers that fit, by question id (None: skipped)."""
        raise NotImplementedError

    async def save(self, question_id: str, value: JSON) -> Closed | None:
        """Store one answer; Closed when it can no longer be changed."""
        raise NotImplementedError

    async def finish(self) -> Closed | None:
        """Confirm the answers; Closed when it can no longer be changed."""
        raise NotImplementedError

    async def start(self) -> None:
        """The dialog opened it (the intake plans its reminders the first time)."""


class IntakeSource(Source):
    """A participant's intake questionnaire (answers in `questionnaire_answers`)."""

    def __init__(
        self,
        services: Services,
        participant: Participant,
        definition: QuestionnaireDef,
        form: MentorshipForm,
    ) -> None:
        super().__init__(definition, form)
        self.service = services.questionnaires
        self.participant = participant

    async def answers(self) -> dict[str, JSON]:
        """The participant's answers."""
        return await self.service.answers(self.participant, self.definition)

    async def save(self, question_id: str, value: JSON) -> Closed | None:
        """Store the answer (a finished questionnaire may still be changed)."""
        await self.service.save_answer(self.participant, self.definition, question_id, value)
        return None

    async def finish(self) -> Closed | None:
        """Mark the questionnaire done."""
        await self.service.finish(self.participant, self.definition)
        return None

    async def start(self) -> None:
        """Pin the questionnaire and plan reminders the first time."""
        await self.service.start(self.participant)


class SurveySource(Source):
    """A pulse or final survey response (answers in its `feedback` row)."""

    intro = "survey-intro"
    resume = "survey-resume"
    done = "survey-done"
    unavailable = SURVEY_UNAVAILABLE

    def __init__(self, services: Services, response: SurveyResponse) -> None:
        super().__init__(response.definition, response.form)
        self.service = services.surveys
        self.response = response

    async def answers(self) -> dict[str, JSON]:
        """The answers so far."""
        return self.service.answers(self.response)

    async def save(self, question_id: str, value: JSON) -> Closed | None:
        """Store the answer, unless the response is completed."""
        saved = await self.service.save_answer(self.response, question_id, value)
        return survey_closed(saved) if isinstance(saved, SurveyError) else None

    async def finish(self) -> Closed | None:
        """Complete the response."""
        error = await self.service.finish(self.response)
        return None if error is None else survey_closed(error)


@dataclass(slots=True)
class View:
    """The questionnaire being answered and its answers, as of this update."""

    source: Source
    answers: dict[str, JSON]

    @property
    def definition(self) -> QuestionnaireDef:
        """The questionnaire."""
        return self.source.definition

    @property
    def form(self) -> MentorshipForm:
        """The program's form (show_if may depend on it)."""
        return self.source.form

    @property
    def visible(self) -> list[Question]:
        """The questions shown now."""
        return self.definition.visible(self.answers, self.form)

    def first_unanswered(self) -> Question | None:
        """The first visible question without an answer (a skip is an answer)."""
        return next((q for q in self.visible if q.id not in self.answers), None)

    def neighbour(self, question_id: str, step: int) -> Question | None:
        """The visible question `step` places after (or before) `question_id`."""
        ids = [q.id for q in self.visible]
        if question_id not in ids:
            return None
        index = ids.index(question_id) + step
        return self.visible[index] if 0 <= index < len(ids) else None


def _id_arg(ctx: StepContext, name: str) -> int | None:
    value = ctx.args.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


async def load_source(ctx: StepContext) -> Source | Closed:
    """The source the dialog's arguments name, if this person may answer it now."""
    services = ctx.services
    if "survey_id" in ctx.args:
        survey_id = _id_arg(ctx, "survey_id")
        if survey_id is None:
            return SURVEY_UNAVAILABLE
        response = await services.surveys.response(ctx.person.id, survey_id)
        if isinstance(response, SurveyError):
            return survey_closed(response)
        return SurveySource(services, response)
    participant_id = _id_arg(ctx, "participant_id")
    if participant_id is None:
        return INTAKE_UNAVAILABLE
    service = services.questionnaires
    participant = await service.participant_of(ctx.person.id, participant_id)
    if participant is None:
        return INTAKE_UNAVAILABLE
    try:
        definition = await service.for_participant(participant)
    except NoQuestionnaireError:
        return INTAKE_UNAVAILABLE
    return IntakeSource(services, participant, definition, await service.form_of(participant))


async def load_view(ctx: StepContext) -> View | Closed:
    """The view, or why the dialog's questionnaire is not this person's to answer now."""
    source = await load_source(ctx)
    if isinstance(source, Closed):
        return source
    view = View(source, await source.answers())
    return view if view.visible else source.unavailable


def _current(ctx: StepContext, view: View) -> Question | None:
    question_id = ctx.data.get("current")
    visible = view.visible
    return next((q for q in visible if q.id == question_id), None)


def _close(ctx: StepContext, closed: Closed) -> Outcome:
    """Leave politely: the data are gone, were never this person's, or are final."""
    if not ctx.data.get("closed"):
        ctx.say(closed.text_id)
    return Finish({"done": False})


def _unavailable(ctx: StepContext, closed: Closed) -> Prompt:
    ctx.data["closed"] = True
    return Prompt(closed.text_id, choices=[Choice(CLOSE, "questionnaire-button-close")])


def _settle(ctx: StepContext, view: View) -> None:
    """Apply a Back press, then set the history for where the dialog now is."""
    frame, data = ctx.frame, ctx.data
    ids = [q.id for q in view.visible]
    if len(frame.history) < int(data.get("depth") or 0):
        data.pop("draft", None)
        came_from = data.get("at")
        if frame.step == QUESTION and came_from == QUESTION:
            previous = view.neighbour(str(data.get("current")), -1)
            if previous is not None:
                data["current"] = previous.id
        elif frame.step == QUESTION and came_from == REVIEW:
            data["current"] = ids[-1]
        elif frame.step == REVIEW:
            data.pop("editing", None)
    if frame.step == QUESTION and data.get("current") not in ids:
        first = view.first_unanswered()
        data["current"] = first.id if first is not None else ids[-1]
    if frame.step == QUESTION:
        index = ids.index(str(data["current"]))
        frame.history[:] = [REVIEW] if data.get("editing") else [QUESTION] * index
    else:
        frame.history[:] = [QUESTION] if frame.step == REVIEW else [REVIEW]
    data["depth"] = len(frame.history)
    data["at"] = frame.step


def display(ctx: StepContext, question: Question, value: JSON) -> str:
    """An answer as the person reads it."""
    locale = ctx.locale
    if value is None:
        return ctx.t("questionnaire-skipped")
    match question.type:
        case QuestionType.SINGLE:
            option = question.option(str(value))
            return option.text.get(locale) if option else str(value)
        case QuestionType.MULTI:
            return ", ".join(
                option.text.get(locale) for option in question.options if option.id in value
            )
        case QuestionType.YESNO:
            return ctx.t("questionnaire-button-yes" if value else "questionnaire-button-no")
        case QuestionType.SCALE:
            return ctx.t(
                "questionnaire-scale-value",
                value=str(value),
                max=format_number(question.max or 0, locale),
            )
        case QuestionType.NUMBER:
            return format_number(value, locale)
        case QuestionType.DATE:
            return format_date(date.fromisoformat(value))
        case _:
            text = " ".join(str(value).split())
            if len(text) > REVIEW_ANSWER_CHARS:
                text = text[: REVIEW_ANSWER_CHARS - 1].rstrip() + "…"
            return text


def _picked(ctx: StepContext, view: View, question: Question) -> list[str]:
    """The options ticked so far on a multiple-choice question (kept in the dialog state)."""
    draft = ctx.data.get("draft")
    if not isinstance(draft, dict) or draft.get("question") != question.id:
        stored = view.answers.get(question.id)
        draft = {"question": question.id, "picked": list(stored) if stored else []}
        ctx.data["draft"] = draft
    return [str(option) for option in draft["picked"]]


def _hint(ctx: StepContext, view: View, question: Question) -> str:
    locale = ctx.locale
    parts: list[str] = []
    match question.type:
        case QuestionType.MULTI:
            low, high = int(question.min or 1), int(question.max or len(question.options))
            if low == 1 and high == len(question.options):
                parts.append(ctx.t("questionnaire-hint-multi-any"))
            elif low == high:
                parts.append(ctx.t("questionnaire-hint-multi-exact", count=high))
            else:
                parts.append(ctx.t("questionnaire-hint-multi", min=low, max=high))
        case QuestionType.TEXT:
            parts.append(ctx.t("questionnaire-hint-text", limit=question.max_length))
        case QuestionType.NUMBER:
            error = _bounds_error(question, locale)
            parts.append(ctx.t(error.text_id, **error.params))
        case QuestionType.DATE:
            parts.append(
                ctx.t("questionnaire-hint-date", example=format_date(ctx.clock.now().date()))
            )
    if question.type in TYPED and view.answers.get(question.id) is not None:
        answer = display(ctx, question, view.answers[question.id])
        parts.append(ctx.t("questionnaire-current", answer=answer))
    return "".join(f"\n\n{part}" for part in parts)


def _choices(ctx: StepContext, view: View, question: Question) -> tuple[list[Choice], int]:
    """The buttons of a question and how many go in a row."""
    locale = ctx.locale
    answer = view.answers.get(question.id)
    choices: list[Choice] = []
    columns = 1
    match question.type:
        case QuestionType.SINGLE:
            choices = [
                Choice(f"o:{o.id}", label=_marked(o.id == answer, o.text.get(locale)))
                for o in question.options
            ]
        case QuestionType.MULTI:
            picked = _picked(ctx, view, question)
            choices = [
                Choice(f"o:{o.id}", label=_marked(o.id in picked, o.text.get(locale)))
                for o in question.options
            ]
            choices.append(Choice(DONE, "questionnaire-button-done"))
        case QuestionType.SCALE:
            points = range(int(question.min or 0), int(question.max or 0) + 1)
            choices = [
                Choice(f"n:{n}", label=_marked(_same_number(answer, n), str(n))) for n in points
            ]
            # Telegram allows eight buttons in a row: a 0..10 scale takes two rows.
            columns = len(points) if len(points) <= 8 else math.ceil(len(points) / 2)
        case QuestionType.YESNO:
            choices = [
                Choice(YES, label=_marked(answer is True, ctx.t("questionnaire-button-yes"))),
                Choice(NO, label=_marked(answer is False, ctx.t("questionnaire-button-no"))),
            ]
            columns = 2
        case _:
            if answer is not None:
                choices.append(Choice(KEEP, "questionnaire-button-keep"))
    if not question.required:
        choices.append(Choice(SKIP, "button-skip"))
    return choices, columns


def _marked(marked: bool, label: str) -> str:
    return MARK + label if marked else label


def _same_number(answer: JSON, number: int) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool) and answer == number


# --- actions -------------------------------------------------------------------------------------


async def _answer(ctx: StepContext, view: View, question: Question, value: JSON) -> Outcome:
    """Store the answer at once, then go on."""
    closed = await view.source.save(question.id, value)
    if closed is not None:
        return _close(ctx, closed)
    ctx.data.pop("draft", None)
    view.answers = await view.source.answers()
    return _advance(ctx, view, question)


def _advance(ctx: StepContext, view: View, question: Question) -> Outcome:
    """The next visible question; after a change from the review, the questions it revealed."""
    if ctx.data.get("editing"):
        gap = view.first_unanswered()
        if gap is None:
            ctx.data.pop("editing", None)
            return Goto(REVIEW)
        ctx.data["current"] = gap.id
        return Goto(QUESTION)
    following = view.neighbour(question.id, 1) or view.first_unanswered()
    if following is None:
        return Goto(REVIEW)
    ctx.data["current"] = following.id
    return Goto(QUESTION)


async def _toggle(ctx: StepContext, view: View, question: Question, option_id: str) -> Outcome:
    picked = _picked(ctx, view, question)
    high = int(question.max or len(question.options))
    if option_id in picked:
        picked.remove(option_id)
    elif high == 1:
        picked = [option_id]
    elif len(picked) >= high:
        return Reject("questionnaire-multi-max", {"max": high})
    else:
        picked.append(option_id)
    ctx.data["draft"] = {"question": question.id, "picked": picked}
    return Stay()


async def _multi_done(ctx: StepContext, view: View, question: Question) -> Outcome:
    picked = set(_picked(ctx, view, question))
    low = int(question.min or 1)
    if not picked and not question.required:
        return await _answer(ctx, view, question, None)
    if len(picked) < low:
        return Reject("questionnaire-multi-min", {"min": low})
    ordered = [option.id for option in question.options if option.id in picked]
    return await _answer(ctx, view, question, ordered)


class QuestionStep(Step):
    """Shows the current question and takes its answer: a tap, ticks and Done, or typing."""

    name = QUESTION

    async def prompt(self, ctx: StepContext) -> Prompt:
        """Progress, the question, a hint, and buttons for its options."""
        view = await load_view(ctx)
        if isinstance(view, Closed):
            return _unavailable(ctx, view)
        _settle(ctx, view)
        question = _current(ctx, view)
        assert question is not None, "settled on a visible question"
        visible = view.visible
        choices, columns = _choices(ctx, view, question)
        return Prompt(
            "questionnaire-question",
            {
                "number": visible.index(question) + 1,
                "total": len(visible),
                "text": question.text.get(ctx.locale),
                "hint": _hint(ctx, view, question),
            },
            choices,
            accepts_text=question.type in TYPED,
            columns=columns,
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A tapped option, scale point, Yes/No, Done, Keep or Skip."""
        view = await load_view(ctx)
        if isinstance(view, Closed):
            return _close(ctx, view)
        question = _current(ctx, view)
        if question is None or not isinstance(value, str):
            return Reject("button-stale")
        kind, _, rest = value.partition(":")
        answered = question.id in view.answers
        match kind, question.type:
            case "a", _ if value == SKIP and not question.required:
                return await _answer(ctx, view, question, None)
            case "a", _ if value == KEEP and answered:
                return _advance(ctx, view, question)
            case "a", QuestionType.MULTI if value == DONE:
                return await _multi_done(ctx, view, question)
            case "o", QuestionType.SINGLE if question.option(rest):
                return await _answer(ctx, view, question, rest)
            case "o", QuestionType.MULTI if question.option(rest):
                return await _toggle(ctx, view, question, rest)
            case "n", QuestionType.SCALE if rest.isdigit() and question.accepts(int(rest)):
                return await _answer(ctx, view, question, int(rest))
            case "b", QuestionType.YESNO if value in (YES, NO):
                return await _answer(ctx, view, question, value == YES)
        return Reject("button-stale")

    async def on_text(self, ctx: StepContext, text: str) -> Outcome:
        """A typed answer to a text, number or date question."""
        view = await load_view(ctx)
        if isinstance(view, Closed):
            return _close(ctx, view)
        question = _current(ctx, view)
        if question is None or question.type not in TYPED:
            return Reject("input-use-buttons")
        try:
            value = parse_typed(
                question, text.strip(), today=ctx.clock.now().date(), locale=ctx.locale
            )
        except Invalid as error:
            return Reject(error.text_id, error.params)
        return await _answer(ctx, view, question, value)


class ReviewStep(Step):
    """Every visible answer, to confirm or to change one."""

    name = REVIEW

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The review: every visible answer, then confirm or change one."""
        view = await load_view(ctx)
        if isinstance(view, Closed):
            return _unavailable(ctx, view)
        _settle(ctx, view)
        lines = [
            ctx.t(
                "questionnaire-review-line",
                number=number,
                question=question.label(ctx.locale),
                answer=display(ctx, question, view.answers[question.id])
                if question.id in view.answers
                else "—",
            )
            for number, question in enumerate(view.visible, start=1)
        ]
        return Prompt(
            "questionnaire-review",
            {"title": view.definition.title.get(ctx.locale), "answers": "\n".join(lines)},
            [
                Choice(CONFIRM, "questionnaire-button-confirm"),
                Choice(EDIT, "questionnaire-button-edit"),
            ],
        )

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """Confirm (the questionnaire is done) or pick an answer to change."""
        view = await load_view(ctx)
        if isinstance(view, Closed):
            return _close(ctx, view)
        if value == EDIT:
            return Goto(PICK)
        if value != CONFIRM:
            return Reject("button-stale")
        gap = view.first_unanswered()
        if gap is not None:
            ctx.data.update(current=gap.id, editing=True)
            ctx.say("questionnaire-unanswered")
            return Goto(QUESTION)
        closed = await view.source.finish()
        if closed is not None:
            return _close(ctx, closed)
        ctx.say(view.source.done)
        return Finish({"done": True})


class PickStep(Step):
    """The list of visible questions: which answer to change."""

    name = PICK

    async def prompt(self, ctx: StepContext) -> Prompt:
        """One button per visible question."""
        view = await load_view(ctx)
        if isinstance(view, Closed):
            return _unavailable(ctx, view)
        _settle(ctx, view)
        choices = [
            Choice(question.id, label=f"{number}. {question.label(ctx.locale)}")
            for number, question in enumerate(view.visible, start=1)
        ]
        return Prompt("questionnaire-pick", choices=choices)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """Answer the picked question again, then come back to the review."""
        view = await load_view(ctx)
        if isinstance(view, Closed):
            return _close(ctx, view)
        if value not in [question.id for question in view.visible]:
            return Reject("button-stale")
        ctx.data.pop("draft", None)
        ctx.data.update(current=value, editing=True)
        return Goto(QUESTION)


async def _on_start(ctx: StepContext) -> None:
    """Start the source (the intake pins and plans reminders), and place the person."""
    view = await load_view(ctx)
    if isinstance(view, Closed):
        return
    await view.source.start()
    visible = view.visible
    gap = view.first_unanswered()
    if gap is None:
        ctx.frame.step = REVIEW
        return
    ctx.data["current"] = gap.id
    if any(question.id in view.answers for question in visible):
        ctx.say(view.source.resume, number=visible.index(gap) + 1, total=len(visible))
    else:
        title = view.definition.title.get(ctx.locale)
        ctx.say(view.source.intro, title=title, total=len(visible))


def build_questionnaire() -> Dialog:
    """The questionnaire dialog."""
    return Dialog(NAME, [QuestionStep(), ReviewStep(), PickStep()], on_start=_on_start)


def register(registry: DialogRegistry) -> None:
    """Add this module's dialogs, menu entries and deep links."""
    registry.add(build_questionnaire())


__all__ = [
    "NAME",
    "Closed",
    "Source",
    "build_questionnaire",
    "load_view",
    "parse_date",
    "parse_number",
    "register",
    "survey_closed",
]

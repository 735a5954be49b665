"""Questionnaires as data: the YAML format, its validator, answers, progress and reminders.

One file per role and form (`questionnaires/*.yaml` ship with the bot; a curator may load a
program's own with `python -m bot admin questionnaire load`). The format, in brief:

    id: mentee-student          # a-z, 0-9 and hyphens; the file is named <id>.yaml
    version: 1                  # a whole number; a curator's new version must be greater
    purpose: intake             # optional: intake (default) | pulse | final
    role: mentee                # mentee | mentor
    forms: [student_student]    # the MentorshipForm values it serves
    title: {ru: ..., en: ...}   # every text: {ru, en} (en optional, falls back to ru) or a string
    questions:
      - id: subjects            # a-z, 0-9, _ ; unique
        type: multi             # single | multi | text | number | scale | date | yesno
        text: {ru: ..., en: ...}
        short: {ru: ...}        # optional label in the review (at most 38 characters)
        options:                # single and multi: 2..20 of {id, text} (text at most 38 chars)
          - {id: math, text: {ru: ..., en: Maths}}
        min: 1                  # multi: picks (default 1..all); number, scale: bounds (scale
        max: 3                  #   0..10, default 1..5); date: YYYY-MM-DD or `today`
        required: true          # default true; false offers a Skip button
        show_if: {question: has_ovz, equals: true}
        match: {key: difficulties, against: strengths, weight: 5}

Other keys: text `max_length` (default 500); number `integer` (default true); date `min_age`,
`max_age` (whole years, for birth dates); number and scale `fills: capacity` (a mentor's answer
becomes Participant.capacity). `show_if` takes one condition on an earlier question: `equals`
(single: an option id, yesno: true/false, number/scale: a number), `includes` (multi: an option
id), `in` (single: option ids, number/scale: numbers), or `{form: [...]}` on the program's form.

Matching hints (`match`), read by the matching of pairs: `key` names the answer for matching;
`compare` says how it is compared with the other side's answer named `against` (default: the
same key) — `overlap` (single, multi: the share of options in common), `equal` (single, yesno,
number, scale: the same value), `near` (number, scale, date: 1 − |a − b| / tolerance, floored at
0; `tolerance` defaults to the question's range, in days for dates); `weight` 0 < w ≤ 10
(default 1); `private: true` marks special-category data (health) that counts in the score but is
never named in a pair's reasons. The default compare is overlap for multi, near for
number/scale/date, equal for the rest; text answers are not matched.

Surveys (`purpose: pulse` every few weeks of a pair's work, `purpose: final` at stage 7) use the
same format. Each must ask everyone `satisfaction` (a scale 1..5) and `nps` (a scale 0..10), so
results can be compared across versions and programs; `match` and `fills` are for intake only.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import yaml
from sqlalchemy import delete, func, select, update

from bot.services.base import Service
from bot.services.outbox import NotificationKind
from storage import (
    MentorshipForm,
    Notification,
    NotificationStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    Questionnaire,
    QuestionnaireAnswer,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

JSON = Any
# The outbox kind and the text id of the reminder of an unfinished questionnaire.
REMINDER_KIND = NotificationKind.QUESTIONNAIRE_REMINDER
REMINDER_TEXT = "questionnaire-reminder"

ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
QUESTION_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
LOCALES = ("ru", "en")
MAX_SOURCE_CHARS = 200_000
MAX_QUESTIONS = 50
MAX_OPTIONS = 20
# VK cuts button labels at 40 characters; a picked option gets "✓ " in front.
MAX_LABEL = 38
MAX_TEXT = 1000
MAX_TEXT_ANSWER = 2000
MAX_AGE = 120
FILLABLE = frozenset({"capacity"})

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
# Turns scalar nodes into ints, floats and booleans the way YAML reads them.
_CONSTRUCTOR = yaml.SafeLoader("")


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; `str()` reads "line N: reason"."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(line, reason)
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


class NoQuestionnaireError(LookupError):
    """Neither the program nor the bot has a questionnaire for this role and form."""


class QuestionType(StrEnum):
    """How a question is answered."""

    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"
    NUMBER = "number"
    SCALE = "scale"
    DATE = "date"
    YESNO = "yesno"


class Purpose(StrEnum):
    """What a questionnaire is for: the intake before matching, or a survey of a pair's work."""

    INTAKE = "intake"
    PULSE = "pulse"  # every few weeks while pairs work (stage 6)
    FINAL = "final"  # at the end of the program (stage 7)


SURVEY_PURPOSES = frozenset({Purpose.PULSE, Purpose.FINAL})
# The questions every survey asks everyone, with the bounds of their scales.
SURVEY_SCALES: Mapping[str, tuple[int, int]] = {"satisfaction": (1, 5), "nps": (0, 10)}


class Compare(StrEnum):
    """How the matching compares an answer with the other side's."""

    OVERLAP = "overlap"
    EQUAL = "equal"
    NEAR = "near"


CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTI})
NUMERIC_TYPES = frozenset({QuestionType.NUMBER, QuestionType.SCALE})
COMPARE_TYPES: Mapping[Compare, frozenset[QuestionType]] = {
    Compare.OVERLAP: CHOICE_TYPES,
    Compare.EQUAL: frozenset({QuestionType.SINGLE, QuestionType.YESNO, *NUMERIC_TYPES}),
    Compare.NEAR: frozenset({*NUMERIC_TYPES, QuestionType.DATE}),
}
DEFAULT_COMPARE: Mapping[QuestionType, Compare] = {
    QuestionType.SINGLE: Compare.EQUAL,
    QuestionType.MULTI: Compare.OVERLAP,
    QuestionType.NUMBER: Compare.NEAR,
    QuestionType.SCALE: Compare.NEAR,
    QuestionType.DATE: Compare.NEAR,
    QuestionType.YESNO: Compare.EQUAL,
}
COMMON_KEYS = frozenset({"id", "type", "text", "short", "required", "show_if", "match"})
TYPE_KEYS: Mapping[QuestionType, frozenset[str]] = {
    QuestionType.SINGLE: frozenset({"options"}),
    QuestionType.MULTI: frozenset({"options", "min", "max"}),
    QuestionType.TEXT: frozenset({"max_length"}),
    QuestionType.NUMBER: frozenset({"min", "max", "integer", "fills"}),
    QuestionType.SCALE: frozenset({"min", "max", "fills"}),
    QuestionType.DATE: frozenset({"min", "max", "min_age", "max_age"}),
    QuestionType.YESNO: frozenset(),
}
QUESTION_KEYS = COMMON_KEYS.union(*TYPE_KEYS.values())
OPTION_KEYS = frozenset({"id", "text"})
MATCH_KEYS = frozenset({"key", "compare", "against", "weight", "tolerance", "private"})
REQUIRED_TOP_KEYS = ("forms", "id", "questions", "role", "title", "version")
TOP_KEYS = frozenset({*REQUIRED_TOP_KEYS, "purpose"})


# --- the definition ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalText:
    """A text in Russian and, optionally, English."""

    ru: str
    en: str | None = None

    def get(self, locale: str) -> str:
        """The text in `locale`, else in Russian."""
        return self.en if locale == "en" and self.en else self.ru


@dataclass(frozen=True, slots=True)
class Option:
    """One option of a single or multiple choice."""

    id: str
    text: LocalText


@dataclass(frozen=True, slots=True)
class Condition:
    """When a question is shown: an operator on an earlier answer, or the program's form."""

    op: str  # equals | includes | in | form
    values: tuple[JSON, ...]
    question: str | None = None

    def holds(self, answers: Mapping[str, JSON], form: MentorshipForm | None) -> bool:
        """Whether the condition holds for these (visible) answers and the program's form."""
        if self.op == "form":
            return form is None or form in self.values
        answer = answers.get(self.question or "")
        if answer is None:
            return False
        if self.op == "includes":
            return isinstance(answer, list) and self.values[0] in answer
        return any(_same(answer, value) for value in self.values)


def _same(a: JSON, b: JSON) -> bool:
    """Equal, without True == 1."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


@dataclass(frozen=True, slots=True)
class MatchHint:
    """How the matching of pairs uses an answer."""

    key: str
    compare: Compare
    weight: float = 1
    against: str | None = None
    tolerance: float | None = None
    # Special-category data (health): used for the score, never named in a pair's reasons.
    private: bool = False

    @property
    def target(self) -> str:
        """The other side's key this answer is compared with."""
        return self.against or self.key


@dataclass(frozen=True, slots=True)
class Question:
    """One question of a questionnaire."""

    id: str
    type: QuestionType
    text: LocalText
    short: LocalText | None = None
    required: bool = True
    options: tuple[Option, ...] = ()
    # multi: how many picks; number, scale: the bounds
    min: float | None = None
    max: float | None = None
    integer: bool = True
    max_length: int = 500
    # date bounds: ISO dates or "today"; and ages in whole years
    earliest: str | None = None
    latest: str | None = None
    min_age: int | None = None
    max_age: int | None = None
    show_if: Condition | None = None
    match: MatchHint | None = None
    fills: str | None = None
    line: int = field(default=0, compare=False)

    def option(self, option_id: str) -> Option | None:
        """An option by id."""
        return next((option for option in self.options if option.id == option_id), None)

    def label(self, locale: str) -> str:
        """A short label for the review and the list of questions to edit."""
        if self.short is not None:
            return self.short.get(locale)
        text = " ".join(self.text.get(locale).split())
        return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1].rstrip() + "…"

    def date_bounds(self, today: date) -> tuple[date | None, date | None]:
        """The earliest and latest date accepted today, ages included."""
        earliest = _resolve_date(self.earliest, today)
        latest = _resolve_date(self.latest, today)
        if self.max_age is not None:
            # Born after this day means younger than max_age + 1 years.
            oldest = _years_before(today, self.max_age + 1) + timedelta(days=1)
            earliest = max(filter(None, (earliest, oldest)))
        if self.min_age is not None:
            youngest = _years_before(today, self.min_age)
            latest = min(filter(None, (latest, youngest)))
        return earliest, latest

    def accepts(self, value: JSON) -> bool:
        """Whether a stored answer fits this question (date ranges are checked when typed)."""
        match self.type:
            case QuestionType.SINGLE:
                return isinstance(value, str) and self.option(value) is not None
            case QuestionType.MULTI:
                return (
                    isinstance(value, list)
                    and all(isinstance(item, str) and self.option(item) for item in value)
                    and len(set(value)) == len(value)
                    and (self.min or 1) <= len(value) <= (self.max or len(self.options))
                )
            case QuestionType.TEXT:
                return isinstance(value, str) and 0 < len(value) <= self.max_length
            case QuestionType.NUMBER | QuestionType.SCALE:
                return (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and (not self.integer or isinstance(value, int))
                    and (self.min is None or value >= self.min)
                    and (self.max is None or value <= self.max)
                )
            case QuestionType.DATE:
                return isinstance(value, str) and _iso_date(value) is not None
            case QuestionType.YESNO:
                return isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class QuestionnaireDef:
    """A validated questionnaire."""

    id: str
    version: int
    role: ParticipantRole
    forms: tuple[MentorshipForm, ...]
    title: LocalText
    questions: tuple[Question, ...]
    purpose: Purpose = Purpose.INTAKE
    version_line: int = field(default=0, compare=False)
    forms_line: int = field(default=0, compare=False)

    def question(self, question_id: str) -> Question | None:
        """A question by id."""
        return next((q for q in self.questions if q.id == question_id), None)

    def serves(
        self, role: ParticipantRole, form: MentorshipForm, purpose: Purpose = Purpose.INTAKE
    ) -> bool:
        """Whether it is the questionnaire (or survey) of this role in a program of this form."""
        return self.purpose is purpose and self.role == role and form in self.forms

    def valid_answers(self, stored: Mapping[str, JSON]) -> dict[str, JSON]:
        """Stored answers that fit the questions (None is a skipped optional question)."""
        result: dict[str, JSON] = {}
        for question in self.questions:
            if question.id not in stored:
                continue
            value = stored[question.id]
            if (value is None and not question.required) or (
                value is not None and question.accepts(value)
            ):
                result[question.id] = value
        return result

    def visible(self, answers: Mapping[str, JSON], form: MentorshipForm | None) -> list[Question]:
        """The questions shown, in order; answers of hidden questions count as absent."""
        shown: list[Question] = []
        seen: dict[str, JSON] = {}
        for question in self.questions:
            if question.show_if is None or question.show_if.holds(seen, form):
                shown.append(question)
                if question.id in answers:
                    seen[question.id] = answers[question.id]
        return shown

    def features(self, answers: Mapping[str, JSON], form: MentorshipForm | None) -> dict[str, JSON]:
        """Answers by matching key: visible, answered questions that carry a hint."""
        return {
            question.match.key: answers[question.id]
            for question in self.visible(answers, form)
            if question.match is not None and answers.get(question.id) is not None
        }


def _resolve_date(bound: str | None, today: date) -> date | None:
    if bound is None:
        return None
    return today if bound == "today" else date.fromisoformat(bound)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- the parser --------------------------------------------------------------------------------


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _fail(node: yaml.Node, reason: str) -> NoReturn:
    raise QuestionnaireError(_line(node), reason)


def _mapping(
    node: yaml.Node, what: str, required: Sequence[str] = (), allowed: frozenset[str] | None = None
) -> dict[str, yaml.Node]:
    """A mapping's values by key; duplicate, unknown and missing keys are errors."""
    if not isinstance(node, yaml.MappingNode):
        _fail(node, f"{what} must be a mapping of `key: value` lines")
    values: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            _fail(key_node, f"{what}: a key must be a plain word")
        key = str(key_node.value)
        if key in values:
            _fail(key_node, f"{what}: '{key}' is given twice")
        if allowed is not None and key not in allowed:
            reason = f"{what}: unknown key '{key}' (known: {', '.join(sorted(allowed))})"
            if node.flow_style and value_node.tag == _NULL and not value_node.value:
                # `{ru: Yes, no}`: inside braces a comma ends the value.
                reason += "; a text with a comma inside {…} must be put in quotes"
            _fail(key_node, reason)
        values[key] = value_node
    for key in required:
        if key not in values:
            _fail(node, f"{what}: '{key}' is missing")
    return values


def _sequence(node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        _fail(node, f"{what} must be a list")
    return list(node.value)


def _scalar(node: yaml.Node, what: str) -> str:
    """The raw text of a scalar (so `yes`, `no` and `1` stay the words they are)."""
    if not isinstance(node, yaml.ScalarNode):
        _fail(node, f"{what} must be a single value, not a list or a mapping")
    if node.tag == _NULL and not node.style:
        _fail(node, f"{what} is empty")
    return str(node.value)


def _text_value(node: yaml.Node, what: str, limit: int) -> str:
    text = _scalar(node, what).strip()
    if not text:
        _fail(node, f"{what} is empty")
    if len(text) > limit:
        _fail(node, f"{what} is longer than {limit} characters")
    return text


def _int(node: yaml.Node, what: str) -> int:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _INT:
        _fail(node, f"{what} must be a whole number")
    return int(yaml.SafeLoader.construct_yaml_int(_CONSTRUCTOR, node))


def _number(node: yaml.Node, what: str) -> int | float:
    if isinstance(node, yaml.ScalarNode) and node.tag == _INT:
        return _int(node, what)
    if not isinstance(node, yaml.ScalarNode) or node.tag != _FLOAT:
        _fail(node, f"{what} must be a number")
    value = float(yaml.SafeLoader.construct_yaml_float(_CONSTRUCTOR, node))
    if not math.isfinite(value):
        _fail(node, f"{what} must be a finite number")
    return value


def _bool(node: yaml.Node, what: str) -> bool:
    if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
        _fail(node, f"{what} must be true or false")
    return bool(yaml.SafeLoader.construct_yaml_bool(_CONSTRUCTOR, node))


def _identifier(node: yaml.Node, what: str, pattern: re.Pattern[str], hint: str) -> str:
    value = _scalar(node, what)
    if not pattern.match(value) or len(value) > 64:
        _fail(node, f"{what} '{value}' must be {hint}, at most 64 characters")
    return value


def _local_text(node: yaml.Node, what: str, limit: int = MAX_TEXT) -> LocalText:
    """`{ru: ..., en: ...}` or a plain string (Russian)."""
    if isinstance(node, yaml.ScalarNode):
        return LocalText(_text_value(node, what, limit))
    if not isinstance(node, yaml.MappingNode):
        _fail(node, f"{what} must be a text or {{ru: ..., en: ...}}")
    values = _mapping(node, what, required=("ru",), allowed=frozenset(LOCALES))
    en = values.get("en")
    return LocalText(
        _text_value(values["ru"], f"{what} (ru)", limit),
        None if en is None else _text_value(en, f"{what} (en)", limit),
    )


class _Parser:
    """Walks the composed YAML nodes, so every error knows its line."""

    def __init__(self) -> None:
        self.forms: tuple[MentorshipForm, ...] = ()
        self.questions: list[Question] = []
        self.match_keys: dict[str, str] = {}
        self.fills: set[str] = set()
        self.role = ParticipantRole.MENTEE
        self.purpose = Purpose.INTAKE
        self.all_ids: set[str] = set()

    def questionnaire(self, root: yaml.Node) -> QuestionnaireDef:
        top = _mapping(root, "the questionnaire", required=REQUIRED_TOP_KEYS, allowed=TOP_KEYS)
        key = _identifier(
            top["id"], "id", ID_RE, "lowercase latin letters and digits joined by hyphens"
        )
        version = _int(top["version"], "version")
        if not 1 <= version <= 1_000_000:
            _fail(top["version"], "version must be from 1 to 1000000")
        role_text = _scalar(top["role"], "role")
        if role_text not in {role.value for role in ParticipantRole}:
            _fail(top["role"], f"role '{role_text}' is unknown (mentee or mentor)")
        self.role = ParticipantRole(role_text)
        if "purpose" in top:
            purpose_text = _scalar(top["purpose"], "purpose")
            if purpose_text not in {purpose.value for purpose in Purpose}:
                known = ", ".join(purpose.value for purpose in Purpose)
                _fail(top["purpose"], f"purpose '{purpose_text}' is unknown ({known})")
            self.purpose = Purpose(purpose_text)
        self.forms = self._forms(top["forms"], "forms")
        title = _local_text(top["title"], "title", 100)
        items = _sequence(top["questions"], "questions")
        if not 1 <= len(items) <= MAX_QUESTIONS:
            _fail(top["questions"], f"questions: from 1 to {MAX_QUESTIONS} are needed")
        self.all_ids = {raw for item in items if (raw := _raw_id(item)) is not None}
        for item in items:
            self.questions.append(self.question(item))
        if self.purpose in SURVEY_PURPOSES:
            self._survey_scales(top["questions"])
        return QuestionnaireDef(
            id=key,
            version=version,
            role=self.role,
            forms=self.forms,
            title=title,
            questions=tuple(self.questions),
            purpose=self.purpose,
            version_line=_line(top["version"]),
            forms_line=_line(top["forms"]),
        )

    def _survey_scales(self, node: yaml.Node) -> None:
        """A survey asks everyone `satisfaction` and `nps`, so results read across versions."""
        for question_id, (low, high) in SURVEY_SCALES.items():
            question = next((q for q in self.questions if q.id == question_id), None)
            if question is None:
                _fail(
                    node,
                    f"questions: a {self.purpose} survey needs a question '{question_id}' "
                    f"(type: scale, min: {low}, max: {high})",
                )
            what = f"question '{question_id}'"
            if question.type is not QuestionType.SCALE or (question.min, question.max) != (
                low,
                high,
            ):
                raise QuestionnaireError(
                    question.line, f"{what}: in a survey it must be a scale from {low} to {high}"
                )
            if not question.required or question.show_if is not None:
                raise QuestionnaireError(
                    question.line,
                    f"{what}: in a survey everyone answers it (no `required: false`, no `show_if`)",
                )

    def _forms(self, node: yaml.Node, what: str) -> tuple[MentorshipForm, ...]:
        known = {form.value for form in MentorshipForm}
        items = [node] if isinstance(node, yaml.ScalarNode) else _sequence(node, what)
        if not items:
            _fail(node, f"{what}: name at least one form ({', '.join(sorted(known))})")
        forms: list[MentorshipForm] = []
        for item in items:
            value = _scalar(item, f"{what} item")
            if value not in known:
                _fail(item, f"{what}: form '{value}' is unknown ({', '.join(sorted(known))})")
            if MentorshipForm(value) in forms:
                _fail(item, f"{what}: form '{value}' is given twice")
            forms.append(MentorshipForm(value))
        return tuple(forms)

    def question(self, node: yaml.Node) -> Question:
        values = _mapping(
            node, "a question", required=("id", "type", "text"), allowed=QUESTION_KEYS
        )
        qid = _identifier(
            values["id"], "question id", QUESTION_ID_RE, "lowercase latin letters, digits and _"
        )
        if any(q.id == qid for q in self.questions):
            _fail(values["id"], f"question id '{qid}' is used twice")
        what = f"question '{qid}'"
        type_text = _scalar(values["type"], f"{what}: type")
        if type_text not in {t.value for t in QuestionType}:
            known = ", ".join(t.value for t in QuestionType)
            _fail(values["type"], f"{what}: type '{type_text}' is unknown ({known})")
        kind = QuestionType(type_text)
        for key, value in values.items():
            if key not in COMMON_KEYS and key not in TYPE_KEYS[kind]:
                _fail(value, f"{what}: '{key}' does not apply to a {kind} question")
        fields: dict[str, Any] = {
            "id": qid,
            "type": kind,
            "text": _local_text(values["text"], f"{what}: text"),
            "line": _line(node),
        }
        if "short" in values:
            fields["short"] = _local_text(values["short"], f"{what}: short", MAX_LABEL)
        if "required" in values:
            fields["required"] = _bool(values["required"], f"{what}: required")
        self._type_fields(kind, values, what, node, fields)
        question = Question(**fields)
        if "show_if" in values:
            question = replace(question, show_if=self.condition(values["show_if"], what))
        if "match" in values:
            question = replace(question, match=self.hint(values["match"], question, what))
        return question

    def _type_fields(
        self,
        kind: QuestionType,
        values: dict[str, yaml.Node],
        what: str,
        node: yaml.Node,
        fields: dict[str, Any],
    ) -> None:
        if kind in CHOICE_TYPES:
            if "options" not in values:
                _fail(node, f"{what}: a {kind} question needs options")
            fields["options"] = self._options(values["options"], what)
        match kind:
            case QuestionType.MULTI:
                count = len(fields["options"])
                low, high = self._range(values, what, default=(1, count))
                if not 1 <= low <= high <= count:
                    _fail(
                        values.get("min") or values.get("max") or node,
                        f"{what}: picks must satisfy 1 <= min <= max <= {count} (the options)",
                    )
                fields.update(min=low, max=high)
            case QuestionType.TEXT if "max_length" in values:
                limit = _int(values["max_length"], f"{what}: max_length")
                if not 1 <= limit <= MAX_TEXT_ANSWER:
                    _fail(
                        values["max_length"],
                        f"{what}: max_length must be from 1 to {MAX_TEXT_ANSWER}",
                    )
                fields["max_length"] = limit
            case QuestionType.NUMBER:
                self._number_fields(values, what, fields)
            case QuestionType.SCALE:
                low, high = self._range(values, what, default=(1, 5))
                if not 0 <= low < high <= 10 or high - low < 2:
                    _fail(
                        values.get("min") or values.get("max") or node,
                        f"{what}: a scale runs within 0..10 with at least three points "
                        "(e.g. 1..5 or 0..10)",
                    )
                fields.update(min=low, max=high)
                self._fills(values, what, low, fields)
            case QuestionType.DATE:
                self._date_fields(values, what, fields)

    @staticmethod
    def _range(
        values: dict[str, yaml.Node], what: str, *, default: tuple[int, int]
    ) -> tuple[int, int]:
        """Whole-number min and max, each defaulting."""
        low = _int(values["min"], f"{what}: min") if "min" in values else default[0]
        high = _int(values["max"], f"{what}: max") if "max" in values else default[1]
        return low, high

    def _number_fields(
        self, values: dict[str, yaml.Node], what: str, fields: dict[str, Any]
    ) -> None:
        integer = _bool(values["integer"], f"{what}: integer") if "integer" in values else True
        bounds: list[int | float | None] = []
        for key in ("min", "max"):
            if key not in values:
                bounds.append(None)
            elif integer:
                bounds.append(_int(values[key], f"{what}: {key}"))
            else:
                bounds.append(_number(values[key], f"{what}: {key}"))
        low, high = bounds
        if low is not None and high is not None and low >= high:
            _fail(values["max"], f"{what}: max must be greater than min")
        fields.update(min=low, max=high, integer=integer)
        self._fills(values, what, low, fields)

    def _options(self, node: yaml.Node, what: str) -> tuple[Option, ...]:
        items = _sequence(node, f"{what}: options")
        if not 2 <= len(items) <= MAX_OPTIONS:
            _fail(node, f"{what}: from 2 to {MAX_OPTIONS} options are needed")
        options: list[Option] = []
        for item in items:
            values = _mapping(
                item, f"{what}: an option", required=("id", "text"), allowed=OPTION_KEYS
            )
            option_id = _identifier(
                values["id"], f"{what}: option id", OPTION_ID_RE, "lowercase latin, digits and _"
            )
            if any(option.id == option_id for option in options):
                _fail(values["id"], f"{what}: option id '{option_id}' is used twice")
            text = _local_text(values["text"], f"{what}: option '{option_id}'", MAX_LABEL)
            options.append(Option(option_id, text))
        return tuple(options)

    def _fills(
        self, values: dict[str, yaml.Node], what: str, low: float | None, fields: dict[str, Any]
    ) -> None:
        if "fills" not in values:
            return
        node = values["fills"]
        target = _scalar(node, f"{what}: fills")
        if target not in FILLABLE:
            _fail(node, f"{what}: fills '{target}' is unknown (known: {', '.join(FILLABLE)})")
        if self.role is not ParticipantRole.MENTOR:
            _fail(node, f"{what}: only a mentor's questionnaire fills {target}")
        if self.purpose is not Purpose.INTAKE:
            _fail(node, f"{what}: only an intake questionnaire fills {target}, not a survey")
        if not fields.get("integer", True) or low is None or low < 0:
            _fail(node, f"{what}: fills {target} needs whole numbers with min 0 or more")
        if target in self.fills:
            _fail(node, f"{what}: another question already fills {target}")
        self.fills.add(target)
        fields["fills"] = target

    def _date_fields(self, values: dict[str, yaml.Node], what: str, fields: dict[str, Any]) -> None:
        for key, name in (("min", "earliest"), ("max", "latest")):
            if key in values:
                raw = _scalar(values[key], f"{what}: {key}")
                if raw != "today" and _iso_date(raw) is None:
                    _fail(values[key], f"{what}: {key} must be a date YYYY-MM-DD or `today`")
                fields[name] = raw
        earliest, latest = fields.get("earliest"), fields.get("latest")
        if earliest and latest and earliest != "today" and latest != "today" and earliest > latest:
            _fail(values["max"], f"{what}: max must not be before min")
        for key in ("min_age", "max_age"):
            if key in values:
                age = _int(values[key], f"{what}: {key}")
                if not 0 <= age <= MAX_AGE:
                    _fail(values[key], f"{what}: {key} must be from 0 to {MAX_AGE}")
                fields[key] = age
        if fields.get("min_age", 0) > fields.get("max_age", MAX_AGE):
            _fail(values["max_age"], f"{what}: max_age must not be less than min_age")

    def condition(self, node: yaml.Node, what: str) -> Condition:
        operators = ("equals", "includes", "in")
        values = _mapping(
            node, f"{what}: show_if", allowed=frozenset({"question", "form", *operators})
        )
        if "form" in values:
            if len(values) > 1:
                _fail(node, f"{what}: show_if on the form takes nothing else")
            forms = self._forms(values["form"], f"{what}: show_if form")
            for form, item in zip(forms, _form_nodes(values["form"]), strict=True):
                if form not in self.forms:
                    _fail(item, f"{what}: show_if form '{form}' is not among the forms served")
            return Condition("form", tuple(forms))
        given = [op for op in operators if op in values]
        if "question" not in values or len(given) != 1:
            _fail(
                node,
                f"{what}: show_if needs `question` and one of equals, includes, in "
                "(or `form` alone)",
            )
        op = given[0]
        target_id = _scalar(values["question"], f"{what}: show_if question")
        target = next((q for q in self.questions if q.id == target_id), None)
        if target is None:
            reason = "comes later or is this one" if target_id in self.all_ids else "is unknown"
            _fail(
                values["question"],
                f"{what}: show_if question '{target_id}' {reason}; "
                "a question can depend only on an earlier one",
            )
        operand = values[op]
        if op == "includes":
            if target.type is not QuestionType.MULTI:
                _fail(operand, f"{what}: `includes` needs a multi question, '{target_id}' is not")
            return Condition(op, (self._operand(operand, target, what),), target_id)
        if op == "in":
            if target.type not in {QuestionType.SINGLE, *NUMERIC_TYPES}:
                _fail(operand, f"{what}: `in` needs a single, number or scale question")
            items = _sequence(operand, f"{what}: show_if in")
            if not items:
                _fail(operand, f"{what}: show_if `in` needs at least one value")
            return Condition(
                op, tuple(self._operand(item, target, what) for item in items), target_id
            )
        if target.type in {QuestionType.MULTI, QuestionType.TEXT, QuestionType.DATE}:
            hint = "use `includes`" if target.type is QuestionType.MULTI else "not comparable"
            _fail(operand, f"{what}: `equals` on a {target.type} question ({hint})")
        return Condition(op, (self._operand(operand, target, what),), target_id)

    @staticmethod
    def _operand(node: yaml.Node, target: Question, what: str) -> JSON:
        """A value an answer of `target` could have."""
        if target.type in CHOICE_TYPES:
            value = _scalar(node, f"{what}: show_if value")
            if target.option(value) is None:
                _fail(node, f"{what}: show_if: '{target.id}' has no option '{value}'")
            return value
        if target.type is QuestionType.YESNO:
            return _bool(node, f"{what}: show_if value")
        number = _number(node, f"{what}: show_if value")
        if (target.min is not None and number < target.min) or (
            target.max is not None and number > target.max
        ):
            _fail(node, f"{what}: show_if value {number} is outside '{target.id}' range")
        return number

    def hint(self, node: yaml.Node, question: Question, what: str) -> MatchHint:
        if self.purpose is not Purpose.INTAKE:
            _fail(node, f"{what}: a {self.purpose} survey is not used for matching; remove `match`")
        values = _mapping(node, f"{what}: match", required=("key",), allowed=MATCH_KEYS)
        if question.type is QuestionType.TEXT:
            _fail(node, f"{what}: text answers cannot be matched; remove `match`")
        pattern_hint = "lowercase latin letters, digits and _"
        key = _identifier(values["key"], f"{what}: match key", QUESTION_ID_RE, pattern_hint)
        if key in self.match_keys:
            _fail(values["key"], f"{what}: match key '{key}' is used by '{self.match_keys[key]}'")
        self.match_keys[key] = question.id
        compare = DEFAULT_COMPARE[question.type]
        if "compare" in values:
            compare = _compare_of(values["compare"], question, what)
        against = None
        if "against" in values:
            against = _identifier(
                values["against"], f"{what}: match against", QUESTION_ID_RE, pattern_hint
            )
        weight: float = 1
        if "weight" in values:
            weight = _number(values["weight"], f"{what}: match weight")
            if not 0 < weight <= 10:
                _fail(values["weight"], f"{what}: match weight must be above 0 and at most 10")
        tolerance: float | None = None
        if "tolerance" in values:
            if compare is not Compare.NEAR:
                _fail(values["tolerance"], f"{what}: tolerance applies only to compare: near")
            tolerance = _number(values["tolerance"], f"{what}: match tolerance")
            if tolerance <= 0:
                _fail(values["tolerance"], f"{what}: tolerance must be above 0")
        elif compare is Compare.NEAR:
            if question.min is None or question.max is None:
                _fail(node, f"{what}: compare near needs `tolerance` (no min and max to go by)")
            tolerance = question.max - question.min
        private = "private" in values and _bool(values["private"], f"{what}: match private")
        return MatchHint(key, compare, weight, against, tolerance, private)


def _compare_of(node: yaml.Node, question: Question, what: str) -> Compare:
    raw = _scalar(node, f"{what}: match compare")
    if raw not in {c.value for c in Compare}:
        _fail(node, f"{what}: compare '{raw}' is unknown ({', '.join(Compare)})")
    compare = Compare(raw)
    if question.type not in COMPARE_TYPES[compare]:
        suits = ", ".join(sorted(COMPARE_TYPES[compare]))
        _fail(node, f"{what}: compare {compare} suits {suits} questions, not {question.type}")
    return compare


def _raw_id(node: yaml.Node) -> str | None:
    """The `id` a question node gives, before it is checked (to tell "later" from "unknown")."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return None


def _form_nodes(node: yaml.Node) -> list[yaml.Node]:
    return [node] if isinstance(node, yaml.ScalarNode) else list(node.value)


def parse_questionnaire(text: str) -> QuestionnaireDef:
    """Validate a questionnaire file; QuestionnaireError says what is wrong and on which line."""
    if len(text) > MAX_SOURCE_CHARS:
        raise QuestionnaireError(None, f"the file is larger than {MAX_SOURCE_CHARS} characters")
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = int(mark.line) + 1 if mark is not None else None
        reason = ", ".join(part for part in (error.context, error.problem) if part)
        raise QuestionnaireError(line, f"not valid YAML: {reason}") from None
    except yaml.YAMLError as error:
        raise QuestionnaireError(None, f"not valid YAML: {error}") from None
    if root is None:
        raise QuestionnaireError(None, "the file is empty")
    return _Parser().questionnaire(root)


_parse_cached = functools.lru_cache(maxsize=128)(parse_questionnaire)


@functools.lru_cache(maxsize=8)
def load_builtin(directory: Path) -> dict[str, QuestionnaireDef]:
    """The questionnaires shipped in `directory` (`<id>.yaml` each), by id; read once."""
    result: dict[str, QuestionnaireDef] = {}
    for file in sorted(directory.glob("*.yaml")):
        try:
            definition = parse_questionnaire(file.read_text(encoding="utf-8"))
        except QuestionnaireError as error:
            raise QuestionnaireError(error.line, f"{file.name}: {error.reason}") from None
        if definition.id != file.stem:
            raise QuestionnaireError(
                None, f"{file.name}: the id '{definition.id}' must match the file name"
            )
        result[definition.id] = definition
    return result


# --- the service -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedQuestionnaire:
    """A questionnaire a curator loaded for a program."""

    key: str
    version: int
    role: ParticipantRole
    forms: tuple[MentorshipForm, ...]
    title: str
    loaded_at: datetime
    loaded_by_person_id: int | None
    purpose: Purpose = Purpose.INTAKE


@dataclass(frozen=True, slots=True)
class QuestionnaireProgress:
    """How far a participant got: visible questions answered (skips count) out of visible."""

    key: str
    version: int
    answered: int
    total: int
    next_question: str | None
    done_at: datetime | None

    @property
    def done(self) -> bool:
        """Whether the participant confirmed the review."""
        return self.done_at is not None


# Participants who no longer take part cannot answer.
_GONE = (ParticipantStatus.DECLINED, ParticipantStatus.LEFT, ParticipantStatus.REMOVED)


def reminder_key(participant_id: int, number: int) -> str:
    """The outbox key of a participant's n-th questionnaire reminder (1-based)."""
    return f"{REMINDER_KIND}:{participant_id}:{number}"


class QuestionnaireService(Service):
    """Questionnaires as data: load a curator's file, pick one for a participant, keep answers."""

    # --- definitions ---------------------------------------------------------------------------

    def builtin(self) -> dict[str, QuestionnaireDef]:
        """The questionnaires shipped with the bot, by id."""
        return load_builtin(self.policy.questionnaires_dir)

    async def load(self, program_id: int, source: str, loaded_by: int | None) -> QuestionnaireDef:
        """Validate a curator's file and store it as the program's newest questionnaire of its id.

        Raises QuestionnaireError for a bad file, a program of another form, or a version not
        greater than the one already loaded for this program and id.
        """
        definition = parse_questionnaire(source)
        program = await self.session.get(Program, program_id)
        if program is None:
            raise QuestionnaireError(None, f"program {program_id} does not exist")
        if program.form not in definition.forms:
            raise QuestionnaireError(
                definition.forms_line,
                f"program {program_id} is of the form {program.form}, which the questionnaire "
                "does not list in `forms`",
            )
        loader = None
        if loaded_by is not None:
            loader = await self.session.get(Person, loaded_by)
            if loader is None:
                raise QuestionnaireError(None, f"person {loaded_by} does not exist")
        newest = await self.session.scalar(
            select(func.max(Questionnaire.version)).where(
                Questionnaire.program_id == program_id, Questionnaire.key == definition.id
            )
        )
        if newest is not None and definition.version <= newest:
            raise QuestionnaireError(
                definition.version_line,
                f"version {definition.version} must be greater than {newest}, the newest "
                f"'{definition.id}' loaded for program {program_id}",
            )
        row = Questionnaire(
            program_id=program_id,
            key=definition.id,
            version=definition.version,
            source=source,
            loaded_by_person_id=loaded_by,
            created_at=self.clock.now(),
        )
        self.session.add(row)
        await self.session.flush()
        self.audit.record(
            loader or "system:cli",
            "load-questionnaire",
            "questionnaires",
            row.id,
            program=program_id,
            key=definition.id,
            version=definition.version,
        )
        return definition

    async def loaded(self, program_id: int) -> list[LoadedQuestionnaire]:
        """The questionnaires loaded for a program, newest first."""
        rows = await self.session.scalars(
            select(Questionnaire)
            .where(Questionnaire.program_id == program_id)
            .order_by(Questionnaire.id.desc())
        )
        result = []
        for row in rows:
            definition = self._parse_stored(row)
            if definition is not None:
                result.append(
                    LoadedQuestionnaire(
                        row.key,
                        row.version,
                        definition.role,
                        definition.forms,
                        definition.title.ru,
                        row.created_at,
                        row.loaded_by_person_id,
                        definition.purpose,
                    )
                )
        return result

    async def for_participant(self, participant: Participant) -> QuestionnaireDef:
        """The intake questionnaire a participant fills.

        A finished one stays with the version it was filled in; otherwise the program's own
        newest for the participant's role and the program's form, else the built-in one.
        Raises NoQuestionnaireError when there is none.
        """
        program = await self._program(participant)
        key, version = participant.questionnaire_key, participant.questionnaire_version
        if participant.questionnaire_done_at is not None and key and version is not None:
            pinned = await self.resolve(program.id, key, version)
            if pinned is not None and pinned.purpose is Purpose.INTAKE:
                return pinned
        definition = self.choose(
            await self.program_files(program.id), participant.role, program.form, Purpose.INTAKE
        )
        if definition is None:
            raise NoQuestionnaireError(
                f"no questionnaire for a {participant.role} in {program.form}"
            )
        return definition

    async def program_files(self, program_id: int) -> list[QuestionnaireDef]:
        """The valid files loaded for a program, newest first (of every purpose)."""
        rows = await self.session.scalars(
            select(Questionnaire)
            .where(Questionnaire.program_id == program_id)
            .order_by(Questionnaire.id.desc())
        )
        return [d for d in map(self._parse_stored, rows) if d is not None]

    def choose(
        self,
        loaded: Sequence[QuestionnaireDef],
        role: ParticipantRole,
        form: MentorshipForm,
        purpose: Purpose,
    ) -> QuestionnaireDef | None:
        """The first of the program's files (newest first) for this role, form and purpose,
        else the built-in one, else None."""
        for definition in (*loaded, *self.builtin().values()):
            if definition.serves(role, form, purpose):
                return definition
        return None

    async def form_of(self, participant: Participant) -> MentorshipForm:
        """The form of the participant's program (show_if may depend on it)."""
        return (await self._program(participant)).form

    async def _program(self, participant: Participant) -> Program:
        return await self.session.get_one(Program, participant.program_id)

    async def resolve(self, program_id: int, key: str, version: int) -> QuestionnaireDef | None:
        """A questionnaire by id and version: the one loaded for the program, else the built-in
        one if its version matches; None when neither exists (any more)."""
        row = await self.session.scalar(
            select(Questionnaire).where(
                Questionnaire.program_id == program_id,
                Questionnaire.key == key,
                Questionnaire.version == version,
            )
        )
        if row is not None:
            return self._parse_stored(row)
        builtin = self.builtin().get(key)
        return builtin if builtin is not None and builtin.version == version else None

    @staticmethod
    def _parse_stored(row: Questionnaire) -> QuestionnaireDef | None:
        try:
            return _parse_cached(row.source)
        except QuestionnaireError as error:
            # Loaded under an older, laxer validator: ignored rather than breaking the program.
            log.warning("stored questionnaire %s (%s v%s): %s", row.id, row.key, row.version, error)
            return None

    # --- participants and answers --------------------------------------------------------------

    async def participant_of(self, person_id: int, participant_id: int) -> Participant | None:
        """The participant, if it is this person's, still takes part and may be asked (a minor
        waiting for a parent's consent may not)."""
        return await self.session.scalar(
            select(Participant).where(
                Participant.id == participant_id,
                Participant.person_id == person_id,
                Participant.status.not_in((*_GONE, ParticipantStatus.CONSENT_PENDING)),
            )
        )

    async def start(self, participant: Participant) -> QuestionnaireDef:
        """Open the questionnaire: the first time, plan the reminders of an unfinished one."""
        definition = await self.for_participant(participant)
        first = participant.questionnaire_key is None
        if participant.questionnaire_done_at is None:
            self._pin(participant, definition)
        if first and participant.questionnaire_done_at is None:
            program = await self._program(participant)
            now = self.clock.now()
            for number, delay in enumerate(self.policy.questionnaire_reminders, start=1):
                await self.outbox.plan(
                    key=reminder_key(participant.id, number),
                    kind=REMINDER_KIND,
                    recipient_id=participant.person_id,
                    text_id=REMINDER_TEXT,
                    args={"program": program.name},
                    due_at=now + delay,
                )
        return definition

    async def answers(
        self, participant: Participant, definition: QuestionnaireDef
    ) -> dict[str, JSON]:
        """The participant's answers that fit the questionnaire, by question id (None: skipped)."""
        return definition.valid_answers(await self._stored(participant, definition))

    async def _stored(
        self, participant: Participant, definition: QuestionnaireDef
    ) -> dict[str, JSON]:
        rows = await self.session.execute(
            select(QuestionnaireAnswer.question_id, QuestionnaireAnswer.value).where(
                QuestionnaireAnswer.participant_id == participant.id,
                QuestionnaireAnswer.questionnaire_id == definition.id,
            )
        )
        return {str(question_id): value for question_id, value in rows.all()}

    async def save_answer(
        self,
        participant: Participant,
        definition: QuestionnaireDef,
        question_id: str,
        value: JSON,
    ) -> list[str]:
        """Store one answer at once (None skips an optional question), then clear the answers
        of questions it hides; returns the ids cleared. ValueError if the value does not fit."""
        question = definition.question(question_id)
        if question is None:
            raise ValueError(f"{definition.id} has no question {question_id}")
        if (value is None and question.required) or (
            value is not None and not question.accepts(value)
        ):
            raise ValueError(f"{value!r} does not answer {definition.id}.{question_id}")
        now = self.clock.now()
        row = await self.session.scalar(
            select(QuestionnaireAnswer).where(
                QuestionnaireAnswer.participant_id == participant.id,
                QuestionnaireAnswer.questionnaire_id == definition.id,
                QuestionnaireAnswer.question_id == question_id,
            )
        )
        if row is None:
            row = QuestionnaireAnswer(
                participant_id=participant.id,
                questionnaire_id=definition.id,
                question_id=question_id,
            )
            self.session.add(row)
        row.questionnaire_version = definition.version
        row.value = value
        row.answered_at = now
        if question.fills == "capacity":
            participant.capacity = value
        if participant.questionnaire_done_at is None:
            self._pin(participant, definition)
        participant.updated_at = now
        await self.session.flush()
        return await self.clear_hidden(participant, definition)

    async def clear_hidden(
        self, participant: Participant, definition: QuestionnaireDef
    ) -> list[str]:
        """Delete the answers of questions whose show_if no longer holds; returns their ids."""
        stored = await self._stored(participant, definition)
        form = await self.form_of(participant)
        visible = {q.id for q in definition.visible(definition.valid_answers(stored), form)}
        hidden = [q.id for q in definition.questions if q.id in stored and q.id not in visible]
        if hidden:
            await self.session.execute(
                delete(QuestionnaireAnswer).where(
                    QuestionnaireAnswer.participant_id == participant.id,
                    QuestionnaireAnswer.questionnaire_id == definition.id,
                    QuestionnaireAnswer.question_id.in_(hidden),
                )
            )
            if any(q.fills == "capacity" for q in definition.questions if q.id in hidden):
                participant.capacity = None
        return hidden

    async def finish(self, participant: Participant, definition: QuestionnaireDef) -> None:
        """Mark the questionnaire done and cancel the reminders still waiting.

        ValueError if a visible question is unanswered.
        """
        answers = await self.answers(participant, definition)
        form = await self.form_of(participant)
        missing = [q.id for q in definition.visible(answers, form) if q.id not in answers]
        if missing:
            raise ValueError(f"unanswered questions: {', '.join(missing)}")
        now = self.clock.now()
        self._pin(participant, definition)
        participant.questionnaire_done_at = now
        participant.updated_at = now
        await self.session.execute(
            update(Notification)
            .where(
                Notification.key.startswith(f"{REMINDER_KIND}:{participant.id}:"),
                Notification.status == NotificationStatus.PENDING,
            )
            .values(status=NotificationStatus.SKIPPED, last_error="questionnaire done")
        )
        self.audit.record(
            f"person:{participant.person_id}",
            "complete-questionnaire",
            "participants",
            participant.id,
            key=definition.id,
            version=definition.version,
        )

    async def progress(self, participant_id: int) -> QuestionnaireProgress:
        """How far the participant got; LookupError if there is no such participant."""
        participant = await self.session.get(Participant, participant_id)
        if participant is None:
            raise LookupError(f"participant {participant_id} does not exist")
        definition = await self.for_participant(participant)
        answers = await self.answers(participant, definition)
        visible = definition.visible(answers, await self.form_of(participant))
        unanswered = [q.id for q in visible if q.id not in answers]
        return QuestionnaireProgress(
            key=definition.id,
            version=definition.version,
            answered=len(visible) - len(unanswered),
            total=len(visible),
            next_question=unanswered[0] if unanswered else None,
            done_at=participant.questionnaire_done_at,
        )

    @staticmethod
    def _pin(participant: Participant, definition: QuestionnaireDef) -> None:
        participant.questionnaire_key = definition.id
        participant.questionnaire_version = definition.version

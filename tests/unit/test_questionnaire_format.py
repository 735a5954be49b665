"""The questionnaire format: every class of mistake is named with its line; the built-ins fit."""

from __future__ import annotations

from datetime import date
from itertools import product
from pathlib import Path

import pytest

from bot.dialogs.engine import Invalid
from bot.dialogs.questionnaire import parse_date, parse_number
from bot.services.policy import QUESTIONNAIRES_DIR
from bot.services.questionnaires import (
    CHOICE_TYPES,
    Compare,
    Purpose,
    QuestionnaireDef,
    QuestionnaireError,
    load_builtin,
    parse_questionnaire,
)
from storage import MentorshipForm, ParticipantRole

BASE = """\
id: sample
version: 2
role: mentee
forms: [student_student, teacher_student]
title: {ru: Анкета, en: Questionnaire}
questions:
  - id: colour
    type: single
    text: {ru: Цвет, en: Colour}
    options:
      - {id: red, text: Красный}
      - {id: blue, text: Синий}
    match: {key: colour, weight: 2}
  - id: subjects
    type: multi
    text: Предметы
    max: 2
    options:
      - {id: math, text: Математика}
      - {id: art, text: ИЗО}
      - {id: music, text: Музыка}
    match: {key: subjects, against: strengths, weight: 5}
  - id: has_ovz
    type: yesno
    text: ОВЗ
  - id: details
    type: text
    text: Подробнее
    required: false
    show_if: {question: has_ovz, equals: true}
  - id: age
    type: number
    text: Возраст
    min: 5
    max: 18
    match: {key: age, tolerance: 2}
  - id: mood
    type: scale
    text: Настроение
    show_if: {question: subjects, includes: math}
  - id: start
    type: date
    text: Начало
    min: 2026-01-01
    max: today
    show_if: {form: teacher_student}
"""


def changed(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


# (the file, the line named, a part of the reason)
MISTAKES: dict[str, tuple[str, int | None, str]] = {
    # YAML itself
    "syntax": (changed("title: {ru: Анкета, en: Questionnaire}", "title: {ru: Анкета"), 6, "YAML"),
    "flow comma": (changed("text: Предметы", "text: {ru: Да, нет}"), 16, "put in quotes"),
    "tab": (changed("  - id: has_ovz", "\t- id: has_ovz"), 23, "YAML"),
    "two documents": (
        BASE + "---\nid: other\n",
        47,
        "single document in the stream, but found another",
    ),
    "empty": ("", None, "empty"),
    "not a mapping": ("- id: sample\n", 1, "must be a mapping"),
    "duplicate key": (changed("version: 2\n", "version: 2\nversion: 3\n"), 3, "given twice"),
    # the top
    "unknown top key": (changed("role: mentee\n", "role: mentee\ncolor: red\n"), 4, "unknown key"),
    "missing version": (changed("version: 2\n", ""), 1, "'version' is missing"),
    "version text": (changed("version: 2", "version: two"), 2, "whole number"),
    "version quoted": (changed("version: 2", 'version: "2"'), 2, "whole number"),
    "version zero": (changed("version: 2", "version: 0"), 2, "from 1"),
    "bad id": (changed("id: sample", "id: Sample_1"), 1, "must be lowercase"),
    "unknown role": (changed("role: mentee", "role: parent"), 3, "role 'parent'"),
    "unknown form": (changed("teacher_student]", "school]"), 4, "form 'school'"),
    "no forms": (changed("[student_student, teacher_student]", "[]"), 4, "at least one"),
    "twice a form": (changed("teacher_student]", "student_student]"), 4, "twice"),
    "title language": (changed("en: Questionnaire}", "de: Fragebogen}"), 5, "unknown key 'de'"),
    "title without ru": (changed("{ru: Анкета, en: Questionnaire}", "{en: Q}"), 5, "'ru'"),
    "questions not a list": (
        BASE.split("questions:", 1)[0] + "questions: 3\n",
        6,
        "must be a list",
    ),
    # questions
    "unknown question key": (
        changed("    text: ОВЗ\n", "    text: ОВЗ\n    hint: x\n"),
        26,
        "'hint'",
    ),
    "missing type": (changed("    type: yesno\n", ""), 23, "'type' is missing"),
    "unknown type": (changed("type: yesno", "type: essay"), 24, "type 'essay'"),
    "twice an id": (changed("- id: age", "- id: colour"), 31, "used twice"),
    "bad question id": (changed("- id: has_ovz", "- id: Has-OVZ"), 23, "must be lowercase"),
    "key of another type": (
        changed("    text: ОВЗ\n", "    text: ОВЗ\n    max: 2\n"),
        26,
        "does not apply",
    ),
    "empty text": (changed("text: ОВЗ", 'text: ""'), 25, "is empty"),
    "text is a list": (changed("text: ОВЗ", "text: [a, b]"), 25, "must be a text or"),
    "required not bool": (changed("required: false", "required: maybe"), 29, "true or false"),
    "too long short": (
        changed("    text: ОВЗ\n", "    text: ОВЗ\n    short: " + "ы" * 39 + "\n"),
        26,
        "38",
    ),
    # options
    "no options": (
        changed(
            "    options:\n      - {id: red, text: Красный}\n      - {id: blue, text: Синий}\n", ""
        ),
        7,
        "needs options",
    ),
    "one option": (changed("      - {id: blue, text: Синий}\n", ""), 11, "from 2 to 20"),
    "twice an option": (changed("{id: blue", "{id: red"), 12, "used twice"),
    "bad option id": (changed("{id: blue", "{id: Blue!"), 12, "option id"),
    "long option": (changed("text: Синий}", "text: " + "Синий" * 8 + "}"), 12, "longer than 38"),
    "option key": (
        changed("{id: blue, text: Синий}", "{id: blue, text: Синий, value: 2}"),
        12,
        "'value'",
    ),
    # ranges
    "picks above options": (
        changed("    max: 2\n    options:", "    max: 4\n    options:"),
        17,
        "1 <= min <= max <= 3",
    ),
    "picks min above max": (
        changed("    max: 2\n    options:", "    min: 3\n    max: 2\n    options:"),
        17,
        "min <= max",
    ),
    "number min not below max": (changed("    max: 18", "    max: 5"), 35, "greater than min"),
    "number bound text": (changed("    min: 5", "    min: five"), 34, "whole number"),
    "number float when whole": (changed("    min: 5", "    min: 5.5"), 34, "whole number"),
    "scale too wide": (
        changed("    text: Настроение\n", "    text: Настроение\n    max: 11\n"),
        40,
        "0..10",
    ),
    "scale too narrow": (
        changed("    text: Настроение\n", "    text: Настроение\n    min: 1\n    max: 2\n"),
        40,
        "three points",
    ),
    "text length": (
        changed("    required: false\n", "    required: false\n    max_length: 0\n"),
        30,
        "max_length",
    ),
    "bad date": (changed("min: 2026-01-01", "min: 2026-02-30"), 44, "YYYY-MM-DD"),
    "date word": (changed("max: today", "max: tomorrow"), 45, "`today`"),
    "dates reversed": (changed("max: today", "max: 2025-01-01"), 45, "not be before"),
    "age too high": (
        changed("    max: today\n", "    max: today\n    max_age: 200\n"),
        46,
        "max_age",
    ),
    "ages reversed": (
        changed("    max: today\n", "    max: today\n    min_age: 10\n    max_age: 8\n"),
        47,
        "less than min_age",
    ),
    # show_if
    "show_if later": (
        changed("{question: has_ovz, equals: true}", "{question: age, equals: 5}"),
        30,
        "comes later",
    ),
    "show_if itself": (
        changed("{question: has_ovz, equals: true}", "{question: details, equals: x}"),
        30,
        "comes later or is this one",
    ),
    "show_if unknown": (
        changed("{question: has_ovz, equals: true}", "{question: nope, equals: true}"),
        30,
        "is unknown",
    ),
    "show_if option": (
        changed("includes: math}", "includes: chemistry}"),
        40,
        "no option 'chemistry'",
    ),
    "show_if value type": (
        changed("{question: has_ovz, equals: true}", "{question: has_ovz, equals: maybe}"),
        30,
        "true or false",
    ),
    "show_if includes single": (
        changed("{question: subjects, includes: math}", "{question: colour, includes: red}"),
        40,
        "needs a multi",
    ),
    "show_if equals multi": (
        changed("{question: subjects, includes: math}", "{question: subjects, equals: math}"),
        40,
        "use `includes`",
    ),
    "show_if two operators": (
        changed(
            "{question: has_ovz, equals: true}", "{question: has_ovz, equals: true, in: [true]}"
        ),
        30,
        "one of equals",
    ),
    "show_if in empty": (
        changed("{question: subjects, includes: math}", "{question: colour, in: []}"),
        40,
        "at least one",
    ),
    "show_if in on yesno": (
        changed("{question: has_ovz, equals: true}", "{question: has_ovz, in: [true]}"),
        30,
        "`in` needs",
    ),
    "show_if out of range": (
        changed("{question: subjects, includes: math}", "{question: age, equals: 40}"),
        40,
        "outside",
    ),
    "show_if form served": (
        changed("{form: teacher_student}", "{form: teacher_teacher}"),
        46,
        "not among the forms",
    ),
    "show_if form and more": (
        changed("{form: teacher_student}", "{form: teacher_student, question: age}"),
        46,
        "nothing else",
    ),
    "show_if unknown key": (
        changed("{form: teacher_student}", "{unless: age}"),
        46,
        "unknown key 'unless'",
    ),
    # match hints
    "match compare unknown": (
        changed("{key: colour, weight: 2}", "{key: colour, compare: similar}"),
        13,
        "compare 'similar'",
    ),
    "match compare unsuited": (
        changed("{key: colour, weight: 2}", "{key: colour, compare: near}"),
        13,
        "suits",
    ),
    "match weight zero": (
        changed("{key: colour, weight: 2}", "{key: colour, weight: 0}"),
        13,
        "above 0",
    ),
    "match weight high": (
        changed("{key: colour, weight: 2}", "{key: colour, weight: 11}"),
        13,
        "at most 10",
    ),
    "match tolerance": (
        changed("{key: colour, weight: 2}", "{key: colour, tolerance: 2}"),
        13,
        "only to compare: near",
    ),
    "match near range": (
        changed(
            "    min: 5\n    max: 18\n    match: {key: age, tolerance: 2}", "    match: {key: age}"
        ),
        34,
        "needs `tolerance`",
    ),
    "match key twice": (
        changed("{key: subjects, against", "{key: colour, against"),
        22,
        "used by 'colour'",
    ),
    "match private not a yes/no": (
        changed("{key: colour, weight: 2}", "{key: colour, private: maybe}"),
        13,
        "match private",
    ),
    "match key missing": (
        changed("{key: colour, weight: 2}", "{weight: 2}"),
        13,
        "'key' is missing",
    ),
    "match bad key": (changed("{key: colour, weight: 2}", "{key: Colour}"), 13, "match key"),
    "match unknown key": (
        changed("{key: colour, weight: 2}", "{key: colour, factor: 2}"),
        13,
        "'factor'",
    ),
    "match on text": (
        changed("    required: false\n", "    required: false\n    match: {key: details}\n"),
        30,
        "cannot be matched",
    ),
    "fills for a mentee": (
        changed("    text: Настроение\n", "    text: Настроение\n    fills: capacity\n"),
        40,
        "only a mentor",
    ),
    "fills unknown": (
        changed("    text: Настроение\n", "    text: Настроение\n    fills: grade\n"),
        40,
        "fills 'grade'",
    ),
}


@pytest.mark.parametrize(("text", "line", "reason"), MISTAKES.values(), ids=MISTAKES.keys())
def test_mistakes_are_named_with_their_line(text: str, line: int | None, reason: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    error = caught.value
    assert reason in error.reason
    assert error.line == line, str(error)
    assert str(error) == (f"line {line}: {error.reason}" if line else error.reason)


def test_a_valid_file_with_its_defaults() -> None:
    definition = parse_questionnaire(BASE)
    assert (definition.id, definition.version, definition.role) == (
        "sample",
        2,
        ParticipantRole.MENTEE,
    )
    assert definition.forms == (MentorshipForm.STUDENT_STUDENT, MentorshipForm.TEACHER_STUDENT)
    assert (definition.version_line, definition.forms_line) == (2, 4)
    colour, subjects, has_ovz, details, age, mood, start = definition.questions
    assert colour.match is not None
    assert (colour.match.compare, colour.match.weight, colour.match.target) == (
        Compare.EQUAL,
        2,
        "colour",
    )
    assert subjects.match is not None
    assert (subjects.min, subjects.max, subjects.match.compare) == (1, 2, Compare.OVERLAP)
    assert subjects.match.target == "strengths"
    assert subjects.text.get("en") == "Предметы", "English falls back to Russian"
    assert colour.text.get("en") == "Colour"
    assert has_ovz.required
    assert not details.required
    assert details.max_length == 500
    assert age.match is not None
    assert (age.min, age.max, age.integer, age.match.compare, age.match.tolerance) == (
        5,
        18,
        True,
        Compare.NEAR,
        2,
    )
    assert (mood.min, mood.max) == (1, 5)
    assert start.date_bounds(date(2026, 5, 1)) == (date(2026, 1, 1), date(2026, 5, 1))
    assert colour.label("ru") == "Цвет"


def test_yaml_words_stay_words() -> None:
    """`no`, `yes` and `on` are booleans in YAML 1.1; ids and texts keep them as written."""
    text = changed("{id: red, text: Красный}", "{id: no, text: {ru: Нет, en: No}}")
    text = text.replace("{id: blue, text: Синий}", "{id: yes, text: {ru: Да, en: Yes}}")
    colour = parse_questionnaire(text).questions[0]
    assert [(o.id, o.text.get("en")) for o in colour.options] == [("no", "No"), ("yes", "Yes")]


def test_a_scale_can_run_from_zero_to_ten_and_a_number_may_be_fractional() -> None:
    text = changed("    text: Настроение\n", "    text: Настроение\n    min: 0\n    max: 10\n")
    text = text.replace(
        "    min: 5\n    max: 18\n", "    integer: false\n    min: 0.5\n    max: 2.5\n"
    )
    definition = parse_questionnaire(text)
    age, mood = definition.questions[4:6]
    assert (mood.min, mood.max) == (0, 10)
    assert (age.min, age.max, age.integer) == (0.5, 2.5, False)
    assert age.match is not None
    assert age.match.tolerance == 2
    assert age.accepts(1.5)
    assert not age.accepts(3)


def test_visibility_follows_earlier_answers_and_the_form() -> None:
    definition = parse_questionnaire(BASE)

    def shown(answers: dict[str, object], form: MentorshipForm | None) -> list[str]:
        return [q.id for q in definition.visible(answers, form)]

    student = MentorshipForm.STUDENT_STUDENT
    assert shown({}, student) == ["colour", "subjects", "has_ovz", "age"]
    assert shown({"has_ovz": True, "subjects": ["art", "math"]}, student) == [
        "colour",
        "subjects",
        "has_ovz",
        "details",
        "age",
        "mood",
    ]
    assert "details" not in shown({"has_ovz": 1}, student), "True is not 1"
    assert "details" not in shown({"has_ovz": None}, student), "a skip is not a yes"
    assert shown({}, MentorshipForm.TEACHER_STUDENT)[-1] == "start"
    assert shown({}, None)[-1] == "start", "no form known: form conditions hold"


def test_an_answer_to_a_hidden_question_does_not_count() -> None:
    chain = parse_questionnaire(
        """
id: chain
version: 1
role: mentor
forms: student_student
title: Цепочка
questions:
  - {id: a, type: yesno, text: А}
  - id: b
    type: single
    text: Б
    options: [{id: x, text: X}, {id: y, text: Y}]
    show_if: {question: a, equals: true}
  - {id: c, type: text, text: В, show_if: {question: b, in: [x]}}
"""
    )
    assert [q.id for q in chain.visible({"a": True, "b": "x"}, None)] == ["a", "b", "c"]
    assert [q.id for q in chain.visible({"a": False, "b": "x"}, None)] == ["a"]


def test_stored_answers_that_no_longer_fit_are_ignored() -> None:
    definition = parse_questionnaire(BASE)
    stored = {
        "colour": "green",
        "subjects": ["math", "art", "music"],
        "has_ovz": "yes",
        "details": None,
        "age": 12,
        "mood": True,
        "start": "2026-13-01",
        "gone": 1,
    }
    assert definition.valid_answers(stored) == {"details": None, "age": 12}
    assert definition.features({"colour": "red", "subjects": None, "age": 12}, None) == {
        "colour": "red",
        "age": 12,
    }


# --- the built-in questionnaires -----------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin() -> dict[str, QuestionnaireDef]:
    """The built-in intake questionnaires."""
    everything = load_builtin(QUESTIONNAIRES_DIR)
    return {key: d for key, d in everything.items() if d.purpose is Purpose.INTAKE}


def test_the_four_built_in_questionnaires_parse(builtin: dict[str, QuestionnaireDef]) -> None:
    assert set(builtin) == {"mentee-student", "mentor-student", "mentee-teacher", "mentor-teacher"}
    for key, definition in builtin.items():
        assert 8 <= len(definition.questions) <= 14, key
        assert any(q.show_if for q in definition.questions), key
        assert sum(q.match is not None for q in definition.questions) >= 5, key
        texts = [definition.title]
        for question in definition.questions:
            texts += [question.text, *(option.text for option in question.options)]
            assert question.short is not None, (key, question.id)
            texts.append(question.short)
        assert all(text.en for text in texts), f"{key}: every text has an English version"


def test_every_role_and_form_has_exactly_one_built_in(builtin: dict[str, QuestionnaireDef]) -> None:
    for role, form in product(ParticipantRole, MentorshipForm):
        serving = [key for key, d in builtin.items() if d.serves(role, form)]
        assert len(serving) == 1, (role, form, serving)


def test_mentee_hints_meet_a_mentor_answer_with_the_same_options(
    builtin: dict[str, QuestionnaireDef],
) -> None:
    """What the matching compares exists on the other side, in the same forms, same option ids."""
    mentees = [d for d in builtin.values() if d.role is ParticipantRole.MENTEE]
    mentors = [d for d in builtin.values() if d.role is ParticipantRole.MENTOR]
    pairs = 0
    for mentee, mentor in product(mentees, mentors):
        shared = set(mentee.forms) & set(mentor.forms)
        if not shared:
            continue
        by_key = {q.match.key: q for q in mentor.questions if q.match is not None}
        for question in mentee.questions:
            if question.match is None:
                continue
            where = f"{mentee.id}.{question.id} → {mentor.id}"
            other = by_key.get(question.match.target)
            assert other is not None, where
            if other.show_if is not None and other.show_if.op == "form":
                assert shared <= set(other.show_if.values), where
            if question.type in CHOICE_TYPES:
                assert other.type in CHOICE_TYPES, where
                assert {o.id for o in question.options} == {o.id for o in other.options}, where
            pairs += 1
    assert pairs >= 20


def test_health_answers_are_private_matching_hints(builtin: dict[str, QuestionnaireDef]) -> None:
    """Special-category data count in the score but are never named in a pair's reasons."""
    private = {
        (key, question.id)
        for key, definition in builtin.items()
        for question in definition.questions
        if question.match is not None and question.match.private
    }
    assert ("mentee-student", "ovz_support") in private
    public = [
        (key, question.id)
        for key, definition in builtin.items()
        for question in definition.questions
        if question.match is not None
        and not question.match.private
        and question.match.key in {"support_needs", "support_ready"}
    ]
    assert public == []


def test_a_broken_or_misnamed_built_in_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "mentee-x.yaml").write_text(BASE, encoding="utf-8")
    with pytest.raises(QuestionnaireError, match="must match the file name"):
        load_builtin(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "sample.yaml").write_text(changed("version: 2", "version: x"), encoding="utf-8")
    with pytest.raises(QuestionnaireError, match=r"^line 2: sample.yaml: version"):
        load_builtin(broken)


# --- surveys -------------------------------------------------------------------------------------

SURVEY = """\
id: pulse-sample
version: 1
purpose: pulse
role: mentee
forms: [student_student]
title: Опрос
questions:
  - id: satisfaction
    type: scale
    text: Как встречи?
    min: 1
    max: 5
  - id: nps
    type: scale
    text: Посоветуете?
    min: 0
    max: 10
  - id: obstacles
    type: multi
    text: Что мешает?
    options:
      - {id: nothing, text: Ничего}
      - {id: time, text: Время}
"""


def survey(old: str, new: str) -> str:
    assert old in SURVEY, old
    return SURVEY.replace(old, new, 1)


NPS_HIDDEN = "    text: Посоветуете?\n    show_if: {form: student_student}\n"
WITH_MATCH = "      - {id: time, text: Время}\n    match: {key: obstacles}\n"
SURVEY_MISTAKES: dict[str, tuple[str, int | None, str]] = {
    "unknown purpose": (survey("purpose: pulse", "purpose: weekly"), 3, "purpose 'weekly'"),
    "purpose list": (survey("purpose: pulse", "purpose: [pulse]"), 3, "single value"),
    "no satisfaction": (
        survey("  - id: satisfaction", "  - id: happiness"),
        8,
        "a pulse survey needs a question 'satisfaction' (type: scale, min: 1, max: 5)",
    ),
    "no nps": (
        survey("purpose: pulse", "purpose: final").replace("id: nps", "id: recommend"),
        8,
        "a final survey needs a question 'nps' (type: scale, min: 0, max: 10)",
    ),
    "nps from one": (
        survey("    min: 0\n    max: 10", "    min: 1\n    max: 10"),
        13,
        "question 'nps': in a survey it must be a scale from 0 to 10",
    ),
    "satisfaction typed": (
        survey("    type: scale\n    text: Как встречи?", "    type: number\n    text: Как?"),
        8,
        "question 'satisfaction': in a survey it must be a scale from 1 to 5",
    ),
    "satisfaction optional": (
        survey("    text: Как встречи?\n", "    text: Как встречи?\n    required: false\n"),
        8,
        "question 'satisfaction': in a survey everyone answers it",
    ),
    "nps hidden": (
        survey("    text: Посоветуете?\n", NPS_HIDDEN),
        13,
        "question 'nps': in a survey everyone answers it",
    ),
    "match in a survey": (
        survey("      - {id: time, text: Время}\n", WITH_MATCH),
        24,
        "a pulse survey is not used for matching; remove `match`",
    ),
    "fills in a survey": (
        survey("role: mentee", "role: mentor").replace("max: 5\n", "max: 5\n    fills: capacity\n"),
        13,
        "only an intake questionnaire fills capacity",
    ),
}


@pytest.mark.parametrize(
    ("text", "line", "reason"), SURVEY_MISTAKES.values(), ids=SURVEY_MISTAKES.keys()
)
def test_survey_mistakes_are_named_with_their_line(
    text: str, line: int | None, reason: str
) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        parse_questionnaire(text)
    assert reason in caught.value.reason
    assert caught.value.line == line, str(caught.value)


def test_the_purpose_defaults_to_intake_and_decides_what_a_file_serves() -> None:
    intake = parse_questionnaire(BASE)
    assert intake.purpose is Purpose.INTAKE
    assert parse_questionnaire(changed("role: mentee", "purpose: intake\nrole: mentee")) == intake
    pulse = parse_questionnaire(SURVEY)
    assert pulse.purpose is Purpose.PULSE
    form = MentorshipForm.STUDENT_STUDENT
    assert intake.serves(ParticipantRole.MENTEE, form)
    assert not pulse.serves(ParticipantRole.MENTEE, form), "the default is the intake"
    assert pulse.serves(ParticipantRole.MENTEE, form, Purpose.PULSE)
    assert not pulse.serves(ParticipantRole.MENTEE, form, Purpose.FINAL)
    final = parse_questionnaire(survey("purpose: pulse", "purpose: final"))
    assert final.serves(ParticipantRole.MENTEE, form, Purpose.FINAL)
    nps = pulse.question("nps")
    assert nps is not None
    assert (nps.min, nps.max, nps.accepts(0), nps.accepts(10), nps.accepts(11)) == (
        0,
        10,
        True,
        True,
        False,
    )


def test_the_four_built_in_surveys_parse() -> None:
    surveys = {
        key: d for key, d in load_builtin(QUESTIONNAIRES_DIR).items() if d.purpose != "intake"
    }
    assert set(surveys) == {"pulse-mentee", "pulse-mentor", "final-mentee", "final-mentor"}
    for role, form, purpose in product(
        ParticipantRole, MentorshipForm, (Purpose.PULSE, Purpose.FINAL)
    ):
        serving = [key for key, d in surveys.items() if d.serves(role, form, purpose)]
        assert serving == [f"{purpose}-{role}"], (role, form, purpose)
    for key, definition in surveys.items():
        assert 3 <= len(definition.questions) <= 6, key
        ids = [q.id for q in definition.questions]
        assert ids[:2] == ["satisfaction", "nps"], key
        texts = [definition.title]
        for question in definition.questions:
            assert question.match is None, (key, question.id)
            assert question.fills is None, (key, question.id)
            assert question.short is not None, (key, question.id)
            texts += [question.text, question.short, *(option.text for option in question.options)]
        assert all(text.en for text in texts), f"{key}: every text has an English version"
        comment = definition.question("comment")
        assert comment is not None, key
        assert (comment.type, comment.required) == ("text", False), key
    for key, question_id in (("final-mentee", "become_mentor"), ("final-mentor", "mentor_again")):
        yesno = surveys[key].question(question_id)
        assert yesno is not None, key
        assert (yesno.type, yesno.required) == ("yesno", True)
    for key in ("final-mentee", "final-mentor"):
        results = surveys[key].question("results")
        assert results is not None, key
        assert {"grades", "project", "skills", "confidence"} <= {o.id for o in results.options}
    for key in ("pulse-mentee", "pulse-mentor"):
        obstacles = surveys[key].question("obstacles")
        assert obstacles is not None, key
        assert {"nothing", "time", "contact", "motivation", "topics"} <= {
            o.id for o in obstacles.options
        }


# --- typed answers -------------------------------------------------------------------------------


def test_numbers_are_read_as_people_type_them() -> None:
    age = parse_questionnaire(BASE).question("age")
    assert age is not None
    assert parse_number(age, " 12 ") == 12
    for typed, text_id in [
        ("12.5", "questionnaire-number-whole"),
        ("1e3", "questionnaire-number-invalid"),
        ("двенадцать", "questionnaire-number-invalid"),
        ("1" * 40, "questionnaire-number-invalid"),
        ("19", "questionnaire-number-range"),
    ]:
        with pytest.raises(Invalid) as caught:
            parse_number(age, typed)
        assert caught.value.text_id == text_id, typed
    fractional = parse_questionnaire(
        changed("    min: 5\n    max: 18\n", "    integer: false\n    min: 0\n")
    ).question("age")
    assert fractional is not None
    assert parse_number(fractional, "2,5") == 2.5
    assert parse_number(fractional, "1 000") == 1000
    with pytest.raises(Invalid) as caught:
        parse_number(fractional, "-1", locale="ru")
    assert (caught.value.text_id, caught.value.params) == ("questionnaire-number-min", {"min": "0"})


def test_dates_are_read_and_checked_against_dates_and_ages() -> None:
    start = parse_questionnaire(BASE).question("start")
    assert start is not None
    today = date(2026, 9, 1)
    assert parse_date(start, "1.9.2026", today=today) == today
    assert parse_date(start, "2026-03-14", today=today) == date(2026, 3, 14)
    for typed, text_id in [
        ("2026/03/14", "questionnaire-date-invalid"),
        ("31.04.2026", "questionnaire-date-invalid"),
        ("31.12.2025", "questionnaire-date-early"),
        ("02.09.2026", "questionnaire-date-late"),
    ]:
        with pytest.raises(Invalid) as caught:
            parse_date(start, typed, today=today)
        assert caught.value.text_id == text_id, typed
    born = parse_questionnaire(
        changed("    min: 2026-01-01\n    max: today\n", "    min_age: 10\n    max_age: 17\n")
    ).question("start")
    assert born is not None
    assert born.date_bounds(today) == (date(2008, 9, 2), date(2016, 9, 1))
    assert parse_date(born, "01.09.2016", today=today) == date(2016, 9, 1)
    with pytest.raises(Invalid) as caught:
        parse_date(born, "02.09.2016", today=today)
    assert caught.value.params == {"date": "01.09.2016"}

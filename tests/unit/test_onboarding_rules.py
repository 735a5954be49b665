"""The rules of joining as plain functions: who consents at which age, which profile a role and a
form call for, what comes next, and how typed answers are read."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogs.engine import Invalid
from bot.dialogs.onboarding import parse_birth_date, parse_full_name, parse_grade, parse_text
from bot.services import Policy
from bot.services.enrolment import (
    ConsentNeed,
    Next,
    ProfileKind,
    age_on,
    consent_need,
    next_step,
    profile_kind,
    text_hash,
)
from storage import ConsentStatus, MentorshipForm, ParticipantRole, ParticipantStatus

MENTEE, MENTOR = ParticipantRole.MENTEE, ParticipantRole.MENTOR
GRANTED, REFUSED = ConsentStatus.GRANTED, ConsentStatus.REFUSED
ONBOARDING = ParticipantStatus.ONBOARDING
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("form", "role", "kind"),
    [
        (MentorshipForm.STUDENT_STUDENT, MENTEE, ProfileKind.STUDENT),
        (MentorshipForm.STUDENT_STUDENT, MENTOR, ProfileKind.STUDENT),
        (MentorshipForm.TEACHER_STUDENT, MENTEE, ProfileKind.STUDENT),
        (MentorshipForm.TEACHER_STUDENT, MENTOR, ProfileKind.TEACHER),
        (MentorshipForm.TEACHER_TEACHER, MENTEE, ProfileKind.TEACHER),
        (MentorshipForm.TEACHER_TEACHER, MENTOR, ProfileKind.TEACHER),
        (MentorshipForm.EMPLOYER_STUDENT, MENTEE, ProfileKind.STUDENT),
        (MentorshipForm.EMPLOYER_STUDENT, MENTOR, ProfileKind.EXTERNAL),
        (MentorshipForm.GRADUATE_STUDENT, MENTOR, ProfileKind.EXTERNAL),
    ],
)
def test_profile_kind_by_form_and_role(
    form: MentorshipForm, role: ParticipantRole, kind: ProfileKind
) -> None:
    assert profile_kind(form, role) is kind


@pytest.mark.parametrize(
    ("age", "need"),
    [
        (6, ConsentNeed.PARENT),
        (13, ConsentNeed.PARENT),
        (14, ConsentNeed.SELF_AND_PARENT),
        (17, ConsentNeed.SELF_AND_PARENT),
        (18, ConsentNeed.SELF),
        (40, ConsentNeed.SELF),
    ],
)
def test_who_consents_by_age(age: int, need: ConsentNeed) -> None:
    assert consent_need(age, Policy()) is need


def test_thresholds_come_from_the_policy() -> None:
    assert consent_need(15, Policy(self_consent_age=16)) is ConsentNeed.PARENT
    assert consent_need(17, Policy(adult_age=17)) is ConsentNeed.SELF


def test_age_counts_full_years() -> None:
    assert age_on(date(2012, 11, 23), TODAY) == 14, "the birthday itself counts"
    assert age_on(date(2012, 11, 24), TODAY) == 13
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


def step(
    kind: ProfileKind = ProfileKind.STUDENT,
    missing: tuple[str, ...] = (),
    need: ConsentNeed | None = ConsentNeed.PARENT,
    own: ConsentStatus | None = None,
    parent: ConsentStatus | None = None,
    status: ParticipantStatus = ONBOARDING,
    *,
    done: bool = False,
) -> Next:
    return next_step(
        status,
        kind=kind,
        missing=missing,
        need=need,
        own=own,
        parent=parent,
        questionnaire_done=done,
    )


def test_next_step_for_students() -> None:
    assert step(missing=("full_name", "grade", "birth_date"), need=None) is Next.FULL_NAME
    assert step(missing=("birth_date",), need=None) is Next.BIRTH_DATE
    assert step(need=ConsentNeed.PARENT) is Next.PARENT_CONSENT
    assert step(need=ConsentNeed.SELF_AND_PARENT) is Next.OWN_CONSENT
    assert step(need=ConsentNeed.SELF_AND_PARENT, own=GRANTED) is Next.PARENT_CONSENT
    assert step(need=ConsentNeed.SELF_AND_PARENT, own=GRANTED, parent=REFUSED) is (
        Next.PARENT_CONSENT
    )
    assert step(need=ConsentNeed.PARENT, parent=GRANTED) is Next.QUESTIONNAIRE
    assert step(need=ConsentNeed.SELF, own=GRANTED, done=True) is Next.COMPLETE


def test_next_step_for_adults_consent_comes_first() -> None:
    teacher = ProfileKind.TEACHER
    assert step(teacher, ("full_name",), ConsentNeed.SELF) is Next.OWN_CONSENT
    assert step(teacher, ("subject",), ConsentNeed.SELF, GRANTED) is Next.SUBJECT
    assert step(teacher, (), ConsentNeed.SELF, GRANTED) is Next.QUESTIONNAIRE


def test_next_step_by_status() -> None:
    assert step(status=ParticipantStatus.CONSENT_PENDING) is Next.WAITING
    assert step(status=ParticipantStatus.DECLINED) is Next.DECLINED
    assert step(status=ParticipantStatus.LEFT) is Next.GONE
    assert step(status=ParticipantStatus.REMOVED) is Next.GONE
    assert step(status=ParticipantStatus.MATCHED) is Next.READY


def test_text_hash_is_sha256_of_the_exact_text() -> None:
    assert text_hash("Согласие") != text_hash("Согласие ")
    assert len(text_hash("x")) == 64


@pytest.mark.parametrize(
    ("typed", "grade"),
    [
        ("6Б", "6Б"),
        ("6 б", "6Б"),
        ("6-б", "6Б"),
        ("10 «А»", "10А"),
        ('10 "а"', "10А"),
        ("6б класс", "6Б"),
        ("11 класс", "11"),
        ("11", "11"),
        ("7B", "7B"),
    ],
)
def test_grades(typed: str, grade: str) -> None:
    assert parse_grade(typed) == grade


@pytest.mark.parametrize("typed", ["", "12А", "0", "шестой", "6 ББ"])
def test_bad_grades(typed: str) -> None:
    with pytest.raises(Invalid):
        parse_grade(typed)


def test_birth_dates() -> None:
    assert parse_birth_date("14.03.2014", today=TODAY) == date(2014, 3, 14)
    assert parse_birth_date("1/9/2007", today=TODAY) == date(2007, 9, 1)
    assert parse_birth_date("01 09 2007", today=TODAY) == date(2007, 9, 1)
    for typed, reason in (
        ("31.02.2014", "onboarding-birth-date-invalid"),
        ("2014-03-14", "onboarding-birth-date-invalid"),
        ("14.03.2024", "onboarding-birth-date-out-of-range"),
        ("14.03.1900", "onboarding-birth-date-out-of-range"),
    ):
        with pytest.raises(Invalid) as error:
            parse_birth_date(typed, today=TODAY)
        assert error.value.text_id == reason


def test_names_need_a_first_name_and_a_surname() -> None:
    assert parse_full_name("  Миша   Иванов ") == "Миша Иванов"
    assert parse_full_name("Анна-Мария О'Нил") == "Анна-Мария О'Нил"
    for typed in ("Миша", "Миша 2", "@misha ivanov", "м"):
        with pytest.raises(Invalid):
            parse_full_name(typed)


def test_free_answers() -> None:
    assert parse_text(" Учитель  физики ") == "Учитель физики"
    with pytest.raises(Invalid):
        parse_text("—")

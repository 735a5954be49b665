"""The matching core: similarities, scores (scalar and numpy agree), reasons, and the assignment."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest

from bot.services.assignment import (
    Criterion,
    Pair,
    assign,
    criteria_of,
    explain,
    greedy,
    public_parts,
    score_matrix,
    score_pair,
    similarity,
    total,
)
from bot.services.policy import QUESTIONNAIRES_DIR
from bot.services.questionnaires import (
    Compare,
    Question,
    QuestionnaireDef,
    QuestionType,
    load_builtin,
)
from storage import MentorshipForm

OVERLAP = Criterion("subjects", "strong", Compare.OVERLAP, 5)
EQUAL = Criterion("format", "format", Compare.EQUAL, 2)
NEAR = Criterion("level", "level", Compare.NEAR, 1, tolerance=4)


def builtin(name: str) -> QuestionnaireDef:
    return load_builtin(QUESTIONNAIRES_DIR)[name]


# --- similarity and score of one pair ----------------------------------------------------------


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [
        (["math", "physics", "english"], ["physics", "english", "history"], 2 / 3),
        (["math"], ["math", "physics"], 1.0),
        ("math", ["math", "physics"], 1.0),  # a single answer is a one-element set
        (["math", "physics"], "physics", 0.5),
        (["math", "math", "physics"], ["math"], 0.5),  # repeated options count once
        (["math"], ["history"], 0.0),
        (["math"], None, 0.0),  # the mentor skipped the question
        (["math"], [], 0.0),
        ([], ["math"], None),  # an empty wish does not count
        (None, ["math"], None),  # the mentee skipped the question
    ],
)
def test_overlap_is_the_share_of_the_mentees_options(
    mentee: Any, mentor: Any, expected: float | None
) -> None:
    assert similarity(OVERLAP, mentee, mentor) == expected


@pytest.mark.parametrize(
    ("mentee", "mentor", "expected"),
    [
        ("online", "online", 1.0),
        ("online", "offline", 0.0),
        (True, True, 1.0),
        (False, False, 1.0),
        (True, False, 0.0),
        (True, 1, 0.0),  # bool and int are never equal
        (1, True, 0.0),
        (False, 0, 0.0),
        (3, 3, 1.0),
        (3, 3.0, 1.0),
        ("3", 3, 0.0),
        ("online", None, 0.0),
        (None, "online", None),
    ],
)
def test_equal_is_the_same_value(mentee: Any, mentor: Any, expected: float | None) -> None:
    assert similarity(EQUAL, mentee, mentor) == expected


@pytest.mark.parametrize(
    ("criterion", "mentee", "mentor", "expected"),
    [
        (NEAR, 3, 5, 0.5),
        (NEAR, 5, 3, 0.5),
        (NEAR, 2, 2, 1.0),
        (NEAR, 1, 5, 0.0),
        (NEAR, 1, 10, 0.0),  # floored at 0
        (NEAR, 2.5, 3, 0.875),
        (NEAR, 3, None, 0.0),
        (NEAR, 3, True, 0.0),  # a bool is no number
        (NEAR, True, 3, None),
        (NEAR, None, 3, None),
        (NEAR, 3, "2026-09-01", 0.0),  # a number is never near a date
        (Criterion("start", "start", Compare.NEAR, 2, 20), "2026-09-01", "2026-09-11", 0.5),
        (Criterion("start", "start", Compare.NEAR, 2, 20), "2026-09-11", "2026-09-01", 0.5),
        (Criterion("start", "start", Compare.NEAR, 2, 20), "2026-12-31", "2027-01-05", 0.75),
        (Criterion("start", "start", Compare.NEAR, 2, 20), "2026-09-01", "2026-12-01", 0.0),
        (Criterion("start", "start", Compare.NEAR, 2, 20), "2026-09-01", "soon", 0.0),
    ],
)
def test_near_is_closeness_within_the_tolerance(
    criterion: Criterion, mentee: Any, mentor: Any, expected: float | None
) -> None:
    assert similarity(criterion, mentee, mentor) == expected


def test_the_score_is_the_weighted_mean_over_the_mentees_answers() -> None:
    criteria = [OVERLAP, EQUAL, NEAR]  # weights 5, 2, 1
    mentor = {"strong": ["math"], "format": "online", "level": 3}
    # overlap 1/2, equal 1, near 1 - 2/4: (5 * 0.5 + 2 * 1 + 1 * 0.5) / 8
    mentee = {"subjects": ["math", "art"], "format": "online", "level": 1}
    assert score_pair(criteria, mentee, mentor) == pytest.approx(100 * 5 / 8)
    # A skipped question leaves the denominator; a skipped mentor answer stays in it as 0.
    assert score_pair(criteria, {"format": "online"}, mentor) == 100
    assert score_pair(criteria, {"format": "online", "level": 3}, {"level": 3}) == pytest.approx(
        100 / 3
    )
    assert score_pair(criteria, {"format": "online"}, {}) == 0
    assert score_pair(criteria, {}, mentor) == 0  # nothing answered
    assert score_pair(criteria, {"subjects": []}, mentor) == 0
    # A heavier criterion moves the score more.
    heavy = [Criterion("subjects", "strong", Compare.OVERLAP, 10), EQUAL]
    light = [Criterion("subjects", "strong", Compare.OVERLAP, 1), EQUAL]
    pair = ({"subjects": ["math"], "format": "offline"}, mentor)
    assert score_pair(heavy, *pair) == pytest.approx(100 * 10 / 12)
    assert score_pair(light, *pair) == pytest.approx(100 / 3)


def test_a_criterion_needs_a_weight_and_a_near_one_a_tolerance() -> None:
    with pytest.raises(ValueError, match="weight"):
        Criterion("a", "a", Compare.EQUAL, 0)
    with pytest.raises(ValueError, match="tolerance"):
        Criterion("a", "a", Compare.NEAR, 1)
    with pytest.raises(ValueError, match="tolerance"):
        Criterion("a", "a", Compare.NEAR, 1, tolerance=0)


def test_the_criteria_come_from_the_mentee_questionnaires_hints() -> None:
    criteria = {c.key: c for c in criteria_of(builtin("mentee-student"))}
    assert list(criteria) == [
        "interests",
        "subjects_help",
        "goals",
        "profile",
        "meeting_format",
        "times",
        "support_needs",
    ]
    assert criteria["subjects_help"] == Criterion(
        "subjects_help", "subjects_strong", Compare.OVERLAP, 5
    )
    assert criteria["interests"].target == "interests"
    assert criteria["profile"].compare is Compare.OVERLAP
    assert [key for key, c in criteria.items() if c.private] == ["support_needs"]
    # Every target is a key the mentor questionnaire provides.
    mentor_keys = {q.match.key for q in builtin("mentor-student").questions if q.match}
    assert {c.target for c in criteria.values()} <= mentor_keys
    with pytest.raises(ValueError, match="mentee"):
        criteria_of(builtin("mentor-student"))


# --- score_matrix equals score_pair ------------------------------------------------------------


def random_value(question: Question, rng: random.Random) -> Any:
    """An answer the question accepts."""
    ids = [option.id for option in question.options]
    match question.type:
        case QuestionType.SINGLE:
            return rng.choice(ids)
        case QuestionType.MULTI:
            low, high = int(question.min or 1), int(question.max or len(ids))
            return rng.sample(ids, rng.randint(low, high))
        case QuestionType.YESNO:
            return rng.random() < 0.3
        case QuestionType.NUMBER | QuestionType.SCALE:
            return rng.randint(int(question.min or 0), int(question.max or 10))
        case QuestionType.DATE:
            return (date(2026, 9, 1) + timedelta(days=rng.randint(0, 90))).isoformat()
        case QuestionType.TEXT:
            return "some words"


def random_features(
    definition: QuestionnaireDef, rng: random.Random, form: MentorshipForm
) -> dict[str, Any]:
    """The features of a random walk through the questionnaire (show_if and skips included)."""
    answers: dict[str, Any] = {}
    for question in definition.questions:
        if question.show_if is not None and not question.show_if.holds(answers, form):
            continue
        if question.required or rng.random() < 0.6:
            answers[question.id] = random_value(question, rng)
    return definition.features(answers, form)


@pytest.mark.parametrize(
    ("mentee_id", "mentor_id", "form"),
    [
        ("mentee-student", "mentor-student", MentorshipForm.STUDENT_STUDENT),
        ("mentee-student", "mentor-teacher", MentorshipForm.TEACHER_STUDENT),
        ("mentee-teacher", "mentor-teacher", MentorshipForm.TEACHER_TEACHER),
    ],
)
def test_score_matrix_equals_score_pair_on_the_builtin_questionnaires(
    mentee_id: str, mentor_id: str, form: MentorshipForm
) -> None:
    rng = random.Random(f"{mentee_id} {form}")
    criteria = criteria_of(builtin(mentee_id))
    mentees = [random_features(builtin(mentee_id), rng, form) for _ in range(40)]
    mentors = [random_features(builtin(mentor_id), rng, form) for _ in range(25)]
    mentees.append({})  # answered nothing
    mentors.append({})
    expected = np.array([[score_pair(criteria, a, b) for b in mentors] for a in mentees])
    got = score_matrix(criteria, mentees, mentors)
    assert got.shape == (41, 26)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert 0 < got.max() <= 100
    assert len(np.unique(got.round(6))) > 20  # the inputs are varied enough to mean something


def test_score_matrix_equals_score_pair_for_every_kind_of_compare() -> None:
    rng = random.Random(7)
    criteria = [
        Criterion("tags", "offers", Compare.OVERLAP, 4),
        Criterion("colour", "colour", Compare.EQUAL, 2),
        Criterion("flag", "flag", Compare.EQUAL, 1),
        Criterion("level", "level", Compare.NEAR, 1.5, tolerance=3),
        Criterion("start", "start", Compare.NEAR, 2, tolerance=30),
    ]
    pools: dict[str, list[Any]] = {
        "tags": [None, [], ["a"], ["a", "b"], "a", ["c", "b", "a"], ["b", "b"], [1, True]],
        "offers": [None, [], ["a"], ["b", "c"], "b", ["a", "b", "c", "d"], [1], [True]],
        "colour": [None, "red", "blue", 1, 1.0, True, ["red"]],
        "flag": [None, True, False, 1, 0],
        "level": [None, 1, 2.5, 4, 7, True, "2026-01-01"],
        "start": [None, "2026-09-01", "2026-09-20", "2026-10-30", 5, "soon"],
    }

    def person(keys: list[str]) -> dict[str, Any]:
        drawn = {key: rng.choice(pools[key]) for key in keys}
        return {key: value for key, value in drawn.items() if value is not None}

    mentees = [person(["tags", "colour", "flag", "level", "start"]) for _ in range(60)]
    mentors = [person(["offers", "colour", "flag", "level", "start"]) for _ in range(40)]
    expected = np.array([[score_pair(criteria, a, b) for b in mentors] for a in mentees])
    np.testing.assert_allclose(score_matrix(criteria, mentees, mentors), expected, atol=1e-9)


def test_score_matrix_of_nobody_is_empty() -> None:
    assert score_matrix([OVERLAP], [], [{"strong": ["math"]}]).shape == (0, 1)
    assert score_matrix([OVERLAP], [{"subjects": ["math"]}], []).shape == (1, 0)
    assert score_matrix([], [{"subjects": ["math"]}], [{}]).tolist() == [[0.0]]


# --- the reasons of a pair ---------------------------------------------------------------------


def test_explain_orders_the_parts_and_marks_health_private() -> None:
    criteria = criteria_of(builtin("mentee-student"))
    mentee = {
        "interests": ["music", "sport", "games"],  # weight 3, 2/3
        "subjects_help": ["math", "physics"],  # weight 5, 1/2
        "goals": ["exams"],  # weight 4, 1
        "meeting_format": ["online"],  # weight 2, 0
        "support_needs": ["quiet_place"],  # weight 2, 1, private
    }
    mentor = {
        "interests": ["sport", "music", "art"],
        "subjects_strong": ["physics", "history"],
        "can_help": ["exams", "grades"],
        "meeting_format": ["offline"],
        "support_ready": ["quiet_place", "online"],
    }
    parts = explain(criteria, mentee, mentor)
    assert [part.key for part in parts] == [
        "goals",  # 4
        "subjects_help",  # 2.5
        "interests",  # 2
        "support_needs",  # 2, after interests in the questionnaire's order
        "meeting_format",  # 0
    ]
    by_key = {part.key: part for part in parts}
    assert by_key["interests"].common == ("music", "sport")  # in the mentee's order
    assert by_key["subjects_help"].common == ("physics",)
    assert by_key["meeting_format"].common == ()
    assert by_key["subjects_help"].similarity == 0.5
    assert by_key["subjects_help"].weight == 5
    assert [part.key for part in parts if part.private] == ["support_needs"]
    assert sum(part.points for part in parts) == pytest.approx(score_pair(criteria, mentee, mentor))
    assert by_key["goals"].points == pytest.approx(100 * 4 / 16)
    public = public_parts(parts)
    assert [part.key for part in public] == [
        "goals",
        "subjects_help",
        "interests",
        "meeting_format",
    ]


def test_explain_leaves_out_what_the_mentee_did_not_answer() -> None:
    parts = explain([OVERLAP, EQUAL, NEAR], {"format": "online"}, {"format": "online"})
    assert [(part.key, part.similarity, part.points) for part in parts] == [("format", 1.0, 100.0)]
    assert explain([OVERLAP], {}, {"strong": ["math"]}) == []


# --- the assignment ----------------------------------------------------------------------------


def test_the_assignment_beats_first_come_first_served() -> None:
    scores = np.array([[90.0, 80.0], [85.0, 10.0]])
    assert greedy(scores, [1, 1], 0) == [(0, 0), (1, 1)]
    assert total(scores, greedy(scores, [1, 1], 0)) == 100
    assert assign(scores, [1, 1], 0) == [(0, 1), (1, 0)]
    assert total(scores, assign(scores, [1, 1], 0)) == 165
    # With a threshold greedy leaves the second mentee out; the optimum still pairs both.
    assert greedy(scores, [1, 1], 40) == [(0, 0)]
    assert assign(scores, [1, 1], 40) == [(0, 1), (1, 0)]


def test_a_mentee_nobody_fits_stays_unmatched() -> None:
    scores = np.array([[70.0, 60.0], [30.0, 20.0], [50.0, 90.0], [0.0, 0.0]])
    allowed = np.array([[True, True], [True, True], [False, True], [True, True]])
    pairs = assign(scores, [2, 2], 40, allowed)
    assert pairs == [(0, 0), (2, 1)]
    # A pair exactly at the threshold is made; a score of 0 is no match even with no threshold.
    assert assign([[40.0, 39.9]], [1, 1], 40) == [(0, 0)]
    assert greedy([[39.9, 40.0]], [1, 1], 40) == [(0, 1)]
    assert (3, 0) not in assign(scores, [3, 3], 0)
    assert 3 not in dict(greedy(scores, [3, 3], 0))


def test_capacity_zero_gets_nobody_and_a_group_is_a_repeated_mentor() -> None:
    scores = np.array([[95.0, 60.0], [90.0, 55.0], [85.0, 50.0], [80.0, 45.0]])
    assert assign(scores, [0, 4], 0) == [(0, 1), (1, 1), (2, 1), (3, 1)]
    assert greedy(scores, [0, 4], 0) == [(0, 1), (1, 1), (2, 1), (3, 1)]
    assert assign(scores, [3, 0], 0) == [(0, 0), (1, 0), (2, 0)]
    assert assign(scores, [0, 0], 0) == []
    assert greedy(scores, [0, 0], 0) == []
    assert assign(np.zeros((0, 3)), [1, 1, 1], 0) == []
    assert assign(np.zeros((3, 0)), [], 0) == []
    assert greedy(np.zeros((3, 0)), [], 0) == []


def brute_force(scores: np.ndarray, capacities: list[int], threshold: float, allowed: Any) -> float:
    """The best total over every way of pairing the mentees (or not)."""
    n, m = scores.shape
    free = list(capacities)
    best = 0.0

    def walk(mentee: int, gained: float) -> None:
        nonlocal best
        if mentee == n:
            best = max(best, gained)
            return
        walk(mentee + 1, gained)
        for mentor in range(m):
            score = float(scores[mentee, mentor])
            if free[mentor] and allowed[mentee, mentor] and score >= threshold:
                free[mentor] -= 1
                walk(mentee + 1, gained + score)
                free[mentor] += 1

    walk(0, 0.0)
    return best


def check_feasible(
    pairs: list[Pair], scores: np.ndarray, capacities: list[int], threshold: float, allowed: Any
) -> None:
    mentees = [mentee for mentee, _ in pairs]
    assert len(mentees) == len(set(mentees)), "a mentee paired twice"
    for mentor, count in Counter(mentor for _, mentor in pairs).items():
        assert count <= capacities[mentor], "over capacity"
    for mentee, mentor in pairs:
        assert allowed[mentee, mentor], "a forbidden pair"
        assert scores[mentee, mentor] >= threshold, "a pair below the threshold"
        assert scores[mentee, mentor] > 0, "a pair with nothing in common"


def test_the_assignment_is_optimal_and_feasible_on_random_small_programs() -> None:
    rng = np.random.default_rng(2026)
    beaten = 0
    for case in range(300):
        n, m = int(rng.integers(1, 7)), int(rng.integers(1, 5))
        scores = rng.integers(0, 101, size=(n, m)).astype(float)
        if case % 3 == 0:
            scores = rng.random((n, m)) * 100
        capacities = rng.integers(0, 3, size=m).tolist()
        threshold = float(rng.choice([0, 20, 40, 60, 80]))
        allowed = rng.random((n, m)) > 0.2
        pairs = assign(scores, capacities, threshold, allowed)
        baseline = greedy(scores, capacities, threshold, allowed)
        check_feasible(pairs, scores, capacities, threshold, allowed)
        check_feasible(baseline, scores, capacities, threshold, allowed)
        best = brute_force(scores, capacities, threshold, allowed)
        assert total(scores, pairs) == pytest.approx(best), f"case {case}"
        assert total(scores, baseline) <= best + 1e-9
        assert pairs == sorted(pairs)
        assert assign(scores, capacities, threshold, allowed) == pairs  # deterministic
        beaten += total(scores, baseline) < best - 1e-9
    assert beaten > 10  # the instances are hard enough for greedy to lose


def test_the_assignment_checks_its_inputs() -> None:
    scores = np.array([[50.0, 60.0]])
    with pytest.raises(ValueError, match="capacities"):
        assign(scores, [1], 0)
    with pytest.raises(ValueError, match="capacities"):
        assign(scores, [1, -1], 0)
    with pytest.raises(ValueError, match="whole"):
        greedy(scores, [1, 1.5], 0)
    with pytest.raises(ValueError, match="allowed"):
        assign(scores, [1, 1], 0, np.array([[1, 0]]))
    with pytest.raises(ValueError, match="allowed"):
        assign(scores, [1, 1], 0, np.array([[True, False, True]]))
    with pytest.raises(ValueError, match="scores"):
        assign(np.array([50.0, 60.0]), [1, 1], 0)
    with pytest.raises(ValueError, match="scores"):
        assign(np.array([[np.nan, 60.0]]), [1, 1], 0)

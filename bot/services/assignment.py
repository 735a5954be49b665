"""The pure core of pair matching: scores from questionnaire features, and the assignment.

No database and no messenger: bot/services/matching.py loads the participants and their features
(`QuestionnaireDef.features`) and calls these functions.

The score of a mentee and a mentor (0..100) is the weighted mean of per-criterion similarities
in [0, 1] over the criteria the mentee answered; the mentee questionnaire's matching hints are
the criteria (`criteria_of`), each naming the mentee's key and the mentor's key it is compared
with. A missing mentor answer counts as similarity 0; a mentee who answered nothing scores 0.

- overlap: |A ∩ B| / |A|, A the mentee's options (a single value is a one-element set); an empty
  A skips the criterion.
- equal: 1 for the same value, else 0 (True and 1 are different values; 1 and 1.0 are the same).
- near: max(0, 1 - |a - b| / tolerance); dates (ISO "YYYY-MM-DD") count in days, and a date is
  never near a number.

`score_pair` is the definition; `score_matrix` computes the same for whole cohorts with numpy.
`assign` maximises the program's total score with capacities, a threshold and a mask of allowed
pairs; `greedy` is the first-come baseline it is measured against.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from bot.services.questionnaires import JSON, Compare, QuestionnaireDef
from storage import ParticipantRole

Features = Mapping[str, JSON]
Matrix = npt.NDArray[np.float64]
Pair = tuple[int, int]

# The kinds of a position on a line for `near`: a number is never near a date.
_NUMBER, _DATE = 1, 2


@dataclass(frozen=True, slots=True)
class Criterion:
    """One matching criterion: the mentee's answer `key` compared with the mentor's `target`."""

    key: str
    target: str
    compare: Compare
    weight: float = 1
    tolerance: float | None = None
    # Special-category data (health): counts in the score, never named in a pair's reasons.
    private: bool = False

    def __post_init__(self) -> None:
        if not (math.isfinite(self.weight) and self.weight > 0):
            raise ValueError(f"criterion {self.key}: the weight must be above 0")
        if self.compare is Compare.NEAR and not (
            self.tolerance is not None and math.isfinite(self.tolerance) and self.tolerance > 0
        ):
            raise ValueError(f"criterion {self.key}: compare near needs a tolerance above 0")


@dataclass(frozen=True, slots=True)
class Part:
    """One criterion's contribution to a pair's score, for the pair's reasons."""

    key: str
    similarity: float
    weight: float
    # The part's share of the 0..100 score; a pair's parts add up to its score.
    points: float
    # overlap: the mentee's options the mentor also has, in the mentee's order.
    common: tuple[str, ...]
    private: bool


def criteria_of(mentee_def: QuestionnaireDef) -> list[Criterion]:
    """The criteria of the mentee questionnaire's matching hints, in question order."""
    if mentee_def.role is not ParticipantRole.MENTEE:
        raise ValueError(f"{mentee_def.id}: the criteria come from a mentee questionnaire")
    return [
        Criterion(
            key=hint.key,
            target=hint.target,
            compare=hint.compare,
            weight=hint.weight,
            tolerance=hint.tolerance,
            private=hint.private,
        )
        for question in mentee_def.questions
        if (hint := question.match) is not None
    ]


# --- one pair: the definition ------------------------------------------------------------------


def _token(value: JSON) -> Hashable:
    """A hashable stand-in for a value under which True and 1 differ (1 and 1.0 do not)."""
    if isinstance(value, list | tuple | set | frozenset):
        return ("set", frozenset(_token(item) for item in value))
    if isinstance(value, dict):
        return ("map", repr(sorted(value.items(), key=repr)))
    return (isinstance(value, bool), value)


def _items(value: JSON) -> list[JSON]:
    """The distinct options of an answer, in its order: a single value is one option."""
    if value is None:
        return []
    seen: dict[Hashable, JSON] = {}
    for item in value if isinstance(value, list | tuple) else [value]:
        seen.setdefault(_token(item), item)
    return list(seen.values())


def _position(value: JSON) -> tuple[int, float] | None:
    """A number or an ISO date as a point on a line (dates in days), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return (_NUMBER, float(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return _DATE, float(date.fromisoformat(value).toordinal())
        except ValueError:
            return None
    return None


def similarity(criterion: Criterion, mentee_value: JSON, mentor_value: JSON) -> float | None:
    """The similarity in [0, 1] of two answers; None when the mentee's answer does not count."""
    if mentee_value is None:
        return None
    match criterion.compare:
        case Compare.OVERLAP:
            wanted = [_token(item) for item in _items(mentee_value)]
            if not wanted:
                return None
            offered = {_token(item) for item in _items(mentor_value)}
            return sum(token in offered for token in wanted) / len(wanted)
        case Compare.EQUAL:
            same = mentor_value is not None and _token(mentee_value) == _token(mentor_value)
            return float(same)
        case Compare.NEAR:
            assert criterion.tolerance is not None  # checked by Criterion
            mine, theirs = _position(mentee_value), _position(mentor_value)
            if mine is None:
                return None
            if theirs is None or theirs[0] != mine[0]:
                return 0.0
            return max(0.0, 1 - abs(mine[1] - theirs[1]) / criterion.tolerance)


def score_pair(criteria: Sequence[Criterion], mentee: Features, mentor: Features) -> float:
    """The score 0..100 of one pair: the weighted mean similarity over the mentee's answers."""
    gained = answered = 0.0
    for criterion in criteria:
        value = similarity(criterion, mentee.get(criterion.key), mentor.get(criterion.target))
        if value is not None:
            gained += criterion.weight * value
            answered += criterion.weight
    return 100 * gained / answered if answered else 0.0


def explain(criteria: Sequence[Criterion], mentee: Features, mentor: Features) -> list[Part]:
    """The contributions of the mentee's answered criteria to one pair's score, largest first."""
    found: list[tuple[Criterion, float]] = []
    for criterion in criteria:
        value = similarity(criterion, mentee.get(criterion.key), mentor.get(criterion.target))
        if value is not None:
            found.append((criterion, value))
    answered = sum(criterion.weight for criterion, _ in found)
    parts: list[Part] = []
    for criterion, value in found:
        common: tuple[str, ...] = ()
        if criterion.compare is Compare.OVERLAP:
            offered = {_token(item) for item in _items(mentor.get(criterion.target))}
            common = tuple(
                str(item) for item in _items(mentee.get(criterion.key)) if _token(item) in offered
            )
        parts.append(
            Part(
                key=criterion.key,
                similarity=value,
                weight=criterion.weight,
                points=100 * criterion.weight * value / answered,
                common=common,
                private=criterion.private,
            )
        )
    # sorted() is stable: equal contributions keep the questionnaire's order.
    return sorted(parts, key=lambda part: -part.weight * part.similarity)


def public_parts(parts: Iterable[Part]) -> list[Part]:
    """The parts a reason may name: private (health) criteria are left out."""
    return [part for part in parts if not part.private]


# --- whole cohorts: the same with numpy --------------------------------------------------------


def _tokens(value: JSON, *, whole: bool) -> list[Hashable]:
    """The options of an answer as tokens; with `whole`, the answer itself is the one option."""
    if value is None:
        return []
    return [_token(value)] if whole else [_token(item) for item in _items(value)]


def _overlap_matrices(
    criterion: Criterion, mentees: Sequence[Features], mentors: Sequence[Features]
) -> tuple[Matrix, Matrix]:
    """The similarity matrix of an overlap or equal criterion, and which mentees answered it.

    One-hot rows over the mentees' options: the mentee's weighted by 1/|A|, the mentor's 0/1, so
    their product is |A ∩ B| / |A|. `equal` is overlap with the whole answer as one option.
    """
    whole = criterion.compare is Compare.EQUAL
    vocabulary: dict[Hashable, int] = {}
    wanted: list[list[int]] = []
    for features in mentees:
        tokens = _tokens(features.get(criterion.key), whole=whole)
        wanted.append([vocabulary.setdefault(token, len(vocabulary)) for token in tokens])
    mentee_rows = np.zeros((len(mentees), len(vocabulary)))
    for row, columns in enumerate(wanted):
        mentee_rows[row, columns] = 1 / len(columns) if columns else 0
    mentor_rows = np.zeros((len(mentors), len(vocabulary)))
    for row, features in enumerate(mentors):
        tokens = _tokens(features.get(criterion.target), whole=whole)
        columns = [vocabulary[token] for token in tokens if token in vocabulary]
        mentor_rows[row, columns] = 1
    answered = np.array([bool(columns) for columns in wanted], dtype=np.float64)
    return mentee_rows @ mentor_rows.T, answered


def _near_matrices(
    criterion: Criterion, mentees: Sequence[Features], mentors: Sequence[Features]
) -> tuple[Matrix, Matrix]:
    """The similarity matrix of a near criterion by broadcasting, and which mentees answered it."""
    assert criterion.tolerance is not None  # checked by Criterion

    def line(people: Sequence[Features], key: str) -> tuple[npt.NDArray[np.int8], Matrix]:
        kinds = np.zeros(len(people), dtype=np.int8)
        points = np.zeros(len(people))
        for index, features in enumerate(people):
            position = _position(features.get(key))
            if position is not None:
                kinds[index], points[index] = position
        return kinds, points

    mentee_kinds, mentee_points = line(mentees, criterion.key)
    mentor_kinds, mentor_points = line(mentors, criterion.target)
    distance = np.abs(mentee_points[:, None] - mentor_points[None, :])
    close = np.maximum(0.0, 1 - distance / criterion.tolerance)
    comparable = (mentee_kinds[:, None] == mentor_kinds[None, :]) & (mentee_kinds[:, None] > 0)
    return np.where(comparable, close, 0.0), (mentee_kinds > 0).astype(np.float64)


def score_matrix(
    criteria: Sequence[Criterion], mentees: Sequence[Features], mentors: Sequence[Features]
) -> Matrix:
    """Scores 0..100 of every mentee (rows) with every mentor (columns); as `score_pair`."""
    gained = np.zeros((len(mentees), len(mentors)))
    answered = np.zeros(len(mentees))
    for criterion in criteria:
        if criterion.compare is Compare.NEAR:
            values, mask = _near_matrices(criterion, mentees, mentors)
        else:
            values, mask = _overlap_matrices(criterion, mentees, mentors)
        gained += criterion.weight * values
        answered += criterion.weight * mask
    scores = np.zeros_like(gained)
    np.divide(100 * gained, answered[:, None], out=scores, where=answered[:, None] > 0)
    return scores


# --- the assignment ----------------------------------------------------------------------------


def _benefit(
    scores: npt.ArrayLike,
    capacities: npt.ArrayLike,
    threshold: float,
    allowed: npt.ArrayLike | None,
) -> tuple[Matrix, npt.NDArray[np.int64]]:
    """The checked inputs as the score of each pair that may be made (0 for the rest)."""
    matrix = np.asarray(scores, dtype=np.float64)
    if matrix.ndim != 2 or not np.isfinite(matrix).all():
        raise ValueError("scores must be a finite mentees x mentors matrix")
    raw = np.asarray(capacities)
    if raw.shape != (matrix.shape[1],) or (raw.size and (raw < 0).any()):
        raise ValueError("capacities must give each mentor a number of mentees, 0 or more")
    slots = raw.astype(np.int64)
    if not np.array_equal(slots, raw):
        raise ValueError("capacities must be whole numbers")
    eligible = (matrix >= threshold) & (matrix > 0) & (slots > 0)[None, :]
    if allowed is not None:
        mask = np.asarray(allowed)
        if mask.shape != matrix.shape or mask.dtype != np.bool_:
            raise ValueError("allowed must be a boolean matrix shaped like the scores")
        eligible &= mask
    return np.where(eligible, matrix, 0.0), slots


def assign(
    scores: npt.ArrayLike,
    capacities: npt.ArrayLike,
    threshold: float,
    allowed: npt.ArrayLike | None = None,
) -> list[Pair]:
    """Pairs (mentee, mentor) of the largest total score over the program, by mentee.

    Each mentor takes at most `capacities[j]` mentees (0: none; above 1: a group); a pair below
    `threshold`, with a score of 0 or where `allowed` is False is never made; a mentee nobody
    fits stays unmatched. The result depends on the inputs alone.
    """
    benefit, capacity = _benefit(scores, capacities, threshold, allowed)
    # Why the zero-benefit trick is exact. Let B be the benefit (the score of an eligible pair,
    # else 0) and let every mentor j appear as capacity_j identical columns ("slots"). (1) Any
    # feasible thresholded matching M uses eligible pairs within capacities, so it is a partial
    # matching of rows to slots; completing it arbitrarily with further rows and slots adds only
    # entries B >= 0 and gives a full assignment worth >= total(M). Hence the optimum A* that
    # linear_sum_assignment returns is worth >= the thresholded optimum. (2) Dropping A*'s zero
    # entries leaves eligible pairs only (B > 0 implies eligible), at most capacity_j per mentor
    # (one per slot), worth exactly B(A*). So it is feasible and attains the thresholded optimum.
    # Shrinking keeps both steps: a mentee without an eligible pair gains nothing from any slot,
    # and a mentor never fills more slots with B > 0 than the mentees eligible with them.
    eligible = benefit > 0
    rows = np.flatnonzero(eligible.any(axis=1))
    useful = np.minimum(capacity, eligible[rows].sum(axis=0))
    slots = np.repeat(np.arange(benefit.shape[1]), useful)
    if rows.size == 0 or slots.size == 0:
        return []
    matrix = benefit[np.ix_(rows, slots)]
    chosen_rows, chosen_slots = linear_sum_assignment(matrix, maximize=True)
    keep = matrix[chosen_rows, chosen_slots] > 0
    return sorted(
        zip(
            rows[chosen_rows[keep]].tolist(),
            slots[chosen_slots[keep]].tolist(),
            strict=True,
        )
    )


def greedy(
    scores: npt.ArrayLike,
    capacities: npt.ArrayLike,
    threshold: float,
    allowed: npt.ArrayLike | None = None,
) -> list[Pair]:
    """First come, first served: each mentee in turn takes the best mentor with a free place.

    The same rules as `assign` (capacity, threshold, mask, no zero scores); ties go to the
    mentor with the lower index. The baseline `assign` is measured against.
    """
    benefit, capacity = _benefit(scores, capacities, threshold, allowed)
    free = capacity.copy()
    pairs: list[Pair] = []
    for mentee, row in enumerate(benefit):
        offered = np.where(free > 0, row, 0.0)
        mentor = int(np.argmax(offered)) if offered.size else 0
        if offered.size and offered[mentor] > 0:
            pairs.append((mentee, mentor))
            free[mentor] -= 1
    return pairs


def total(scores: npt.ArrayLike, pairs: Iterable[Pair]) -> float:
    """The sum of the pairs' scores."""
    matrix = np.asarray(scores, dtype=np.float64)
    return float(sum(matrix[mentee, mentor] for mentee, mentor in pairs))

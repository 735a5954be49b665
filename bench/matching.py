"""Matching a large program: the optimal assignment against first come, first served.

2,000 mentees and 600 mentors (capacities 1..4) answer the built-in mentee-student and
mentor-student questionnaires at random with a fixed seed: picks within each question's min and
max, optional questions sometimes skipped, show_if respected, and option popularity that differs
between the two sides (demand is not supply). The pairs need a score of at least 40, a mentor in
an older grade, and about 1% of them are excluded (a curator's "never pair" list). Both methods
share the scoring; the table shows its time, each assignment's time, and what each achieves.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.assignment import Pair, assign, criteria_of, greedy, score_matrix, total
from bot.services.matching import MatchError
from bot.services.policy import QUESTIONNAIRES_DIR
from bot.services.questionnaires import Question, QuestionnaireDef, QuestionType, load_builtin
from storage import (
    Database,
    MentorshipForm,
    Organization,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    Program,
    ProgramCurator,
    QuestionnaireAnswer,
    RoleModel,
)

MENTEES, MENTORS = 2000, 600
CAPACITIES = (1, 4)
THRESHOLD = 40.0
EXCLUDED = 0.01
SKIP_OPTIONAL = 0.25
MENTEE_GRADES, MENTOR_GRADES = (5, 9), (8, 11)
FORM = MentorshipForm.STUDENT_STUDENT
SEED = 2026
REPEATS = 3
TARGET_SECONDS = 3.0
START = date(2026, 9, 1)

Features = dict[str, Any]
Assigner = Callable[..., list[Pair]]


class Respondents:
    """Random answers to one questionnaire, with per-option popularity fixed for the cohort."""

    def __init__(self, definition: QuestionnaireDef, rng: np.random.Generator) -> None:
        self.definition = definition
        self.rng = rng
        self.popularity = {
            question.id: rng.dirichlet(np.full(len(question.options), 1.5))
            for question in definition.questions
            if question.options
        }
        self.yes = {
            question.id: rng.uniform(0.05, 0.6)
            for question in definition.questions
            if question.type is QuestionType.YESNO
        }

    def value(self, question: Question) -> Any:
        """One answer the question accepts."""
        rng = self.rng
        ids = [option.id for option in question.options]
        match question.type:
            case QuestionType.SINGLE:
                return str(rng.choice(ids, p=self.popularity[question.id]))
            case QuestionType.MULTI:
                low, high = int(question.min or 1), int(question.max or len(ids))
                count = low + int(rng.binomial(high - low, 0.35))
                picks = rng.choice(
                    len(ids), size=count, replace=False, p=self.popularity[question.id]
                )
                return [ids[index] for index in sorted(picks)]
            case QuestionType.YESNO:
                return bool(rng.random() < self.yes[question.id])
            case QuestionType.NUMBER | QuestionType.SCALE:
                return int(rng.integers(int(question.min or 0), int(question.max or 10) + 1))
            case QuestionType.DATE:
                return (START + timedelta(days=int(rng.integers(0, 60)))).isoformat()
            case QuestionType.TEXT:
                return "a few words about me"

    def answers(self) -> dict[str, Any]:
        """One respondent's walk through the questionnaire: answers by question id."""
        answers: dict[str, Any] = {}
        for question in self.definition.questions:
            if question.show_if is not None and not question.show_if.holds(answers, FORM):
                continue
            if question.required or self.rng.random() >= SKIP_OPTIONAL:
                answers[question.id] = self.value(question)
        return answers

    def features(self) -> Features:
        """One respondent's answers as matching features."""
        return self.definition.features(self.answers(), FORM)


def program(rng: np.random.Generator) -> tuple[list[Features], list[Features], Any, Any]:
    """The mentees' and mentors' features, the capacities and the mask of allowed pairs."""
    builtin = load_builtin(QUESTIONNAIRES_DIR)
    mentee_side = Respondents(builtin["mentee-student"], rng)
    mentor_side = Respondents(builtin["mentor-student"], rng)
    mentees = [mentee_side.features() for _ in range(MENTEES)]
    mentors = [mentor_side.features() for _ in range(MENTORS)]
    capacities = rng.integers(CAPACITIES[0], CAPACITIES[1] + 1, size=MENTORS)
    mentee_grades = rng.integers(MENTEE_GRADES[0], MENTEE_GRADES[1] + 1, size=MENTEES)
    mentor_grades = rng.integers(MENTOR_GRADES[0], MENTOR_GRADES[1] + 1, size=MENTORS)
    older = mentor_grades[None, :] > mentee_grades[:, None]
    allowed = older & (rng.random((MENTEES, MENTORS)) >= EXCLUDED)
    return mentees, mentors, capacities, allowed


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    """The median time of REPEATS runs in seconds, and the last result."""
    samples: list[float] = []
    result: Any = None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def main() -> None:
    """Print time, total score, share matched and mean pair score of both methods."""
    rng = np.random.default_rng(SEED)
    mentees, mentors, capacities, allowed = program(rng)
    criteria = criteria_of(load_builtin(QUESTIONNAIRES_DIR)["mentee-student"])
    scoring, scores = timed(lambda: score_matrix(criteria, mentees, mentors))
    eligible = allowed & (scores >= THRESHOLD)
    print(
        f"\nmatching: {MENTEES} mentees x {MENTORS} mentors ({capacities.sum()} places), "
        f"threshold {THRESHOLD:.0f}, older grade only, {EXCLUDED:.0%} of pairs excluded; "
        f"{(eligible.any(axis=1)).mean():.1%} of mentees have an eligible mentor; "
        f"median of {REPEATS} runs"
    )
    print(
        f"{'method':<8} {'scoring s':>9} {'assign s':>9} {'total s':>8} "
        f"{'total score':>12} {'matched':>8} {'mean score':>10}"
    )
    results: dict[str, tuple[float, float]] = {}
    methods: Mapping[str, Assigner] = {"optimal": assign, "greedy": greedy}
    for name, method in methods.items():
        elapsed, pairs = timed(partial(method, scores, capacities, THRESHOLD, allowed))
        achieved = total(scores, pairs)
        results[name] = (scoring + elapsed, achieved)
        mean = achieved / len(pairs) if pairs else 0.0
        print(
            f"{name:<8} {scoring:>9.3f} {elapsed:>9.3f} {scoring + elapsed:>8.3f} "
            f"{achieved:>12.1f} {len(pairs) / MENTEES:>8.1%} {mean:>10.1f}"
        )
    seconds, optimal = results["optimal"]
    baseline = results["greedy"][1]
    fast = "yes" if seconds < TARGET_SECONDS else "NO"
    better = "yes" if optimal > baseline else "NO"
    print(
        f"targets: optimal total under {TARGET_SECONDS:.0f} s: {fast} ({seconds:.2f} s); "
        f"optimal score above greedy's: {better} ({(optimal / baseline - 1):+.1%})"
    )
    full = np.full(MENTORS, CAPACITIES[1])
    elapsed, pairs = timed(lambda: assign(scores, full, THRESHOLD, allowed))
    print(
        f"worst case, every mentor takes {CAPACITIES[1]} ({full.sum()} places): optimal "
        f"assignment {elapsed:.3f} s, {len(pairs) / MENTEES:.1%} matched"
    )

    asyncio.run(through_the_service())


async def through_the_service() -> None:
    """The curator's "run matching" end to end: answers read from SQLite, scored, assigned and
    stored as proposals by MatchingService.run (one run; the cohort is built first)."""
    rng = np.random.default_rng(SEED)
    builtin = load_builtin(QUESTIONNAIRES_DIR)
    sides = {
        ParticipantRole.MENTEE: Respondents(builtin["mentee-student"], rng),
        ParticipantRole.MENTOR: Respondents(builtin["mentor-student"], rng),
    }
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")
        await database.upgrade()
        clock = FrozenClock(datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
        now = clock.now()
        async with database.transaction() as session:
            org = Organization(name="Bench school", created_at=now)
            session.add(org)
            await session.flush()
            prog = Program(
                organization_id=org.id,
                name="Bench",
                form=FORM,
                role_model=RoleModel.PEER_PEER,
                match_threshold=int(THRESHOLD),
                created_at=now,
            )
            curator = Person(full_name="Curator", created_at=now, updated_at=now)
            session.add_all([prog, curator])
            await session.flush()
            session.add(ProgramCurator(program_id=prog.id, person_id=curator.id, created_at=now))
            for role, count, grades in (
                (ParticipantRole.MENTEE, MENTEES, MENTEE_GRADES),
                (ParticipantRole.MENTOR, MENTORS, MENTOR_GRADES),
            ):
                key = builtin[f"{role.value}-student"]
                for number in range(count):
                    grade = int(rng.integers(grades[0], grades[1] + 1))
                    person = Person(
                        full_name=f"{role.value} {number}",
                        grade=f"{grade}A",
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(person)
                    await session.flush()
                    part = Participant(
                        program_id=prog.id,
                        person_id=person.id,
                        role=role,
                        status=ParticipantStatus.READY,
                        approved=role is ParticipantRole.MENTOR,
                        capacity=int(rng.integers(CAPACITIES[0], CAPACITIES[1] + 1)),
                        questionnaire_key=key.id,
                        questionnaire_version=key.version,
                        questionnaire_done_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                    session.add(part)
                    await session.flush()
                    session.add_all(
                        QuestionnaireAnswer(
                            participant_id=part.id,
                            questionnaire_id=key.id,
                            questionnaire_version=key.version,
                            question_id=question_id,
                            value=value,
                            answered_at=now,
                        )
                        for question_id, value in sides[role].answers().items()
                    )
            program_id, curator_id = prog.id, curator.id
        started = time.perf_counter()
        async with database.transaction() as session:
            summary = await Services(session, clock).matching.run(curator_id, program_id)
        elapsed = time.perf_counter() - started
        await database.dispose()
    assert not isinstance(summary, MatchError)
    print(
        f"through the service on SQLite (read answers, score, assign, store proposals): "
        f"{elapsed:.2f} s, {summary.proposals} proposals, {summary.unmatched} unmatched, "
        f"mean score {summary.average:.1f}"
    )


if __name__ == "__main__":
    main()

"""«Подбор пар» and «Моя пара» in chat: the curator's whole flow, settings, a mentee's change
request, and forged states and buttons that must change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.services import Services
from bot.services.matching import MatchError
from bot.services.programs import CLI
from storage import (
    ChangeRequestStatus,
    Channel,
    DialogState,
    ExclusionKind,
    MatchExclusion,
    MatchProposal,
    Notification,
    Pair,
    PairChangeRequest,
    PairKind,
    PairMember,
    PairStatus,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Program,
    ProgramCurator,
    ProgramMaterial,
    ProposalStatus,
    QuestionnaireAnswer,
)
from tests.answers import ART_MENTOR, ARTIST, MATH_LOVER, MATH_MENTOR
from tests.chat import Chat
from tests.integration import factories as f

MATCHING = "Подбор пар"
MY_PAIR = "Моя пара"
A, B = "Наставничество 2026/27", "Молодые педагоги"
NAV = ["← Назад", "Отмена"]


class School:
    """Programs A and B of one school, their curators and participants; a unit of work per
    call, like the bot."""

    def __init__(self, app: App, clock: FrozenClock) -> None:
        self.app = app
        self.clock = clock
        self.a = self.b = 0

    async def open(self) -> School:
        async with self.app.database.transaction() as session:
            org = await f.organization(session)
            a, b = await f.program(session, org), await f.program(session, org)
            a.name, b.name = A, B
            self.a, self.b = a.id, b.id
        return self

    async def curator(self, user_id: str, program_id: int) -> Chat:
        """A person who curates the program, talking to the bot."""
        chat = Chat(self.app.conversation, user_id=user_id)
        await chat.send("/start")
        async with self.app.database.transaction() as session:
            session.add(ProgramCurator(program_id=program_id, person_id=await self.person(chat)))
        await chat.send("/menu")
        return chat

    async def person(self, chat: Chat) -> int:
        async with self.app.database.sessions() as session:
            state = await session.scalar(
                select(DialogState).where(DialogState.external_user_id == chat.user_id)
            )
            assert state is not None
            assert state.person_id is not None
            return state.person_id

    async def join(
        self,
        program_id: int,
        role: ParticipantRole,
        answers: dict[str, Any],
        *,
        name: str,
        grade: str,
        user_id: str | None = None,
        approved: bool = True,
        status: ParticipantStatus = ParticipantStatus.READY,
    ) -> int:
        """A participant whose questionnaire is done (a console account when `user_id`)."""
        key = f"{role.value}-student"
        async with self.app.database.transaction() as session:
            prog = await session.get_one(Program, program_id)
            who = await f.person(session, full_name=name, grade=grade)
            if user_id is not None:
                await f.account(session, who, channel=Channel.CONSOLE, external_user_id=user_id)
            part = await f.participant(session, prog, who, role)
            part.status = status
            part.questionnaire_key, part.questionnaire_version = key, 1
            part.questionnaire_done_at = self.clock.now()
            part.approved = approved and role is ParticipantRole.MENTOR
            part.capacity = answers.get("capacity")
            for question_id, value in answers.items():
                session.add(
                    QuestionnaireAnswer(
                        participant_id=part.id,
                        questionnaire_id=key,
                        questionnaire_version=1,
                        question_id=question_id,
                        value=value,
                        answered_at=self.clock.now(),
                    )
                )
            return part.id

    async def approve(self, mentor_id: int) -> None:
        """The mentor approved (as if after an interview)."""
        async with self.app.database.transaction() as session:
            (await session.get_one(Participant, mentor_id)).approved = True

    async def rows(self, model: Any, *where: Any) -> list[Any]:
        async with self.app.database.sessions() as session:
            return list(await session.scalars(select(model).where(*where).order_by(model.id)))

    async def outbox(self, text_id: str) -> list[Notification]:
        return [row for row in await self.rows(Notification) if row.payload["text_id"] == text_id]

    async def proposals(self, program_id: int) -> list[tuple[int, int, ProposalStatus]]:
        rows = await self.rows(MatchProposal, MatchProposal.program_id == program_id)
        return [(p.mentee_participant_id, p.mentor_participant_id, p.status) for p in rows]

    async def snapshot(self) -> tuple[Any, ...]:
        """Everything a matching action may change."""
        proposals = [(p.id, p.status) for p in await self.rows(MatchProposal)]
        exclusions = [(e.id, e.kind) for e in await self.rows(MatchExclusion)]
        pairs = [(p.id, p.status) for p in await self.rows(Pair)]
        requests = [(r.id, r.status) for r in await self.rows(PairChangeRequest)]
        people = [(p.id, p.status, p.approved) for p in await self.rows(Participant)]
        programs = [(p.id, p.match_threshold, p.pair_kind) for p in await self.rows(Program)]
        materials = [m.id for m in await self.rows(ProgramMaterial)]
        return proposals, exclusions, pairs, requests, people, programs, materials


@pytest.fixture
async def school(app: App, clock: FrozenClock) -> School:
    return await School(app, clock).open()


async def forge(
    app: App,
    chat: Chat,
    *,
    step: str | None = None,
    data: dict[str, Any] | None = None,
    values: list[Any] | None = None,
) -> str:
    """Tamper with the stored state as an attacker would: put the matching dialog on top at
    `step`, merge `data`, and give the keyboard `values`; returns a payload for slot 0."""
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == chat.user_id)
        )
        assert row is not None
        state = dict(row.state)
        stack = [dict(frame) for frame in state["stack"]]
        if stack[-1]["dialog"] != "matching":
            stack.append(
                {"dialog": "matching", "version": 1, "step": "list", "data": {}, "args": {}}
            )
            stack[-1]["history"] = []
        top = stack[-1]
        if step is not None:
            top["history"] = [*top.get("history", []), top["step"]]
            top["step"] = step
        top["data"] = {**top["data"], **(data or {})}
        keyboard = state.get("keyboard") or {"nav": [], "columns": 1, "accepts_text": False}
        if values is not None:
            keyboard = {
                **keyboard,
                "nonce": "forged",
                "values": values,
                "labels": [f"x{i}" for i in range(len(values))],
            }
        row.state = {**state, "stack": stack, "keyboard": keyboard}
        return f"{keyboard['nonce']}:0"


async def open_program(chat: Chat, name: str = A) -> None:
    await chat.send("/menu")
    await chat.tap(MATCHING)
    assert chat.ids == ["matching-programs"]
    await chat.tap(name)
    assert chat.ids == ["matching-card"]


class Cohort:
    """Program A with four mentees and four mentors (one not approved yet, one still filling
    the questionnaire) and its curator Ольга."""

    def __init__(self, school: School) -> None:
        self.school = school

    async def open(self) -> Cohort:
        s, a = self.school, self.school.a
        self.olga = await s.curator("olga", a)
        mentee, mentor = ParticipantRole.MENTEE, ParticipantRole.MENTOR
        self.misha = await s.join(a, mentee, MATH_LOVER, name="Миша", grade="6Б", user_id="misha")
        self.petya = await s.join(a, mentee, MATH_LOVER, name="Петя", grade="6А")
        self.vera = await s.join(a, mentee, ARTIST, name="Вера", grade="7А")
        self.gosha = await s.join(a, mentee, ARTIST, name="Гоша", grade="5А")
        self.dasha = await s.join(
            a, mentor, MATH_MENTOR, name="Дарья", grade="10А", approved=False, user_id="dasha"
        )
        weekends = {**MATH_MENTOR, "availability": ["saturday"], "capacity": 2}
        self.lena = await s.join(a, mentor, weekends, name="Лена", grade="11А")
        self.oleg = await s.join(a, mentor, ART_MENTOR, name="Олег", grade="9В")
        self.kostya = await s.join(
            a,
            mentor,
            MATH_MENTOR,
            name="Костя",
            grade="10Б",
            approved=False,
            status=ParticipantStatus.ONBOARDING,
        )
        return self


@pytest.fixture
async def cohort(school: School) -> Cohort:
    return await Cohort(school).open()


def starting(chat: Chat, prefix: str) -> str:
    """The label on the last keyboard that starts with `prefix`."""
    found = [label for label in chat.labels if label.startswith(prefix)]
    assert len(found) == 1, (prefix, chat.labels)
    return found[0]


async def pairs_of(school: School) -> set[tuple[int, int, PairStatus]]:
    """(mentee, mentor, status) of every pair member who is a mentee."""
    result = set()
    for pair in await school.rows(Pair):
        for member in await school.rows(PairMember, PairMember.pair_id == pair.id):
            if member.role is ParticipantRole.MENTEE:
                result.add((member.participant_id, pair.mentor_participant_id, pair.status))
    return result


# --- the curator's whole flow --------------------------------------------------------------------


async def test_the_curator_forms_pairs_from_mentor_approval_to_a_change_request(
    school: School, cohort: Cohort
) -> None:
    olga, c = cohort.olga, cohort
    await open_program(olga)
    card = olga.last.text
    assert "Наставляемые, готовые к подбору: 4" in card
    assert "Утверждённые наставники: 2" in card
    assert "Порог совпадения: 40 из 100. Формируем пары." in card
    assert olga.labels == [
        "Запустить подбор",
        "Предложения (0)",
        "Без пары",
        "Наставники",
        "Материалы",
        "Запросы на замену (0)",
        "Пары (0)",
        "Настройки",
        *NAV,
    ]

    # Mentors: one still filling the questionnaire, one to approve.
    await olga.tap("Наставники")
    assert olga.ids == ["matching-mentors"]
    assert "○ Дарья (10А) — анкета заполнена, ждёт утверждения" in olga.last.text
    assert "… Костя (10Б) — анкета ещё не заполнена" in olga.last.text
    assert olga.labels == ["✓ Лена (11А)", "✓ Олег (9В)", "Дарья (10А)", "… Костя (10Б)", *NAV]
    await olga.tap("… Костя (10Б)")
    assert olga.ids == ["matching-mentor-not-ready", "matching-mentors"]
    await olga.tap("Дарья (10А)")
    assert olga.ids == ["matching-mentor-approved", "matching-mentors"]
    assert "✓ Дарья (10А) — утверждённый наставник, наставляемых: 0 из 1" in olga.last.text
    approved = {p.id: p.approved for p in await school.rows(Participant)}
    assert (approved[c.dasha], approved[c.kostya]) == (True, False)
    [welcome] = await school.outbox("mentor-approved")
    assert welcome.payload["args"]["materials"] == 0

    # A training material as a link; a file needs the CLI, and the screen says how.
    await olga.tap("← Назад")
    await olga.tap("Материалы")
    assert olga.ids == ["matching-materials"]
    assert f"python -m bot admin material add --program {school.a} " in olga.last.text
    await olga.tap("Добавить ссылку")
    assert olga.ids == ["matching-material-title"]
    await olga.send("П" * 201)
    assert olga.ids == ["input-too-long"]
    await olga.send("Памятка   наставника")
    assert olga.ids == ["matching-material-url"]
    await olga.send("javascript:alert(1)")
    assert olga.ids == ["matching-material-url-invalid"]
    await olga.send("https://school.example/memo")
    assert olga.ids == ["matching-material-added", "matching-materials"]
    assert "1. Памятка наставника — https://school.example/memo" in olga.last.text
    materials = await school.rows(ProgramMaterial)
    assert [(m.program_id, m.title, m.url) for m in materials] == [
        (school.a, "Памятка наставника", "https://school.example/memo")
    ]
    sent = await school.outbox("training-material")
    assert len(sent) == 3  # Дарья, Лена and Олег are approved

    # Run, then page through the proposals.
    await olga.tap("← Назад")
    await olga.tap("Запустить подбор")
    assert olga.ids == ["matching-run-summary", "matching-card"]
    summary = olga.replies[0].text
    assert "Предложено пар: 3, средний балл совпадения 94 из 100. Без пары осталось: 1." in summary
    assert "(мест: 4); порог: 40" in summary
    assert "Предложения ждут решения: 3" in olga.last.text
    await olga.tap("Предложения (3)")
    assert olga.ids == ["matching-proposal"]
    first = olga.last.text
    assert first.startswith("Предложение 1 из 3\nМиша (6Б) → Дарья (10А)\nСовпадение: 100 из 100")
    assert "Почему: Помощь по предметам: Математика" in first
    assert "Тихое место" not in first  # the health answer counts but is never shown
    assert olga.labels == [
        "Утвердить",
        "Отклонить",
        "Никогда не ставить в пару",
        "Другой наставник",
        "›",
        *NAV,
    ]
    await olga.tap("›")
    assert olga.last.edit
    assert olga.last.text.startswith("Предложение 2 из 3\nВера (7А) → Олег (9В)")
    assert "‹" in olga.labels
    await olga.tap("‹")
    assert olga.last.text == first

    # Approve, reject, never.
    await olga.tap("Утвердить")
    assert olga.ids == ["matching-approve-done", "matching-proposal"]
    assert olga.replies[0].text.startswith("Пара утверждена: Миша (6Б) → Дарья (10А).")
    assert olga.last.text.startswith("Предложение 1 из 2\nВера (7А) → Олег (9В)")
    assert await pairs_of(school) == {(c.misha, c.dasha, PairStatus.ACTIVE)}
    assert len(await school.outbox("pair-intro-mentee")) == 1
    assert len(await school.outbox("pair-intro-mentor")) == 1
    await olga.tap("Отклонить")
    assert olga.ids == ["matching-reject-done", "matching-proposal"]
    assert olga.last.text.startswith("Предложение 1 из 1\nПетя (6А) → Лена (11А)")
    await olga.tap("Никогда не ставить в пару")
    assert olga.ids == ["matching-never-done", "matching-proposals-none"]
    exclusions = {
        (e.mentee_participant_id, e.mentor_participant_id, e.kind)
        for e in await school.rows(MatchExclusion)
    }
    assert exclusions == {
        (c.vera, c.oleg, ExclusionKind.REJECTED),
        (c.petya, c.lena, ExclusionKind.NEVER),
    }

    # A mentee without a pair, matched by hand.
    await olga.tap("← Назад")
    await olga.tap("Без пары")
    assert olga.ids == ["matching-unmatched"]
    assert olga.last.text.startswith("Без пары: 3.")
    assert olga.labels == ["Петя (6А)", "Вера (7А)", "Гоша (5А)", *NAV]
    await olga.tap("Вера (7А)")
    assert olga.ids == ["matching-alternatives"]
    assert olga.last.text.startswith("Наставляемый: Вера (7А). Выберите наставника")
    # Rejected by the run, Олег may still be chosen by hand; the best match comes first.
    assert [label.split(" — ")[0] for label in olga.labels] == ["Олег (9В)", "Лена (11А)", *NAV]
    assert olga.labels[0] == "Олег (9В) — 100/100, мест: 1"
    await olga.tap(olga.labels[0])
    assert olga.ids == ["matching-moved"]
    assert "(подобрано вручную)" in olga.last.text
    assert "Вера (7А) → Олег (9В)" in olga.last.text
    assert olga.labels == ["Утвердить", *NAV]
    await olga.tap("Утвердить")
    assert olga.ids == ["matching-approve-done", "matching-unmatched"]
    assert olga.labels == ["Петя (6А)", "Гоша (5А)", *NAV]
    assert (c.vera, c.oleg, PairStatus.ACTIVE) in await pairs_of(school)
    # Лена is never to be paired with Петя, the others have no place left.
    await olga.tap("Петя (6А)")
    assert olga.ids == ["matching-alternatives"]
    assert "Утверждённых наставников со свободными местами нет" in olga.last.text
    assert olga.labels == NAV

    # A lower threshold, another run, approve all after a confirmation.
    await olga.tap("← Назад")
    await olga.tap("← Назад")
    await olga.tap("Настройки")
    await olga.tap("Изменить порог")
    assert olga.ids == ["matching-threshold"]
    assert "Сейчас: 40." in olga.last.text
    await olga.send("0")
    assert olga.ids == ["matching-threshold-set", "matching-settings"]
    await olga.tap("← Назад")
    await olga.tap("Запустить подбор")
    assert "Предложено пар: 1" in olga.replies[0].text
    await olga.tap("Утвердить все")
    assert olga.ids == ["matching-approve-all-confirm"]
    assert olga.last.text.startswith("Утвердить все предложения (1)?")
    await olga.tap("Да, утвердить все")
    assert olga.ids == ["matching-approved-all", "matching-card"]
    assert olga.replies[0].text == "Утверждено пар: 1. Пропущенных нет."
    assert await pairs_of(school) == {
        (c.misha, c.dasha, PairStatus.ACTIVE),
        (c.vera, c.oleg, PairStatus.ACTIVE),
        (c.gosha, c.lena, PairStatus.ACTIVE),
    }
    assert "Работающие пары: 3" in olga.last.text

    # The program's pairs, each with its summary.
    await olga.tap("Пары (3)")
    assert olga.ids == ["pair-summary-list"]
    assert len([label for label in olga.labels if "встреч 0" in label]) == 3
    await olga.tap(next(label for label in olga.labels if label.startswith("Дарья → Миша")))
    assert olga.ids == ["pair-summary-text"]
    assert "Встречи: проведено 0, запланировано 0" in olga.last.text
    assert "Цели: пока не записаны" in olga.last.text
    await olga.tap("← К списку пар")
    assert olga.ids == ["pair-summary-list"]
    await olga.tap("← Назад")
    assert olga.ids == ["matching-card"]

    # Миша asks for another mentor; Ольга agrees.
    misha = Chat(school.app.conversation, user_id="misha")
    await misha.send("/menu")
    assert MATCHING not in misha.labels
    await misha.tap(MY_PAIR)
    assert misha.ids == ["pairs-list"]
    assert "• Дарья — ваш наставник, программа «Наставничество 2026/27»" in misha.last.text
    await misha.tap("Дарья")
    assert misha.ids == ["pair-summary-text"]
    assert "Наставник: Дарья" in misha.last.text
    await misha.tap("Попросить замену: Дарья")
    assert misha.ids == ["pairs-reason"]
    await misha.send("Не совпадаем   по времени")
    assert misha.ids == ["pairs-change-confirm"]
    assert "Причина: Не совпадаем по времени" in misha.last.text
    await misha.tap("Отправить запрос")
    assert misha.ids == ["pairs-change-sent", "menu-title"]
    [told] = await school.outbox("change-requested-curator")
    assert told.payload["args"]["reason"] == "Не совпадаем по времени"

    await olga.send("/menu")
    await olga.tap(MATCHING)
    await olga.tap(A)
    await olga.tap("Запросы на замену (1)")
    assert olga.ids == ["matching-request"]
    assert "Миша (наставляемый) просит сменить пару." in olga.last.text
    assert "Пара: Миша (6Б) → Дарья (10А)" in olga.last.text
    assert "Причина: Не совпадаем по времени" in olga.last.text
    assert olga.labels == ["Согласовать", "Отклонить", *NAV]
    await olga.tap("Согласовать")
    assert olga.ids == ["matching-change-approved", "matching-requests-none"]
    [request] = await school.rows(PairChangeRequest)
    assert request.status is ChangeRequestStatus.APPROVED
    dissolved = await school.rows(Pair, Pair.mentor_participant_id == c.dasha)
    assert [p.status for p in dissolved] == [PairStatus.DISSOLVED]
    statuses = {p.id: p.status for p in await school.rows(Participant)}
    assert statuses[c.misha] is ParticipantStatus.READY
    assert len(await school.outbox("change-approved")) == 2
    await misha.send("/menu")
    assert MY_PAIR not in misha.labels


# --- who sees what --------------------------------------------------------------------------------


async def test_only_staff_see_matching_and_only_people_in_a_pair_see_my_pair(
    school: School, cohort: Cohort
) -> None:
    misha = Chat(school.app.conversation, user_id="misha")
    await misha.send("/menu")
    assert MATCHING not in misha.labels
    assert MY_PAIR not in misha.labels, "no pair yet"
    await misha.send(MATCHING)
    assert misha.ids == ["input-use-buttons"]

    olga = cohort.olga
    await olga.send("/menu")
    assert MATCHING in olga.labels
    assert MY_PAIR not in olga.labels
    await olga.tap(MATCHING)
    assert olga.labels == [A, "Отмена"], "only the program she curates"

    stranger = await school.curator("ira", school.b)
    await stranger.tap(MATCHING)
    assert stranger.labels == [B, "Отмена"]


async def test_settings_check_the_threshold_and_switch_to_groups(
    school: School, cohort: Cohort
) -> None:
    olga = cohort.olga
    await open_program(olga)
    await olga.tap("Настройки")
    assert olga.ids == ["matching-settings"]
    assert olga.labels == ["Изменить порог", "Формировать группы", *NAV]
    await olga.tap("Изменить порог")
    for wrong in ("сорок", "101", "-5", "4.5"):
        await olga.send(wrong)
        assert olga.ids == ["matching-threshold-invalid"], wrong
        assert olga.last.accepts_text
    await olga.tap("← Назад")
    assert olga.ids == ["matching-settings"]
    await olga.tap("Изменить порог")
    await olga.send("55 %")
    assert olga.ids == ["matching-threshold-set", "matching-settings"]
    assert olga.last.text.startswith("Порог совпадения: 55 из 100.")

    await olga.tap("Формировать группы")
    assert olga.ids == ["matching-kind-set", "matching-settings"]
    assert olga.labels == ["Изменить порог", "Формировать пары", *NAV]
    [program] = await school.rows(Program, Program.id == school.a)
    assert (program.match_threshold, program.pair_kind) == (55, PairKind.GROUP)
    await olga.tap("← Назад")
    assert "Работающие группы: 0" in olga.last.text
    assert "Формируем группы." in olga.last.text


# --- decisions made twice or elsewhere ----------------------------------------------------------


async def test_a_second_tap_on_a_decided_proposal_says_it_was_decided(
    school: School, cohort: Cohort
) -> None:
    olga = cohort.olga
    ira = await school.curator("ira", school.a)
    await school.approve(cohort.dasha)
    await open_program(olga)
    await olga.tap("Запустить подбор")
    await olga.tap("Предложения (3)")
    await open_program(ira)
    await ira.tap("Предложения (3)")
    assert ira.last.text == olga.last.text
    stale = olga.button("Утвердить").payload

    await olga.tap("Утвердить")
    assert olga.ids == ["matching-approve-done", "matching-proposal"]
    await olga.press(stale)
    assert olga.ids == ["button-stale", "matching-proposal"]
    await ira.tap("Утвердить")
    assert ira.ids == ["matching-error-decided", "matching-proposal"]
    assert "уже принято решение" in ira.replies[0].text
    assert ira.last.text.startswith("Предложение 1 из 2\nВера (7А)")
    await ira.tap("Никогда не ставить в пару")
    assert ira.ids == ["matching-never-done", "matching-proposal"]
    assert await pairs_of(school) == {(cohort.misha, cohort.dasha, PairStatus.ACTIVE)}
    await olga.tap("Отклонить")  # Вера → Олег, excluded by Ира meanwhile
    assert olga.ids == ["matching-error-decided", "matching-proposal"]
    assert olga.last.text.startswith("Предложение 1 из 1\nПетя (6А)")
    kinds = [e.kind for e in await school.rows(MatchExclusion)]
    assert kinds == [ExclusionKind.NEVER]


async def test_another_mentor_for_a_proposed_mentee(school: School, cohort: Cohort) -> None:
    olga = cohort.olga
    await school.approve(cohort.dasha)
    await open_program(olga)
    await olga.tap("Запустить подбор")
    await olga.tap("Предложения (3)")
    await olga.tap("›")
    await olga.tap("›")
    assert olga.last.text.startswith("Предложение 3 из 3\nПетя (6А) → Лена (11А)")
    await olga.tap("Другой наставник")
    assert olga.ids == ["matching-alternatives"]
    assert olga.last.text.startswith("Наставляемый: Петя (6А).")
    # Дарья and Олег have their one place taken by open proposals; Лена keeps hers for Петя.
    assert olga.labels == [starting(olga, "Лена (11А)"), *NAV]
    await olga.tap(starting(olga, "Лена (11А)"))
    assert olga.ids == ["matching-moved"]
    await olga.tap("Утвердить")
    assert olga.ids == ["matching-approve-done", "matching-proposal"]
    assert olga.last.text.startswith("Предложение 2 из 2\nВера (7А)")
    assert await pairs_of(school) == {(cohort.petya, cohort.lena, PairStatus.ACTIVE)}
    statuses = [status for *_, status in await school.proposals(school.a)]
    assert statuses.count(ProposalStatus.SUPERSEDED) == 1
    assert statuses.count(ProposalStatus.PROPOSED) == 2


# --- forged states and buttons ------------------------------------------------------------------


class ProgramB:
    """Program B with an open proposal, a pair and a change request, all made through the
    services; its ids are what forged buttons carry."""

    async def open(self, school: School) -> ProgramB:
        b, mentee, mentor = school.b, ParticipantRole.MENTEE, ParticipantRole.MENTOR
        self.tanya = await school.join(b, mentee, MATH_LOVER, name="Таня", grade="6Б")
        self.kira = await school.join(b, mentee, ARTIST, name="Кира", grade="7А")
        self.stas = await school.join(b, mentor, MATH_MENTOR, name="Стас", grade="10А")
        self.yulia = await school.join(b, mentor, ART_MENTOR, name="Юля", grade="9В")
        async with school.app.database.transaction() as session:
            services = Services(session, school.clock, school.app.policy)
            assert not isinstance(await services.matching.run(CLI, b), MatchError)
        proposals = await school.rows(MatchProposal, MatchProposal.program_id == b)
        by_mentee = {p.mentee_participant_id: p.id for p in proposals}
        self.proposal = by_mentee[self.kira]
        async with school.app.database.transaction() as session:
            services = Services(session, school.clock, school.app.policy)
            assert await services.matching.approve(CLI, by_mentee[self.tanya]) is None
        [pair] = await school.rows(Pair)
        self.pair = pair.id
        [tanya] = await school.rows(Participant, Participant.id == self.tanya)
        async with school.app.database.transaction() as session:
            services = Services(session, school.clock, school.app.policy)
            request = await services.matching.request_change(
                tanya.person_id, pair.id, self.tanya, "Другие интересы"
            )
        assert isinstance(request, int)
        self.request = request
        return self


async def test_forged_buttons_of_another_program_change_nothing(
    school: School, cohort: Cohort
) -> None:
    other = await ProgramB().open(school)
    olga = cohort.olga
    await open_program(olga)
    before = await school.snapshot()
    refused = ["matching-error-not-allowed", "menu-title"]
    program_a = {"program_id": school.a}

    program_b = {"program_id": school.b}
    forged: list[tuple[str, dict[str, Any], Any, str]] = [
        ("proposal", program_a, ["approve", other.proposal], "matching-error-not-allowed"),
        ("proposal", program_a, ["reject", other.proposal], "matching-error-not-allowed"),
        ("proposal", program_a, ["never", other.proposal], "matching-error-not-allowed"),
        ("proposal", program_a, ["other", other.proposal], "matching-error-not-allowed"),
        ("moved", program_a, ["approve", other.proposal], "matching-error-not-allowed"),
        ("requests", program_a, ["approve", other.request], "matching-error-not-allowed"),
        ("requests", program_a, ["decline", other.request], "matching-error-not-allowed"),
        (
            "alternatives",
            {"mentee_id": other.kira},
            ["mentor", other.yulia],
            "matching-error-not-allowed",
        ),
        ("mentors", program_a, ["mentor", other.stas], "matching-error-not-found"),
        ("card", program_b, "run", "matching-error-not-allowed"),
        ("approve_all", program_b, "yes", "matching-error-not-allowed"),
        ("settings", program_b, ["kind", "group"], "matching-error-not-allowed"),
    ]
    for step, data, value, refusal in forged:
        await olga.send("/menu")
        payload = await forge(school.app, olga, step=step, data=data, values=[value])
        await olga.press(payload)
        assert olga.ids == [refusal, "menu-title"], (step, value)
        assert await school.snapshot() == before, (step, value)
    # A mentee of another program is not among this program's mentees without a pair.
    await olga.send("/menu")
    payload = await forge(
        school.app, olga, step="unmatched", data=program_a, values=[["mentee", other.kira]]
    )
    await olga.press(payload)
    assert olga.ids == ["matching-error-not-ready", "matching-unmatched"]
    assert "Кира" not in olga.last.text

    # Every screen of program B is refused, without a word about it.
    for step in ("card", "proposal", "approve_all", "unmatched", "mentors", "materials"):
        await olga.send("/menu")
        await forge(school.app, olga, step=step, data=program_b)
        await olga.send("/start")
        assert olga.ids == ["welcome-back", "matching-error-not-allowed"], step
        assert olga.labels == ["В меню", "← Назад", "Отмена"]
        assert B not in olga.last.text
    for step in ("requests", "settings"):
        await olga.send("/menu")
        await forge(school.app, olga, step=step, data=program_b)
        await olga.send("/start")
        assert olga.ids == ["welcome-back", "matching-error-not-allowed"], step

    # Typed input on a screen forged for program B changes nothing either.
    await open_program(olga)
    await olga.tap("Материалы")
    await olga.tap("Добавить ссылку")
    await olga.send("Чужая памятка")
    await forge(school.app, olga, data=program_b)
    await olga.send("https://evil.example/memo")
    assert olga.ids == refused
    assert await school.snapshot() == before
    await olga.press("forged:0")
    assert olga.ids == ["button-stale", "menu-title"]


async def test_a_participant_with_a_forged_curator_state_is_refused(
    school: School, cohort: Cohort
) -> None:
    olga = cohort.olga
    await open_program(olga)
    await olga.tap("Запустить подбор")
    [proposal, *_] = await school.rows(MatchProposal)
    before = await school.snapshot()

    dasha = Chat(school.app.conversation, user_id="dasha")  # a mentor, not a curator
    await dasha.send("/menu")
    assert MATCHING not in dasha.labels
    await forge(school.app, dasha, step="card", data={"program_id": school.a})
    await dasha.send("/start")
    assert dasha.ids == ["welcome-back", "matching-error-not-allowed"]
    assert "Ничего не изменено" in dasha.last.text
    await dasha.send("/back")
    assert dasha.ids == ["matching-no-programs"]
    assert dasha.labels == ["В меню", "Отмена"]
    for step, value in [
        ("card", "run"),
        ("proposal", ["approve", proposal.id]),
        ("proposal", ["never", proposal.id]),
        ("mentors", ["mentor", cohort.dasha]),
        ("approve_all", "yes"),
        ("settings", ["kind", "group"]),
    ]:
        await dasha.send("/menu")
        payload = await forge(
            school.app, dasha, step=step, data={"program_id": school.a}, values=[value]
        )
        await dasha.press(payload)
        assert dasha.ids[0] in {"matching-error-not-allowed", "matching-error-not-found"}, step
        assert dasha.ids[-1] == "menu-title"
    assert await school.snapshot() == before


# --- «Моя пара» -----------------------------------------------------------------------------------


async def test_a_change_request_is_checked_confirmed_and_not_sent_twice(
    school: School, cohort: Cohort
) -> None:
    other = await ProgramB().open(school)
    await school.approve(cohort.dasha)
    olga = cohort.olga
    await open_program(olga)
    await olga.tap("Запустить подбор")
    await olga.tap("Предложения (3)")
    await olga.tap("Утвердить")  # Миша → Дарья

    dasha = Chat(school.app.conversation, user_id="dasha")
    await dasha.send("/menu")
    assert MATCHING not in dasha.labels
    await dasha.tap(MY_PAIR)
    assert "• Миша — ваш наставляемый, программа «Наставничество 2026/27»" in dasha.last.text
    assert dasha.labels == ["Миша", "Отмена"]
    await dasha.tap("Миша")
    assert dasha.labels == [
        "Цели",
        "Предложить встречу",
        "Попросить замену: Миша",
        "← К списку пар",
        *NAV,
    ]
    await dasha.tap("Попросить замену: Миша")
    assert dasha.ids == ["pairs-reason"]
    assert dasha.labels == NAV
    await dasha.send("я" * 1001)
    assert dasha.ids == ["input-too-long"]
    await dasha.send("Не получается встречаться")
    await dasha.tap("Не отправлять")
    assert dasha.ids == ["pairs-change-kept", "menu-title"]
    assert len(await school.rows(PairChangeRequest)) == 1  # program B's only

    # Forged buttons about program B's pair show and ask nothing.
    await dasha.tap(MY_PAIR)
    await forge_pairs(school.app, dasha, ["open", other.pair])
    await dasha.press("forged:0")
    assert dasha.ids == ["pairs-not-found"]
    assert "Таня" not in dasha.last.text
    await dasha.tap("← К списку пар")
    await dasha.tap("Миша")
    await forge_pairs(school.app, dasha, ["change", other.pair, other.tanya])
    await dasha.press("forged:0")
    assert dasha.ids == ["button-stale"]
    assert len(await school.rows(PairChangeRequest)) == 1

    await dasha.send("/menu")
    await dasha.tap(MY_PAIR)
    await dasha.tap("Миша")
    await dasha.tap("Попросить замену: Миша")
    await dasha.send("Не получается встречаться")
    await dasha.tap("Отправить запрос")
    assert dasha.ids == ["pairs-change-sent", "menu-title"]
    await dasha.tap(MY_PAIR)
    await dasha.tap("Миша")
    await dasha.tap("Попросить замену: Миша")
    await dasha.send("Ещё раз")
    await dasha.tap("Отправить запрос")
    assert dasha.ids == ["pairs-change-already", "menu-title"]
    mine = await school.rows(
        PairChangeRequest, PairChangeRequest.mentee_participant_id == cohort.misha
    )
    assert [(r.reason, r.status) for r in mine] == [
        ("Не получается встречаться", ChangeRequestStatus.REQUESTED)
    ]

    await olga.send("/menu")
    await olga.tap(MATCHING)
    await olga.tap(A)
    await olga.tap("Запросы на замену (1)")
    assert "Дарья (наставник) просит сменить пару." in olga.last.text
    await olga.tap("Отклонить")
    assert olga.ids == ["matching-change-declined", "matching-requests-none"]
    [declined] = await school.outbox("change-declined")
    [dasha_participant] = await school.rows(Participant, Participant.id == cohort.dasha)
    assert declined.recipient_person_id == dasha_participant.person_id
    assert await pairs_of(school) >= {(cohort.misha, cohort.dasha, PairStatus.ACTIVE)}


async def forge_pairs(app: App, chat: Chat, value: Any) -> None:
    """A keyboard whose one button carries `value`, on the current my-pair screen."""
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == chat.user_id)
        )
        assert row is not None
        keyboard = {**row.state["keyboard"], "nonce": "forged", "values": [value], "labels": ["x"]}
        row.state = {**row.state, "keyboard": keyboard}

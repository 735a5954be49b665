"""«Мои программы» in chat: a coordinator and a curator, invite links, the access rule."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.conversation import Conversation
from bot.core.messages import AttachmentKind
from bot.dialogs import build_registry
from bot.dialogs.engine import Choice, ChoiceStep, Dialog, Engine, Invalid
from bot.dialogs.staff import parse_date
from bot.services import InviteLinks, Services
from bot.services.invitations import InviteInfo, qr_png
from bot.services.programs import CLI, OrganizationInfo, ProgramDraft, ProgramInfo
from storage import (
    DialogState,
    Invitation,
    InvitationRole,
    MentorshipForm,
    MessengerAccount,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Person,
    ProgramCurator,
    RoleModel,
    StaffMember,
    StaffRole,
)
from tests.chat import Chat

PROGRAMS = "Мои программы"
CREATE = "Создать программу"
LINKS = "Ссылки-приглашения"
JOINED = "Кто присоединился"
TELEGRAM_LINK = re.compile(r"https://t\.me/nastavnik_bot\?start=(i_[A-Za-z0-9_-]+)")
VK_LINK = re.compile(r"https://vk\.me/club4242\?ref=(i_[A-Za-z0-9_-]+)")
A = "Наставничество 2026/27, ученик – ученик"
B = "Молодые педагоги"


@pytest.fixture(autouse=True)
def links(app: App) -> None:
    """The bot's Telegram username and VK community are known."""
    app.policy.links = InviteLinks("nastavnik_bot", 4242)


async def person_id(app: App, chat: Chat) -> int:
    async with app.database.transaction() as session:
        account = await session.scalar(
            select(MessengerAccount).where(MessengerAccount.external_user_id == chat.user_id)
        )
        assert account is not None
        return account.person_id


async def school(app: App, clock: FrozenClock) -> tuple[OrganizationInfo, ProgramInfo, ProgramInfo]:
    """An organisation with programs A and B."""
    async with app.database.transaction() as session:
        programs = Services(session, clock, app.policy).programs
        org = await programs.create_organization("Школа №5", "Europe/Moscow")
        assert isinstance(org, OrganizationInfo)
        a = await programs.create_program(
            CLI,
            org.id,
            ProgramDraft(A, MentorshipForm.STUDENT_STUDENT, RoleModel.ACHIEVER_UNDERACHIEVER),
        )
        b = await programs.create_program(
            CLI,
            org.id,
            ProgramDraft(B, MentorshipForm.TEACHER_TEACHER, RoleModel.EXPERIENCED_YOUNG_SPECIALIST),
        )
        assert isinstance(a, ProgramInfo)
        assert isinstance(b, ProgramInfo)
        return org, a, b


async def make_coordinator(app: App, clock: FrozenClock, chat: Chat, org_id: int) -> None:
    await chat.send("/start")
    who = await person_id(app, chat)
    async with app.database.transaction() as session:
        session.add(
            StaffMember(
                organization_id=org_id,
                person_id=who,
                role=StaffRole.COORDINATOR,
                created_at=clock.now(),
            )
        )


async def issue(
    app: App, clock: FrozenClock, program_id: int, role: InvitationRole, **limits: object
) -> InviteInfo:
    async with app.database.transaction() as session:
        invite = await Services(session, clock, app.policy).invitations.issue(
            CLI,
            program_id,
            role,
            **limits,  # type: ignore[arg-type]
        )
        assert isinstance(invite, InviteInfo)
        return invite


async def curator_of(app: App, clock: FrozenClock, chat: Chat, program: ProgramInfo) -> None:
    """`chat` opens a curator link of `program`."""
    invite = await issue(app, clock, program.id, InvitationRole.CURATOR, max_uses=1)
    await chat.start(invite.token)


async def count_invitations(app: App, program_id: int) -> int:
    async with app.database.transaction() as session:
        return int(
            await session.scalar(select(func.count()).where(Invitation.program_id == program_id))
            or 0
        )


async def forge_state(app: App, chat: Chat, **data: object) -> None:
    """Change the data of the person's current dialog, as a tampered state would."""
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == chat.user_id)
        )
        assert row is not None
        state = dict(row.state)
        stack = [dict(frame) for frame in state["stack"]]
        stack[-1]["data"] = {**stack[-1]["data"], **data}
        row.state = {**state, "stack": stack}


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


# --- a coordinator -------------------------------------------------------------------------------


async def test_coordinator_creates_a_program_and_gets_its_links(
    app: App, clock: FrozenClock
) -> None:
    org, _, _ = await school(app, clock)
    coordinator = Chat(app.conversation, user_id="sergey")
    await make_coordinator(app, clock, coordinator, org.id)
    student = Chat(app.conversation, user_id="misha")
    await student.send("/start")
    assert PROGRAMS not in student.labels
    assert CREATE not in student.labels

    await coordinator.send("/menu")
    assert {PROGRAMS, CREATE} <= set(coordinator.labels)
    await coordinator.tap(CREATE)
    assert coordinator.ids == ["staff-create-name"]
    await coordinator.send("Наставничество   2026/27")
    assert coordinator.ids == ["staff-create-form"]
    await coordinator.tap("ученик – ученик")
    assert coordinator.labels[:3] == [
        "успевающий – неуспевающий",
        "лидер – пассивный",
        "равный – равному",
    ]
    assert "коллега – молодой коллега" not in coordinator.labels
    await coordinator.tap("успевающий – неуспевающий")
    assert coordinator.ids == ["staff-create-description"]
    await coordinator.tap("Пропустить")
    await coordinator.send("1 сентября")
    assert coordinator.ids == ["staff-date-invalid"]
    await coordinator.send("31.02.2026")
    assert coordinator.ids == ["staff-date-invalid"]
    await coordinator.send("01.09.2026")
    await coordinator.send("01.09.2026")
    assert coordinator.ids == ["staff-date-order"]
    await coordinator.send("31.05.2027")
    assert coordinator.ids == ["staff-create-review"]
    review = coordinator.last.text
    assert "Название: «Наставничество 2026/27»" in review
    assert "Организация: Школа №5" in review
    assert "Ролевая модель: успевающий – неуспевающий" in review
    assert "Описание: без описания" in review
    assert "Сроки: с 01.09.2026 по 31.05.2027" in review
    await coordinator.tap("Создать программу")
    assert coordinator.ids == ["staff-program-created", "menu-title"]
    assert "«Мои программы»" in coordinator.replies[0].text

    await coordinator.tap(PROGRAMS)
    assert coordinator.ids == ["staff-programs"]
    assert coordinator.labels[:3] == [B, "Наставничество 2026/27", A]
    await coordinator.tap("Наставничество 2026/27")
    assert coordinator.ids == ["staff-card"]
    card = coordinator.last.text
    assert "Форма: ученик – ученик, ролевая модель «успевающий – неуспевающий»" in card
    assert "Этап 1 из 7: подготовка" in card
    assert "Сроки: с 01.09.2026 по 31.05.2027" in card
    assert "Наставляемые: пока никого" in card

    await coordinator.tap(LINKS)
    assert coordinator.labels[:3] == [
        "Для наставляемых",
        "Для наставников",
        "Для куратора (на одного человека)",
    ]
    await coordinator.tap("Для наставляемых")
    assert coordinator.ids == ["staff-qr-telegram", "staff-qr-vk", "staff-links"]
    text = coordinator.last.text
    telegram, vk = TELEGRAM_LINK.search(text), VK_LINK.search(text)
    assert telegram is not None
    assert vk is not None
    assert telegram.group(1) == vk.group(1)
    for reply, link in zip(coordinator.replies, (telegram.group(0), vk.group(0)), strict=False):
        image = reply.attachment
        assert image is not None
        assert (image.kind, image.mime_type) == (AttachmentKind.IMAGE, "image/png")
        assert image.filename is not None
        assert image.filename.endswith(".png")
        assert image.content == qr_png(link), "the QR code of this very link"
        width, height = png_size(image.content)
        assert width == height >= 400

    await coordinator.tap("Заменить ссылку")
    assert coordinator.ids == ["staff-replace-confirm"]
    await coordinator.tap("Да, заменить")
    assert coordinator.ids == ["staff-replaced", "staff-qr-telegram", "staff-qr-vk", "staff-links"]
    fresh = TELEGRAM_LINK.search(coordinator.last.text)
    assert fresh is not None
    assert fresh.group(1) != telegram.group(1)
    assert coordinator.replies[1].attachment is not None
    assert coordinator.replies[1].attachment.content == qr_png(fresh.group(0))
    await coordinator.tap("Готово")
    await coordinator.tap(LINKS)
    await coordinator.tap("Для наставляемых")
    again = TELEGRAM_LINK.search(coordinator.last.text)
    assert again is not None
    assert again.group(1) == fresh.group(1), "the same link is shown again"
    await coordinator.tap("Готово")
    await coordinator.tap(LINKS)
    await coordinator.tap("Для куратора (на одного человека)")
    assert coordinator.ids == ["staff-links"], "a personal link needs no poster"
    assert "Ссылка сработает один раз" in coordinator.last.text
    curator_link = TELEGRAM_LINK.search(coordinator.last.text)
    assert curator_link is not None
    olga = Chat(app.conversation, user_id="olga")
    await olga.start(curator_link.group(1))
    assert "staff-invite-curator" in olga.ids
    await coordinator.send("/start")
    assert coordinator.ids == ["welcome-back", "staff-links"]
    assert "уже присоединились все, кому она предназначалась" in coordinator.last.text
    await coordinator.tap("Готово")
    assert coordinator.ids == ["staff-card"]
    await coordinator.tap("← Назад")
    assert coordinator.ids == ["staff-programs"]


async def test_creating_from_the_list_opens_the_new_card(app: App, clock: FrozenClock) -> None:
    org, _, _ = await school(app, clock)
    coordinator = Chat(app.conversation, user_id="sergey")
    await make_coordinator(app, clock, coordinator, org.id)
    await coordinator.send("/menu")
    await coordinator.tap(PROGRAMS)
    await coordinator.tap("＋ Создать программу")
    await coordinator.send("Учитель – ученик")
    await coordinator.tap("педагог – ученик")
    await coordinator.tap("коллега – молодой коллега")
    await coordinator.send("Учителя помогают ученикам выбрать профессию.")
    await coordinator.send("01.09.2026")
    await coordinator.send("31.05.2027")
    await coordinator.tap("Создать программу")
    assert coordinator.ids == ["staff-program-created", "staff-card"]
    assert "«Мои программы»" not in coordinator.replies[0].text
    assert coordinator.last.text.endswith("Учителя помогают ученикам выбрать профессию.")


async def test_people_who_joined_are_listed_by_pages(app: App, clock: FrozenClock) -> None:
    org, a, _ = await school(app, clock)
    coordinator = Chat(app.conversation, user_id="sergey")
    await make_coordinator(app, clock, coordinator, org.id)
    async with app.database.transaction() as session:
        for index in range(12):
            person = Person(
                full_name=f"Ученик {index:02}", created_at=clock.now(), updated_at=clock.now()
            )
            session.add(person)
            await session.flush()
            session.add(
                Participant(
                    program_id=a.id,
                    person_id=person.id,
                    role=ParticipantRole.MENTEE,
                    status=ParticipantStatus.READY if index < 4 else ParticipantStatus.ONBOARDING,
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
    await coordinator.send("/menu")
    await coordinator.tap(PROGRAMS)
    await coordinator.tap(A)
    assert (
        "Наставляемые: 12 (регистрируются и заполняют анкету: 8, готовы к подбору пары: 4)"
        in coordinator.last.text
    )
    await coordinator.tap(JOINED)
    assert coordinator.ids == ["staff-joined"]
    text = coordinator.last.text
    assert "Присоединились к программе «" + A + "»: 12. Показаны 1–10:" in text
    assert "• Ученик 00 — наставляемый, анкета заполнена, ждёт пару" in text
    assert "• Ученик 09 — наставляемый, регистрируется, анкета не закончена" in text
    assert "Ученик 10" not in text
    assert "← Предыдущие" not in coordinator.labels
    await coordinator.tap("Следующие →")
    assert coordinator.last.edit
    assert "Показаны 11–12:" in coordinator.last.text
    assert "Следующие →" not in coordinator.labels
    await coordinator.tap("← Предыдущие")
    assert "Показаны 1–10:" in coordinator.last.text


# --- a curator and the access rule ---------------------------------------------------------------


async def test_curator_joins_by_link_and_sees_only_their_program(
    app: App, clock: FrozenClock
) -> None:
    _, a, _ = await school(app, clock)
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    assert olga.ids == ["welcome", "staff-invite-curator", "menu-title"]
    assert f"Теперь вы куратор программы «{A}» (Школа №5)" in olga.replies[1].text
    assert PROGRAMS in olga.labels
    assert CREATE not in olga.labels
    await olga.tap(PROGRAMS)
    assert olga.labels == [A, "Отмена"]
    await olga.tap(A)
    await olga.tap(LINKS)
    assert olga.labels[:2] == ["Для наставляемых", "Для наставников"]
    assert "Для куратора (на одного человека)" not in olga.labels
    await olga.tap("Для наставников")
    assert olga.ids == ["staff-qr-telegram", "staff-qr-vk", "staff-links"]
    assert "Ссылка для наставников программы" in olga.last.text

    app.policy.links = InviteLinks()
    await olga.tap("← Назад")
    await olga.tap("Для наставников")
    assert olga.ids == ["staff-links"], "no link, no QR code"
    token = re.search(r"Код приглашения: (i_\S+)", olga.last.text)
    assert token is not None
    assert f"отправить ему: /start {token.group(1)}" in olga.last.text


async def test_a_forged_state_for_another_program_is_refused(app: App, clock: FrozenClock) -> None:
    _, a, b = await school(app, clock)
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    await olga.tap(PROGRAMS)
    await olga.tap(A)
    before = await count_invitations(app, b.id)

    await forge_state(app, olga, program_id=b.id)
    await olga.tap(LINKS)
    assert olga.ids == ["staff-not-allowed"]
    assert olga.labels == ["В меню", "← Назад", "Отмена"]
    await olga.tap("В меню")
    assert olga.ids == ["menu-title"]

    await olga.tap(PROGRAMS)
    await olga.tap(A)
    await olga.tap(LINKS)
    await forge_state(app, olga, program_id=b.id)
    await olga.tap("Для наставляемых")
    assert olga.ids == ["staff-not-allowed", "menu-title"]

    await olga.tap(PROGRAMS)
    await olga.tap(A)
    await forge_state(app, olga, program_id=b.id)
    await olga.tap(JOINED)
    assert olga.ids == ["staff-not-allowed"]
    assert B not in olga.last.text
    assert await count_invitations(app, b.id) == before

    await olga.press("forged:0")
    assert olga.ids == ["button-stale", "staff-not-allowed"]


async def test_a_curator_who_lost_the_role_is_refused(app: App, clock: FrozenClock) -> None:
    _, a, _ = await school(app, clock)
    olga = Chat(app.conversation, user_id="olga")
    await curator_of(app, clock, olga, a)
    await olga.tap(PROGRAMS)
    await olga.tap(A)
    await olga.tap(LINKS)
    await olga.tap("Для наставляемых")
    before = await count_invitations(app, a.id)
    who = await person_id(app, olga)
    async with app.database.transaction() as session:
        await session.delete(await session.get_one(ProgramCurator, (a.id, who)))
    await olga.tap("Заменить ссылку")
    assert olga.ids == ["staff-not-allowed"]
    assert await count_invitations(app, a.id) == before
    await olga.send("/menu")
    assert PROGRAMS not in olga.labels


# --- opening invite links ------------------------------------------------------------------------


def conversation(app: App, clock: FrozenClock, *, onboarding: bool) -> Conversation:
    """The bot's conversation with or without an onboarding dialog (a stand-in if needed)."""
    registry = build_registry(app.translator.locales)
    if onboarding and "onboarding" not in registry:
        registry.add(
            Dialog(
                "onboarding",
                [ChoiceStep("show", "menu-title", [Choice("x", "button-to-menu")])],
            )
        )
    if not onboarding:
        registry._dialogs.pop("onboarding", None)
    return Conversation(
        app.database, Engine(registry, app.translator), app.translator, clock, policy=app.policy
    )


async def stack_top(app: App, chat: Chat) -> dict[str, object]:
    async with app.database.transaction() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == chat.user_id)
        )
        assert row is not None
        return dict(row.state["stack"][-1])


async def test_a_mentee_link_leads_to_onboarding(app: App, clock: FrozenClock) -> None:
    _, a, _ = await school(app, clock)
    invite = await issue(app, clock, a.id, InvitationRole.MENTEE)
    misha = Chat(conversation(app, clock, onboarding=True), user_id="misha")
    await misha.start(invite.token)
    top = await stack_top(app, misha)
    assert top["dialog"] == "onboarding"
    args = top["args"]
    assert isinstance(args, dict)
    async with app.database.transaction() as session:
        participant = await session.get_one(Participant, args["participant_id"])
        assert (participant.role, participant.status) == (
            ParticipantRole.MENTEE,
            ParticipantStatus.ONBOARDING,
        )


async def test_without_onboarding_a_participant_is_told_where_they_joined(
    app: App, clock: FrozenClock
) -> None:
    _, a, _ = await school(app, clock)
    invite = await issue(app, clock, a.id, InvitationRole.MENTOR)
    darya = Chat(conversation(app, clock, onboarding=False), user_id="darya")
    await darya.start(invite.token)
    assert darya.ids == ["welcome", "staff-invite-joined", "menu-title"]
    assert darya.replies[1].text == f"Вы присоединились к программе «{A}» как наставник."
    await darya.start(invite.token)
    assert darya.replies[0].text == f"Вы уже участвуете в программе «{A}» как наставник."


async def test_a_coordinator_link_welcomes_the_coordinator(app: App, clock: FrozenClock) -> None:
    org, _, _ = await school(app, clock)
    async with app.database.transaction() as session:
        invite = await Services(session, clock, app.policy).invitations.invite_coordinator(
            CLI, org.id
        )
        assert isinstance(invite, InviteInfo)
    sergey = Chat(app.conversation, user_id="sergey")
    await sergey.start(invite.token)
    assert sergey.ids == ["welcome", "staff-invite-coordinator", "menu-title"]
    assert "Теперь вы координатор наставничества в организации «Школа №5»" in sergey.replies[1].text
    assert {PROGRAMS, CREATE} <= set(sergey.labels)


@pytest.mark.parametrize(
    ("case", "text_id"),
    [
        ("unknown", "staff-invite-unknown"),
        ("expired", "staff-invite-expired"),
        ("revoked", "staff-invite-revoked"),
        ("used_up", "staff-invite-used-up"),
    ],
)
async def test_a_link_that_does_not_work_says_why(
    app: App, clock: FrozenClock, case: str, text_id: str
) -> None:
    _, a, _ = await school(app, clock)
    token = "i_unknown-token"
    if case != "unknown":
        invite = await issue(
            app, clock, a.id, InvitationRole.MENTEE, expires_in=timedelta(days=1), max_uses=1
        )
        token = invite.token
    if case == "expired":
        clock.advance(timedelta(days=2))
    if case == "revoked":
        async with app.database.transaction() as session:
            await Services(session, clock, app.policy).invitations.revoke(CLI, token)
    if case == "used_up":
        first = Chat(app.conversation, user_id="first")
        await first.start(token)
    someone = Chat(app.conversation, user_id="someone")
    await someone.send("/start")
    await someone.start(token)
    assert someone.ids == [text_id, "menu-title"]
    who = await person_id(app, someone)
    async with app.database.transaction() as session:
        assert not list(
            await session.scalars(select(Participant).where(Participant.person_id == who))
        )


async def test_a_removed_participant_is_told_so(app: App, clock: FrozenClock) -> None:
    _, a, _ = await school(app, clock)
    invite = await issue(app, clock, a.id, InvitationRole.MENTEE)
    misha = Chat(conversation(app, clock, onboarding=False), user_id="misha")
    await misha.start(invite.token)
    async with app.database.transaction() as session:
        participant = await session.scalar(select(Participant))
        assert participant is not None
        participant.status = ParticipantStatus.REMOVED
    await misha.start(invite.token)
    assert misha.ids == ["staff-invite-removed", "menu-title"]


def test_dates_are_read_as_russians_write_them() -> None:
    assert parse_date("01.09.2026") == date(2026, 9, 1)
    assert parse_date("1.9.2026") == date(2026, 9, 1)
    assert parse_date("01/09/2026") == date(2026, 9, 1)
    for bad in ("2026-09-01", "32.01.2026", "01.09.1900", "вчера"):
        with pytest.raises(Invalid):
            parse_date(bad)

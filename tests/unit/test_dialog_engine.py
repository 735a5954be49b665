"""The dialog engine through the conversation core: validation, back, cancel, sub-dialogs, state."""

from __future__ import annotations

import asyncio
from datetime import date

from sqlalchemy import func, select

from bot.app import App, build_app
from bot.core.clock import FrozenClock
from bot.core.messages import LINK_BUTTON, Attachment, AttachmentKind
from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    Finish,
    Goto,
    Outcome,
    Push,
    StepContext,
    TextStep,
)
from storage import (
    AuditLog,
    Channel,
    DialogState,
    MessengerAccount,
    Participant,
    ParticipantStatus,
    Person,
    QuestionnaireAnswer,
)
from tests.chat import Chat, conversation_with, toggle_dialog
from tests.conftest import make_settings

MENU = ["Попробовать анкету (демо)", "Мои мессенджеры", "Язык / Language", "Помощь"]


async def to_birth_date(chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("Попробовать анкету (демо)")
    await chat.send("Миша Иванов")
    await chat.tap("Наставляемым")
    assert chat.ids == ["demo-ask-birth-date"]


async def to_review(chat: Chat) -> None:
    await to_birth_date(chat)
    await chat.send("14.03.2013")
    await chat.send("6б")
    assert chat.ids == ["demo-review"]


async def stored_state(app: App, user_id: str = "u1") -> dict[str, JSON]:
    async with app.database.sessions() as session:
        row = await session.scalar(
            select(DialogState).where(DialogState.external_user_id == user_id)
        )
        assert row is not None
        return dict(row.state)


async def test_first_contact_greets_and_shows_menu(app: App, chat: Chat) -> None:
    await chat.send("/start")
    assert chat.ids == ["welcome", "menu-title"]
    assert chat.labels == MENU
    async with app.database.sessions() as session:
        account = await session.scalar(select(MessengerAccount))
        assert account is not None
        assert (account.channel, account.external_user_id) == (Channel.CONSOLE, "u1")
        person = await session.get(Person, account.person_id)
        assert person is not None
        assert person.locale == "ru"


async def test_messenger_language_picks_locale_on_first_contact(app: App) -> None:
    chat = Chat(app.conversation, language="en-US")
    await chat.send("hello")
    assert chat.ids == ["welcome", "menu-title"]
    assert chat.last.text == "Main menu. What would you like to do?"
    chat_unknown = Chat(app.conversation, user_id="u2", language="de")
    await chat_unknown.send("hallo")
    assert chat_unknown.last.text == "Главное меню. Что хотите сделать?"


async def test_demo_flow_validates_and_stores_answers(app: App, chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("Попробовать анкету (демо)")
    assert chat.ids == ["demo-ask-name"]
    assert chat.labels == ["Отмена"], "no Back on the first step, Cancel always"

    await chat.send("12345")
    assert chat.ids == ["demo-name-invalid"]
    assert chat.labels == ["Отмена"]
    await chat.send("Миша Иванов")
    assert chat.ids == ["demo-ask-role"]
    assert chat.labels == ["Наставляемым", "Наставником", "← Назад", "Отмена"]

    await chat.tap("Наставляемым")
    await chat.send("31.02.2013")
    assert chat.ids == ["demo-birth-date-invalid"]
    await chat.send("14.03.1900")
    assert chat.ids == ["demo-birth-date-out-of-range"]
    await chat.send("14.03.2013")
    assert chat.ids == ["demo-ask-grade"]
    assert chat.last.accepts_text
    await chat.send("13Ж")
    assert chat.ids == ["demo-grade-invalid"]
    await chat.send("6 б")
    assert chat.ids == ["demo-review"]
    assert chat.last.args == {
        "name": "Миша Иванов",
        "role": "Наставляемым",
        "birth_date": "14.03.2013",
        "grade": "6Б",
    }

    await chat.tap("Всё верно")
    assert chat.ids == ["demo-done", "menu-title"]
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.full_name == "Миша Иванов"))
        assert person is not None
        assert person.birth_date == date(2013, 3, 14)
        assert person.grade == "6Б"
        participant = await session.scalar(select(Participant))
        assert participant is not None
        assert participant.status is ParticipantStatus.READY
        answers = {
            a.question_id: (a.questionnaire_id, a.questionnaire_version, a.value)
            for a in await session.scalars(select(QuestionnaireAnswer))
        }
        assert answers["birth_date"] == ("demo", 1, "2013-03-14")
        assert answers["grade"] == ("demo", 1, "6Б")
        actions = set(await session.scalars(select(AuditLog.action)))
        assert {"first-contact", "enroll"} <= actions


async def test_back_returns_to_previous_step_keeping_answers(chat: Chat) -> None:
    await to_birth_date(chat)
    await chat.tap("← Назад")
    assert chat.ids == ["demo-ask-role"]
    await chat.send("/back")
    assert chat.ids == ["demo-ask-name"]
    await chat.send("/back")
    assert chat.ids == ["back-unavailable"]
    assert chat.labels == ["Отмена"]
    await chat.send("Миша Иванов")
    await chat.tap("Наставником")
    await chat.send("14.03.2013")
    await chat.tap("Пропустить")
    assert chat.last.args["role"] == "Наставником"
    assert chat.last.args["grade"] == "—"


async def test_review_edits_one_answer_and_returns_to_review(chat: Chat) -> None:
    await to_review(chat)
    await chat.tap("Исправить ответ")
    await chat.tap("Дату рождения")
    assert chat.ids == ["demo-ask-birth-date"]
    await chat.send("01.09.2012")
    assert chat.ids == ["demo-review"]
    assert chat.last.args["birth_date"] == "01.09.2012"
    assert chat.last.args["name"] == "Миша Иванов"


async def test_cancel_leaves_flow_and_says_so(chat: Chat) -> None:
    await to_birth_date(chat)
    await chat.send("/cancel")
    assert chat.ids == ["dialog-cancelled", "menu-title"]
    await chat.send("/cancel")
    assert chat.ids == ["nothing-to-cancel", "menu-title"]
    await chat.tap("Попробовать анкету (демо)")
    await chat.tap("Отмена")
    assert chat.ids == ["dialog-cancelled", "menu-title"]


async def test_sub_dialog_returns_result_to_parent_step(app: App, chat: Chat) -> None:
    await to_review(chat)
    await chat.tap("Язык / Language")
    assert chat.ids == ["lang-choose"]
    assert chat.labels == ["Русский", "English", "← Назад", "Отмена"]
    await chat.tap("← Назад")
    assert chat.ids == ["demo-review"], "Back from a sub-dialog's first step returns to the parent"
    await chat.tap("Язык / Language")
    await chat.tap("English")
    assert chat.ids == ["lang-changed", "demo-review"]
    assert chat.last.text.startswith("Please check your answers:")
    assert chat.labels[0] == "All correct"
    async with app.database.sessions() as session:
        assert await session.scalar(select(Person.locale).where(Person.full_name.is_(None))) == "en"


async def test_lang_command_from_menu(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send("/lang")
    assert chat.ids == ["lang-choose"]
    await chat.tap("English")
    assert chat.ids == ["lang-changed", "menu-title"]
    assert chat.labels == [
        "Try the questionnaire (demo)",
        "My messengers",
        "Язык / Language",
        "Help",
    ]


async def test_restart_resumes_at_same_step_with_answers(db_url: str, clock: FrozenClock) -> None:
    first = await build_app(make_settings(db_url), clock=clock, strict_texts=True)
    await to_birth_date(Chat(first.conversation))
    await first.close()

    second = await build_app(make_settings(db_url), clock=clock, strict_texts=True)
    chat = Chat(second.conversation)
    await chat.send("14.03.2013")
    assert chat.ids == ["demo-ask-grade"]
    await chat.send("7А")
    assert chat.ids == ["demo-review"]
    assert chat.last.args["name"] == "Миша Иванов"
    await second.close()


async def test_stale_state_resets_to_menu_with_apology(app: App, chat: Chat) -> None:
    await to_birth_date(chat)
    stale_states: list[dict[str, JSON]] = []
    state = await stored_state(app)
    stale_states.append({**state, "format": 0})
    old_version = [dict(frame) for frame in state["stack"]]
    old_version[-1]["version"] = 0
    stale_states.append({**state, "stack": old_version})
    removed_step = [dict(frame) for frame in state["stack"]]
    removed_step[-1]["step"] = "shoe_size"
    stale_states.append({**state, "stack": removed_step})
    stale_states.append({"format": 1, "stack": [{"dialog": "gone", "version": 1, "step": "x"}]})

    for stale in stale_states:
        async with app.database.sessions() as session, session.begin():
            row = await session.scalar(select(DialogState))
            assert row is not None
            row.state = stale
        await chat.send("14.03.2013")
        assert chat.ids == ["state-reset", "menu-title"]
        assert (await stored_state(app))["stack"][-1]["dialog"] == "menu"


async def test_stale_and_forged_buttons_change_nothing(app: App, chat: Chat) -> None:
    await chat.send("/start")
    await chat.tap("Попробовать анкету (демо)")
    await chat.send("Миша Иванов")
    role_keyboard = chat.keyboard
    await chat.tap("Наставником")
    assert chat.ids == ["demo-ask-birth-date"]

    await chat.press(role_keyboard[0].payload)  # a second tap on the old keyboard
    assert chat.ids == ["button-stale", "demo-ask-birth-date"]
    nonce = chat.keyboard[0].payload.split(":")[0]
    for forged in ("zz:0", f"{nonce}:99", f"{nonce}:-1", f"{nonce}:cancel9", "", "x" * 300):
        await chat.press(forged)
        assert chat.ids == ["button-stale", "demo-ask-birth-date"], forged
    frame = (await stored_state(app))["stack"][-1]
    assert frame["step"] == "birth_date"
    assert frame["data"] == {"name": "Миша Иванов", "role": "mentor"}


async def test_bad_input_gets_clear_answer_and_changes_nothing(app: App, chat: Chat) -> None:
    await to_birth_date(chat)
    before = await stored_state(app)

    await chat.sticker()
    assert chat.ids == ["input-text-expected"]
    await chat.send("x" * 5000)
    assert chat.ids == ["input-too-long"]
    assert "4 000" in chat.last.text.replace("\u00a0", " ").replace("\u202f", " ")
    await chat.send("/frobnicate now")
    assert chat.ids == ["command-unknown", "demo-ask-birth-date"]
    await chat.send("/help")
    assert chat.ids == ["help", "demo-ask-birth-date"]

    after = await stored_state(app)
    assert after["stack"] == before["stack"]
    await chat.tap("← Назад")
    await chat.sticker()
    assert chat.ids == ["input-use-buttons"]
    assert chat.labels == ["Наставляемым", "Наставником", "← Назад", "Отмена"]
    await chat.send("Наставником")
    assert chat.ids == ["demo-ask-birth-date"], "a typed label counts as a tap"


async def test_deep_links(chat: Chat) -> None:
    await chat.start("demo")
    assert chat.ids == ["welcome", "demo-ask-name"]
    await chat.start("no-such-link")
    assert chat.ids == ["link-invalid", "menu-title"]


async def test_a_link_button_opens_its_link_whatever_keyboard_is_shown(chat: Chat) -> None:
    """Buttons of notifications carry `~<link>`: valid after any number of other replies."""
    await to_birth_date(chat)
    await chat.press(LINK_BUTTON + "demo")
    assert chat.ids == ["demo-ask-name"]
    await chat.press(LINK_BUTTON + "no-such-link")
    assert chat.ids == ["link-invalid", "menu-title"]


async def test_start_mid_flow_keeps_the_step(chat: Chat) -> None:
    await to_birth_date(chat)
    await chat.send("/start")
    assert chat.ids == ["welcome-back", "demo-ask-birth-date"]
    await chat.send("/menu")
    assert chat.ids == ["menu-title"]


async def test_crash_in_a_step_rolls_back_and_apologises(app: App, clock: FrozenClock) -> None:
    async def explode(ctx: StepContext, value: JSON) -> Outcome:
        ctx.data["half-done"] = True
        raise RuntimeError("boom")

    fragile = Dialog("fragile", [TextStep("name", "demo-ask-name", then=explode)])
    chat = Chat(conversation_with(app, clock, fragile))
    await chat.start("fragile")
    await chat.send("Миша")
    assert chat.ids == ["error-internal"]
    state = await stored_state(app)
    assert state["stack"][-1] == {
        "dialog": "fragile",
        "version": 1,
        "step": "name",
        "data": {},
        "args": {},
        "history": [],
    }


async def test_sub_dialog_result_reaches_parent_on_result(app: App, clock: FrozenClock) -> None:
    class AskColour(ChoiceStep):
        async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
            ctx.data["picked"] = result
            return Goto("show")

    async def open_child(ctx: StepContext, value: JSON) -> Outcome:
        return Push("child", {"offer": value})

    async def child_choices(ctx: StepContext) -> list[Choice]:
        return [Choice(ctx.args["offer"], label=str(ctx.args["offer"]))]

    async def child_done(ctx: StepContext, value: JSON) -> Outcome:
        return Finish(f"{value}!")

    async def picked(ctx: StepContext) -> dict[str, JSON]:
        return {"name": ctx.data["picked"]}

    parent = Dialog(
        "parent",
        [
            AskColour("ask", "demo-ask-role", [Choice("teal", label="teal")], then=open_child),
            ChoiceStep("show", "demo-done", [Choice("ok", label="ok")], args=picked),
        ],
    )
    child = Dialog("child", [ChoiceStep("pick", "demo-pick-field", child_choices, then=child_done)])
    chat = Chat(conversation_with(app, clock, parent, child))
    await chat.start("parent")
    await chat.tap("teal")
    assert chat.ids == ["demo-pick-field"]
    assert chat.labels == ["teal", "← Назад", "Отмена"]
    await chat.tap("teal")
    assert chat.ids == ["demo-done"]
    assert chat.last.args == {"name": "teal!"}, "the child's result reached the parent step"
    stack = (await stored_state(app))["stack"]
    assert [frame["dialog"] for frame in stack] == ["menu", "parent"]


async def test_concurrent_updates_of_one_person_are_serialised(app: App) -> None:
    chats = [Chat(app.conversation) for _ in range(5)]
    await asyncio.gather(*(c.send("/start") for c in chats))
    async with app.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        row = await session.scalar(select(DialogState))
        assert row is not None
        assert row.revision == 5
    assert sorted(c.ids[0] for c in chats) == ["welcome"] + ["welcome-back"] * 4


async def test_many_people_at_once_on_sqlite(app: App) -> None:
    """Concurrent read-then-write transactions wait for each other instead of failing."""
    chats = [Chat(app.conversation, user_id=f"p{i}") for i in range(30)]
    await asyncio.gather(*(c.send("/start") for c in chats))
    await asyncio.gather(*(c.tap("Попробовать анкету (демо)") for c in chats))
    assert {tuple(c.ids) for c in chats} == {("demo-ask-name",)}
    async with app.database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DialogState)) == 30


async def test_a_step_redrawn_after_a_tap_replaces_its_message(
    app: App, clock: FrozenClock
) -> None:
    chat = Chat(conversation_with(app, clock, toggle_dialog()))
    await chat.start("toggle")
    assert not chat.last.edit
    await chat.tap("b")
    assert [(r.text_id, r.edit) for r in chat.replies] == [("demo-pick-field", True)]
    assert chat.labels[:3] == ["a", "✓ b", "c"]
    await chat.send("a")
    assert not chat.last.edit, "typed input answers with a new message"
    assert chat.labels[:3] == ["✓ a", "✓ b", "c"]
    await chat.tap("done")
    assert not chat.last.edit, "moving on sends a new message"


async def test_a_step_can_send_a_file_before_its_prompt(app: App, clock: FrozenClock) -> None:
    async def send_poster(ctx: StepContext, value: JSON) -> Outcome:
        ctx.send_file("demo-done", Attachment(AttachmentKind.IMAGE, "qr.png", b"\x89PNG"), name="x")
        return Goto("pick")

    dialog = Dialog(
        "poster",
        [
            ChoiceStep("ask", "demo-ask-role", [Choice("go", label="go")], then=send_poster),
            ChoiceStep("pick", "demo-pick-field", [Choice("ok", label="ok")]),
        ],
    )
    chat = Chat(conversation_with(app, clock, dialog))
    await chat.start("poster")
    await chat.tap("go")
    assert chat.ids == ["demo-done", "demo-pick-field"]
    attachment = chat.replies[0].attachment
    assert attachment is not None
    assert (attachment.kind, attachment.filename, attachment.content) == (
        AttachmentKind.IMAGE,
        "qr.png",
        b"\x89PNG",
    )

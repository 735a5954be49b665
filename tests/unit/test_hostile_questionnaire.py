"""Random text, commands, forged buttons and attachments at a questionnaire step change nothing."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import App
from bot.core.clock import FrozenClock
from bot.core.messages import Attachment, AttachmentKind
from tests.chat import Chat
from tests.unit.test_questionnaire_dialog import answers, enrol, opened, progress

COMMANDS = ("/cancel", "/back", "/start", "/help", "/menu")

junk_text = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=50).map(lambda s: s * 250),
    st.text(min_size=1, max_size=30).map(lambda s: "/" + s),
)
junk_button = st.one_of(st.text(max_size=80), st.from_regex(r"[0-9a-z]{1,12}:-?[0-9]{1,4}"))
junk_attachments = st.lists(st.sampled_from(AttachmentKind), min_size=1, max_size=3)


async def send_junk(chat: Chat, kind: str, value: object) -> None:
    if kind == "text":
        await chat.send(str(value))
    elif kind == "button":
        await chat.press(str(value))
    else:
        assert isinstance(value, list)
        await chat._handle(attachments=tuple(Attachment(k) for k in value))


junk = st.one_of(
    st.tuples(st.just("text"), junk_text.filter(lambda s: s.strip() not in COMMANDS)),
    st.tuples(st.just("button"), junk_button),
    st.tuples(st.just("attachments"), junk_attachments),
)


async def test_junk_at_a_questionnaire_step_changes_nothing(app: App, clock: FrozenClock) -> None:
    setup = await enrol(app)
    chat = await opened(app, clock, setup.participant_id)
    await chat.tap("Красный")
    assert progress(chat) == (2, 6)
    before = await answers(app, setup.participant_id)
    inputs: list[tuple[str, object]] = []

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(junk)
    def collect(item: tuple[str, object]) -> None:
        inputs.append(item)

    collect()
    for kind, value in inputs:
        await send_junk(chat, kind, value)
        assert "error-internal" not in chat.ids, (kind, value)
        assert all(app.translator.has(text_id) for text_id in chat.ids), chat.ids
        if chat.last.text_id == "questionnaire-question" and progress(chat) != (2, 6):
            # A typed label of the current step counts as a tap; undo by going back.
            break
        assert await answers(app, setup.participant_id) == before, (kind, value)

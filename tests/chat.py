"""A test driver that talks to the conversation core like a person would."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.core.clock import Clock
from bot.core.conversation import Conversation
from bot.core.messages import Attachment, AttachmentKind, Button, Channel, Incoming, Reply
from bot.dialogs import build_registry
from bot.dialogs.engine import (
    JSON,
    Choice,
    ChoiceStep,
    Dialog,
    Engine,
    Finish,
    Outcome,
    Push,
    Stay,
    StepContext,
)


def conversation_with(app: App, clock: Clock, *dialogs: Dialog) -> Conversation:
    """The bot's conversation plus test dialogs, each opened by the deep link of its name."""
    registry = build_registry(app.translator.locales)
    names = {dialog.name for dialog in dialogs}
    for dialog in dialogs:
        registry.add(dialog)

    async def open_by_name(ctx: StepContext, payload: str) -> Outcome | None:
        return Push(payload) if payload in names else None

    registry.links.append(open_by_name)
    return Conversation(app.database, Engine(registry, app.translator), app.translator, clock)


def toggle_dialog() -> Dialog:
    """A test dialog redrawn in place: tapping an option toggles its mark (Stay), Done finishes."""

    async def options(ctx: StepContext) -> list[Choice]:
        picked = ctx.data.get("picked") or []
        assert isinstance(picked, list)
        marks = [Choice(name, label=("✓ " if name in picked else "") + name) for name in "abc"]
        return [*marks, Choice("done", label="done")]

    async def toggle(ctx: StepContext, value: JSON) -> Outcome:
        if value == "done":
            return Finish(ctx.data.get("picked") or [])
        picked = list(ctx.data.get("picked") or [])
        picked.remove(value) if value in picked else picked.append(value)
        ctx.data["picked"] = picked
        return Stay()

    return Dialog("toggle", [ChoiceStep("pick", "demo-pick-field", options, then=toggle)])


class Chat:
    """Sends messages and taps buttons as one person; remembers the last replies."""

    def __init__(
        self,
        conversation: Conversation,
        *,
        user_id: str = "u1",
        channel: Channel = Channel.CONSOLE,
        language: str | None = "ru",
    ) -> None:
        self.conversation = conversation
        self.user_id = user_id
        self.channel = channel
        self.language = language
        self.replies: list[Reply] = []

    async def _handle(self, **fields: Any) -> list[Reply]:
        incoming = Incoming(
            channel=self.channel,
            user_id=self.user_id,
            chat_id=self.user_id,
            language=self.language,
            **fields,
        )
        replies = await self.conversation.handle(incoming)
        assert replies, "every update gets a reply"
        self.replies = replies
        return replies

    async def send(self, text: str) -> list[Reply]:
        """Type a message."""
        return await self._handle(text=text)

    async def sticker(self) -> list[Reply]:
        """Send a non-text message."""
        return await self._handle(attachments=(Attachment(AttachmentKind.STICKER),))

    async def press(self, payload: str) -> list[Reply]:
        """Send a raw button payload (possibly stale or forged)."""
        return await self._handle(button=payload)

    async def tap(self, label: str) -> list[Reply]:
        """Tap the button with this label on the last keyboard."""
        return await self.press(self.button(label).payload)

    async def start(self, payload: str) -> list[Reply]:
        """Open a deep link."""
        return await self._handle(start_payload=payload)

    def button(self, label: str) -> Button:
        """The button with this label on the last keyboard."""
        for button in self.keyboard:
            if button.label == label:
                return button
        raise AssertionError(f"no button {label!r} in {self.labels}")

    @property
    def last(self) -> Reply:
        """The last reply."""
        return self.replies[-1]

    @property
    def ids(self) -> list[str]:
        """Text ids of the last replies."""
        return [reply.text_id for reply in self.replies]

    @property
    def keyboard(self) -> tuple[Button, ...]:
        """Buttons of the last reply."""
        return self.last.flat_buttons

    @property
    def labels(self) -> list[str]:
        """Labels of the last reply's buttons."""
        return [button.label for button in self.keyboard]

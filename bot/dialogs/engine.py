"""The dialog engine: steps that render a prompt and handle input, stacked dialogs, stored state.

A dialog is an ordered set of steps. The conversation keeps a stack of frames (one per running
dialog) as versioned JSON in `dialog_states`, so any process can resume any conversation. Buttons
carry opaque payloads `<nonce>:<slot>` that are only valid for the keyboard last shown.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeAlias

from bot.core.messages import Attachment, Button, Reply

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.clock import Clock
    from bot.core.i18n import Translator
    from bot.core.messages import Incoming
    from bot.services import Services
    from storage.models import MessengerAccount, Person

JSON: TypeAlias = Any
STATE_FORMAT = 1
BACK = "back"
CANCEL = "cancel"


class Invalid(Exception):  # noqa: N818 - reads as `raise Invalid("id")` in parsers
    """Raised by a parser: the input is rejected with a localized explanation."""

    def __init__(self, text_id: str, **args: Any) -> None:
        super().__init__(text_id)
        self.text_id = text_id
        self.params = args


class StaleState(Exception):  # noqa: N818 - a condition, not a failure
    """The stored state no longer fits the dialogs (old version, removed step)."""


# --- outcomes a step returns -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Goto:
    """Move to another step of the same dialog (remembered for Back)."""

    step: str


@dataclass(frozen=True, slots=True)
class Stay:
    """Show the current step again."""


@dataclass(frozen=True, slots=True)
class Reject:
    """Refuse the input: show the error with the same buttons, change nothing."""

    text_id: str
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Push:
    """Start a sub-dialog; its result comes back to the current step's `on_result`."""

    dialog: str
    args: Mapping[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Finish:
    """End the current dialog, handing `result` to the dialog below."""

    result: JSON = None


Outcome: TypeAlias = Goto | Stay | Reject | Push | Finish


# --- what a step shows -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """One option: a value kept on the server and a label (a text id, or literal data)."""

    value: JSON
    text_id: str | None = None
    label: str | None = None
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Prompt:
    """What a step shows: a text id with arguments, options, whether typing is expected."""

    text_id: str
    args: Mapping[str, Any] = field(default_factory=dict)
    choices: Sequence[Choice] = ()
    accepts_text: bool = False
    columns: int = 1


# --- context -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Frame:
    """One running dialog on the stack."""

    dialog: str
    version: int
    step: str
    data: dict[str, JSON] = field(default_factory=dict)
    args: dict[str, JSON] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, JSON]:
        """The frame as stored."""
        return {
            "dialog": self.dialog,
            "version": self.version,
            "step": self.step,
            "data": self.data,
            "args": self.args,
            "history": self.history,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, JSON]) -> Frame:
        """A frame from stored JSON; raises StaleState on anything unexpected."""
        try:
            return cls(
                dialog=str(raw["dialog"]),
                version=int(raw["version"]),
                step=str(raw["step"]),
                data=dict(raw.get("data") or {}),
                args=dict(raw.get("args") or {}),
                history=[str(name) for name in raw.get("history") or []],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StaleState(str(error)) from error


@dataclass(frozen=True, slots=True)
class Note:
    """A message shown before the next prompt, optionally with a file."""

    text_id: str
    args: dict[str, Any]
    attachment: Attachment | None = None


@dataclass(slots=True)
class StepContext:
    """Everything a step may use while handling one update."""

    session: AsyncSession
    services: Services
    person: Person
    account: MessengerAccount
    incoming: Incoming
    clock: Clock
    translator: Translator
    frame: Frame
    notes: list[Note] = field(default_factory=list)

    @property
    def data(self) -> dict[str, JSON]:
        """The current dialog's working data (stored with the state)."""
        return self.frame.data

    @property
    def args(self) -> dict[str, JSON]:
        """The arguments the current dialog was started with."""
        return self.frame.args

    @property
    def locale(self) -> str:
        """The person's locale."""
        return self.person.locale

    def t(self, text_id: str, **args: Any) -> str:
        """Render a text in the person's locale."""
        return self.translator(self.locale, text_id, args)

    def say(self, text_id: str, **args: Any) -> None:
        """Add a message shown before the next prompt."""
        self.notes.append(Note(text_id, args))

    def send_file(self, text_id: str, attachment: Attachment, **args: Any) -> None:
        """Add a message carrying a file (an image or a document) before the next prompt."""
        self.notes.append(Note(text_id, args, attachment))


# --- steps -------------------------------------------------------------------------------------

Then: TypeAlias = "str | Callable[[StepContext, Any], Awaitable[Outcome]] | None"


class Step:
    """A step of a dialog: renders a prompt and handles input. Subclass or use the helpers."""

    name: str

    async def prompt(self, ctx: StepContext) -> Prompt:
        """What the step shows."""
        raise NotImplementedError

    async def on_text(self, ctx: StepContext, text: str) -> Outcome:
        """Typed text (only called when the prompt accepts text)."""
        return Reject("input-use-buttons")

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """A button of this step's keyboard was chosen."""
        return Reject("button-stale")

    async def on_result(self, ctx: StepContext, result: JSON) -> Outcome:
        """A sub-dialog started from this step finished with `result`."""
        return Stay()


async def _follow(then: Then, ctx: StepContext, value: Any) -> Outcome:
    if then is None:
        return Goto(_NEXT)
    if isinstance(then, str):
        return Goto(then)
    return await then(ctx, value)


_NEXT = "\x00next"  # resolved by the engine to the step after the current one


class TextStep(Step):
    """Asks for typed text, parses it (a parser raises Invalid), stores it under `key`.

    The parser gets the context and the stripped text and returns a JSON-able value.
    """

    def __init__(
        self,
        name: str,
        text_id: str,
        *,
        parse: Callable[[StepContext, str], JSON] = lambda ctx, text: text,
        key: str | None = None,
        then: Then = None,
        max_length: int = 1000,
        choices: Callable[[StepContext], Sequence[Choice]] | Sequence[Choice] = (),
        on_choice: Callable[[StepContext, JSON], Awaitable[Outcome]] | None = None,
        args: Callable[[StepContext], Mapping[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.text_id = text_id
        self.parse = parse
        self.key = key if key is not None else name
        self.then = then
        self.max_length = max_length
        self._choices = choices
        self._on_choice = on_choice
        self._args = args

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The question, with optional extra buttons (e.g. Skip)."""
        choices = self._choices(ctx) if callable(self._choices) else self._choices
        args = self._args(ctx) if self._args else {}
        return Prompt(self.text_id, args, choices, accepts_text=True)

    async def on_text(self, ctx: StepContext, text: str) -> Outcome:
        """Parse and store, or reject with the parser's explanation."""
        text = text.strip()
        if len(text) > self.max_length:
            return Reject("input-too-long", {"limit": self.max_length})
        try:
            value = self.parse(ctx, text)
        except Invalid as error:
            return Reject(error.text_id, error.params)
        ctx.data[self.key] = value
        return await _follow(self.then, ctx, value)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """An extra button."""
        if self._on_choice is None:
            return await super().on_choice(ctx, value)
        return await self._on_choice(ctx, value)


class ChoiceStep(Step):
    """Offers buttons; the chosen value is stored under `key`."""

    def __init__(
        self,
        name: str,
        text_id: str,
        choices: Callable[[StepContext], Awaitable[Sequence[Choice]]] | Sequence[Choice],
        *,
        key: str | None = None,
        then: Then = None,
        columns: int = 1,
        args: Callable[[StepContext], Awaitable[Mapping[str, Any]]] | None = None,
    ) -> None:
        self.name = name
        self.text_id = text_id
        self._choices = choices
        self.key = key if key is not None else name
        self.then = then
        self.columns = columns
        self._args = args

    async def prompt(self, ctx: StepContext) -> Prompt:
        """The question and its options."""
        choices = await self._choices(ctx) if callable(self._choices) else self._choices
        args = await self._args(ctx) if self._args else {}
        return Prompt(self.text_id, args, choices, columns=self.columns)

    async def on_choice(self, ctx: StepContext, value: JSON) -> Outcome:
        """Store and move on."""
        ctx.data[self.key] = value
        return await _follow(self.then, ctx, value)


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """An item of the main menu that starts a dialog.

    `shown_to` is an SQL condition on the person's id (None: shown to everybody); the menu asks
    every entry's condition in one query, so a menu costs one round trip however many it has.
    """

    text_id: str
    dialog: str
    shown_to: Callable[[ColumnElement[int]], ColumnElement[bool]] | None = None


@dataclass(slots=True)
class Dialog:
    """A named, versioned set of steps; the first step is where it starts."""

    name: str
    steps: Sequence[Step]
    version: int = 1
    on_start: Callable[[StepContext], Awaitable[None]] | None = None

    def __post_init__(self) -> None:
        names = [step.name for step in self.steps]
        if not names or len(set(names)) != len(names):
            raise ValueError(f"dialog {self.name}: steps must be non-empty and uniquely named")

    @property
    def first(self) -> str:
        """The first step's name."""
        return self.steps[0].name

    def step(self, name: str) -> Step:
        """A step by name; StaleState if it no longer exists."""
        for step in self.steps:
            if step.name == name:
                return step
        raise StaleState(f"{self.name}.{name}")

    def after(self, name: str) -> str | None:
        """The step that follows `name`, if any."""
        names = [step.name for step in self.steps]
        index = names.index(name) + 1
        return names[index] if index < len(names) else None


LinkHandler: TypeAlias = Callable[[StepContext, str], Awaitable[Outcome | None]]


class DialogRegistry:
    """All dialogs by name, the root dialog, menu entries and deep-link handlers."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._dialogs: dict[str, Dialog] = {}
        self.menu: list[MenuEntry] = []
        self.links: list[LinkHandler] = []

    def add(self, dialog: Dialog) -> None:
        """Register a dialog."""
        if dialog.name in self._dialogs:
            raise ValueError(f"dialog {dialog.name} registered twice")
        self._dialogs[dialog.name] = dialog

    def __contains__(self, name: object) -> bool:
        return name in self._dialogs

    def get(self, name: str) -> Dialog:
        """A dialog by name; StaleState if unknown."""
        try:
            return self._dialogs[name]
        except KeyError:
            raise StaleState(name) from None


# --- the engine --------------------------------------------------------------------------------


@dataclass(slots=True)
class Keyboard:
    """The buttons last shown: valid payloads are `<nonce>:<slot>`."""

    nonce: str
    values: list[JSON]
    labels: list[str]
    nav: list[str]
    columns: int
    accepts_text: bool

    def to_json(self) -> dict[str, JSON]:
        """As stored."""
        return {
            "nonce": self.nonce,
            "values": self.values,
            "labels": self.labels,
            "nav": self.nav,
            "columns": self.columns,
            "accepts_text": self.accepts_text,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, JSON] | None) -> Keyboard | None:
        """From stored JSON (None when absent)."""
        if not raw:
            return None
        try:
            return cls(
                nonce=str(raw["nonce"]),
                values=list(raw["values"]),
                labels=[str(label) for label in raw["labels"]],
                nav=[str(item) for item in raw["nav"]],
                columns=int(raw["columns"]),
                accepts_text=bool(raw["accepts_text"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise StaleState(str(error)) from error

    def buttons(self, nav_labels: Mapping[str, str]) -> tuple[tuple[Button, ...], ...]:
        """Rows of buttons: options in `columns`, then Back and Cancel on one row."""
        options = [
            Button(label, f"{self.nonce}:{index}") for index, label in enumerate(self.labels)
        ]
        rows = [tuple(options[i : i + self.columns]) for i in range(0, len(options), self.columns)]
        nav = tuple(Button(nav_labels[item], f"{self.nonce}:{item}") for item in self.nav)
        if nav:
            rows.append(nav)
        return tuple(rows)


@dataclass(slots=True)
class State:
    """The whole stored conversation state."""

    stack: list[Frame]
    keyboard: Keyboard | None = None

    def to_json(self) -> dict[str, JSON]:
        """As stored."""
        return {
            "format": STATE_FORMAT,
            "stack": [frame.to_json() for frame in self.stack],
            "keyboard": self.keyboard.to_json() if self.keyboard else None,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, JSON] | None, registry: DialogRegistry) -> State:
        """Parse and check against the registered dialogs; StaleState if it does not fit."""
        if not raw:
            return cls.fresh(registry)
        if raw.get("format") != STATE_FORMAT or not isinstance(raw.get("stack"), list):
            raise StaleState("format")
        stack = [Frame.from_json(item) for item in raw["stack"]]
        if not stack or stack[0].dialog != registry.root:
            raise StaleState("root")
        for frame in stack:
            dialog = registry.get(frame.dialog)
            if dialog.version != frame.version:
                raise StaleState(f"{frame.dialog} v{frame.version}")
            dialog.step(frame.step)
            for name in frame.history:
                dialog.step(name)
        return cls(stack, Keyboard.from_json(raw.get("keyboard")))

    @classmethod
    def fresh(cls, registry: DialogRegistry) -> State:
        """Only the root dialog, at its first step."""
        root = registry.get(registry.root)
        return cls([Frame(root.name, root.version, root.first)])


MAX_TRANSITIONS = 32


class Engine:
    """Runs one update against a state: the platform-neutral heart of every channel."""

    def __init__(self, registry: DialogRegistry, translator: Translator) -> None:
        self.registry = registry
        self.translator = translator

    def nav_labels(self, locale: str) -> dict[str, str]:
        """Labels of the navigation buttons."""
        return {
            BACK: self.translator(locale, "button-back"),
            CANCEL: self.translator(locale, "button-cancel"),
        }

    async def apply(self, state: State, ctx: StepContext, outcome: Outcome) -> list[Reply]:
        """Carry out an outcome (and those it leads to), then render; returns the replies."""
        for _ in range(MAX_TRANSITIONS):
            frame = state.stack[-1]
            ctx.frame = frame
            dialog = self.registry.get(frame.dialog)
            match outcome:
                case Reject(text_id, args):
                    return [*self._notes(ctx), self._error(state, ctx, text_id, args)]
                case Stay():
                    return await self.render(state, ctx)
                case Goto(step):
                    target = dialog.after(frame.step) if step == _NEXT else step
                    if target is None:
                        outcome = Finish(frame.data)
                        continue
                    dialog.step(target)
                    frame.history.append(frame.step)
                    frame.step = target
                    return await self.render(state, ctx)
                case Push(name, args):
                    child = self.registry.get(name)
                    state.stack.append(
                        Frame(child.name, child.version, child.first, {}, dict(args))
                    )
                    ctx.frame = state.stack[-1]
                    if child.on_start is not None:
                        await child.on_start(ctx)
                    return await self.render(state, ctx)
                case Finish(result):
                    if len(state.stack) == 1:
                        return await self.render(state, ctx)
                    state.stack.pop()
                    ctx.frame = state.stack[-1]
                    parent = self.registry.get(ctx.frame.dialog).step(ctx.frame.step)
                    outcome = await parent.on_result(ctx, result)
        raise RuntimeError("dialog transitions do not settle")

    async def render(self, state: State, ctx: StepContext) -> list[Reply]:
        """Show the current step with a fresh keyboard."""
        frame = state.stack[-1]
        ctx.frame = frame
        prompt = await self.registry.get(frame.dialog).step(frame.step).prompt(ctx)
        nav = []
        if frame.history or len(state.stack) > 2:
            nav.append(BACK)
        if len(state.stack) > 1:
            nav.append(CANCEL)
        state.keyboard = Keyboard(
            nonce=secrets.token_urlsafe(4),
            values=[choice.value for choice in prompt.choices],
            labels=[self._label(ctx, choice) for choice in prompt.choices],
            nav=nav,
            columns=max(1, prompt.columns),
            accepts_text=prompt.accepts_text,
        )
        text = ctx.t(prompt.text_id, **prompt.args)
        reply = Reply(
            text=text,
            text_id=prompt.text_id,
            buttons=state.keyboard.buttons(self.nav_labels(ctx.locale)),
            accepts_text=prompt.accepts_text,
            args=dict(prompt.args),
        )
        return [*self._notes(ctx), reply]

    async def back(self, state: State, ctx: StepContext) -> list[Reply]:
        """Return to the previous step, or leave a sub-dialog from its first step."""
        frame = state.stack[-1]
        if frame.history:
            frame.step = frame.history.pop()
            return await self.render(state, ctx)
        if len(state.stack) > 2:
            state.stack.pop()
            return await self.render(state, ctx)
        return await self.apply(state, ctx, Reject("back-unavailable"))

    async def choose(self, state: State, ctx: StepContext, payload: str) -> list[Reply]:
        """A tapped button: checked against the keyboard last shown."""
        keyboard = state.keyboard
        nonce, _, slot = payload.partition(":")
        if keyboard is None or nonce != keyboard.nonce:
            return await self._stale_button(state, ctx)
        if slot == BACK and BACK in keyboard.nav:
            return await self.back(state, ctx)
        if slot == CANCEL and CANCEL in keyboard.nav:
            return await self.cancel(state, ctx)
        if not slot.isdigit() or int(slot) >= len(keyboard.values):
            return await self._stale_button(state, ctx)
        step = self._current_step(state, ctx)
        outcome = await step.on_choice(ctx, keyboard.values[int(slot)])
        replies = await self.apply(state, ctx, outcome)
        if isinstance(outcome, Stay) and len(replies) == 1:
            # The same step redrawn (a toggled option): replace the tapped message.
            replies[0] = replace(replies[0], edit=True)
        return replies

    async def text(self, state: State, ctx: StepContext, text: str) -> list[Reply]:
        """Typed text: for the step if it takes text, else matched against the button labels."""
        keyboard = state.keyboard
        step = self._current_step(state, ctx)
        if keyboard is not None and not keyboard.accepts_text:
            wanted = text.strip().casefold()
            for index, label in enumerate(keyboard.labels):
                if label.casefold() == wanted:
                    return await self.apply(
                        state, ctx, await step.on_choice(ctx, keyboard.values[index])
                    )
            return await self.apply(state, ctx, Reject("input-use-buttons"))
        return await self.apply(state, ctx, await step.on_text(ctx, text))

    async def cancel(self, state: State, ctx: StepContext) -> list[Reply]:
        """Leave every dialog and show the root."""
        if len(state.stack) > 1:
            ctx.say("dialog-cancelled")
        else:
            ctx.say("nothing-to-cancel")
        del state.stack[1:]
        return await self.render(state, ctx)

    def _current_step(self, state: State, ctx: StepContext) -> Step:
        ctx.frame = state.stack[-1]
        return self.registry.get(ctx.frame.dialog).step(ctx.frame.step)

    async def _stale_button(self, state: State, ctx: StepContext) -> list[Reply]:
        ctx.say("button-stale")
        return await self.render(state, ctx)

    def _error(
        self, state: State, ctx: StepContext, text_id: str, args: Mapping[str, Any]
    ) -> Reply:
        keyboard = state.keyboard
        buttons = keyboard.buttons(self.nav_labels(ctx.locale)) if keyboard else ()
        return Reply(
            text=ctx.t(text_id, **args),
            text_id=text_id,
            buttons=buttons,
            accepts_text=keyboard.accepts_text if keyboard else False,
            args=dict(args),
        )

    def _notes(self, ctx: StepContext) -> list[Reply]:
        notes = [
            Reply(
                ctx.t(note.text_id, **note.args),
                note.text_id,
                args=dict(note.args),
                attachment=note.attachment,
            )
            for note in ctx.notes
        ]
        ctx.notes.clear()
        return notes

    @staticmethod
    def _label(ctx: StepContext, choice: Choice) -> str:
        if choice.text_id is not None:
            return ctx.t(choice.text_id, **choice.args)
        return choice.label or str(choice.value)

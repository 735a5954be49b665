"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests with the real aiogram client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-for-the-fake-bot-api"
BOT_USER: dict[str, Any] = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Nastavnik",
    "username": "nastavnik_test_bot",
}
# A fixed message date: the fake never reads the wall clock.
DATE = 1_795_000_000
# Form fields aiogram sends JSON-encoded inside multipart bodies.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "entities",
        "caption_entities",
        "link_preview_options",
        "reply_parameters",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


@dataclass(frozen=True, slots=True)
class Call:
    """One Bot API request as the fake received it."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content: bytes


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent, with its keyboard as it is now (after any edits)."""

    chat_id: str
    message_id: int
    text: str | None
    markup: dict[str, Any] | None = None
    file: Upload | None = None
    kind: str = "text"

    @property
    def buttons(self) -> list[list[tuple[str, str]]]:
        """Keyboard rows of (label, callback_data)."""
        rows = (self.markup or {}).get("inline_keyboard", [])
        return [
            [(button["text"], button.get("callback_data", "")) for button in row] for row in rows
        ]

    @property
    def labels(self) -> list[str]:
        """Button labels, row by row."""
        return [label for row in self.buttons for label, _ in row]

    def payload(self, label: str) -> str:
        """The callback data of the button with this label."""
        for row in self.buttons:
            for text, data in row:
                if text == label:
                    return data
        raise AssertionError(f"no button {label!r} in {self.labels}")

    def to_json(self) -> dict[str, Any]:
        """The Bot API Message object."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "date": DATE,
            "chat": {"id": int(self.chat_id), "type": "private"},
            "from": BOT_USER,
        }
        if self.kind == "text":
            message["text"] = self.text
        elif self.kind == "photo":
            file_id = f"photo-{self.message_id}"
            message["photo"] = [
                {"file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1}
            ]
        else:
            file_id = f"document-{self.message_id}"
            message["document"] = {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": self.file.filename if self.file else None,
            }
        if self.markup:
            message["reply_markup"] = self.markup
        return message


class TelegramError(Exception):
    """A Bot API error answer."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


@dataclass
class FakeTelegram:
    """The Bot API for one bot: queues user updates, records and answers the bot's calls."""

    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    answered_callbacks: list[str] = field(default_factory=list)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    # chat id → message id → the bot's message, oldest first (looked up per chat: a bench sends
    # to thousands of chats).
    _sent: dict[str, dict[int, SentMessage]] = field(default_factory=dict)
    _pending_callbacks: set[str] = field(default_factory=set)
    _frozen: set[tuple[str, int]] = field(default_factory=set)
    # Errors the next sendMessage calls answer with, in order (429, 403, 500 ...).
    send_failures: list[TelegramError] = field(default_factory=list)
    # The last setWebhook parameters (url, secret_token ...); None when no webhook is set.
    webhook: dict[str, Any] | None = None
    # How many messages had their text edited.
    edits: int = 0
    # While set, sendMessage calls hang until `release_held()`, then fail without delivering
    # (a request cut off mid-way, e.g. by the sender's process being killed).
    hold_sends: bool = False
    # While cleared, answerCallbackQuery calls wait for it (a slow network), then answer.
    answers_flow: asyncio.Event = field(default_factory=asyncio.Event)
    held: int = 0
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    _next_update_id: int = 1
    _next_message_id: int = 1
    _next_callback_id: int = 1
    _closing: bool = False
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _runner: web.AppRunner | None = None
    base_url: str = ""

    def __post_init__(self) -> None:
        self.answers_flow.set()

    async def start(self) -> None:
        """Listen on a free port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """Release pending long polls and held sends, and close the server."""
        self._release.set()
        self.answers_flow.set()
        async with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # What a person does in the Telegram app.

    async def user_sends(
        self, user_id: int, text: str, language_code: str | None = "ru", *, group: bool = False
    ) -> None:
        """A text message (a command when it starts with /) in a private chat or a group."""
        message = self._user_message(user_id, language_code, group=group)
        message["text"] = text
        if text.startswith("/"):
            command = text.split(" ", 1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._enqueue({"message": message})

    async def user_sends_sticker(self, user_id: int, language_code: str | None = "ru") -> None:
        """A sticker, no text."""
        message = self._user_message(user_id, language_code)
        message["sticker"] = {
            "file_id": "sticker-1",
            "file_unique_id": "sticker-1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        await self._enqueue({"message": message})

    async def user_taps(
        self, user_id: int, message_id: int, callback_data: str, language_code: str | None = "ru"
    ) -> str:
        """A tap on a button of a bot message (any data: the client may be stale or forged)."""
        sent = self._sent.get(str(user_id), {}).get(message_id)
        if sent is None:
            raise AssertionError(f"no bot message {message_id} in chat {user_id}")
        callback_id = f"cb-{self._next_callback_id}"
        self._next_callback_id += 1
        self._pending_callbacks.add(callback_id)
        query = {
            "id": callback_id,
            "from": self._user(user_id, language_code),
            "chat_instance": f"ci-{user_id}",
            "message": sent.to_json(),
            "data": callback_data,
        }
        await self._enqueue({"callback_query": query})
        return callback_id

    def freeze(self, message: SentMessage) -> None:
        """Make a message too old to edit, as Telegram does after 48 hours."""
        self._frozen.add((message.chat_id, message.message_id))

    def release_held(self) -> None:
        """Let held sendMessage calls end (undelivered) and stop holding new ones."""
        self.hold_sends = False
        self._release.set()

    # What tests look at.

    def messages(self, chat_id: int | str) -> list[SentMessage]:
        """The bot's messages in a chat, oldest first."""
        return list(self._sent.get(str(chat_id), {}).values())

    def sent_per_chat(self) -> dict[int, int]:
        """How many messages the bot sent to each chat."""
        return {int(chat): len(messages) for chat, messages in self._sent.items()}

    def methods(self) -> list[str]:
        """Names of the calls received so far, in order."""
        return [call.method for call in self.calls]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds; checked after every call the bot makes."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            raise AssertionError(f"not reached; last calls: {self.calls[-8:]}") from None

    # The server.

    def _user(self, user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Миша"}
        if language_code:
            user["language_code"] = language_code
        return user

    def _user_message(
        self, user_id: int, language_code: str | None, *, group: bool = False
    ) -> dict[str, Any]:
        chat = (
            {"id": -1000 - user_id, "type": "group", "title": "Class 6B"}
            if group
            else {"id": user_id, "type": "private", "first_name": "Миша"}
        )
        return {
            "message_id": self._message_id(),
            "date": DATE,
            "chat": chat,
            "from": self._user(user_id, language_code),
        }

    def _message_id(self) -> int:
        self._next_message_id += 1
        return self._next_message_id - 1

    async def _enqueue(self, update: dict[str, Any]) -> None:
        async with self._changed:
            self._updates.append({"update_id": self._next_update_id, **update})
            self._next_update_id += 1
            self._changed.notify_all()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _read_params(request)
        async with self._changed:
            self.calls.append(Call(method, params))
            self._changed.notify_all()
        if request.match_info["token"] != self.token:
            return _error(TelegramError(401, "Unauthorized"))
        try:
            result = await self._answer(method, params)
        except TelegramError as error:
            return _error(error)
        async with self._changed:
            self._changed.notify_all()  # the call's effect is visible now
        return web.json_response({"ok": True, "result": result})

    async def _hold(self) -> None:
        async with self._changed:
            self.held += 1
            self._changed.notify_all()
        await self._release.wait()

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        match method:
            case "getMe":
                return BOT_USER
            case "deleteWebhook":
                self.webhook = None
                return True
            case "setWebhook":
                self.webhook = params
                return True
            case "close" | "logOut":
                return True
            case "getUpdates":
                return await self._get_updates(params)
            case "sendMessage" if self.hold_sends:
                await self._hold()
                raise TelegramError(502, "Bad Gateway: the sender went away")
            case "sendMessage" if self.send_failures:
                raise self.send_failures.pop(0)
            case "sendMessage":
                return self._send(params, "text", None).to_json()
            case "sendPhoto":
                return self._send(params, "photo", params.get("photo")).to_json()
            case "sendDocument":
                return self._send(params, "document", params.get("document")).to_json()
            case "editMessageReplyMarkup":
                return self._edit_markup(params).to_json()
            case "editMessageText":
                return self._edit_text(params).to_json()
            case "answerCallbackQuery":
                await self.answers_flow.wait()
                callback_id = params["callback_query_id"]
                if callback_id not in self._pending_callbacks:
                    raise TelegramError(400, QUERY_TOO_OLD)
                self._pending_callbacks.discard(callback_id)
                self.answered_callbacks.append(callback_id)
                return True
            case _:
                raise TelegramError(404, "Not Found: method not found")

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        timeout = float(params.get("timeout", 0))
        async with self._changed:
            # Updates below the offset are confirmed by the bot and never sent again.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            try:
                async with asyncio.timeout(timeout):
                    await self._changed.wait_for(lambda: self._closing or bool(self._updates))
            except TimeoutError:
                return []
            return [] if self._closing else list(self._updates)

    def _send(self, params: dict[str, Any], kind: str, file: Any) -> SentMessage:
        if isinstance(file, str) and file.startswith("attach://"):
            file = params.get(file.removeprefix("attach://"))
        if kind != "text" and not isinstance(file, Upload):
            raise TelegramError(400, f"Bad Request: there is no {kind} in the request")
        chat_id = str(params["chat_id"])
        text = params.get("text") if kind == "text" else params.get("caption")
        if kind == "text" and not text:
            raise TelegramError(400, "Bad Request: message text is empty")
        if kind == "text" and len(str(text).encode("utf-16-le")) // 2 > 4096:
            raise TelegramError(400, "Bad Request: message is too long")
        sent = SentMessage(
            chat_id, self._message_id(), text, params.get("reply_markup"), file, kind
        )
        self._sent.setdefault(chat_id, {})[sent.message_id] = sent
        return sent

    def _editable(self, params: dict[str, Any]) -> SentMessage:
        key = (str(params["chat_id"]), int(params["message_id"]))
        sent = self._sent.get(key[0], {}).get(key[1])
        if sent is None:
            raise TelegramError(400, "Bad Request: message to edit not found")
        if key in self._frozen:
            raise TelegramError(400, "Bad Request: message can't be edited")
        return sent

    def _edit_text(self, params: dict[str, Any]) -> SentMessage:
        sent = self._editable(params)
        text = params.get("text")
        markup = params.get("reply_markup") or None
        if not text:
            raise TelegramError(400, "Bad Request: message text is empty")
        if text == sent.text and markup == sent.markup:
            raise TelegramError(400, NOT_MODIFIED)
        sent.text, sent.markup = text, markup
        self.edits += 1
        return sent

    def _edit_markup(self, params: dict[str, Any]) -> SentMessage:
        sent = self._editable(params)
        markup = params.get("reply_markup") or None
        if markup == sent.markup:
            raise TelegramError(400, NOT_MODIFIED)
        sent.markup = markup
        return sent


def _error(error: TelegramError) -> web.Response:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": error.code,
        "description": error.description,
    }
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query, JSON, urlencoded or multipart parameters (aiogram sends multipart)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(await request.json())
        return params
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            params[key] = Upload(value.filename, value.file.read())
        elif key in JSON_FIELDS:
            params[key] = json.loads(value)
        else:
            params[key] = value
    return params

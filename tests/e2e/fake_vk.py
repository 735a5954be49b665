"""A fake VK API and Bots Long Poll server on 127.0.0.1, and people writing to the community."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

GROUP_ID = 4242
TOKEN = "vk-test-token"
LONG_POLL_KEY = "lp-key"
# An idle long poll returns after this long at most, whatever `wait` the client asks for.
MAX_WAIT = 1.0
# What VK says with the error codes a test injects into messages.send.
ERROR_MESSAGES = {
    6: "Too many requests per second",
    7: "Permission to perform this action is denied",
    9: "Flood control",
    10: "Internal server error",
    15: "Access denied",
    29: "Rate limit reached",
    901: "Can't send messages for users without permission",
    902: "Can't send messages to this user due to their privacy settings",
}
# `photo-4242_7`, `doc-4242_8_key`: a media object in a message's `attachment` parameter.
ATTACHMENT = re.compile(r"(photo|doc)(-?\d+)_(\d+)(?:_(\w+))?")


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """An injected answer that is not VK's JSON: an HTTP error page, say."""

    status: int = 500
    body: str = "<html><body><h1>500 Internal Server Error</h1></body></html>"


@dataclass(frozen=True, slots=True)
class SentFile:
    """A file the bot uploaded and attached: its kind, the uploaded name and bytes."""

    kind: str  # "photo" or "doc"
    filename: str
    content: bytes
    title: str | None = None  # a document's title from docs.save


@dataclass(frozen=True, slots=True)
class SentButton:
    """A Callback button as the person sees it."""

    label: str
    payload: dict[str, Any]


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent, with its keyboard as it is now (after edits)."""

    peer_id: int
    message_id: int
    conversation_message_id: int
    text: str
    random_id: int
    rows: list[list[SentButton]] = field(default_factory=list)
    files: list[SentFile] = field(default_factory=list)

    @property
    def buttons(self) -> list[SentButton]:
        """All buttons, row by row."""
        return [button for row in self.rows for button in row]

    @property
    def labels(self) -> list[str]:
        """The buttons' labels, row by row."""
        return [button.label for button in self.buttons]


class VkError(Exception):
    """A VK API error returned in the `{"error": ...}` envelope."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


class FakeVk:
    """Plays VK for one community: answers API methods and serves Long Poll updates."""

    def __init__(self, group_id: int = GROUP_ID, token: str = TOKEN) -> None:
        self.group_id = group_id
        self.token = token
        self.updates: list[dict[str, Any]] = []
        self.messages: list[SentMessage] = []
        self._to: dict[int, list[SentMessage]] = {}  # `messages` by person (a bench has thousands)
        self.answered: list[str] = []
        self.edits: list[SentMessage] = []
        self.calls: list[str] = []
        self.errors: list[str] = []
        self.long_polls = 0
        # What the next messages.send calls answer instead of sending, in order: a VK error
        # code, an HTTP answer, or None to let that one through.
        self.send_failures: list[int | HttpAnswer | None] = []
        # Sends whose random_id the person had already got: the message each resolved to.
        self.duplicates: list[SentMessage] = []
        self._events: dict[str, tuple[int, int]] = {}
        # While cleared, messages.sendMessageEventAnswer calls wait for it (a slow network).
        self.answers_flow = asyncio.Event()
        self.answers_flow.set()
        self._ids = itertools.count(1)
        # (peer_id, random_id) → the message sent with it. VK forgets them after an hour;
        # no test lasts that long, so the fake never does.
        self._random_ids: dict[tuple[int, int], SentMessage] = {}
        # Uploaded, not yet saved: token → file; saved: (kind, owner_id, id) → (file, access key).
        self._uploaded: dict[str, SentFile] = {}
        self._files: dict[tuple[str, int, int], tuple[SentFile, str]] = {}
        self._changed = asyncio.Condition()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.url = ""

    # --- server life --------------------------------------------------------------------------

    async def start(self) -> str:
        """Listen on a free port of 127.0.0.1; the base URL to give as VK__API_URL."""
        app = web.Application()
        app.router.add_route("*", "/method/{name}", self._method)
        app.router.add_route("*", "/long-poll", self._long_poll)
        app.router.add_route("POST", "/upload/{kind}", self._upload)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        """Release waiting long polls and close the server."""
        self._closing = True
        self.answers_flow.set()
        await self._changed_now()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what people do -----------------------------------------------------------------------

    async def user_writes(
        self,
        user_id: int,
        text: str,
        ref: str | None = None,
        lang_id: int | None = 0,
        *,
        payload: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        peer_id: int | None = None,
    ) -> None:
        """A `message_new` from a person (by a `vk.me/...?ref=` link when `ref` is given)."""
        message: dict[str, Any] = {
            "id": next(self._ids),
            "date": 1_795_000_000,
            "from_id": user_id,
            "peer_id": peer_id or user_id,
            "out": 0,
            "text": text,
            "conversation_message_id": next(self._ids),
            "fwd_messages": [],
            "important": False,
            "is_hidden": False,
            "attachments": attachments or [],
        }
        if payload is not None:
            message["payload"] = json.dumps(payload)
        if ref is not None:
            message |= {"ref": ref, "ref_source": "test"}
        client_info: dict[str, Any] = {
            "button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback"],
            "keyboard": True,
            "inline_keyboard": True,
            "carousel": True,
        }
        if lang_id is not None:
            client_info["lang_id"] = lang_id
        await self._push("message_new", {"message": message, "client_info": client_info})

    async def user_taps(
        self, user_id: int, payload: Any, *, conversation_message_id: int | None = None
    ) -> str:
        """A `message_event` (a Callback button tapped) with any payload; its event id."""
        event_id = f"ev{next(self._ids)}"
        self._events[event_id] = (user_id, user_id)
        event: dict[str, Any] = {
            "user_id": user_id,
            "peer_id": user_id,
            "event_id": event_id,
            "payload": payload,
        }
        if conversation_message_id is not None:
            event["conversation_message_id"] = conversation_message_id
        await self._push("message_event", event)
        return event_id

    async def tap(self, user_id: int, label: str) -> str:
        """Tap the button with this label on the newest message to the person showing it."""
        for message in reversed(self.to(user_id)):
            for button in message.buttons:
                if button.label == label:
                    return await self.user_taps(
                        user_id,
                        button.payload,
                        conversation_message_id=message.conversation_message_id,
                    )
        raise AssertionError(f"no button {label!r}; last keyboards: {self._keyboards(user_id)}")

    # --- what the test looks at ---------------------------------------------------------------

    def to(self, peer_id: int) -> list[SentMessage]:
        """Messages sent to a person, oldest first."""
        return list(self._to.get(peer_id, ()))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10) -> None:
        """Wait until `predicate` holds; it is checked whenever the bot calls the server."""
        try:
            async with asyncio.timeout(timeout), self._changed:
                await self._changed.wait_for(predicate)
        except TimeoutError:
            raise AssertionError(
                f"timed out; sent: {[(m.peer_id, m.text[:60]) for m in self.messages]}"
            ) from None

    def _keyboards(self, peer_id: int) -> list[list[str]]:
        return [message.labels for message in self.to(peer_id)[-3:]]

    # --- the server ---------------------------------------------------------------------------

    async def _push(self, kind: str, event: dict[str, Any]) -> None:
        self.updates.append(
            {
                "group_id": self.group_id,
                "type": kind,
                "event_id": f"u{len(self.updates) + 1}",
                "v": "5.199",
                "object": event,
            }
        )
        await self._changed_now()

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _method(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        params = {**request.query, **(await request.post())}
        self.calls.append(name)
        if name == "messages.sendMessageEventAnswer":
            await self.answers_flow.wait()
        failure = None
        if name == "messages.send" and self.send_failures:
            failure = self.send_failures.pop(0)
        if isinstance(failure, HttpAnswer):
            await self._changed_now()
            return web.Response(status=failure.status, text=failure.body, content_type="text/html")
        if failure is not None:
            body = self._error_body(failure, ERROR_MESSAGES.get(failure, "Injected"), params)
        else:
            try:
                body = {"response": self._call(name, params)}
            except VkError as error:
                self.errors.append(f"{name}: {error.code} {error}")
                body = self._error_body(error.code, str(error), params)
        await self._changed_now()
        return web.json_response(body)

    @staticmethod
    def _error_body(code: int, message: str, params: Mapping[str, object]) -> dict[str, Any]:
        request_params = [{"key": k, "value": str(v)} for k, v in params.items()]
        return {
            "error": {"error_code": code, "error_msg": message, "request_params": request_params}
        }

    async def _upload(self, request: web.Request) -> web.Response:
        """An upload server: takes one multipart file, answers with what the save method needs."""
        kind = request.match_info["kind"]
        field_name = {"photo": "photo", "doc": "file"}.get(kind)
        form = await request.post()
        upload = form.get(field_name) if field_name else None
        if not isinstance(upload, web.FileField):
            body: dict[str, Any] = {"error": f"no {field_name} in the upload"}
        else:
            token = f"up{next(self._ids)}"
            self._uploaded[token] = SentFile(kind, upload.filename, upload.file.read())
            if kind == "photo":
                photo = json.dumps([{"photo": token, "sizes": []}])
                body = {"server": 77, "photo": photo, "hash": f"hash-{token}"}
            else:
                body = {"file": token}
        await self._changed_now()
        return web.json_response(body)

    def _call(self, name: str, params: Mapping[str, object]) -> Any:
        if params.get("access_token") != self.token:
            raise VkError(5, "User authorization failed: invalid access_token (4).")
        methods: dict[str, Callable[[dict[str, str]], Any]] = {
            "groups.getById": self._groups_get_by_id,
            "groups.getLongPollServer": self._groups_get_long_poll_server,
            "messages.send": self._messages_send,
            "messages.edit": self._messages_edit,
            "messages.sendMessageEventAnswer": self._messages_send_message_event_answer,
            "photos.getMessagesUploadServer": self._photos_get_messages_upload_server,
            "photos.saveMessagesPhoto": self._photos_save_messages_photo,
            "docs.getMessagesUploadServer": self._docs_get_messages_upload_server,
            "docs.save": self._docs_save,
        }
        if name not in methods:
            raise VkError(3, "Unknown method passed")
        return methods[name]({key: str(value) for key, value in params.items()})

    async def _long_poll(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("act") != "a_check" or query.get("key") != LONG_POLL_KEY:
            return web.json_response({"failed": 2})
        try:
            ts = int(query["ts"])
            wait = min(float(query.get("wait", "25")), MAX_WAIT)
        except (KeyError, ValueError):
            return web.json_response({"failed": 1, "ts": len(self.updates)})
        self.long_polls += 1
        await self._changed_now()
        try:
            async with asyncio.timeout(wait), self._changed:
                await self._changed.wait_for(lambda: len(self.updates) > ts or self._closing)
        except TimeoutError:
            pass
        return web.json_response({"ts": str(len(self.updates)), "updates": self.updates[ts:]})

    # --- API methods --------------------------------------------------------------------------

    def _groups_get_by_id(self, params: dict[str, str]) -> Any:
        group = {
            "id": self.group_id,
            "name": "Наставник",
            "screen_name": "nastavnik",
            "type": "group",
        }
        return {"groups": [group], "profiles": []}

    def _groups_get_long_poll_server(self, params: dict[str, str]) -> Any:
        if params.get("group_id") != str(self.group_id):
            raise VkError(100, "One of the parameters specified was missing or invalid: group_id")
        return {
            "key": LONG_POLL_KEY,
            "server": f"{self.url}/long-poll",
            "ts": str(len(self.updates)),
        }

    def _messages_send(self, params: dict[str, str]) -> Any:
        text = params.get("message", "")
        files = self._attached(params.get("attachment"))
        if not text and not files:
            raise VkError(100, "One of the parameters specified was missing or invalid: message")
        if len(text) > 4096:
            raise VkError(914, "Message is too long")
        peer_id, random_id = int(params["peer_id"]), int(params["random_id"])
        if not -(2**31) <= random_id < 2**31:
            raise VkError(100, "One of the parameters specified was missing or invalid: random_id")
        rows = parse_keyboard(params.get("keyboard"))
        if random_id and (peer_id, random_id) in self._random_ids:
            # VK's de-duplication: not delivered again, answered with the first message's id.
            original = self._random_ids[peer_id, random_id]
            self.duplicates.append(original)
            return original.message_id
        message = SentMessage(
            peer_id=peer_id,
            message_id=next(self._ids),
            conversation_message_id=next(self._ids),
            text=text,
            random_id=random_id,
            rows=rows,
            files=files,
        )
        if random_id:
            self._random_ids[peer_id, random_id] = message
        self.messages.append(message)
        self._to.setdefault(peer_id, []).append(message)
        return message.message_id

    def _messages_edit(self, params: dict[str, str]) -> Any:
        peer_id, cmid = int(params["peer_id"]), int(params["conversation_message_id"])
        for message in self.to(peer_id):
            if message.conversation_message_id == cmid:
                message.text = params.get("message", message.text)
                message.rows = parse_keyboard(params.get("keyboard"))
                if "attachment" in params:
                    message.files = self._attached(params["attachment"])
                self.edits.append(message)
                return 1
        raise VkError(909, "Can't edit this message, because it's too old")

    def _messages_send_message_event_answer(self, params: dict[str, str]) -> Any:
        event_id = params["event_id"]
        if self._events.get(event_id) != (int(params["user_id"]), int(params["peer_id"])):
            raise VkError(100, "One of the parameters specified was missing or invalid: event_id")
        if event_id in self.answered:
            raise VkError(100, "event already answered")
        self.answered.append(event_id)
        return 1

    def _photos_get_messages_upload_server(self, params: dict[str, str]) -> Any:
        if not params.get("peer_id"):
            raise VkError(100, "One of the parameters specified was missing or invalid: peer_id")
        return {"upload_url": f"{self.url}/upload/photo", "album_id": -3, "group_id": self.group_id}

    def _photos_save_messages_photo(self, params: dict[str, str]) -> Any:
        try:
            [uploaded] = json.loads(params["photo"])
            token = uploaded["photo"]
        except (KeyError, ValueError, TypeError):
            raise VkError(
                100, "One of the parameters specified was missing or invalid: photo"
            ) from None
        if params.get("hash") != f"hash-{token}" or params.get("server") != "77":
            raise VkError(121, "Invalid hash")
        file = self._saved("photo", token)
        photo_id, key = next(self._ids), f"k{token}"
        self._files["photo", -self.group_id, photo_id] = (file, key)
        return [{"id": photo_id, "owner_id": -self.group_id, "album_id": -3, "access_key": key}]

    def _docs_get_messages_upload_server(self, params: dict[str, str]) -> Any:
        if params.get("type") != "doc" or not params.get("peer_id"):
            raise VkError(100, "One of the parameters specified was missing or invalid: type")
        return {"upload_url": f"{self.url}/upload/doc"}

    def _docs_save(self, params: dict[str, str]) -> Any:
        file = self._saved("doc", params.get("file", ""))
        title = params.get("title") or file.filename
        file = SentFile(file.kind, file.filename, file.content, title)
        doc_id = next(self._ids)
        self._files["doc", -self.group_id, doc_id] = (file, "")
        doc = {"id": doc_id, "owner_id": -self.group_id, "title": title, "size": len(file.content)}
        return {"type": "doc", "doc": doc}

    def _saved(self, kind: str, token: str) -> SentFile:
        file = self._uploaded.pop(token, None)
        if file is None or file.kind != kind:
            raise VkError(100, f"One of the parameters specified was missing or invalid: {kind}")
        return file

    def _attached(self, raw: str | None) -> list[SentFile]:
        """The files of an `attachment` parameter, as VK checks it."""
        files = []
        for item in filter(None, (raw or "").split(",")):
            match = ATTACHMENT.fullmatch(item)
            saved = self._files.get((match[1], int(match[2]), int(match[3]))) if match else None
            if match is None or saved is None or (saved[1] and match[4] != saved[1]):
                raise VkError(
                    100,
                    f"One of the parameters specified was missing or invalid: attachment {item}",
                )
            files.append(saved[0])
        return files


def parse_keyboard(raw: str | None) -> list[list[SentButton]]:
    """An inline keyboard as VK checks it: Callback buttons within VK's limits."""
    if not raw:
        return []
    keyboard = json.loads(raw)
    rows = keyboard["buttons"]
    if not keyboard.get("inline"):
        raise VkError(911, "Keyboard format is invalid: not inline")
    if len(rows) > 6 or any(len(row) > 5 for row in rows) or sum(map(len, rows)) > 10:
        raise VkError(911, "Keyboard format is invalid: too many buttons")
    parsed = []
    for row in rows:
        parsed_row = []
        for button in row:
            action = button["action"]
            payload = action["payload"]
            if action["type"] != "callback" or len(action["label"]) > 40 or len(payload) > 255:
                raise VkError(911, f"Keyboard format is invalid: {action}")
            parsed_row.append(SentButton(action["label"], json.loads(payload)))
        parsed.append(parsed_row)
    return parsed

"""The console channel: a chat in the terminal, interactive or from a pipe."""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.core.conversation import Conversation
from bot.core.messages import Button, Channel, Incoming, Reply


class ConsoleChannel:
    """Reads lines, sends them as one person's messages, prints the replies with numbered buttons.

    A bare number picks a button on steps that offer only buttons; `#number` always picks one
    (needed on steps that take typed text, where `7` is an answer).
    """

    def __init__(
        self,
        conversation: Conversation,
        *,
        user_id: str,
        language: str | None,
        stdin: TextIO,
        stdout: TextIO,
        echo: bool,
    ) -> None:
        self.conversation = conversation
        self.user_id = user_id
        self.language = language
        self.stdin = stdin
        self.stdout = stdout
        self.echo = echo
        self._buttons: tuple[Button, ...] = ()
        self._accepts_text = True

    async def run(self) -> None:
        """Chat until the input ends."""
        while True:
            line = await asyncio.to_thread(self.stdin.readline)
            if not line:
                return
            text = line.rstrip("\r\n")
            if not text.strip():
                continue
            if self.echo:
                self.stdout.write(f"> {text}\n")
            await self.send(text)

    async def send(self, text: str) -> list[Reply]:
        """Handle one typed line and print the replies."""
        replies = await self.conversation.handle(self.to_incoming(text))
        self.show(replies)
        return replies

    def to_incoming(self, text: str) -> Incoming:
        """A typed line as an update: a button when it names one, else text."""
        stripped = text.strip()
        number = stripped[1:] if stripped.startswith("#") else stripped
        pick = stripped.startswith("#") or not self._accepts_text
        button = None
        if pick and number.isdigit() and 1 <= int(number) <= len(self._buttons):
            button = self._buttons[int(number) - 1].payload
        return Incoming(
            channel=Channel.CONSOLE,
            user_id=self.user_id,
            chat_id=self.user_id,
            text=None if button else text,
            button=button,
            language=self.language,
        )

    def show(self, replies: list[Reply]) -> None:
        """Print replies; the last keyboard shown is the one numbers refer to."""
        for reply in replies:
            self.stdout.write(reply.text + "\n")
            if reply.buttons:
                self._buttons = reply.flat_buttons
                self._accepts_text = reply.accepts_text
                mark = "#" if reply.accepts_text else ""
                for number, button in enumerate(self._buttons, start=1):
                    self.stdout.write(f"  [{mark}{number}] {button.label}\n")
            elif reply is replies[-1]:
                self._buttons, self._accepts_text = (), True
        self.stdout.write("\n")
        self.stdout.flush()

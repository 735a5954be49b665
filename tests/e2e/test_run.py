"""`python -m bot` with a Telegram token runs the Telegram channel (against the local fake)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.conftest import bot_env
from tests.e2e.fake_telegram import TOKEN, FakeTelegram


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


async def test_run_with_a_token_serves_telegram(fake: FakeTelegram, tmp_path: Path) -> None:
    env = bot_env(tmp_path, TELEGRAM__TOKEN=TOKEN, TELEGRAM__API_URL=fake.base_url)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake.wait_for(lambda: "getUpdates" in fake.methods(), timeout=30)
        await fake.user_sends(2001, "/start")
        await fake.wait_for(lambda: len(fake.messages(2001)) >= 2, timeout=30)
        texts = [message.text or "" for message in fake.messages(2001)]
        assert texts[0].startswith("Здравствуйте! Я «Наставник»")
        assert fake.messages(2001)[1].labels == [
            "Попробовать анкету (демо)",
            "Мои мессенджеры",
            "Язык / Language",
            "Помощь",
        ]
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 0, stderr.decode()

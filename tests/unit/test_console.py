"""The console channel as a newcomer uses it: `python -m bot console` from a pipe or a terminal."""

from __future__ import annotations

import io
import os
import selectors
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.handlers.console import ConsoleChannel
from storage.db import head_revision
from tests.conftest import bot_env

ROOT = Path(__file__).resolve().parents[2]


def run_bot(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=bot_env(tmp_path, **env),
        timeout=60,
        check=False,
    )


def test_piped_demo_session(tmp_path: Path) -> None:
    lines = ["/start", "1", "42", "Миша Иванов", "1", "14.03.2013", "6Б", "1"]
    result = run_bot(tmp_path, "console", stdin="\n".join(lines) + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Главное меню. Что хотите сделать?\n  [1] Попробовать анкету (демо)" in out
    assert "> 42\nИмя должно состоять из букв" in out, "the bad answer is rejected"
    assert "Шаг 2 из 4. Кем вы хотите быть в программе?\n  [1] Наставляемым" in out
    assert "Шаг 4 из 4. В каком вы классе?" in out
    assert "  [#1] Пропустить" in out, "on a text step buttons take #number"
    assert "Имя: Миша Иванов\nРоль: Наставляемым\nДата рождения: 14.03.2013\nКласс: 6Б" in out
    assert "Спасибо, Миша Иванов! Анкета сохранена." in out
    assert result.stderr == ""


def test_run_without_tokens_opens_console_with_hint(tmp_path: Path) -> None:
    result = run_bot(tmp_path, stdin="/start\n", LANG="C.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "TELEGRAM__TOKEN" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "Главное меню" in result.stdout
    assert (tmp_path / "console.db").exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("BOT__TIMEZONE", "Mars/Base"),
        ("DATABASE__URL", "mysql://x"),
        ("VK__GROUP_ID", "abc"),
        ("BOT__DEFAULT_LOCALE", "de"),
    ],
)
def test_bad_configuration_stops_with_one_line(tmp_path: Path, variable: str, value: str) -> None:
    result = run_bot(tmp_path, "console", **{variable: value})
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert variable in lines[0]


def test_missing_configuration_names_the_variable(tmp_path: Path) -> None:
    result = run_bot(tmp_path, VK__TOKEN="secret-token")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: VK__GROUP_ID is required when VK__TOKEN is set"
    )
    assert "secret-token" not in result.stderr


class LiveBot:
    """A console bot process fed line by line, read until an expected text shows."""

    def __init__(self, tmp_path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "console"],
            cwd=tmp_path,
            env=bot_env(tmp_path),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.selector = selectors.DefaultSelector()
        assert self.process.stdout is not None
        self.selector.register(self.process.stdout, selectors.EVENT_READ)

    def say(self, line: str, expect: str) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        seen = b""
        while expect.encode() not in seen:
            if not self.selector.select(timeout=30):
                raise AssertionError(f"no {expect!r} after {line!r}; got {seen.decode()!r}")
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"bot exited; got {seen.decode()!r}")
            seen += chunk
        return seen.decode()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.selector.close()
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()


def test_kill_mid_dialog_and_continue_at_same_step(tmp_path: Path) -> None:
    bot = LiveBot(tmp_path)
    bot.say("/start", "Главное меню")
    bot.say("1", "Шаг 1 из 4")
    bot.say("Миша Иванов", "Шаг 2 из 4")
    bot.say("2", "Шаг 3 из 4")
    bot.kill()
    assert bot.process.returncode == -signal.SIGKILL

    again = LiveBot(tmp_path)
    again.say("14.03.2013", "Шаг 4 из 4")
    review = again.say("#1", "Класс: —")
    assert "Имя: Миша Иванов\nРоль: Наставником\nДата рождения: 14.03.2013" in review
    again.kill()


async def test_console_numbers_pick_buttons_only_where_no_text_is_expected(app: App) -> None:
    out = io.StringIO()
    console = ConsoleChannel(
        app.conversation, user_id="c1", language="ru", stdin=io.StringIO(), stdout=out, echo=False
    )
    await console.send("/start")
    assert console.to_incoming("1").button is not None
    assert console.to_incoming("9").text == "9", "no ninth button: it is text"
    await console.send("1")
    await console.send("Миша Иванов")
    await console.send("1")
    await console.send("14.03.2013")
    assert console.to_incoming("7").text == "7", "the class step takes typed numbers"
    assert console.to_incoming("#1").button is not None
    replies = await console.send("7")
    assert [reply.text_id for reply in replies] == ["demo-review"]


def test_db_upgrade_command_creates_the_schema(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "console.db") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    assert {"people", "programs", "dialog_states", "notifications", "audit_log"} <= tables
    assert version == (head_revision(),)
    result = run_bot(tmp_path, "db", "downgrade", "base")
    assert result.returncode == 0, result.stderr

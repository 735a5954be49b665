"""`python -m bot admin ...` run as a real process, the way a coordinator or an operator runs it."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import bot_env

ROOT = Path(__file__).resolve().parents[2]
LINKS = {"TELEGRAM__USERNAME": "nastavnik_bot", "VK__GROUP_ID": "4242"}
TOKEN = re.compile(r"token: +(i_[A-Za-z0-9_-]+)")


def admin(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "admin", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=bot_env(tmp_path, **env),
        timeout=60,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def rows(tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "console.db") as connection:
        return list(connection.execute(query))


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["org"],
        ["org", "create"],
        ["org", "list"],
        ["coordinator", "invite"],
        ["program", "create"],
        ["program", "list"],
        ["invite", "create"],
        ["invite", "list"],
        ["invite", "revoke"],
        ["questionnaire", "load"],
        ["material"],
        ["material", "add"],
        ["mentor"],
        ["mentor", "approve"],
        ["survey"],
        ["survey", "final"],
        ["survey", "results"],
        ["program", "set"],
        ["program", "next-stage"],
        ["announce"],
        ["announce", "send"],
        ["report", "export"],
        ["org", "set"],
    ],
)
def test_every_command_has_help(tmp_path: Path, command: list[str]) -> None:
    out = ok(admin(tmp_path, *command, "--help"))
    assert out.startswith(f"usage: python -m bot admin {' '.join(command)}".rstrip())
    assert not (tmp_path / "console.db").exists(), "help touches no database"


def test_a_school_from_scratch(tmp_path: Path) -> None:
    out = ok(admin(tmp_path, "org", "create", "--name", "Школа №5", "--timezone", "Asia/Omsk"))
    assert out.splitlines()[0] == "Organisation 1 created: Школа №5 (Asia/Omsk)"
    ok(admin(tmp_path, "org", "create", "--name", "Гимназия"))
    assert ok(admin(tmp_path, "org", "list")).splitlines() == [
        "1\tШкола №5\tAsia/Omsk",
        "2\tГимназия\tEurope/Moscow",
    ]

    out = ok(admin(tmp_path, "coordinator", "invite", "--org", "1", "--expires-days", "7", **LINKS))
    token = TOKEN.search(out)
    assert token is not None
    assert out.startswith("Invite link 1: coordinator of organisation 1 «Школа №5»")
    assert f"Telegram: https://t.me/nastavnik_bot?start={token.group(1)}" in out
    assert f"VK:       https://vk.me/club4242?ref={token.group(1)}" in out
    assert "expires:  2" in out
    assert "uses:     0 of 1" in out

    out = ok(
        admin(
            tmp_path,
            "program",
            "create",
            "--org",
            "1",
            "--name",
            "Наставничество 2026/27",
            "--form",
            "student_student",
            "--role-model",
            "achiever_underachiever",
            "--description",
            "Старшеклассники помогают младшим.",
            "--starts",
            "2026-09-01",
            "--ends",
            "2027-05-31",
        )
    )
    assert out.splitlines()[0] == (
        "Program 1 created: «Наставничество 2026/27», organisation 1 (Школа №5), "
        "student_student / achiever_underachiever, stage 1 of 7, 2026-09-01 – 2027-05-31, active"
    )
    ok(
        admin(
            tmp_path,
            "program",
            "create",
            "--org",
            "2",
            "--name",
            "Молодые педагоги",
            "--form",
            "teacher_teacher",
            "--role-model",
            "experienced_young_specialist",
        )
    )
    listed = ok(admin(tmp_path, "program", "list")).splitlines()
    assert [line.split("\t")[0] for line in listed] == ["2", "1"], "by name"
    assert ok(admin(tmp_path, "program", "list", "--org", "2")).startswith("2\t«Молодые педагоги»")
    assert rows(tmp_path, "SELECT count(*) FROM program_stages WHERE program_id = 1") == [(7,)]

    qr = tmp_path / "posters"
    out = ok(
        admin(
            tmp_path,
            "invite",
            "create",
            "--program",
            "1",
            "--role",
            "mentee",
            "--qr-dir",
            str(qr),
            **LINKS,
        )
    )
    mentee = TOKEN.search(out)
    assert mentee is not None
    assert "uses:     0 (no limit)" in out
    pngs = sorted(qr.iterdir())
    assert [png.name for png in pngs] == [
        "invite-2-mentee-telegram.png",
        "invite-2-mentee-vk.png",
    ]
    for png in pngs:
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n")
        assert int.from_bytes(data[16:20], "big") >= 400
        assert f"QR:       {png}" in out

    out = ok(admin(tmp_path, "invite", "create", "--program", "1", "--role", "curator"))
    assert "uses:     0 of 1" in out
    assert "Telegram: — (set TELEGRAM__USERNAME to get the link)" in out
    assert "to join:  send the bot /start i_" in out

    out = ok(admin(tmp_path, "invite", "revoke", mentee.group(1)))
    assert out == "Invite link 2 (mentee, «Наставничество 2026/27») is switched off.\n"
    listed_invites = ok(admin(tmp_path, "invite", "list", "--program", "1"))
    assert listed_invites.count("Invite link") == 2
    assert "state:    revoked" in listed_invites
    assert "state:    active" in listed_invites
    actors = rows(tmp_path, "SELECT DISTINCT actor FROM audit_log")
    assert actors == [("system:cli",)]
    actions = {row[0] for row in rows(tmp_path, "SELECT action FROM audit_log")}
    assert actions == {
        "organizations.created",
        "programs.created",
        "invitations.issued",
        "invitations.revoked",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["org", "create", "--name", "X", "--timezone", "Mars/Base"], "unknown time zone"),
        (["org"], "the following arguments are required: ACTION"),
        (["org", "delete"], "invalid choice: 'delete'"),
        (
            [
                "program",
                "create",
                "--org",
                "1",
                "--name",
                "X",
                "--form",
                "nope",
                "--role-model",
                "peer_peer",
            ],
            "argument --form: invalid choice: 'nope'",
        ),
        (
            [
                "program",
                "create",
                "--org",
                "1",
                "--name",
                "X",
                "--form",
                "teacher_teacher",
                "--role-model",
                "peer_peer",
            ],
            "role model peer_peer does not fit the form teacher_teacher; use one of: "
            "experienced_young_specialist, leader_struggling_teacher, innovator_conservative",
        ),
        (
            [
                "program",
                "create",
                "--org",
                "1",
                "--name",
                "X",
                "--form",
                "student_student",
                "--role-model",
                "peer_peer",
                "--starts",
                "2026-13-01",
            ],
            "expected a date YYYY-MM-DD, got '2026-13-01'",
        ),
        (
            [
                "program",
                "create",
                "--org",
                "1",
                "--name",
                "X",
                "--form",
                "student_student",
                "--role-model",
                "peer_peer",
                "--starts",
                "2026-09-01",
                "--ends",
                "2026-09-01",
            ],
            "--ends must be after --starts",
        ),
        (
            [
                "program",
                "create",
                "--org",
                "7",
                "--name",
                "X",
                "--form",
                "student_student",
                "--role-model",
                "peer_peer",
            ],
            "there is no organisation 7",
        ),
        (
            [
                "program",
                "create",
                "--org",
                "1",
                "--name",
                "  ",
                "--form",
                "student_student",
                "--role-model",
                "peer_peer",
            ],
            "name",
        ),
        (["invite", "create", "--program", "1", "--role", "coordinator"], "invalid choice"),
        (["invite", "create", "--program", "0", "--role", "mentee"], "a number from 1, got 0"),
        (["invite", "create", "--program", "x", "--role", "mentee"], "a whole number, got 'x'"),
        (["invite", "create", "--program", "9", "--role", "mentee"], "there is no program 9"),
        (
            ["invite", "create", "--program", "1", "--role", "mentee", "--max-uses", "-1"],
            "argument --max-uses",
        ),
        (["invite", "list", "--program", "9"], "there is no program 9"),
        (["invite", "revoke", "i_nothing"], "there is no invite link i_nothing"),
        (["coordinator", "invite", "--org", "9"], "there is no organisation 9"),
        (["questionnaire", "load", "--program", "1", "missing.yaml"], "cannot read missing.yaml"),
        (["material", "add", "--program", "1", "--title", "Памятка"], "one of the arguments"),
        (
            ["material", "add", "--program", "1", "--title", "T", "--url", "u", "--file", "f"],
            "not allowed with argument",
        ),
        (
            ["material", "add", "--program", "1", "--title", "T", "--url", "javascript:x"],
            "--url 'javascript:x' is not a link",
        ),
        (
            ["material", "add", "--program", "1", "--title", "  ", "--url", "https://a.example"],
            "--title is empty",
        ),
        (
            ["material", "add", "--program", "1", "--title", "T" * 201, "--url", "https://a.ru"],
            "--title is 201 characters long, at most 200",
        ),
        (
            ["material", "add", "--program", "1", "--title", "T", "--file", "missing.pdf"],
            "cannot read missing.pdf: there is no such file",
        ),
        (
            ["material", "add", "--program", "9", "--title", "T", "--url", "https://a.example"],
            "there is no program 9",
        ),
        (["mentor", "approve", "--program", "9", "--participant", "1"], "there is no program 9"),
        (["program", "set", "--program", "1"], "nothing to change"),
        (["program", "set", "--program", "1", "--reminders", "soon"], "expected minutes like"),
        (["program", "set", "--program", "9", "--pulse-weeks", "2"], "there is no program 9"),
        (["program", "next-stage", "--program", "9"], "there is no program 9"),
        (["announce", "send", "--program", "9", "--text", "Привет"], "there is no program 9"),
    ],
)
def test_bad_arguments_end_with_one_line_and_code_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = admin(tmp_path, *args)
    assert result.returncode == 2, result.stdout
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("python -m bot admin")
    assert message in lines[0]


def test_questionnaire_load(tmp_path: Path) -> None:
    ok(admin(tmp_path, "org", "create", "--name", "Школа"))
    ok(
        admin(
            tmp_path,
            "program",
            "create",
            "--org",
            "1",
            "--name",
            "Ученики",
            "--form",
            "student_student",
            "--role-model",
            "peer_peer",
        )
    )
    ok(
        admin(
            tmp_path,
            "program",
            "create",
            "--org",
            "1",
            "--name",
            "Педагоги",
            "--form",
            "teacher_teacher",
            "--role-model",
            "innovator_conservative",
        )
    )
    source = (ROOT / "questionnaires" / "mentee-student.yaml").read_text(encoding="utf-8")
    file = tmp_path / "mentee.yaml"
    file.write_text(source, encoding="utf-8")

    out = ok(admin(tmp_path, "questionnaire", "load", "--program", "1", str(file)))
    assert out.startswith("Questionnaire mentee-student version 1 (mentee) loaded into program 1")
    assert rows(tmp_path, "SELECT program_id, key, version FROM questionnaires") == [
        (1, "mentee-student", 1)
    ]

    again = admin(tmp_path, "questionnaire", "load", "--program", "1", str(file))
    wrong_form = admin(tmp_path, "questionnaire", "load", "--program", "2", str(file))
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nversion: [\n", encoding="utf-8")
    bad = admin(tmp_path, "questionnaire", "load", "--program", "1", str(broken))
    unknown = admin(tmp_path, "questionnaire", "load", "--program", "9", str(file))
    for result in (again, wrong_form, bad, unknown):
        assert result.returncode == 2, result.stdout
        assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "version" in again.stderr
    assert re.search(r"mentee\.yaml: line \d+: program 2 is of the form", wrong_form.stderr)
    assert re.search(r"broken\.yaml: line \d+: ", bad.stderr)
    assert "there is no program 9" in unknown.stderr
    assert len(rows(tmp_path, "SELECT id FROM questionnaires")) == 1


def add_mentor(tmp_path: Path, name: str, status: str) -> int:
    """A mentor of program 1 with a Telegram account (the bot's CLI has no command for it)."""
    with sqlite3.connect(tmp_path / "console.db") as connection:
        now = "2026-11-23 09:00:00.000000"
        person = connection.execute(
            "INSERT INTO people (full_name, grade, locale, created_at, updated_at, share_contact)"
            " VALUES (?, '10А', 'ru', ?, ?, 0)",
            (name, now, now),
        ).lastrowid
        connection.execute(
            "INSERT INTO messenger_accounts (person_id, channel, external_user_id, chat_id,"
            " reachable, created_at) VALUES (?, 'telegram', ?, ?, 1, ?)",
            (person, f"70{person}", f"70{person}", now),
        )
        participant = connection.execute(
            "INSERT INTO participants (program_id, person_id, role, status, approved, created_at,"
            " updated_at) VALUES (1, ?, 'mentor', ?, 0, ?, ?)",
            (person, status, now, now),
        ).lastrowid
    assert participant is not None
    return participant


def test_training_materials_and_mentor_approval(tmp_path: Path) -> None:
    ok(admin(tmp_path, "org", "create", "--name", "Школа"))
    for name in ("Ученики", "Другие"):
        ok(
            admin(
                tmp_path,
                *("program", "create", "--org", "1", "--name", name),
                *("--form", "student_student", "--role-model", "peer_peer"),
            )
        )
    dasha = add_mentor(tmp_path, "Дарья", "ready")
    kostya = add_mentor(tmp_path, "Костя", "onboarding")

    out = ok(
        admin(
            tmp_path,
            *("material", "add", "--program", "1", "--title", "Памятка  наставника"),
            *("--url", "https://school.example/memo"),
        )
    )
    assert out.splitlines()[0] == (
        "Material 1 added to program 1 «Ученики»: Памятка наставника (https://school.example/memo)"
    )
    plan = tmp_path / "План обучения.pdf"
    plan.write_bytes(b"%PDF-1.4 plan")
    out = ok(
        admin(
            tmp_path,
            *("material", "add", "--program", "1", "--title", "План обучения"),
            *("--file", str(plan)),
        )
    )
    assert "(file План обучения.pdf, application/pdf, 13 bytes)" in out
    notes = tmp_path / "notes.unknownext"
    notes.write_bytes(b"notes")
    ok(admin(tmp_path, "material", "add", "--program", "1", "--title", "N", "--file", str(notes)))
    assert rows(
        tmp_path,
        "SELECT program_id, title, url, file_name, media_type, length(content)"
        " FROM program_materials ORDER BY id",
    ) == [
        (1, "Памятка наставника", "https://school.example/memo", None, None, None),
        (1, "План обучения", None, "План обучения.pdf", "application/pdf", 13),
        (1, "N", None, "notes.unknownext", "application/octet-stream", 5),
    ]
    assert rows(tmp_path, "SELECT count(*) FROM notifications") == [(0,)], "nobody approved yet"

    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as file:
        file.truncate(20 * 1024 * 1024 + 1)
    for path, message in ((empty, "empty.pdf is empty"), (huge, "huge.pdf is 20.0 MB")):
        result = admin(
            tmp_path, "material", "add", "--program", "1", "--title", "T", "--file", str(path)
        )
        assert result.returncode == 2, result.stdout
        assert message in result.stderr
    assert len(rows(tmp_path, "SELECT id FROM program_materials")) == 3

    approve = ("mentor", "approve", "--program")
    out = ok(admin(tmp_path, *approve, "1", "--participant", str(dasha)))
    assert out.startswith(f"Mentor {dasha} (Дарья) approved in program 1 «Ученики»")
    assert ok(admin(tmp_path, *approve, "1", "--participant", str(dasha))).startswith(
        f"Mentor {dasha} (Дарья) is approved already."
    )
    kinds = rows(
        tmp_path,
        "SELECT json_extract(payload, '$.text_id'), count(*) FROM notifications"
        " GROUP BY 1 ORDER BY 1",
    )
    assert kinds == [("mentor-approved", 1), ("training-material", 3)]
    not_ready = admin(tmp_path, *approve, "1", "--participant", str(kostya))
    elsewhere = admin(tmp_path, *approve, "2", "--participant", str(dasha))
    for result in (not_ready, elsewhere):
        assert result.returncode == 2, result.stdout
        assert len(result.stderr.splitlines()) == 1
    assert f"mentor {kostya} (Костя) has not finished the questionnaire yet" in not_ready.stderr
    assert f"program 2 has no mentor {dasha}" in elsewhere.stderr
    assert rows(tmp_path, "SELECT id, approved FROM participants ORDER BY id") == [
        (dasha, 1),
        (kostya, 0),
    ]


def test_final_survey_and_results(tmp_path: Path) -> None:
    ok(admin(tmp_path, "org", "create", "--name", "Школа"))
    ok(
        admin(
            tmp_path,
            *("program", "create", "--org", "1", "--name", "Ученики"),
            *("--form", "student_student", "--role-model", "peer_peer"),
        )
    )
    out = ok(admin(tmp_path, "survey", "results", "--program", "1"))
    assert out.splitlines() == [
        "Surveys of program 1 «Ученики»",
        "No surveys sent yet. Pulse surveys go out every few weeks of a pair's work "
        "(programs.pulse_weeks, default 4); the final one with "
        "python -m bot admin survey final --program 1",
    ]
    dasha = add_mentor(tmp_path, "Дарья", "matched")
    add_mentor(tmp_path, "Костя", "left")
    vera = add_mentor(tmp_path, "Вера", "ready")

    out = ok(admin(tmp_path, "survey", "final", "--program", "1"))
    assert out.splitlines()[0] == (
        "Final survey sent to 2 participants of program 1 «Ученики» "
        "(through the outbox, with a reminder in 3 days)."
    )
    again = ok(admin(tmp_path, "survey", "final", "--program", "1"))
    assert again.splitlines()[0].startswith("Nobody new to ask in program 1 «Ученики»")
    assert rows(
        tmp_path, "SELECT participant_id, kind, round, survey_key FROM feedback ORDER BY id"
    ) == [(dasha, "final", 0, "final-mentor"), (vera, "final", 0, "final-mentor")]
    assert rows(
        tmp_path,
        "SELECT json_extract(payload, '$.text_id'), count(*) FROM notifications"
        " GROUP BY 1 ORDER BY 1",
    ) == [("survey-final-invite", 2), ("survey-reminder", 2)]

    with sqlite3.connect(tmp_path / "console.db") as connection:
        connection.execute(
            "UPDATE feedback SET completed_at = '2026-11-24 09:00:00.000000', answers = ?"
            " WHERE participant_id = ?",
            ('{"satisfaction": 4, "nps": 9, "mentor_again": true}', dasha),
        )
    out = ok(admin(tmp_path, "survey", "results", "--program", "1"))
    assert out.splitlines() == [
        "Surveys of program 1 «Ученики»",
        "  final: sent 2, answered 1, unanswered 1; satisfaction 4.0 of 5; NPS +100 "
        "(promoters 1, passives 0, detractors 0)",
        "    mentees who would become mentors: 0; mentors who would mentor again: 1",
    ]

    for command in ("final", "results"):
        missing = admin(tmp_path, "survey", command, "--program", "9")
        assert missing.returncode == 2, missing.stdout
        assert missing.stderr.splitlines() == [
            f"python -m bot admin survey {command}: error: there is no program 9"
        ]


def test_program_settings_stages_and_an_announcement(tmp_path: Path) -> None:
    ok(admin(tmp_path, "org", "create", "--name", "Школа"))
    ok(
        admin(
            tmp_path,
            *("program", "create", "--org", "1", "--name", "Ученики"),
            *("--form", "student_student", "--role-model", "peer_peer"),
        )
    )
    out = ok(
        admin(tmp_path, "org", "set", "--org", "1", "--digest-weekday", "5", "--digest-hour", "16")
    )
    assert out == (
        "Organisation 1: the weekly digest goes out on weekday 5 at 16:00 (Europe/Moscow)\n"
    )
    assert rows(tmp_path, "SELECT digest_weekday, digest_hour FROM organizations") == [(5, 16)]
    bad = admin(tmp_path, "org", "set", "--org", "1", "--digest-weekday", "8", "--digest-hour", "9")
    assert bad.returncode == 2
    assert "the weekday is 1 (Monday) to 7" in bad.stderr
    out = ok(admin(tmp_path, "program", "set", "--program", "1", "--reminders", "180,30"))
    assert out == "Program 1: reminders 180, 30 minutes before; pulse surveys every 4 weeks\n"
    out = ok(
        admin(
            tmp_path,
            "program",
            "set",
            "--program",
            "1",
            "--reminders",
            "none",
            "--pulse-weeks",
            "2",
        )
    )
    assert out == "Program 1: reminders none minutes before; pulse surveys every 2 weeks\n"
    assert rows(tmp_path, "SELECT reminder_minutes, pulse_weeks FROM programs") == [("[]", 2)]
    too_many = admin(tmp_path, "program", "set", "--program", "1", "--reminders", "1,2,3,4,5")
    assert too_many.returncode == 2
    assert "reminders: up to 4" in too_many.stderr

    held = admin(tmp_path, "program", "next-stage", "--program", "1")
    assert held.returncode == 2
    assert "the stage still needs: " in held.stderr
    assert "add --force to move anyway" in held.stderr
    out = ok(admin(tmp_path, "program", "next-stage", "--program", "1", "--force"))
    assert out == "Program 1 is at stage 2 of 7\n"
    assert rows(tmp_path, "SELECT stage FROM programs") == [(2,)]

    add_mentor(tmp_path, "Дарья", "matched")
    add_mentor(tmp_path, "Костя", "left")
    out = ok(admin(tmp_path, "announce", "send", "--program", "1", "--text", "Встреча в пятницу"))
    assert out == "Announcement 1 planned for 1 people\n"
    assert rows(
        tmp_path,
        "SELECT p.full_name, json_extract(n.payload, '$.args.text') FROM notifications n"
        " JOIN people p ON p.id = n.recipient_person_id WHERE n.key LIKE 'announcement:%'",
    ) == [("Дарья", "Встреча в пятницу")]

    out = ok(admin(tmp_path, "report", "export", "--program", "1", "--dir", "out"))
    written = out.splitlines()
    assert written[0].endswith(".xlsx")
    assert len(written) == 7  # the workbook and six CSV files
    assert all((tmp_path / line).is_file() for line in written)
    missing = admin(tmp_path, "report", "export", "--program", "9")
    assert missing.returncode == 2
    assert not (tmp_path / "reports").exists()

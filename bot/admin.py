"""`python -m bot admin ...`: organisations, coordinators, programs, invite links, questionnaires,
training materials, mentor approval and surveys from the shell.

The commands run the same services as the chat, as the system actor `system:cli`, in one
transaction each. Output goes to stdout; a bad argument ends with one line on stderr and exit
code 2.
"""

from __future__ import annotations

import argparse
import mimetypes
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.services import Services
from bot.services.announcements import AnnouncementError
from bot.services.base import valid_url
from bot.services.invitations import (
    PROGRAM_ROLES,
    InviteInfo,
    InviteState,
    default_max_uses,
    qr_png,
)
from bot.services.matching import MatchError
from bot.services.mentors import FILE_MAX_BYTES, TITLE_MAX
from bot.services.programs import (
    CLI,
    InvalidInputError,
    ProgramDraft,
    ProgramInfo,
    Refusal,
)
from bot.services.questionnaires import Purpose, QuestionnaireError
from bot.services.reports import labels_of, write_export
from bot.services.surveys import DEFAULT_PULSE_WEEKS, SurveyError, SurveyFigures
from storage import ROLE_MODELS_BY_FORM, InvitationRole, MentorshipForm, ParticipantRole, RoleModel

if TYPE_CHECKING:
    from bot.app import App

EXIT_OK = 0
EXIT_USAGE = 2


class CommandLineParser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (and exit code 2), pointing to --help."""

    def error(self, message: str) -> NoReturn:
        """One line on stderr, exit code 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


class UsageError(Exception):
    """A bad argument found while running a command: one line, exit code 2."""


# --- argument types -------------------------------------------------------------------------------


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number from 1, got {value}")
    return value


def _minutes(text: str) -> list[int]:
    if text.strip().lower() == "none":
        return []
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected minutes like 1440,60 or 'none', got {text!r}"
        ) from None


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _timezone(text: str) -> str:
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {text!r}, e.g. Europe/Moscow"
        ) from None
    return text


# --- the parser -----------------------------------------------------------------------------------


def _add_cycle_commands(groups: Any, program_commands: Any) -> None:
    """Program settings, moving a program's stage, and announcements."""
    settings = program_commands.add_parser(
        "set", help="change a program's meeting reminders or pulse survey period"
    )
    settings.add_argument("--program", type=_positive, required=True, help="the program's id")
    settings.add_argument(
        "--reminders",
        type=_minutes,
        metavar="MINUTES",
        help="minutes before a meeting its reminders go, comma-separated (default 1440,60); "
        "'none' for no reminders",
    )
    settings.add_argument(
        "--pulse-weeks", type=_positive, help="weeks between pulse surveys (default 4)"
    )
    stage = program_commands.add_parser(
        "next-stage", help="move a program to its next stage (after stage 7: close it)"
    )
    stage.add_argument("--program", type=_positive, required=True, help="the program's id")
    stage.add_argument(
        "--force", action="store_true", help="move even while the stage's checklist has open items"
    )

    announce = groups.add_parser("announce", help="announcements to a program's participants")
    announce_commands = announce.add_subparsers(
        dest="admin_command", required=True, metavar="ACTION"
    )
    send = announce_commands.add_parser("send", help="send a message to the participants")
    send.add_argument("--program", type=_positive, required=True, help="the program's id")
    send.add_argument("--text", required=True, help="the message, up to 3500 characters")
    send.add_argument(
        "--role",
        choices=[role.value for role in ParticipantRole],
        help="only mentees or only mentors (default: everyone)",
    )
    send.add_argument(
        "--material", type=_positive, help="the id of a program file to attach (material add)"
    )

    report = groups.add_parser("report", help="a program's reports")
    report_commands = report.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    export = report_commands.add_parser(
        "export", help="write the program's XLSX workbook and CSV files into a directory"
    )
    export.add_argument("--program", type=_positive, required=True, help="the program's id")
    export.add_argument(
        "--dir", type=Path, default=Path("reports"), help="where to write (default ./reports)"
    )


def configure(admin: argparse.ArgumentParser) -> None:
    """Add the admin subcommands to the `admin` parser."""
    groups = admin.add_subparsers(dest="admin_group", required=True, metavar="COMMAND")

    org = groups.add_parser("org", help="organisations (schools, centres)")
    org_commands = org.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    create = org_commands.add_parser("create", help="create an organisation")
    create.add_argument("--name", required=True, help="the organisation's name")
    create.add_argument(
        "--timezone",
        type=_timezone,
        default=None,
        help="its time zone, e.g. Europe/Moscow (default: BOT__TIMEZONE)",
    )
    org_commands.add_parser("list", help="list the organisations")
    digest = org_commands.add_parser(
        "set", help="when the curators' weekly digest goes out (the organisation's zone)"
    )
    digest.add_argument("--org", type=_positive, required=True, help="the organisation's id")
    digest.add_argument(
        "--digest-weekday",
        type=_positive,
        required=True,
        help="1 = Monday … 7 = Sunday (default 1)",
    )
    digest.add_argument(
        "--digest-hour",
        type=int,
        required=True,
        help="0 to 23, in the organisation's zone (default 9)",
    )

    coordinator = groups.add_parser("coordinator", help="coordinators of an organisation")
    coordinator_commands = coordinator.add_subparsers(
        dest="admin_command", required=True, metavar="ACTION"
    )
    invite = coordinator_commands.add_parser(
        "invite", help="make a link that appoints a coordinator and print it"
    )
    invite.add_argument("--org", type=_positive, required=True, help="the organisation's id")
    _add_limits(invite, uses_default="1")
    _add_qr_dir(invite)

    program = groups.add_parser("program", help="mentorship programs")
    program_commands = program.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    create = program_commands.add_parser(
        "create", help="create a program at stage 1 with its seven stages"
    )
    create.add_argument("--org", type=_positive, required=True, help="the organisation's id")
    create.add_argument("--name", required=True, help="the program's name")
    create.add_argument(
        "--form",
        required=True,
        choices=[form.value for form in MentorshipForm],
        metavar="FORM",
        help="the form of mentorship: " + ", ".join(form.value for form in MentorshipForm),
    )
    create.add_argument(
        "--role-model",
        required=True,
        choices=[model.value for model in RoleModel],
        metavar="MODEL",
        help="the role model, one that fits the form: "
        + "; ".join(
            f"{form.value}: {', '.join(m.value for m in models)}"
            for form, models in ROLE_MODELS_BY_FORM.items()
        ),
    )
    create.add_argument("--description", help="two or three sentences shown to people who join")
    create.add_argument("--starts", type=_date, help="first day, YYYY-MM-DD")
    create.add_argument("--ends", type=_date, help="last day, YYYY-MM-DD (after --starts)")
    listing = program_commands.add_parser("list", help="list the programs")
    listing.add_argument("--org", type=_positive, help="only this organisation's programs")
    _add_cycle_commands(groups, program_commands)

    invite_group = groups.add_parser("invite", help="invite links into a program")
    invite_commands = invite_group.add_subparsers(
        dest="admin_command", required=True, metavar="ACTION"
    )
    create = invite_commands.add_parser("create", help="make an invite link and print it")
    create.add_argument("--program", type=_positive, required=True, help="the program's id")
    create.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in PROGRAM_ROLES],
        metavar="ROLE",
        help="mentee, mentor or curator: what the link makes of the person who opens it",
    )
    _add_limits(create, uses_default="no limit; 1 for curator links")
    _add_qr_dir(create)
    listing = invite_commands.add_parser("list", help="list a program's invite links")
    listing.add_argument("--program", type=_positive, required=True, help="the program's id")
    _add_qr_dir(listing, what="of every active link")
    revoke = invite_commands.add_parser("revoke", help="switch an invite link off")
    revoke.add_argument("token", help="the link's token (i_...)")

    questionnaire = groups.add_parser("questionnaire", help="a program's questionnaires")
    questionnaire_commands = questionnaire.add_subparsers(
        dest="admin_command", required=True, metavar="ACTION"
    )
    load = questionnaire_commands.add_parser(
        "load", help="check a questionnaire file (YAML) and load it into a program"
    )
    load.add_argument("--program", type=_positive, required=True, help="the program's id")
    load.add_argument(
        "file", type=Path, help="the questionnaire file (an intake questionnaire or a survey)"
    )

    _configure_matching(groups)
    _configure_surveys(groups)


def _configure_matching(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Training materials and mentor approval (stage 4)."""
    material = groups.add_parser("material", help="training materials for a program's mentors")
    material_commands = material.add_subparsers(
        dest="admin_command", required=True, metavar="ACTION"
    )
    add = material_commands.add_parser(
        "add",
        help="add a link or a file; approved mentors get it at once, others when approved",
    )
    add.add_argument("--program", type=_positive, required=True, help="the program's id")
    add.add_argument("--title", required=True, help=f"what mentors see (at most {TITLE_MAX})")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="a link, http:// or https://")
    source.add_argument(
        "--file",
        type=Path,
        help="a file (PDF, slides, ...) of at most "
        f"{FILE_MAX_BYTES // (1024 * 1024)} MB; its type is taken from the name",
    )

    mentor = groups.add_parser("mentor", help="a program's mentors")
    mentor_commands = mentor.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    approve = mentor_commands.add_parser(
        "approve",
        help="approve a mentor whose questionnaire is done (they get the materials)",
    )
    approve.add_argument("--program", type=_positive, required=True, help="the program's id")
    approve.add_argument(
        "--participant", type=_positive, required=True, help="the mentor's participant id"
    )


def _configure_surveys(groups: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The final survey (stage 7) and the figures of every survey."""
    survey = groups.add_parser("survey", help="a program's pulse and final surveys")
    survey_commands = survey.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    final = survey_commands.add_parser(
        "final",
        help="send the final survey to everyone taking part (again: only to those who joined "
        "since)",
    )
    final.add_argument("--program", type=_positive, required=True, help="the program's id")
    results = survey_commands.add_parser(
        "results",
        help="answered and unanswered surveys, mean satisfaction and NPS per round",
    )
    results.add_argument("--program", type=_positive, required=True, help="the program's id")


def _add_limits(parser: argparse.ArgumentParser, *, uses_default: str) -> None:
    parser.add_argument(
        "--expires-days",
        type=_positive,
        help="the link stops working after N days (default: never)",
    )
    parser.add_argument(
        "--max-uses", type=_positive, help=f"how many people may use it (default: {uses_default})"
    )


def _add_qr_dir(parser: argparse.ArgumentParser, *, what: str = "of the link") -> None:
    parser.add_argument("--qr-dir", type=Path, help=f"write QR codes (PNG) {what} into this folder")


# --- running --------------------------------------------------------------------------------------


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


async def run_admin(app: App, args: argparse.Namespace) -> int:
    """Carry out one admin command in one transaction; returns the exit code."""
    command = f"{args.admin_group} {args.admin_command}"
    try:
        _check(args)
        async with app.database.transaction() as session:
            services = Services(session, app.clock, app.policy)
            return await COMMANDS[command](app, services, args)
    except (UsageError, InvalidInputError) as error:
        sys.stderr.write(f"python -m bot admin {command}: error: {error}\n")
        return EXIT_USAGE


def _check(args: argparse.Namespace) -> None:
    """Rules between arguments that argparse cannot express."""
    if args.admin_group == "program" and args.admin_command == "create":
        form, model = MentorshipForm(args.form), RoleModel(args.role_model)
        allowed = ROLE_MODELS_BY_FORM[form]
        if model not in allowed:
            raise UsageError(
                f"role model {model.value} does not fit the form {form.value}; "
                f"use one of: {', '.join(m.value for m in allowed)}"
            )
        if args.starts and args.ends and args.ends <= args.starts:
            raise UsageError("--ends must be after --starts")
    if args.admin_group == "questionnaire":
        try:
            args.source = args.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"cannot read {args.file}: {error}") from None
    if args.admin_group == "material":
        _check_material(args)


def _check_material(args: argparse.Namespace) -> None:
    """The title, the link or the file, checked before the database is opened."""
    args.title = " ".join(args.title.split())
    if not args.title:
        raise UsageError("--title is empty")
    if len(args.title) > TITLE_MAX:
        raise UsageError(f"--title is {len(args.title)} characters long, at most {TITLE_MAX}")
    args.content = args.media_type = None
    if args.url is not None:
        if not valid_url(args.url):
            raise UsageError(
                f"--url {args.url!r} is not a link; give the whole address, https://..."
            )
        return
    path: Path = args.file
    if not path.is_file():
        raise UsageError(f"cannot read {path}: there is no such file")
    size = path.stat().st_size
    if size == 0:
        raise UsageError(f"{path} is empty")
    if size > FILE_MAX_BYTES:
        raise UsageError(
            f"{path} is {size / (1024 * 1024):.1f} MB; Telegram and VK take files of at most "
            f"{FILE_MAX_BYTES // (1024 * 1024)} MB from a bot: give a link to it instead (--url)"
        )
    try:
        args.content = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    args.media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _refused(refusal: Refusal, what: str, ident: object) -> UsageError:
    if refusal is Refusal.NOT_FOUND:
        return UsageError(f"there is no {what} {ident}")
    return UsageError(f"{what} {ident} may not be used here")


def _expires(args: argparse.Namespace) -> timedelta | None:
    return timedelta(days=args.expires_days) if args.expires_days else None


async def _org_create(app: App, services: Services, args: argparse.Namespace) -> int:
    timezone = args.timezone or app.settings.bot.timezone
    created = await services.programs.create_organization(args.name, timezone, actor=CLI)
    if isinstance(created, Refusal):
        raise _refused(created, "organisation", args.name)
    _out(f"Organisation {created.id} created: {created.name} ({created.timezone})")
    _out(f"Next: python -m bot admin coordinator invite --org {created.id}")
    return EXIT_OK


async def _org_set(app: App, services: Services, args: argparse.Namespace) -> int:
    organization = await services.programs.set_digest_time(
        CLI, args.org, args.digest_weekday, args.digest_hour
    )
    if isinstance(organization, Refusal):
        raise _refused(organization, "organisation", args.org)
    _out(
        f"Organisation {organization.id}: the weekly digest goes out on weekday "
        f"{organization.digest_weekday} at {organization.digest_hour:02}:00 "
        f"({organization.timezone})"
    )
    return EXIT_OK


async def _org_list(app: App, services: Services, args: argparse.Namespace) -> int:
    organizations = await services.programs.organizations(CLI)
    if not organizations:
        _out("No organisations yet: python -m bot admin org create --name ... --timezone ...")
    for org in organizations:
        _out(f"{org.id}\t{org.name}\t{org.timezone}")
    return EXIT_OK


async def _coordinator_invite(app: App, services: Services, args: argparse.Namespace) -> int:
    invite = await services.invitations.invite_coordinator(
        CLI,
        args.org,
        expires_in=_expires(args),
        max_uses=args.max_uses or default_max_uses(InvitationRole.COORDINATOR),
    )
    if isinstance(invite, Refusal):
        raise _refused(invite, "organisation", args.org)
    _show_invite(invite, args.qr_dir)
    return EXIT_OK


async def _program_create(app: App, services: Services, args: argparse.Namespace) -> int:
    draft = ProgramDraft(
        name=args.name,
        form=MentorshipForm(args.form),
        role_model=RoleModel(args.role_model),
        description=args.description,
        starts_on=args.starts,
        ends_on=args.ends,
    )
    program = await services.programs.create_program(CLI, args.org, draft)
    if isinstance(program, Refusal):
        raise _refused(program, "organisation", args.org)
    _out(f"Program {program.id} created: {_program_line(program)}")
    _out(f"Next: python -m bot admin invite create --program {program.id} --role curator")
    return EXIT_OK


async def _program_list(app: App, services: Services, args: argparse.Namespace) -> int:
    programs = await services.programs.visible(CLI, args.org)
    if not programs:
        _out("No programs yet: python -m bot admin program create --help")
    for program in programs:
        _out(f"{program.id}\t{_program_line(program)}")
    return EXIT_OK


def _program_line(program: ProgramInfo) -> str:
    dates = "no dates"
    if program.starts_on or program.ends_on:
        starts = program.starts_on.isoformat() if program.starts_on else "…"
        ends = program.ends_on.isoformat() if program.ends_on else "…"
        dates = f"{starts} – {ends}"
    return (
        f"«{program.name}», organisation {program.organization_id} ({program.organization}), "
        f"{program.form.value} / {program.role_model.value}, stage {int(program.stage)} of 7, "
        f"{dates}, {program.status.value}"
    )


async def _program_set(app: App, services: Services, args: argparse.Namespace) -> int:
    if args.reminders is None and args.pulse_weeks is None:
        raise UsageError("nothing to change: give --reminders or --pulse-weeks")
    program = await services.programs.configure(
        CLI, args.program, reminder_minutes=args.reminders, pulse_weeks=args.pulse_weeks
    )
    if isinstance(program, Refusal):
        raise _refused(program, "program", args.program)
    reminders = program.reminder_minutes
    _out(
        f"Program {program.id}: reminders "
        + (
            "default (1440, 60)"
            if reminders is None
            else ", ".join(str(m) for m in reminders) or "none"
        )
        + f" minutes before; pulse surveys every {program.pulse_weeks or DEFAULT_PULSE_WEEKS} weeks"
    )
    return EXIT_OK


async def _program_next_stage(app: App, services: Services, args: argparse.Namespace) -> int:
    result = await services.stages.advance(CLI, args.program, force=args.force)
    if isinstance(result, Refusal):
        raise _refused(result, "program", args.program)
    if isinstance(result, tuple):
        raise UsageError(
            "the stage still needs: "
            + ", ".join(f"{item.id} ({item.count}/{item.total})" for item in result)
            + "; add --force to move anyway"
        )
    _out(
        f"Program {result.program_id} is closed"
        if result.closed
        else f"Program {result.program_id} is at stage {result.stage} of 7"
    )
    return EXIT_OK


async def _announce_send(app: App, services: Services, args: argparse.Namespace) -> int:
    try:
        sent = await services.announcements.send(
            CLI,
            args.program,
            args.text,
            role=ParticipantRole(args.role) if args.role else None,
            material_id=args.material,
        )
    except AnnouncementError as error:
        raise UsageError(str(error)) from None
    if isinstance(sent, Refusal):
        raise _refused(sent, "program", args.program)
    _out(f"Announcement {sent.id} planned for {sent.recipients} people")
    return EXIT_OK


async def _report_export(app: App, services: Services, args: argparse.Namespace) -> int:
    written = await write_export(services, args.program, args.dir, labels_of(app.translator))
    if isinstance(written, Refusal):
        raise _refused(written, "program", args.program)
    for path in written:
        _out(str(path))
    return EXIT_OK


async def _invite_create(app: App, services: Services, args: argparse.Namespace) -> int:
    role = InvitationRole(args.role)
    invite = await services.invitations.issue(
        CLI,
        args.program,
        role,
        expires_in=_expires(args),
        max_uses=args.max_uses or default_max_uses(role),
    )
    if isinstance(invite, Refusal):
        raise _refused(invite, "program", args.program)
    _show_invite(invite, args.qr_dir)
    return EXIT_OK


async def _invite_list(app: App, services: Services, args: argparse.Namespace) -> int:
    invites = await services.invitations.for_program(CLI, args.program)
    if isinstance(invites, Refusal):
        raise _refused(invites, "program", args.program)
    if not invites:
        _out(f"No invite links yet: python -m bot admin invite create --program {args.program} ...")
    for invite in invites:
        _show_invite(invite, args.qr_dir if invite.state is InviteState.ACTIVE else None)
    return EXIT_OK


async def _invite_revoke(app: App, services: Services, args: argparse.Namespace) -> int:
    invite = await services.invitations.revoke(CLI, args.token)
    if isinstance(invite, Refusal):
        raise _refused(invite, "invite link", args.token)
    _out(f"Invite link {invite.id} ({invite.role.value}, «{invite.target}») is switched off.")
    return EXIT_OK


async def _questionnaire_load(app: App, services: Services, args: argparse.Namespace) -> int:
    card = await services.programs.card(CLI, args.program)
    if isinstance(card, Refusal):
        raise _refused(card, "program", args.program)
    try:
        loaded = await services.questionnaires.load(args.program, args.source, loaded_by=None)
    except QuestionnaireError as error:  # "line N: reason"
        raise UsageError(f"{args.file}: {error}") from None
    what = loaded.role.value
    if loaded.purpose is not Purpose.INTAKE:
        what += f", {loaded.purpose.value} survey"
    _out(
        f"Questionnaire {loaded.id} version {loaded.version} ({what}) loaded into "
        f"program {args.program} «{card.program.name}»"
    )
    return EXIT_OK


async def _material_add(app: App, services: Services, args: argparse.Namespace) -> int:
    card = await services.programs.card(CLI, args.program)
    if isinstance(card, Refusal):
        raise _refused(card, "program", args.program)
    added = await services.mentors.add_material(
        CLI,
        args.program,
        args.title,
        url=args.url,
        file_name=args.file.name if args.file else None,
        content=args.content,
        media_type=args.media_type,
    )
    if isinstance(added, MatchError):
        raise UsageError(f"the material was not added ({added.value})")
    what = (
        args.url
        if args.url is not None
        else f"file {args.file.name}, {args.media_type}, {len(args.content)} bytes"
    )
    _out(
        f"Material {added} added to program {args.program} «{card.program.name}»: "
        f"{args.title} ({what})"
    )
    _out("Approved mentors get it through the outbox; mentors approved later get it then.")
    return EXIT_OK


async def _mentor_approve(app: App, services: Services, args: argparse.Namespace) -> int:
    card = await services.programs.card(CLI, args.program)
    if isinstance(card, Refusal):
        raise _refused(card, "program", args.program)
    mentors = await services.mentors.mentors(CLI, args.program)
    assert not isinstance(mentors, MatchError)  # the system actor sees every program
    row = next((m for m in mentors if m.who.participant_id == args.participant), None)
    if row is None:
        raise UsageError(f"program {args.program} has no mentor {args.participant}")
    error = await services.mentors.set_approved(CLI, args.participant, True)
    if error is MatchError.DECIDED:
        _out(f"Mentor {args.participant} ({row.who.name}) is approved already.")
        return EXIT_OK
    if error is MatchError.NOT_READY:
        raise UsageError(
            f"mentor {args.participant} ({row.who.name}) has not finished the questionnaire yet"
        )
    if error is not None:
        raise UsageError(f"mentor {args.participant} was not approved ({error.value})")
    _out(
        f"Mentor {args.participant} ({row.who.name}) approved in program {args.program} "
        f"«{card.program.name}»; the training materials go out through the outbox."
    )
    return EXIT_OK


def _survey_refused(error: SurveyError, program_id: int) -> UsageError:
    if error is SurveyError.NOT_FOUND:
        return UsageError(f"there is no program {program_id}")
    return UsageError(f"program {program_id} may not be used here ({error.value})")


async def _survey_final(app: App, services: Services, args: argparse.Namespace) -> int:
    sent = await services.surveys.start_final(CLI, args.program)
    if isinstance(sent, SurveyError):
        raise _survey_refused(sent, args.program)
    card = await services.programs.card(CLI, args.program)
    assert not isinstance(card, Refusal)  # the system actor sees every program
    if sent:
        _out(
            f"Final survey sent to {sent} participant{'' if sent == 1 else 's'} of program "
            f"{args.program} «{card.program.name}» (through the outbox, with a reminder in 3 days)."
        )
    else:
        _out(
            f"Nobody new to ask in program {args.program} «{card.program.name}»: everyone "
            "taking part has the final survey already."
        )
    _out(f"Results: python -m bot admin survey results --program {args.program}")
    return EXIT_OK


async def _survey_results(app: App, services: Services, args: argparse.Namespace) -> int:
    results = await services.surveys.results(CLI, args.program)
    if isinstance(results, SurveyError):
        raise _survey_refused(results, args.program)
    _out(f"Surveys of program {results.program_id} «{results.program}»")
    if not results.pulse_rounds and results.final is None:
        _out(
            "No surveys sent yet. Pulse surveys go out every few weeks of a pair's work "
            f"(programs.pulse_weeks, default {DEFAULT_PULSE_WEEKS}); the final one with "
            f"python -m bot admin survey final --program {args.program}"
        )
        return EXIT_OK
    for figures in results.pulse_rounds:
        _out(f"  pulse round {figures.round}: {_figures_line(figures)}")
    if len(results.pulse_rounds) > 1:
        _out(f"  pulse, all rounds: {_figures_line(results.pulse)}")
    if results.final is not None:
        final = results.final
        _out(f"  final: {_figures_line(final)}")
        _out(
            f"    mentees who would become mentors: {final.would_mentor}; "
            f"mentors who would mentor again: {final.mentor_again}"
        )
    return EXIT_OK


def _figures_line(figures: SurveyFigures) -> str:
    satisfaction = "—" if figures.satisfaction is None else f"{figures.satisfaction:.1f} of 5"
    nps = "—" if figures.nps is None else f"{figures.nps:+.0f}"
    return (
        f"sent {figures.sent}, answered {figures.completed}, unanswered {figures.unanswered}; "
        f"satisfaction {satisfaction}; NPS {nps} (promoters {figures.promoters}, "
        f"passives {figures.passives}, detractors {figures.detractors})"
    )


def _show_invite(invite: InviteInfo, qr_dir: Path | None) -> None:
    where = "organisation" if invite.program_id is None else "program"
    ident = invite.organization_id if invite.program_id is None else invite.program_id
    _out(f"Invite link {invite.id}: {invite.role.value} of {where} {ident} «{invite.target}»")
    _out(f"  token:    {invite.token}")
    _out(f"  Telegram: {invite.telegram or '— (set TELEGRAM__USERNAME to get the link)'}")
    _out(f"  VK:       {invite.vk or '— (set VK__GROUP_ID to get the link)'}")
    if not invite.telegram and not invite.vk:
        _out(f"  to join:  send the bot /start {invite.token}")
    expires = invite.expires_at.strftime("%Y-%m-%d %H:%M UTC") if invite.expires_at else "never"
    limit = f"of {invite.max_uses}" if invite.max_uses else "(no limit)"
    _out(f"  expires:  {expires}")
    _out(f"  uses:     {invite.uses} {limit}")
    _out(f"  state:    {invite.state.value}")
    if qr_dir is None:
        return
    links = [("telegram", invite.telegram), ("vk", invite.vk)]
    if not any(link for _, link in links):
        _out("  QR:       none, there is no link to encode")
        return
    qr_dir.mkdir(parents=True, exist_ok=True)
    for channel, link in links:
        if link:
            path = qr_dir / f"invite-{invite.id}-{invite.role.value}-{channel}.png"
            path.write_bytes(qr_png(link))
            _out(f"  QR:       {path}")


COMMANDS = {
    "org create": _org_create,
    "org list": _org_list,
    "org set": _org_set,
    "coordinator invite": _coordinator_invite,
    "program create": _program_create,
    "program list": _program_list,
    "program set": _program_set,
    "program next-stage": _program_next_stage,
    "announce send": _announce_send,
    "report export": _report_export,
    "invite create": _invite_create,
    "invite list": _invite_list,
    "invite revoke": _invite_revoke,
    "questionnaire load": _questionnaire_load,
    "material add": _material_add,
    "mentor approve": _mentor_approve,
    "survey final": _survey_final,
    "survey results": _survey_results,
}


__all__ = ["CommandLineParser", "configure", "run_admin"]

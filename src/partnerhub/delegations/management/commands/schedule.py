"""``partnerhub schedule``: B2B meeting schedules on the command line, per shared/formats/b2b-scheduling.md.

    partnerhub schedule solve INSTANCE.json --time-limit SECONDS [--workers N] [--seed S]
                              [--previous OLD_SCHEDULE.json] -o SCHEDULE.json
    partnerhub schedule check INSTANCE.json SCHEDULE.json [--all]
    partnerhub schedule generate {realistic,tight} --seed S [--participants N] [--meetings M] [--slots K]
                                 [--plant PLANT.json] -o INSTANCE.json

``solve`` runs the optimal scheduler (OR-Tools CP-SAT), has the independent checker verify the result and
only then writes it, to a temporary file renamed into place: a reader never sees half a schedule, and a
schedule that breaks a hard constraint is never written (that would be a solver bug: exit 1, nothing
written). It is deterministic for a given seed and worker count. ``--previous`` re-schedules, keeping as
many meetings of the old schedule in place as the solver can. Exit status: 0 when the schedule is optimal,
feasible or proven infeasible; 3 when time ran out before any schedule was found (the file then says
``unknown``); 2 for a malformed or unreadable instance, with ``FILE: field: problem`` on stderr, e.g.
``day.json: meetings[3].fixed_slot: unknown slot '99'``.

``check`` prints the objective (breaks, optional weight) computed independently of the solver and exits 1
naming the first violation (``--all`` lists every one), 0 for a valid schedule, 2 for malformed input.

``generate`` writes a seeded instance of the ``realistic`` or ``tight`` family (see
``partnerhub.engines.scheduling.generate``); ``--plant`` also writes the hidden valid schedule it was built
around.

None of these touch the database. The engine is imported inside the subcommands, so ``partnerhub help``
stays fast.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand

from partnerhub.engines.scheduling.check import check_schedule
from partnerhub.engines.scheduling.model import (
    Instance,
    InstanceError,
    Schedule,
    load_json,
    parse_instance,
    parse_schedule,
)

FAMILIES = ("realistic", "tight")
EXIT_OK, EXIT_VIOLATION, EXIT_MALFORMED, EXIT_UNKNOWN = 0, 1, 2, 3


class InvalidInput(Exception):
    """Input the command cannot use; the message names the file, the field and the problem."""


def exit_status(status: str) -> int:
    """The exit status of ``schedule solve`` for a schedule's status (the format's table)."""
    return EXIT_UNKNOWN if status == "unknown" else EXIT_OK


def _read(path: Path, parse: Any) -> Any:
    try:
        return parse(load_json(path))
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: is not UTF-8 text") from None
    except InstanceError as exc:
        # load_json names the file as the field; parse errors name a field inside it.
        raise InvalidInput(str(exc) if exc.field == str(path) else f"{path}: {exc}") from exc


def read_instance(path: Path) -> Instance:
    return _read(path, parse_instance)  # type: ignore[no-any-return]


def read_schedule(path: Path) -> Schedule:
    return _read(path, parse_schedule)  # type: ignore[no-any-return]


def write_json_atomically(path: Path, data: Any) -> None:
    """Write to a temporary file beside ``path`` and rename it into place (never half a file)."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_output(path: Path) -> None:
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InvalidInput(f"{path}: cannot write: no directory {str(directory)!r}")
    if path.is_dir():
        raise InvalidInput(f"{path}: cannot write: it is a directory")


def summary(schedule: Schedule) -> str:
    """One line: status, breaks, bound, optional weight, seconds."""
    seconds = f"{schedule.solve_seconds:.1f} s"
    if schedule.status in ("infeasible", "unknown"):
        return f"{schedule.status}: no schedule, {seconds}"
    bound = "none" if schedule.bound is None else str(schedule.bound)
    return (
        f"{schedule.status}: {schedule.breaks} breaks, bound {bound}, "
        f"optional weight {schedule.optional_weight}, {seconds}"
    )


def run_solve(
    instance_path: Path,
    output: Path,
    *,
    time_limit: float,
    workers: int = 2,
    seed: int = 0,
    previous_path: Path | None = None,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """``schedule solve``; returns the exit status."""
    try:
        if time_limit <= 0:
            raise InvalidInput(f"--time-limit must be positive, not {time_limit}")
        if workers < 1:
            raise InvalidInput(f"--workers must be at least 1, not {workers}")
        _check_output(output)
        instance = read_instance(instance_path)
        previous = read_schedule(previous_path) if previous_path is not None else None
    except InvalidInput as exc:
        stderr.write(f"{exc}\n")
        return EXIT_MALFORMED

    from partnerhub.engines.scheduling import solve

    options: dict[str, Any] = {"time_limit": time_limit, "workers": workers, "seed": seed}
    if previous is not None:
        options["previous"] = previous
    started = time.monotonic()
    schedule = solve(instance, **options)
    if not schedule.solve_seconds:
        schedule.solve_seconds = round(time.monotonic() - started, 3)
    result = check_schedule(instance, schedule)
    if not result.valid:
        stderr.write(
            f"BUG: the solver returned a {schedule.status} schedule that the checker rejects: "
            f"{result.violations[0]} ({len(result.violations)} violation(s) in all); nothing written.\n"
        )
        return EXIT_VIOLATION
    write_json_atomically(output, schedule.to_dict())
    stdout.write(f"{summary(schedule)} -> {output}\n")
    if schedule.explanation and schedule.status in ("infeasible", "unknown"):
        stderr.write(f"{schedule.explanation}\n")
    return exit_status(schedule.status)


def run_check(
    instance_path: Path, schedule_path: Path, *, show_all: bool = False, stdout: TextIO, stderr: TextIO
) -> int:
    """``schedule check``; returns the exit status."""
    try:
        instance = read_instance(instance_path)
        schedule = read_schedule(schedule_path)
    except InvalidInput as exc:
        stderr.write(f"{exc}\n")
        return EXIT_MALFORMED
    result = check_schedule(instance, schedule)
    if result.breaks is None:
        stdout.write(f"{schedule.status}: no schedule to check\n")
    else:
        stdout.write(f"{schedule.status}: {result.breaks} breaks, optional weight {result.optional_weight}\n")
    if result.valid:
        return EXIT_OK
    shown = result.violations if show_all else result.violations[:1]
    for violation in shown:
        stderr.write(f"violation: {violation}\n")
    if len(result.violations) > len(shown):
        stderr.write(f"({len(result.violations) - 1} more; --all lists them)\n")
    return EXIT_VIOLATION


def run_generate(
    family: str,
    output: Path,
    *,
    seed: int,
    participants: int | None = None,
    meetings: int | None = None,
    slots: int | None = None,
    plant_path: Path | None = None,
    stdout: TextIO,
    stderr: TextIO,
) -> int:
    """``schedule generate``; returns the exit status (2 for sizes the family cannot build)."""
    from partnerhub.engines.scheduling.generate import generate_planted

    try:
        for path in (output, plant_path):
            if path is not None:
                _check_output(path)
        planted = generate_planted(
            family, seed=seed, participants=participants, meetings=meetings, slots=slots
        )
    except InvalidInput as exc:
        stderr.write(f"{exc}\n")
        return EXIT_MALFORMED
    except ValueError as exc:
        stderr.write(f"cannot generate: {exc}\n")
        return EXIT_MALFORMED
    instance = planted.instance
    write_json_atomically(output, instance.to_dict())
    if plant_path is not None:
        write_json_atomically(plant_path, planted.plant.to_dict())
    stdout.write(
        f"{instance.name}: {len(instance.participants)} participants, {len(instance.meetings)} meetings, "
        f"{len(instance.slots)} slots, {len(instance.tables)} tables -> {output}\n"
    )
    return EXIT_OK


class Command(BaseCommand):
    help = (
        "B2B meeting schedules: `schedule solve`, `schedule check`, `schedule generate` (b2b-scheduling.md)."
    )
    # Pure computation on files: no database, and the project's checks have nothing to say about it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        solve = sub.add_parser("solve", help="compute a schedule with the optimal scheduler")
        solve.add_argument("instance", type=Path, metavar="INSTANCE.json")
        solve.add_argument("--time-limit", type=float, required=True, metavar="SECONDS")
        solve.add_argument("--workers", type=int, default=2, metavar="N")
        solve.add_argument("--seed", type=int, default=0, metavar="S")
        solve.add_argument(
            "--previous", type=Path, default=None, metavar="OLD_SCHEDULE.json", help="re-schedule from this"
        )
        solve.add_argument("-o", "--output", type=Path, required=True, metavar="SCHEDULE.json")

        check = sub.add_parser("check", help="verify a schedule independently of the solver")
        check.add_argument("instance", type=Path, metavar="INSTANCE.json")
        check.add_argument("schedule", type=Path, metavar="SCHEDULE.json")
        check.add_argument("--all", action="store_true", dest="show_all", help="list every violation")

        generate = sub.add_parser("generate", help="write a seeded instance of a family")
        generate.add_argument("family", choices=FAMILIES)
        generate.add_argument("--seed", type=int, required=True, metavar="S")
        generate.add_argument("--participants", type=int, default=None, metavar="N")
        generate.add_argument("--meetings", type=int, default=None, metavar="M")
        generate.add_argument("--slots", type=int, default=None, metavar="K")
        generate.add_argument(
            "--plant", type=Path, default=None, metavar="PLANT.json", help="also write the hidden schedule"
        )
        generate.add_argument("-o", "--output", type=Path, required=True, metavar="INSTANCE.json")

    def handle(self, *args: Any, **options: Any) -> None:
        streams = {"stdout": self.stdout, "stderr": self.stderr}
        action = options["action"]
        if action == "solve":
            status = run_solve(
                options["instance"],
                options["output"],
                time_limit=options["time_limit"],
                workers=options["workers"],
                seed=options["seed"],
                previous_path=options["previous"],
                **streams,
            )
        elif action == "check":
            status = run_check(
                options["instance"], options["schedule"], show_all=options["show_all"], **streams
            )
        else:
            status = run_generate(
                options["family"],
                options["output"],
                seed=options["seed"],
                participants=options["participants"],
                meetings=options["meetings"],
                slots=options["slots"],
                plant_path=options["plant"],
                **streams,
            )
        if status:
            raise SystemExit(status)

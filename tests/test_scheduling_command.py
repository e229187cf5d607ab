"""`partnerhub schedule solve|check|generate` per shared/formats/b2b-scheduling.md (no database needed)."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

import partnerhub.engines.scheduling as scheduling
from partnerhub.delegations.management.commands.schedule import exit_status
from partnerhub.engines.scheduling.model import Assignment, Schedule

TINY = {
    "format": "partnerhub-b2b-instance/1",
    "name": "tiny",
    "slots": [
        {"id": "1", "session": "morning"},
        {"id": "2", "session": "morning"},
        {"id": "3", "session": "afternoon"},
    ],
    "tables": ["A", "B"],
    "participants": [
        {"id": "p1", "unavailable": ["2"]},
        {"id": "p2", "unavailable": []},
        {"id": "p3", "unavailable": []},
        {"id": "p4", "unavailable": []},
    ],
    "meetings": [
        {"id": "m1", "participants": ["p1", "p2"]},
        {"id": "m2", "participants": ["p1", "p3"], "session": "afternoon"},
        {"id": "m3", "participants": ["p2", "p3"], "after": ["m1"]},
        {"id": "m4", "participants": ["p3", "p4"], "required": False, "weight": 2},
    ],
    "objective": {"minimize": "breaks", "max_breaks_spread": 1},
}


def _write(path, data):
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(*args):
    """Run the command; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("schedule", *[str(a) for a in args], stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def _solve(instance_path, output, *extra):
    return _run("solve", instance_path, "--time-limit", "5", "--workers", "1", "-o", output, *extra)


def test_solve_writes_a_schedule_that_check_accepts(tmp_path):
    instance = _write(tmp_path / "day.json", TINY)
    out = tmp_path / "schedule.json"
    status, stdout, stderr = _solve(instance, out)
    assert status == 0, stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "partnerhub-b2b-schedule/1" and data["status"] == "optimal"
    # m2 afternoon (slot 3), m1 before m3, p1 away in 2: m1 in 1, m3 in 2, m2 in 3, m4 fits in 1.
    assert {a["meeting"]: a["slot"] for a in data["assignments"]} == {
        "m1": "1",
        "m3": "2",
        "m2": "3",
        "m4": "1",
    }
    assert stdout.startswith("optimal: 1 breaks, bound 1, optional weight 2,") and str(out) in stdout
    status, stdout, stderr = _run("check", instance, out)
    assert (status, stdout, stderr) == (0, "optimal: 1 breaks, optional weight 2\n", "")


def _without_time(path):
    return {k: v for k, v in json.loads(path.read_text()).items() if k != "solve_seconds"}


def test_solve_is_deterministic_for_a_seed(tmp_path):
    instance = _write(tmp_path / "day.json", TINY)
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert _solve(instance, first, "--seed", "3")[0] == 0
    assert _solve(instance, second, "--seed", "3")[0] == 0
    assert _without_time(first) == _without_time(second)


def test_solve_reports_a_proven_infeasible_day_with_exit_zero_and_no_assignments(tmp_path):
    # p2 has three required meetings and two slots.
    crowded = dict(TINY, meetings=[{"id": f"m{i}", "participants": ["p2", f"p{i}"]} for i in (1, 3, 4)])
    crowded["slots"] = TINY["slots"][:2]
    instance = _write(tmp_path / "day.json", crowded)
    out = tmp_path / "schedule.json"
    status, stdout, stderr = _solve(instance, out)
    assert status == 0 and stdout.startswith("infeasible: no schedule")
    data = json.loads(out.read_text())
    assert data["status"] == "infeasible" and data["assignments"] == [] and data["explanation"]
    assert _run("check", instance, out)[0] == 0


def test_solve_with_a_previous_schedule_reports_how_many_meetings_moved(tmp_path):
    instance = _write(tmp_path / "day.json", TINY)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert _solve(instance, first)[0] == 0
    status, _, stderr = _solve(instance, second, "--previous", first)
    assert status == 0, stderr
    assert json.loads(second.read_text())["moved"] == 0
    assert _run("check", instance, second)[0] == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["meetings"][3].update(fixed_slot="99"),
            "day.json: meetings[3].fixed_slot: unknown slot '99'",
        ),
        (
            lambda d: d["meetings"][0].update(participants=["p1", "p9"]),
            "meetings[0].participants[1]: unknown",
        ),
        (
            lambda d: d["participants"][0].update(unavailable=["7"]),
            "participants[0].unavailable[0]: unknown slot",
        ),
        (lambda d: d["meetings"][2].update(after=["m8"]), "meetings[2].after[0]: unknown meeting 'm8'"),
        (lambda d: d["slots"][1].update(session="evening"), "slots[1].session: must be"),
        (lambda d: d.update(format="something/2"), "day.json: format: must be"),
    ],
)
def test_a_malformed_instance_exits_2_naming_the_field_and_writes_nothing(tmp_path, change, message):
    data = json.loads(json.dumps(TINY))
    change(data)
    out = tmp_path / "schedule.json"
    status, stdout, stderr = _solve(_write(tmp_path / "day.json", data), out)
    assert status == 2 and message in stderr and stdout == ""
    assert not out.exists()


def test_invalid_json_and_unreadable_files_exit_2(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "partnerhub-b2b-instance/1",', encoding="utf-8")
    status, _, stderr = _solve(broken, tmp_path / "s.json")
    assert status == 2 and "broken.json: is not valid JSON (line 1" in stderr
    status, _, stderr = _solve(tmp_path / "missing.json", tmp_path / "s.json")
    assert status == 2 and "missing.json: cannot read" in stderr
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    assert _solve(binary, tmp_path / "s.json")[0] == 2
    status, _, stderr = _solve(_write(tmp_path / "day.json", TINY), tmp_path / "no" / "s.json")
    assert status == 2 and "cannot write" in stderr
    assert _run("solve", tmp_path / "day.json", "--time-limit", "0", "-o", tmp_path / "s.json")[0] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["binary.json", "broken.json", "day.json"]


def test_exit_status_follows_the_format():
    assert [exit_status(s) for s in ("optimal", "feasible", "infeasible", "unknown")] == [0, 0, 0, 3]


def test_time_running_out_without_a_schedule_writes_unknown_and_exits_3(tmp_path, monkeypatch):
    def out_of_time(instance, **options):
        return Schedule(status="unknown", explanation="time ran out", solve_seconds=options["time_limit"])

    monkeypatch.setattr(scheduling, "solve", out_of_time)
    out = tmp_path / "schedule.json"
    status, stdout, stderr = _solve(_write(tmp_path / "day.json", TINY), out)
    assert status == 3 and stdout.startswith("unknown: no schedule") and "time ran out" in stderr
    assert json.loads(out.read_text())["status"] == "unknown"


def test_a_schedule_that_breaks_a_hard_constraint_is_never_written(tmp_path, monkeypatch):
    def buggy(instance, **options):
        clash = [Assignment("m1", "1", "A"), Assignment("m2", "3", "A"), Assignment("m3", "1", "B")]
        return Schedule(status="feasible", assignments=clash, unscheduled=["m4"], breaks=1)

    monkeypatch.setattr(scheduling, "solve", buggy)
    out = tmp_path / "schedule.json"
    status, stdout, stderr = _solve(_write(tmp_path / "day.json", TINY), out)
    assert status == 1 and "BUG" in stderr and "Participant p2 has 2 meetings in slot 1" in stderr
    assert stdout == "" and not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["day.json"]  # no temporary file left behind


def test_check_exits_1_naming_the_first_violation(tmp_path):
    instance = _write(tmp_path / "day.json", TINY)
    bad = {
        "format": "partnerhub-b2b-schedule/1",
        "status": "feasible",
        "objective": {"breaks": 2, "optional_weight": 0},
        "bound": None,
        "assignments": [
            {"meeting": "m1", "slot": "2", "table": "A"},
            {"meeting": "m2", "slot": "3", "table": "A"},
            {"meeting": "m3", "slot": "3", "table": "B"},
        ],
        "unscheduled": ["m4"],
    }
    status, stdout, stderr = _run("check", instance, _write(tmp_path / "s.json", bad))
    assert status == 1
    assert stdout == "feasible: 0 breaks, optional weight 0\n"
    first = "violation: Participant p1 is unavailable in slot 2 but meets in m1 then.\n"
    assert stderr.startswith(first) and "more; --all lists them" in stderr
    status, _, everything = _run("check", instance, tmp_path / "s.json", "--all")
    assert status == 1 and "Participant p3 has 2 meetings in slot 3: m2 and m3." in everything
    assert "claims 2 breaks but has 0" in everything


def test_check_exits_2_for_a_malformed_schedule(tmp_path):
    instance = _write(tmp_path / "day.json", TINY)
    odd = _write(tmp_path / "s.json", {"format": "partnerhub-b2b-schedule/1", "status": "done"})
    status, _, stderr = _run("check", instance, odd)
    assert status == 2 and "s.json: status: must be one of" in stderr


def test_generate_writes_the_same_instance_for_a_seed_and_its_plant_checks(tmp_path):
    first, second, plant = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "plant.json"
    status, stdout, _ = _run("generate", "tight", "--seed", "4", "-o", first, "--plant", plant)
    assert status == 0 and "tight-4-" in stdout
    assert _run("generate", "tight", "--seed", "4", "-o", second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    assert _run("check", first, plant)[0] == 0
    args = (
        "generate",
        "realistic",
        "--seed",
        "1",
        "--participants",
        "60",
        "--meetings",
        "150",
        "--slots",
        "10",
    )
    assert _run(*args, "-o", second)[0] == 0
    data = json.loads(second.read_text())
    assert (len(data["participants"]), len(data["meetings"]), len(data["slots"])) == (60, 150, 10)


def test_generate_refuses_sizes_the_family_cannot_build(tmp_path):
    out = tmp_path / "x.json"
    args = ("generate", "tight", "--seed", "1", "--participants", "10", "--meetings", "100", "--slots", "8")
    status, _, stderr = _run(*args, "-o", out)
    assert status == 2 and "cannot generate" in stderr and not out.exists()


def test_the_partnerhub_console_command_exits_with_the_status(tmp_path):
    data = json.loads(json.dumps(TINY))
    data["meetings"][3]["fixed_slot"] = "99"
    instance = _write(tmp_path / "day.json", data)
    run = subprocess.run(
        [sys.executable, "-m", "partnerhub.cli", "schedule", "check", str(instance), str(instance)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "meetings[3].fixed_slot: unknown slot '99'" in run.stderr

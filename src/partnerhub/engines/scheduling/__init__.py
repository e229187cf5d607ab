"""B2B meeting scheduling (format: shared/formats/b2b-scheduling.md). No Django here.

``solve(instance, ...) -> Schedule`` is the optimal engine (CP-SAT, ``solver.py``); ``ENGINE_NAME`` names
it in stored schedules. ``greedy_placeholder`` is the stand-in the platform used before it.
"""

from .model import Instance, InstanceError, Reason, Schedule, load_json, parse_instance, parse_schedule
from .solver import ENGINE_NAME, Report, solve, solve_report

__all__ = [
    "ENGINE_NAME",
    "Instance",
    "InstanceError",
    "Reason",
    "Report",
    "Schedule",
    "load_json",
    "parse_instance",
    "parse_schedule",
    "solve",
    "solve_report",
]

"""Delegation trips: the trip and its itinerary (trips), who comes (registrations), B2B meetings (meetings)."""

from partnerhub.delegations.models.meetings import Meeting, MeetingRequest, ScheduleRun, Table, Unavailability
from partnerhub.delegations.models.registrations import Registration, RegistrationQuestion
from partnerhub.delegations.models.trips import (
    Delegation,
    DelegationMember,
    DelegationQuerySet,
    ProgrammeItem,
    Stop,
    TravelLeg,
)

__all__ = [
    "Delegation", "DelegationMember", "DelegationQuerySet", "Meeting", "MeetingRequest", "ProgrammeItem",
    "Registration", "RegistrationQuestion", "ScheduleRun", "Stop", "Table", "TravelLeg", "Unavailability",
]  # fmt: skip

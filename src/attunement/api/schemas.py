"""What the API reads and answers, as typed schemas: the OpenAPI document is made from these."""

import uuid
from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

# Bounds that keep every number within what the database can compare with; anything outside is refused (422).
MAX_ID = 2**53 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class Problem(Schema):
    field: str = Field(description="The field the problem is with, or “request” for the request as a whole.")
    message: str


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in plain words.")
    problems: list[Problem] = Field(default=[], description="Each field that was wrong, with its message.")


class SiteOut(Schema):
    id: int
    name: str


class PersonListed(Schema):
    id: int
    first_name: str
    last_name: str
    preferred_name: str
    is_active: bool = Field(description="False once the organisation no longer supports them.")
    left_on: date | None
    site: str | None = Field(description="The name of their site, if they have one.")


class PeoplePage(Schema):
    people: list[PersonListed]
    page: int
    has_next: bool


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date | None
    needs: list[str]
    site: SiteOut | None
    group: SiteOut | None = Field(description="Their class or group, if they are in one.")
    identifier: str = Field(description="A number the organisation's records use for them, such as a UPN.")
    weekly_session_target: int | None = Field(description="Empty: the organisation's usual target applies.")
    is_active: bool
    left_on: date | None
    version: int = Field(description="Send this back with a change, so a change made meanwhile is not overwritten.")


class PersonIn(Schema):
    first_name: str
    last_name: str
    preferred_name: str = ""
    date_of_birth: date | None = None
    needs: list[str] = Field(default=[], description="Codes: autism, pmld, sld, msi, gdd, ccn.")
    site_id: Id | None = None
    group_id: Id | None = Field(default=None, description="Their class or group.")
    identifier: str = Field(default="", max_length=50, description="Such as a UPN; no two people share one.")
    weekly_session_target: Count | None = None


class PersonChange(Schema):
    version: Id = Field(description="The version read with the person.")
    first_name: str | None = None
    last_name: str | None = None
    preferred_name: str | None = None
    date_of_birth: date | None = None
    needs: list[str] | None = None
    site_id: Id | None = None
    group_id: Id | None = None
    identifier: str | None = Field(default=None, max_length=50)
    weekly_session_target: Count | None = None
    still_supported: bool | None = None


class Named(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    started_at: datetime
    minutes: int
    place: str
    planned: bool
    partners: list[Named]
    phases: list[str]
    techniques: list[str]
    fundamentals: list[Named]
    enjoyment: int | None = Field(description="1, 2 or 3 (enjoyed it a lot), or empty.")
    ending: str
    ending_reason: str
    what_happened: str
    significant_moment: str
    how_i_did: str
    next_time: str
    firsts: list[str] = Field(description="Behaviours seen in this session for the first time.")
    corrected: bool = Field(description="True if the session was corrected after it was saved.")


class SessionsPage(Schema):
    sessions: list[SessionOut]
    page: int
    has_next: bool


class BehaviourIn(Schema):
    description: str
    novelty: str = Field(default="typical", description="typical, rare or new (never seen before).")
    confirmed_new: bool = Field(
        default=False,
        description="Keep it as never seen before even though the person's history holds it (the quick log's "
        "answer to its “seen before” question).",
    )


class SessionIn(Schema):
    submission_key: uuid.UUID = Field(
        description="A new random UUID for each session. Sending the same key again records nothing new: the "
        "answer is the session already saved."
    )
    started_at: datetime
    minutes: Count
    long_session_confirmed: bool = Field(default=False, description="Needed for a session over an hour.")
    place: str = ""
    planned: bool = False
    partner_ids: list[Id] = Field(min_length=1, description="The members of staff who were the partners.")
    phases: list[str] = []
    techniques: list[str] = []
    fundamental_ids: list[Id] = []
    outcome_ids: list[Id] = Field(default=[], description="Plan outcomes this session is evidence for.")
    behaviours: list[BehaviourIn] = []
    enjoyment: Count | None = None
    ending: str = ""
    ending_reason: str = ""
    what_happened: str = ""
    significant_moment: str = ""
    how_i_did: str = ""
    next_time: str = ""


class SessionSaved(Schema):
    id: int
    already_saved: bool = Field(description="True when this submission key had been used before.")
    withdrawn: bool = Field(description="True when the session saved with this key has since been withdrawn.")
    session: SessionOut | None = Field(description="Empty when the session has been withdrawn.")


class ProgressPoint(Schema):
    date: date
    level: str
    position: int
    review_id: int


class ProgressItem(Schema):
    name: str
    points: list[ProgressPoint]


class WeekCount(Schema):
    week: date = Field(description="The Monday the week starts on.")
    count: int
    target: int
    met: bool


class FundamentalSeen(Schema):
    name: str
    count: int = Field(description="How many sessions it was seen in.")
    sessions: int = Field(description="How many sessions there were.")
    retired: bool


class ProgressOut(Schema):
    scale: Named
    levels: list[str]
    items: list[ProgressItem]
    weeks: list[WeekCount] = Field(description="Sessions in each of the last 12 weeks, against the weekly target.")
    fundamentals_seen: list[FundamentalSeen] = Field(description="Over the last 12 weeks.")
    since: date


class FigureOut(Schema):
    kind: str = Field(description="shown, small (fewer than the threshold) or protected (hidden to protect privacy).")
    value: float | None = Field(description="Only for a shown figure.")
    words: str = Field(description="The figure as the reports write it.")


class Period(Schema):
    since: date
    until: date


class SummaryOut(Schema):
    threshold: int
    weeks: int
    period: Period
    people: FigureOut
    enough_people: bool
    sessions_total: FigureOut
    sessions_per_person_week: FigureOut
    target_met: FigureOut
    target_not_met: FigureOut
    with_new: FigureOut


class PackRow(Schema):
    label: str
    figure: FigureOut


class PackFigure(Schema):
    key: str
    label: str
    figure: FigureOut
    means: str
    rows: list[PackRow]
    evidence: str


class PackSection(Schema):
    heading: str
    about: str
    figures: list[PackFigure]


class PackOut(Schema):
    title: str
    audience: str
    group: Named | None = Field(description="The class or group the pack is narrowed to, if any.")
    withheld: bool = Field(
        description="True when every figure about people is hidden because another class or group (or the people "
        "in none) has fewer than 5 people counted, so this one's figures could be worked out from the whole's."
    )
    period: Period
    note: str = Field(description="Why the period asked for was not used, if it was not.")
    framework: str
    enough: bool
    sections: list[PackSection]


class MonthOut(Schema):
    month: date
    sessions: int
    average_minutes: float | None
    enjoyed_a_lot: int | None = Field(description="Per cent of rated sessions.")
    firsts: int


class DashboardOut(Schema):
    period: Period
    note: str
    site_id: int | None
    group_id: int | None
    need: str
    people: int
    sessions: int
    months: list[MonthOut]
    progress: dict[str, int]
    weeks: int
    weeks_reached: int
    people_with_plan_outcomes: int


class MemberListed(Schema):
    id: int
    name: str
    email: str
    role: str = Field(description="practitioner, coordinator, manager, family, therapist, external or administrator.")
    site: SiteOut | None
    people: int = Field(description="How many of the organisation's people they are linked to now.")
    last_sign_in: datetime | None = Field(description="Empty if they have never signed in.")
    access_ended: bool = Field(description="True once their access has been ended.")
    ended_at: datetime | None


class MembersPage(Schema):
    members: list[MemberListed]
    page: int
    has_next: bool


class MemberOut(MemberListed):
    linked_people: list[Named] = Field(description="The people they are linked to now or from a later day.")
    member_since: datetime


class MemberChange(Schema):
    role: str | None = Field(default=None, description="Left out: the role stays as it is.")
    site_id: Id | None = Field(default=None, description="Left out: the site stays; null: no particular site.")
    person_ids: list[Id] | None = Field(
        default=None,
        description="Everyone they should be linked to. Left out: the links stay as they are. A person taken off "
        "the list is unlinked from today.",
    )


class InvitationOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    role: str
    site: SiteOut | None
    people: list[Named] = Field(description="The people they will be linked to when they accept.")
    state: str = Field(description="waiting, expired or withdrawn (an accepted invitation becomes a member).")
    sent_at: datetime
    expires_at: datetime
    invited_by: str | None


class InvitationsPage(Schema):
    invitations: list[InvitationOut]
    page: int
    has_next: bool


class InvitationIn(Schema):
    email: str = Field(description="The invitation is sent here.")
    first_name: str = ""
    last_name: str = ""
    role: str = Field(description="practitioner, coordinator, manager, family, therapist, external or administrator.")
    site_id: Id | None = None
    person_ids: list[Id] = Field(default=[], description="The people they will work with (needed for family).")

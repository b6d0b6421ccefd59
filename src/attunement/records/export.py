"""Everything held about one person, gathered for a subject access request.

`person_data` returns plain JSON-ready data; `export_zip` packs it with a readable summary and the
person's media. The caller (the `subject_access_export` service) checks permission and records the audit.
"""

import json
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import PurePosixPath

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from attunement.codings.models import CodingPass
from attunement.interaction.analyses import PRESETS, counting_run
from attunement.learners.models import PROFILE_SECTIONS, CommunicationProfile, Learner
from attunement.means.models import SupervisionMeeting
from attunement.organisations.models import AuditEntry
from attunement.organisations.templatetags.audit_words import describe
from attunement.outcomes.models import CaseStudyRelease
from attunement.practice.corrections import changes_between
from attunement.practice.models import (
    Correction,
    ObservedBehaviour,
    ProgressReview,
    ReviewRating,
    Session,
    SessionMedia,
)
from attunement.practice.vocabulary import Ending, Enjoyment, Novelty, Phase, Technique
from attunement.privacy.consent_rules import STATUS_LABELS, status_of
from attunement.privacy.models import Consent
from attunement.reflection.models import SessionVideo

FORMAT_VERSION = 1

README = """Everything Attunement holds about one person
===============================================

data.json     every record, machine-readable (UTF-8 JSON)
summary.html  the same, as a page you can open in any web browser
media/        their photo and the videos of their sessions (as uploaded), if there are any, and the photos,
              voice notes and clips taken in their sessions (in media/sessions/)

Before you send this to anyone: read it through. It can name other people (family members, staff,
key people). Remove what the person asking has no right to see, as your organisation's data
protection procedure says.
"""


def _user(user) -> str | None:
    return str(user) if user is not None else None


def _choice(choices, code) -> str:
    return dict(choices.choices).get(code, code)


def person_data(learner: Learner, *, today: date | None = None) -> dict:

    today = today or timezone.localdate()
    profile = CommunicationProfile.objects.filter(learner=learner).select_related("updated_by").first()
    consents = list(learner.consents.select_related("recorded_by", "withdrawn_recorded_by"))
    by_purpose: dict[str, list[Consent]] = {}
    for consent in consents:
        by_purpose.setdefault(consent.purpose, []).append(consent)

    # Withdrawn sessions and reviews are still held, so they are in the person's copy: `every_record`.
    sessions = (
        Session.every_record.filter(learner=learner)
        .select_related("recorded_by", "withdrawn_by")
        .prefetch_related(
            "partners",
            "fundamentals",
            "outcomes",
            Prefetch("behaviours", queryset=ObservedBehaviour.objects.order_by("pk")),
            Prefetch("corrections", queryset=Correction.objects.select_related("changed_by").order_by("pk")),
        )
    )
    reviews = (
        ProgressReview.every_record.filter(learner=learner)
        .select_related("scale", "reviewer", "withdrawn_by")
        .prefetch_related(
            "outcomes",
            Prefetch(
                "ratings",
                queryset=ReviewRating.objects.select_related("fundamental", "level")
                # A withdrawn session that was evidence is still held and linked: `every_record` here too.
                .prefetch_related(Prefetch("evidence", queryset=Session.every_record.all()))
                .order_by("pk"),
            ),
            Prefetch("corrections", queryset=Correction.objects.select_related("changed_by").order_by("pk")),
        )
    )
    audit = AuditEntry.objects.filter(
        Q(learner_id=learner.pk) | Q(target_type="Learner", target_id=learner.pk)
    ).select_related("actor")

    data = {
        "format": {"name": "attunement-subject-access", "version": FORMAT_VERSION},
        "exported_at": timezone.now(),
        "organisation": learner.organisation.name,
        "person": {
            "id": learner.pk,
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "preferred_name": learner.preferred_name,
            "date_of_birth": learner.date_of_birth,
            "identifier": learner.identifier or None,
            "class_or_group": learner.group.name if learner.group else None,
            "needs": learner.need_labels(),
            "site": learner.site.name if learner.site else None,
            "weekly_session_target": learner.weekly_session_target,
            "still_supported": learner.is_active,
            "left_on": learner.left_on,
            "photo": _media_name(learner) if learner.photo else None,
            "created_at": learner.created_at,
            "updated_at": learner.updated_at,
        },
        "communication_profile": (
            {
                "id": profile.pk,
                "sections": [{"title": title, "text": getattr(profile, name)} for name, title, _ in PROFILE_SECTIONS],
                "updated_at": profile.updated_at,
                "updated_by": _user(profile.updated_by),
            }
            if profile is not None
            else None
        ),
        "key_people": [
            {"id": p.pk, "name": p.name, "relationship": p.relationship, "notes": p.notes}
            for p in learner.key_people.order_by("pk")
        ],
        "assignments": [
            {"id": a.pk, "staff": _user(a.user), "starts_on": a.starts_on, "ends_on": a.ends_on}
            for a in learner.assignments.select_related("user").order_by("pk")
        ],
        "plans": [
            {
                "id": plan.pk,
                "kind": plan.get_kind_display(),
                "title": plan.title,
                "starts_on": plan.starts_on,
                "review_on": plan.review_on,
                "current": plan.is_active,
                "created_at": plan.created_at,
                "outcomes": [
                    {"id": o.pk, "text": o.text, "current": o.is_active} for o in plan.outcomes.order_by("pk")
                ],
            }
            for plan in learner.plans.order_by("pk")
        ],
        "sessions": [
            {
                "id": s.pk,
                "started_at": s.started_at,
                "minutes": s.minutes,
                "place": s.place,
                "planned": s.planned,
                "recorded_by": _user(s.recorded_by),
                "partners": [_user(u) for u in s.partners.all()],
                "phases": [_choice(Phase, c) for c in s.phases],
                "techniques": [_choice(Technique, c) for c in s.techniques],
                "fundamentals": [f.name for f in s.fundamentals.all()],
                "plan_outcomes": [o.text for o in s.outcomes.all()],
                "enjoyment": _choice(Enjoyment, s.enjoyment) if s.enjoyment else None,
                "ending": _choice(Ending, s.ending) if s.ending else None,
                "ending_reason": s.ending_reason,
                "what_happened": s.what_happened,
                "significant_moment": s.significant_moment,
                "how_i_did": s.how_i_did,
                "next_time": s.next_time,
                "behaviours": [
                    {"id": b.pk, "description": b.description, "novelty": _choice(Novelty, b.novelty)}
                    for b in s.behaviours.all()
                ],
                "created_at": s.created_at,
                **_withdrawal(s),
                "history": _history(s.corrections.all()),
            }
            for s in sessions.order_by("started_at", "pk")
        ],
        "progress_reviews": [
            {
                "id": r.pk,
                "reviewed_on": r.reviewed_on,
                "period": r.period_label,
                "scale": r.scale.name,
                "reviewer": _user(r.reviewer),
                "summary": r.summary,
                "plan_outcomes": [o.text for o in r.outcomes.all()],
                "ratings": [
                    {
                        "id": rating.pk,
                        "fundamental": rating.fundamental.name if rating.fundamental else None,
                        "area": rating.area or None,
                        "level": rating.level.label,
                        "note": rating.note,
                        "evidence_session_ids": [s.pk for s in rating.evidence.all()],
                    }
                    for rating in r.ratings.all()
                ],
                "created_at": r.created_at,
                **_withdrawal(r),
                "history": _history(r.corrections.all()),
            }
            for r in reviews.order_by("reviewed_on", "pk")
        ],
        "consents": [
            {
                "id": c.pk,
                "purpose": c.get_purpose_display(),
                "given_by": c.get_given_by_display(),
                "giver_name": c.giver_name,
                "decision_maker_role": c.decision_maker_role,
                "note": c.note,
                "starts_on": c.starts_on,
                "review_on": c.review_on,
                "status_today": STATUS_LABELS[status_of(c, by_purpose[c.purpose], today)],
                "recorded_by": _user(c.recorded_by),
                "recorded_at": c.recorded_at,
                "withdrawn_on": c.withdrawn_on,
                "withdrawal_recorded_by": _user(c.withdrawn_recorded_by),
                "withdrawal_note": c.withdrawal_note,
            }
            for c in sorted(consents, key=lambda c: (c.purpose, c.starts_on, c.pk))
        ],
        "home_observations": [
            {
                "id": h.pk,
                "observed_on": h.observed_on,
                "text": h.text,
                "author": _user(h.author),
                "created_at": h.created_at,
            }
            for h in learner.home_observations.select_related("author").order_by("observed_on", "pk")
        ],
        "family_feedback": [
            {
                "id": f.pk,
                "given_on": f.given_on,
                "given_by": f.given_by_name or _user(f.entered_by),
                "on_paper": f.on_paper,
                "understand": f.understand,
                "connected": f.connected,
                "reassured": f.reassured,
                "enjoy": f.enjoy,
                "comment": f.comment,
                "may_quote": f.may_quote,
                "created_at": f.created_at,
            }
            for f in learner.family_feedback.select_related("entered_by").order_by("given_on", "pk")
        ],
        "codings": _codings(learner),
        "videos": _videos(learner),
        "session_media": _session_media(learner),
        "supervision_meetings": _meetings(learner),
        "case_study_releases": _case_studies(learner),
        "legal_holds": [
            {
                "id": h.pk,
                "reason": h.reason,
                "placed_at": h.placed_at,
                "placed_by": _user(h.placed_by),
                "lifted_at": h.lifted_at,
                "lifted_by": _user(h.lifted_by),
            }
            for h in learner.legal_holds.select_related("placed_by", "lifted_by").order_by("placed_at", "pk")
        ],
        "audit_entries": [
            {
                "id": e.pk,
                "at": e.at,
                "action": e.action,
                "what": describe(e.action, e.detail),
                "detail": e.detail,
                "by": _user(e.actor),
                "record_type": e.target_type,
                "record_id": e.target_id,
            }
            for e in audit.order_by("at", "pk")
        ],
    }
    data["other_records"] = _other_records(learner)
    data["contents"] = contents(data)
    return data


def _withdrawal(record) -> dict:
    return {
        "withdrawn": record.withdrawn_at is not None,
        "withdrawn_at": record.withdrawn_at,
        "withdrawn_by": _user(record.withdrawn_by),
        "withdrawn_reason": record.withdrawn_reason,
    }


def _history(corrections) -> list[dict]:
    """Every earlier version of a session or review: who changed what, from what to what, and why."""
    return [
        {
            "id": c.pk,
            "kind": c.get_kind_display(),
            "changed_at": c.changed_at,
            "changed_by": _user(c.changed_by),
            "reason": c.reason,
            # A withdrawal or bringing back changes no field: its whole version is kept in "before" below.
            "changes": [
                {"field": change.field, "before": change.before, "after": change.after}
                for change in (changes_between(c.before, c.after) if c.kind == Correction.Kind.EDIT else [])
            ],
            "before": c.before,
            "after": c.after,
        }
        for c in corrections
    ]


def _meetings(learner: Learner) -> list[dict]:
    """Supervision and mentoring meetings that discussed this person's sessions."""

    meetings = (
        SupervisionMeeting.objects.filter(sessions__learner=learner)
        .distinct()
        .select_related("supervisor__user", "supervisee__user", "recorded_by")
        # withdrawn sessions too: the person's copy of their data holds every record
        .prefetch_related(Prefetch("sessions", queryset=Session.every_record.all()), "actions__owner__user")
    )
    return [
        {
            "id": m.pk,
            "kind": m.get_kind_display(),
            "met_on": m.met_on,
            "supervisor": _user(m.supervisor.user),
            "supervisee": _user(m.supervisee.user),
            "sessions_discussed": [s.pk for s in m.sessions.all() if s.learner_id == learner.pk],
            "notes": m.notes,
            "recorded_by": _user(m.recorded_by),
            "agreed_actions": [
                {"id": a.pk, "text": a.text, "who": _user(a.owner.user), "due_on": a.due_on, "done_on": a.done_on}
                for a in m.actions.all()
            ],
        }
        for m in meetings.order_by("met_on", "pk")
    ]


def _case_studies(learner: Learner) -> list[dict]:

    return [
        {
            "id": c.pk,
            "since": c.since,
            "until": c.until,
            "sentences": [s.get("text", "") if isinstance(s, dict) else str(s) for s in c.sentences],
            "released_by": _user(c.released_by),
            "released_at": c.released_at,
        }
        for c in CaseStudyRelease.objects.filter(learner=learner).select_related("released_by").order_by("pk")
    ]


# --- Every model that holds something about a person ----------------------------------------------------------
#
# Each kind of record about a person, where its records are in data.json and what the summary calls them. A
# model that links to a person (by a chain of foreign keys, or a `learner_id` number) and is not listed here is
# still exported: `_other_records` finds it and writes every field under its own name, so a new kind of record
# cannot be left out by mistake. tests/privacy/test_export_complete.py checks both parts against the database.

SECTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "learners.Learner": (("person",), "Details"),
    "learners.CommunicationProfile": (("communication_profile",), "Communication profile"),
    "learners.KeyPerson": (("key_people",), "Key people"),
    "learners.Assignment": (("assignments",), "Staff and family members linked to them"),
    "learners.Plan": (("plans",), "Plans"),
    "learners.PlanOutcome": (("plans", "outcomes"), "Plan outcomes"),
    "practice.Session": (("sessions",), "Sessions"),
    "practice.ObservedBehaviour": (("sessions", "behaviours"), "Behaviours seen in sessions"),
    "practice.ProgressReview": (("progress_reviews",), "Progress reviews"),
    "practice.ReviewRating": (("progress_reviews", "ratings"), "Ratings in progress reviews"),
    "practice.Correction": (("sessions|progress_reviews", "history"), "Corrections and withdrawals"),
    "practice.HomeObservation": (("home_observations",), "Notes from home"),
    "practice.FamilyFeedback": (("family_feedback",), "Family feedback"),
    "privacy.Consent": (("consents",), "Consents"),
    "privacy.LegalHold": (("legal_holds",), "Legal holds"),
    "practice.SessionMedia": (("session_media",), "Photos, voice notes and clips from sessions"),
    "reflection.SessionVideo": (("videos",), "Videos"),
    "reflection.VideoComment": (("videos", "comments"), "Comments on videos"),
    "reflection.VideoRating": (("videos", "ratings"), "Ratings of videos"),
    "reflection.VideoShare": (("videos", "shares"), "Videos shared with colleagues"),
    "reflection.Clip": (("videos", "library_clips"), "Training library clips"),
    "reflection.VideoAnalysis": (("videos", "measurements"), "Video measurements (every run)"),
    "reflection.CodingPass": (("codings",), "Video codings"),
    "reflection.CodingEvent": (("codings", "events"), "Coded events"),
    "means.SupervisionMeeting": (("supervision_meetings",), "Supervision meetings about their sessions"),
    "means.AgreedAction": (("supervision_meetings", "agreed_actions"), "Actions agreed in supervision"),
    "outcomes.CaseStudyRelease": (("case_study_releases",), "Anonymised case studies released"),
    "organisations.AuditEntry": (("audit_entries",), "Who looked at or changed these records"),
}


def records_at(data: dict, path: tuple[str, ...]) -> list[dict]:
    """The records found at `path` in the export: ("videos", "comments") is every comment of every video;
    "a|b" takes both keys."""
    found: list = [data]
    for step in path:
        items = []
        for holder in found:
            for key in step.split("|"):
                value = holder.get(key)
                if isinstance(value, list):
                    items.extend(value)
                elif isinstance(value, dict):
                    items.append(value)
        found = items
    return found


def contents(data: dict) -> list[dict]:
    """What the export holds: each kind of record with how many, in the order of the summary."""
    rows = [{"kind": heading, "count": len(records_at(data, path))} for path, heading in SECTIONS.values()]
    rows += [{"kind": group["kind"], "count": len(group["records"])} for group in data.get("other_records", [])]
    return rows


def linked_models() -> dict:
    """Every model with a link to a person (a chain of foreign keys or many-to-many fields to Learner, or a
    `learner_id` number), with the shortest lookups that find that person's records in it: a session's record
    belongs to the person it was recorded for, not to everyone whose plan outcome it mentions."""
    from django.apps import apps

    paths: dict = {Learner: [""]}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model._meta.auto_created or model is Learner:
                continue
            found = []
            for field in model._meta.get_fields():
                target = field.related_model
                if field.is_relation and not field.auto_created and target in paths and target is not model:
                    found += [f"{field.name}__{p}" if p else field.name for p in paths[target]]
            if not found and any(f.name == "learner_id" for f in model._meta.concrete_fields):
                found = ["learner_id"]
            if not found:
                continue
            shortest = min(p.count("__") for p in found)
            found = sorted({p for p in found if p.count("__") == shortest})
            if found != paths.get(model):
                paths[model] = found
                changed = True
    return paths


def records_of(model, paths, learner: Learner):
    """Every record of `model` about the person, withdrawn ones included (the base manager)."""
    query = Q()
    for path in paths:
        query |= Q(**{path: learner.pk if path == "learner_id" else learner})
    return model._base_manager.filter(query).distinct()


def _plain_value(value):
    if isinstance(value, models.Model):
        return str(value)
    return value


def _other_records(learner: Learner) -> list[dict]:
    """Records of any linked model the sections above do not name, every field under its plain name."""
    groups = []
    for model, paths in sorted(linked_models().items(), key=lambda item: item[0]._meta.label):
        if model._meta.label in SECTIONS:
            continue
        records = records_of(model, paths, learner).order_by("pk")
        fields = list(model._meta.concrete_fields)
        groups.append(
            {
                "model": model._meta.label,
                "kind": str(model._meta.verbose_name_plural).capitalize(),
                "records": [
                    {
                        "id": record.pk,
                        **{
                            str(f.verbose_name).capitalize(): _plain_value(
                                getattr(record, f"get_{f.name}_display")() if f.choices else getattr(record, f.name)
                            )
                            for f in fields
                            if f.name != "id"
                        },
                    }
                    for record in records
                ],
            }
        )
    return groups


def _video_file_name(video) -> str:
    return f"media/videos/video-{video.pk}{PurePosixPath(video.original.name).suffix}"


def _session_media_file_name(item) -> str:
    return f"media/sessions/{item.kind}-{item.pk}{PurePosixPath(item.file.name).suffix}"


def _session_media(learner: Learner) -> list[dict]:
    items = SessionMedia.objects.filter(session__learner=learner).select_related("added_by__user")
    return [
        {
            "id": m.pk,
            "session_id": m.session_id,
            "kind": m.get_kind_display(),
            "file": _session_media_file_name(m),
            "original_name": m.original_name,
            "content_type": m.content_type,
            "size_bytes": m.size_bytes,
            "duration_seconds": m.duration,
            # The file given is the clip as filmed; a smaller copy of the same film may be kept for playing.
            "copy_for_playing_kept": bool(m.playable),
            "added_by": _user(m.added_by.user) if m.added_by else None,
            "added_at": m.created_at,
        }
        for m in items.order_by("created_at", "pk")
    ]


def _codings(learner: Learner) -> list[dict]:

    passes = (
        CodingPass.objects.filter(session__learner=learner, complete=True)
        .select_related("coder")
        .prefetch_related("events")
    )
    return [
        {
            "id": p.pk,
            "session_id": p.session_id,
            "video_id": p.video_id,
            "title": p.title,
            "coder": _user(p.coder),
            "source": p.get_source_display(),
            "media_duration": p.media_duration,
            "created_at": p.created_at,
            "events": [
                {
                    "id": e.pk,
                    "time": e.time,
                    "end": e.end,
                    "code": e.code,
                    "subject": e.subject,
                    "modifiers": e.modifiers,
                    "comment": e.comment,
                }
                for e in p.events.all()
            ],
        }
        for p in passes.order_by("created_at", "pk")
    ]


def _videos(learner: Learner) -> list[dict]:

    videos = SessionVideo.objects.filter(session__learner=learner).select_related("uploaded_by__user")
    result = []
    for v in videos.order_by("created_at", "pk"):
        counting = counting_run(v)
        result.append(
            {
                "id": v.pk,
                "session_id": v.session_id,
                "file": _video_file_name(v),
                "original_name": v.original_name,
                "added_by": _user(v.uploaded_by.user) if v.uploaded_by else None,
                "added_at": v.created_at,
                "duration_seconds": v.duration,
                "width": v.width,
                "height": v.height,
                "size_bytes": v.size_bytes,
                "shared_with_team": v.shared_with_team,
                "shares": [
                    {
                        "id": s.pk,
                        "with": _user(s.member.user),
                        "by": _user(s.shared_by.user) if s.shared_by else None,
                        "at": s.created_at,
                    }
                    for s in v.shares.select_related("member__user", "shared_by__user").order_by("pk")
                ],
                "comments": [
                    {
                        "id": c.pk,
                        "time": c.time,
                        "text": c.text,
                        "by": _user(c.author.user) if c.author else None,
                        "reply_to_time": c.reply_to.time if c.reply_to else None,
                        "at": c.created_at,
                    }
                    for c in v.comments.select_related("author__user", "reply_to").order_by("created_at", "pk")
                ],
                "ratings": [
                    {
                        "id": r.pk,
                        "by": _user(r.rater.user),
                        "scheme": r.get_scheme_display(),
                        "scale": r.scale.name if r.scale else None,
                        "item": r.item,
                        "interval_start": r.start,
                        "interval_seconds": r.interval,
                        "value": r.value,
                    }
                    for r in v.ratings.select_related("rater__user", "scale").order_by("start", "item", "pk")
                ],
                "library_clips": [
                    {
                        "id": c.pk,
                        "title": c.title,
                        "start": c.start,
                        "end": c.end,
                        "teaching_point": c.teaching_point,
                        "added_by": _user(c.added_by.user) if c.added_by else None,
                        "added_at": c.created_at,
                    }
                    for c in v.clips.select_related("added_by__user").order_by("start", "pk")
                ],
                "measurements": [
                    {
                        "id": a.pk,
                        "counts": counting is not None and a.pk == counting.pk,
                        "status": a.get_status_display(),
                        "asked_by": _user(a.requested_by.user) if a.requested_by else None,
                        "asked_at": a.created_at,
                        "measured_at": a.finished_at,
                        "problem": a.problem,
                        "engine_version": a.engine_version,
                        "settings": PRESETS.get(a.preset, a.preset),
                        "learner_box": a.learner_region or None,
                        "partner_box": a.partner_region or None,
                        "person_supported_voice": a.learner_voice,
                        "who_made_each_sound_corrected": a.speaker_corrections,
                        "chosen_at": a.chosen_at,
                        "chosen_by": _user(a.chosen_by.user) if a.chosen_by else None,
                        "results": a.results,
                    }
                    for a in v.analyses.select_related("requested_by__user", "chosen_by__user").order_by(
                        "created_at", "pk"
                    )
                ],
            }
        )
    return result


def _media_name(learner: Learner) -> str:
    suffix = PurePosixPath(learner.photo.name).suffix or ".jpg"
    return f"media/photo{suffix}"


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime):
            return timezone.localtime(o).isoformat() if timezone.is_aware(o) else o.isoformat()
        return super().default(o)


def export_zip(learner: Learner):
    """The zip, written to a temporary file on disk (videos can be large), returned open at its start."""

    data = person_data(learner)
    archive_file = tempfile.TemporaryFile()
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", json.dumps(data, cls=_Encoder, ensure_ascii=False, indent=2))
        archive.writestr("summary.html", render_to_string("records/export_summary.html", {"data": data}))
        if learner.photo:
            try:
                with learner.photo.open("rb") as photo:
                    archive.writestr(_media_name(learner), photo.read())
            except OSError:
                archive.writestr("media/MISSING.txt", "The record names a photo, but the file could not be found.\n")
        for video in SessionVideo.objects.filter(session__learner=learner).order_by("pk"):
            try:  # copied in chunks, not compressed again: video is compressed already
                archive.write(video.original.path, _video_file_name(video), compress_type=zipfile.ZIP_STORED)
            except OSError:
                archive.writestr(f"{_video_file_name(video)}.MISSING.txt", "The video's file could not be found.\n")
        for item in SessionMedia.objects.filter(session__learner=learner).order_by("pk"):
            name = _session_media_file_name(item)
            try:
                archive.write(item.file.path, name, compress_type=zipfile.ZIP_STORED)
            except OSError:
                archive.writestr(f"{name}.MISSING.txt", "The file could not be found.\n")
    archive_file.seek(0)
    return archive_file


def export_filename(learner: Learner, today: date | None = None) -> str:
    """No name in the file name: it shows up in download lists and mail attachments."""
    today = today or timezone.localdate()
    return f"subject-access-{learner.pk}-{today:%Y-%m-%d}.zip"

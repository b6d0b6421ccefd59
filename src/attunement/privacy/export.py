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
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from attunement.learners.models import PROFILE_SECTIONS, CommunicationProfile, Learner
from attunement.organisations.models import AuditEntry
from attunement.practice.models import ObservedBehaviour, ReviewRating

from .consent_rules import STATUS_LABELS, status_of
from .models import Consent

FORMAT_VERSION = 1

README = """Everything Attunement holds about one person
===============================================

data.json     every record, machine-readable (UTF-8 JSON)
summary.html  the same, as a page you can open in any web browser
media/        their photo and the videos of their sessions (as uploaded), if there are any

Before you send this to anyone: read it through. It can name other people (family members, staff,
key people). Remove what the person asking has no right to see, as your organisation's data
protection procedure says.
"""


def _user(user) -> str | None:
    return str(user) if user is not None else None


def _choice(choices, code) -> str:
    return dict(choices.choices).get(code, code)


def person_data(learner: Learner, *, today: date | None = None) -> dict:
    from attunement.practice.vocabulary import Ending, Enjoyment, Novelty, Phase, Technique

    today = today or timezone.localdate()
    profile = CommunicationProfile.objects.filter(learner=learner).select_related("updated_by").first()
    consents = list(learner.consents.select_related("recorded_by", "withdrawn_recorded_by"))
    by_purpose: dict[str, list[Consent]] = {}
    for consent in consents:
        by_purpose.setdefault(consent.purpose, []).append(consent)

    sessions = learner.sessions.select_related("recorded_by").prefetch_related(
        "partners",
        "fundamentals",
        "outcomes",
        Prefetch("behaviours", queryset=ObservedBehaviour.objects.order_by("pk")),
    )
    reviews = learner.reviews.select_related("scale", "reviewer").prefetch_related(
        "outcomes",
        Prefetch(
            "ratings",
            queryset=ReviewRating.objects.select_related("fundamental", "level").prefetch_related("evidence"),
        ),
    )
    audit = AuditEntry.objects.filter(
        Q(learner_id=learner.pk) | Q(target_type="Learner", target_id=learner.pk)
    ).select_related("actor")

    return {
        "format": {"name": "attunement-subject-access", "version": FORMAT_VERSION},
        "exported_at": timezone.now(),
        "organisation": learner.organisation.name,
        "person": {
            "id": learner.pk,
            "first_name": learner.first_name,
            "last_name": learner.last_name,
            "preferred_name": learner.preferred_name,
            "date_of_birth": learner.date_of_birth,
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
                "sections": [{"title": title, "text": getattr(profile, name)} for name, title, _ in PROFILE_SECTIONS],
                "updated_at": profile.updated_at,
                "updated_by": _user(profile.updated_by),
            }
            if profile is not None
            else None
        ),
        "key_people": [
            {"name": p.name, "relationship": p.relationship, "notes": p.notes} for p in learner.key_people.all()
        ],
        "assignments": [
            {"staff": _user(a.user), "starts_on": a.starts_on, "ends_on": a.ends_on}
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
                    {"description": b.description, "novelty": _choice(Novelty, b.novelty)} for b in s.behaviours.all()
                ],
                "created_at": s.created_at,
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
                        "fundamental": rating.fundamental.name if rating.fundamental else None,
                        "area": rating.area or None,
                        "level": rating.level.label,
                        "note": rating.note,
                        "evidence_session_ids": [s.pk for s in rating.evidence.all()],
                    }
                    for rating in r.ratings.all()
                ],
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
                "given_on": f.given_on,
                "given_by": f.given_by_name or _user(f.entered_by),
                "on_paper": f.on_paper,
                "understand": f.understand,
                "connected": f.connected,
                "reassured": f.reassured,
                "enjoy": f.enjoy,
                "comment": f.comment,
                "may_quote": f.may_quote,
            }
            for f in learner.family_feedback.select_related("entered_by").order_by("given_on", "pk")
        ],
        "codings": _codings(learner),
        "videos": _videos(learner),
        "legal_holds": [
            {
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
                "at": e.at,
                "action": e.action,
                "by": _user(e.actor),
                "record_type": e.target_type,
                "record_id": e.target_id,
            }
            for e in audit.order_by("at", "pk")
        ],
    }


def _codings(learner: Learner) -> list[dict]:
    from attunement.reflection.models import CodingPass

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


def _video_file_name(video) -> str:
    return f"media/videos/video-{video.pk}{PurePosixPath(video.original.name).suffix}"


def _videos(learner: Learner) -> list[dict]:
    from attunement.reflection.models import SessionVideo

    videos = SessionVideo.objects.filter(session__learner=learner).select_related("uploaded_by__user")
    return [
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
            "shared_with": [_user(s.member.user) for s in v.shares.select_related("member__user")],
            "comments": [
                {
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
                {"title": c.title, "start": c.start, "end": c.end, "teaching_point": c.teaching_point}
                for c in v.clips.order_by("start", "pk")
            ],
            "measurements": [
                {
                    "status": a.get_status_display(),
                    "measured_at": a.finished_at,
                    "engine_version": a.engine_version,
                    "settings": a.preset,
                    "learner_box": a.learner_region or None,
                    "partner_box": a.partner_region or None,
                    "person_supported_voice": a.learner_voice,
                    "who_made_each_sound_corrected": a.speaker_corrections,
                    "results": a.results,
                }
                for a in v.analyses.order_by("created_at", "pk")
            ],
        }
        for v in videos.order_by("created_at", "pk")
    ]


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
    from attunement.reflection.models import SessionVideo

    data = person_data(learner)
    archive_file = tempfile.TemporaryFile()
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        archive.writestr("data.json", json.dumps(data, cls=_Encoder, ensure_ascii=False, indent=2))
        archive.writestr("summary.html", render_to_string("privacy/export_summary.html", {"data": data}))
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
    archive_file.seek(0)
    return archive_file


def export_filename(learner: Learner, today: date | None = None) -> str:
    """No name in the file name: it shows up in download lists and mail attachments."""
    today = today or timezone.localdate()
    return f"subject-access-{learner.pk}-{today:%Y-%m-%d}.zip"

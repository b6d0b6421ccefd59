"""Fill the database named by the environment with a large, plausible data set for the benchmarks.

    .venv/bin/python bench/generate.py --learners 20000 --sessions 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/attunement_bench .venv/bin/python bench/generate.py ...

Learners are spread over organisations (each made by the ordinary service, so it has its default
Fundamentals and scales), with practitioners assigned to about ten people each and one co-ordinator per
organisation. Sessions cover the last two years, are inserted in the order they happened (as in real use),
and have partners, Fundamentals, plan outcomes and observed behaviours. Small tables go through the ORM;
sessions and their many-to-many rows are written in large batches as raw rows (executemany on SQLite,
COPY on PostgreSQL).

Two known logins are made for the benchmark to act as, both with the password ``bench-password-1``:
``bench-practitioner@example.org`` (assigned to ten people with many sessions) and
``bench-coordinator@example.org`` (co-ordinator of the same organisation).
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "bench-password-1"
BENCH_PRACTITIONER = "bench-practitioner@example.org"
BENCH_COORDINATOR = "bench-coordinator@example.org"
BATCH = 50_000


def setup_django() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.config.settings")
    import django

    django.setup()


# --- Fixed vocabulary for plausible rows ---------------------------------------------------------------

sys.path.insert(0, str(ROOT / "src"))
from attunement.made_up import (  # noqa: E402  (pure constants, no Django)
    BEHAVIOURS,
    FIRST_NAMES,
    LAST_NAMES,
    PLACES_ADULT,
    PLACES_SCHOOL,
    PLAN_OUTCOMES,
    SESSION_NOTES,
)

NEEDS = [["autism"], ["pmld"], ["sld", "autism"], ["msi", "pmld"], ["gdd"], ["ccn", "autism"], ["sld"]]
PLACES = [*PLACES_SCHOOL, *PLACES_ADULT, ""]  # "" : no place recorded
NOTES = [*SESSION_NOTES, ""]  # "" : nothing written
OUTCOMES = PLAN_OUTCOMES
PROFILE = {
    "how_they_communicate": "Humming at different pitches; rocking when content; a long look means “more”.",
    "what_they_enjoy": "Crinkly foil, bubbles and being sung to.",
    "signs_of_enjoyment": "Wide smile and a squeal; leans towards you.",
    "signs_had_enough": "Yawns, turns away, covers ears.",
    "arousal_and_sensory": "Busy rooms raise arousal quickly; calm, low light helps.",
    "what_helps_starting": "Sit beside, not in front. Wait. Copy the first sound.",
    "what_to_avoid": "Standing over; loud voices; touching the head.",
}


# --- Writing raw rows fast on either database ---------------------------------------------------------


class RowWriter:
    """Writes tuples of already-formatted values into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor

    def dt(self, moment: datetime) -> str:
        """A UTC datetime in the form the database stores (Django keeps SQLite datetimes as naive UTC text)."""
        text = moment.strftime("%Y-%m-%d %H:%M:%S")
        return text if self.vendor == "sqlite" else text + "+00"

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.vendor == "postgresql":
            sql = f'COPY "{table}" ({", ".join(columns)}) FROM STDIN'
            with self.connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
                copy.write("".join(_tsv(row) for row in rows))
        else:
            sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
            self.connection.connection.cursor().executemany(sql, rows)


def _tsv_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


def _tsv(row: tuple) -> str:
    return "\t".join(map(_tsv_value, row)) + "\n"


def _columns(model, names: list[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _missing_fields(model, names: list[str]) -> list:
    """Concrete columns this script does not know about (added later): filled with their default."""
    known = set(names)
    return [f for f in model._meta.concrete_fields if f.name not in known and not f.primary_key]


def _default_for(field, connection):
    value = field.get_default()
    if field.get_internal_type() == "JSONField":
        return json.dumps(value)
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return value
    return str(field.get_db_prep_save(value, connection))


def _tune(connection) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for pragma in ("journal_mode=WAL", "synchronous=OFF", "cache_size=-400000", "temp_store=MEMORY"):
                cursor.execute(f"PRAGMA {pragma}")
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")


def _progress(label: str, done: int, total: int, started: float) -> None:
    elapsed = time.perf_counter() - started
    print(f"  {label}: {done:,}/{total:,} ({elapsed:.0f} s)", flush=True)


# --- The generator ------------------------------------------------------------------------------------


def generate(*, learners: int, sessions: int, organisations: int = 100, seed: int = 2024) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    from attunement.learners.models import Assignment, CommunicationProfile, Learner, Plan, PlanOutcome
    from attunement.organisations.models import Membership, Role, Setting
    from attunement.practice.models import Fundamental, ObservedBehaviour, Session
    from attunement.practice.novelty import refresh_first_flags
    from attunement.practice.vocabulary import Ending, Phase, Technique
    from attunement.privacy.models import Consent, GivenBy, Purpose
    from attunement.setup.services import organisation_create

    User = get_user_model()
    rng = random.Random(seed)
    started = time.perf_counter()
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    call_command("migrate", verbosity=0)
    print(f"Migrated ({time.perf_counter() - started:.1f} s)", flush=True)
    if User.objects.filter(email=BENCH_PRACTITIONER).exists():
        raise SystemExit("This database already holds benchmark data. Use a fresh database (or var dir).")
    _tune(connection)
    organisations = max(1, min(organisations, learners))
    password = make_password(BENCH_PASSWORD)
    now = datetime.now(UTC).replace(microsecond=0)
    writer = RowWriter(connection)

    # Organisations, staff, learners: small enough for the ORM.
    with transaction.atomic():
        orgs = []
        for i in range(organisations):
            setting = Setting.SCHOOL if i % 3 else Setting.ADULT_SERVICE
            orgs.append(
                organisation_create(
                    name=f"Bench organisation {i + 1:03d}", setting=setting, sites=["Main site", "Annexe"]
                )
            )
        print(f"Organisations: {len(orgs)} ({time.perf_counter() - started:.1f} s)", flush=True)
        per_org = [learners // organisations + (1 if i < learners % organisations else 0) for i in range(organisations)]
        users, memberships, org_staff = [], [], []
        for i, n in enumerate(per_org):
            n_practitioners = max(1, (n + 9) // 10)
            staff = []
            for p in range(n_practitioners):
                email = BENCH_PRACTITIONER if (i == 0 and p == 0) else f"practitioner-{i + 1}-{p + 1}@bench.example"
                staff.append(
                    User(
                        email=email,
                        username=email,
                        password=password,
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                    )
                )
            email = BENCH_COORDINATOR if i == 0 else f"coordinator-{i + 1}@bench.example"
            coordinator = User(
                email=email,
                username=email,
                password=password,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
            )
            users.extend(staff + [coordinator])
            org_staff.append((staff, coordinator))
        User.objects.bulk_create(users, batch_size=2000)
        ids = dict(User.objects.filter(email__in=[u.email for u in users]).values_list("email", "pk"))
        for org, (staff, coordinator) in zip(orgs, org_staff, strict=True):
            for user in staff:
                user.pk = ids[user.email]
                memberships.append(Membership(user_id=user.pk, organisation=org, role=Role.PRACTITIONER))
            coordinator.pk = ids[coordinator.email]
            memberships.append(Membership(user_id=coordinator.pk, organisation=org, role=Role.COORDINATOR))
        Membership.objects.bulk_create(memberships, batch_size=5000)
        print(f"Staff: {len(users):,} ({time.perf_counter() - started:.1f} s)", flush=True)

        learner_rows = []
        for org, n in zip(orgs, per_org, strict=True):
            sites = list(org.sites.all())
            for j in range(n):
                learner_rows.append(
                    Learner(
                        organisation=org,
                        site=sites[j % len(sites)],
                        first_name=rng.choice(FIRST_NAMES),
                        last_name=rng.choice(LAST_NAMES),
                        needs=rng.choice(NEEDS),
                        date_of_birth=(now - timedelta(days=rng.randint(5 * 365, 60 * 365))).date(),
                    )
                )
        Learner.objects.bulk_create(learner_rows, batch_size=5000)
        learner_rows = list(Learner.objects.filter(organisation__in=orgs).order_by("pk").only("pk", "organisation_id"))
        CommunicationProfile.objects.bulk_create(
            (CommunicationProfile(learner_id=learner.pk, **PROFILE) for learner in learner_rows), batch_size=5000
        )
        by_org: dict[int, list] = {}
        for learner in learner_rows:
            by_org.setdefault(learner.organisation_id, []).append(learner.pk)
        assignments, owner = [], {}
        for org, (staff, _) in zip(orgs, org_staff, strict=True):
            for j, learner_id in enumerate(by_org.get(org.pk, [])):
                practitioner = staff[(j // 10) % len(staff)]
                assignments.append(Assignment(learner_id=learner_id, user_id=practitioner.pk))
                owner[learner_id] = practitioner.pk
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        plans = Plan.objects.bulk_create(
            (
                Plan(learner_id=learner.pk, kind="ehcp", title="", starts_on=(now - timedelta(days=400)).date())
                for learner in learner_rows
            ),
            batch_size=5000,
        )
        PlanOutcome.objects.bulk_create(
            (PlanOutcome(plan_id=plan.pk, text=text) for plan in plans for text in rng.sample(OUTCOMES, 2)),
            batch_size=5000,
        )
        # Consent as most families give it: to sharing with the family, anonymised reports and video, from
        # before the first session, due for review next year. The family report and the dashboard count on it.
        consents = [
            Consent(
                learner_id=learner.pk,
                purpose=purpose,
                given_by=GivenBy.PARENT,
                giver_name="A parent",
                starts_on=(now - timedelta(days=800)).date(),
                review_on=(now + timedelta(days=365)).date(),
            )
            for learner in learner_rows
            for purpose in (Purpose.FAMILY, Purpose.REPORTS, Purpose.VIDEO)
        ]
        Consent.objects.bulk_create(consents, batch_size=5000)
        outcomes_of: dict[int, list[int]] = {}
        for learner_id, outcome_id in PlanOutcome.objects.values_list("plan__learner_id", "pk"):
            outcomes_of.setdefault(learner_id, []).append(outcome_id)
        print(
            f"Learners: {len(learner_rows):,} with profiles, assignments, plans and consents "
            f"({time.perf_counter() - started:.1f} s)",
            flush=True,
        )

    fundamentals_of: dict[int, list[int]] = {}
    catalogue = Fundamental.objects.filter(organisation__in=orgs).values_list("organisation_id", "pk")
    for org_id, fundamental_id in catalogue:
        fundamentals_of.setdefault(org_id, []).append(fundamental_id)
    staff_of = {
        org.pk: [u.pk for u in staff] + [coordinator.pk]
        for org, (staff, coordinator) in zip(orgs, org_staff, strict=True)
    }
    org_of = {learner.pk: learner.organisation_id for learner in learner_rows}

    # How many sessions each learner has: the bench practitioner's ten people have many (the first about
    # three a day for two years), everyone else shares the rest unevenly.
    all_ids = [learner.pk for learner in learner_rows]
    bench_ids = [lid for lid in all_ids if owner[lid] == ids[BENCH_PRACTITIONER]][:10]
    average = sessions / len(all_ids)
    counts = {}
    heavy = [int(min(sessions * 0.05, max(average * 4, 400) * (2.5 if k == 0 else 1))) for k in range(len(bench_ids))]
    for lid, n in zip(bench_ids, heavy, strict=True):
        counts[lid] = n
    rest = [lid for lid in all_ids if lid not in counts]
    remaining = max(0, sessions - sum(counts.values()))
    weights = [rng.uniform(0.2, 1.8) for _ in rest]
    scale = remaining / sum(weights) if rest else 0
    for lid, w in zip(rest, weights, strict=True):
        counts[lid] = int(w * scale)
    shortfall = sessions - sum(counts.values())
    for k in range(max(0, shortfall)):
        counts[rest[k % len(rest)] if rest else bench_ids[0]] += 1

    # When each session happened: spread over two years, in the day, then sorted into the order of real use.
    span_days = 730
    first_day = (now - timedelta(days=span_days)).replace(hour=0, minute=0, second=0)
    print("Planning sessions ...", flush=True)
    plan = []
    for lid, n in counts.items():
        for _ in range(n):
            day = rng.randrange(span_days)
            seconds = day * 86400 + rng.randint(8 * 60, 17 * 60) * 60
            plan.append((seconds, lid))
    plan.sort()
    latest = now - timedelta(minutes=30)

    session_fields = [
        "id",
        "learner",
        "recorded_by",
        "started_at",
        *Session.FORM_FIELDS,
        "has_new_behaviour",
        "submission_key",
        "created_at",
    ]
    extra = _missing_fields(Session, session_fields)
    extra_values = tuple(_default_for(f, connection) for f in extra)
    session_columns = ["id" if n == "id" else Session._meta.get_field(n).column for n in session_fields]
    session_columns += [f.column for f in extra]
    partner_through = Session.partners.through
    fundamental_through = Session.fundamentals.through
    outcome_through = Session.outcomes.through
    phase_json = [json.dumps(Phase.values[:k]) for k in range(1, len(Phase.values) + 1)]
    technique_json = [json.dumps(rng.sample(Technique.values, rng.randint(1, 4))) for _ in range(64)]
    endings = Ending.values
    first_id = (Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    totals = {"sessions": 0, "partners": 0, "fundamentals": 0, "outcomes": 0, "behaviours": 0}
    loop_started = time.perf_counter()
    print(f"Writing {len(plan):,} sessions in batches of {BATCH:,} ...", flush=True)
    for offset in range(0, len(plan), BATCH):
        session_rows, partner_rows, fundamental_rows, outcome_rows, behaviour_rows = [], [], [], [], []
        for k, (seconds, lid) in enumerate(plan[offset : offset + BATCH]):
            sid = first_id + offset + k
            when = min(first_day + timedelta(seconds=seconds), latest)
            org_id = org_of[lid]
            team = staff_of[org_id]
            recorder = owner[lid] if rng.random() < 0.85 else rng.choice(team)
            minutes = max(2, min(45, int(rng.gauss(14, 6))))
            ending = rng.choices(endings, weights=(5, 4, 2, 1))[0]
            new_behaviour = False
            for description in rng.sample(BEHAVIOURS, rng.choice((0, 0, 0, 1, 1, 2))):
                novelty = rng.choices(("typical", "rare", "new"), weights=(85, 10, 5))[0]
                new_behaviour = new_behaviour or novelty == "new"
                behaviour_rows.append((sid, description, novelty))
            session_rows.append(
                (
                    sid,
                    lid,
                    recorder,
                    writer.dt(when),
                    minutes,
                    rng.choice(PLACES),
                    rng.random() < 0.4,
                    rng.choice(phase_json),
                    rng.choice(technique_json),
                    rng.choice((3, 3, 2, 2, 1, None)),
                    ending,
                    "Lunch was ready" if ending == "partner_ended" else "",
                    rng.choice(NOTES),
                    "",
                    "",
                    "",
                    new_behaviour,
                    f"{rng.getrandbits(128):032x}",
                    writer.dt(when + timedelta(minutes=minutes + 2)),
                )
                + extra_values
            )
            partner_rows.append((sid, recorder))
            if rng.random() < 0.2:
                other = rng.choice(team)
                if other != recorder:
                    partner_rows.append((sid, other))
            for fundamental_id in rng.sample(fundamentals_of[org_id], rng.randint(0, 5)):
                fundamental_rows.append((sid, fundamental_id))
            if rng.random() < 0.3 and outcomes_of.get(lid):
                outcome_rows.append((sid, rng.choice(outcomes_of[lid])))
        with transaction.atomic():
            writer.write(Session._meta.db_table, session_columns, session_rows)
            writer.write(partner_through._meta.db_table, _columns(partner_through, ["session", "user"]), partner_rows)
            writer.write(
                fundamental_through._meta.db_table,
                _columns(fundamental_through, ["session", "fundamental"]),
                fundamental_rows,
            )
            writer.write(
                outcome_through._meta.db_table, _columns(outcome_through, ["session", "planoutcome"]), outcome_rows
            )
            writer.write(
                ObservedBehaviour._meta.db_table,
                _columns(ObservedBehaviour, ["session", "description", "novelty"]),
                behaviour_rows,
            )
        totals["sessions"] += len(session_rows)
        totals["partners"] += len(partner_rows)
        totals["fundamentals"] += len(fundamental_rows)
        totals["outcomes"] += len(outcome_rows)
        totals["behaviours"] += len(behaviour_rows)
        _progress("sessions", totals["sessions"], len(plan), loop_started)

    print("Marking each person's real firsts ...", flush=True)
    people = [learner.pk for learner in learner_rows]
    for start in range(0, len(people), 200):  # the behaviours were written as raw rows, without them
        refresh_first_flags(people[start : start + 200])

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM practice_session))",
                [Session._meta.db_table],
            )
            print("Analysing tables ...", flush=True)
            cursor.execute("VACUUM ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    elapsed = time.perf_counter() - started
    summary = {
        "organisations": len(orgs),
        "staff": len(users),
        "learners": len(learner_rows),
        **totals,
        "seconds": round(elapsed, 1),
    }
    print("Done: " + ", ".join(f"{key} {value:,}" for key, value in summary.items() if key != "seconds"))
    print(f"Total time: {elapsed:.1f} s ({elapsed / 60:.1f} min)")
    print(f"Logins (password {BENCH_PASSWORD!r}): {BENCH_PRACTITIONER}, {BENCH_COORDINATOR}")
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=20_000)
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    setup_django()
    generate(learners=args.learners, sessions=args.sessions, organisations=args.organisations, seed=args.seed)


if __name__ == "__main__":
    main()

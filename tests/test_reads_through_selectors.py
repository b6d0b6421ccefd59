"""Every read goes through a selector: views, forms, reports, the dashboard and template tags never query the
ORM themselves (no `Model.objects`, `every_record`, `_base_manager` or `_default_manager`). A read in a selector
has a name, starts from a policy's scope or says in its docstring why it need not, and is found in one place.

An exception is allowed only where the list below names the file and line's code and says why."""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "attunement"

MANAGERS = {"objects", "every_record", "_base_manager", "_default_manager"}

# (file relative to src/attunement, manager) -> why it reads the ORM itself. Kept empty: add only with a reason.
READS_ON_PURPOSE: dict[tuple[str, str], str] = {}


def _is_checked(path: Path) -> bool:
    """Views (views.py and *_views.py), forms, reports, the dashboard and template tags."""
    name = path.name
    return (
        name in {"views.py", "forms.py", "reports.py", "dashboard.py"}
        or name.endswith("_views.py")
        or ("templatetags" in path.parts and name != "__init__.py")
    )


def checked_files() -> list[Path]:
    return sorted(p for p in SOURCE.rglob("*.py") if "migrations" not in p.parts and _is_checked(p))


def manager_reads(source: str):
    """(manager, line) for each use of a model manager in the source: `X.objects`, `X.every_record`, ..."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            yield node.attr, node.lineno


def reads_outside_selectors() -> list[str]:
    found = []
    for path in checked_files():
        where = str(path.relative_to(SOURCE))
        for manager, line in sorted(manager_reads(path.read_text()), key=lambda read: read[1]):
            if (where, manager) not in READS_ON_PURPOSE:
                found.append(f"src/attunement/{where}:{line} reads through .{manager}: move it into a selector")
    return found


def test_views_forms_reports_dashboard_and_template_tags_read_only_through_selectors():
    assert reads_outside_selectors() == []


def test_the_check_looks_at_every_kind_of_file_it_promises():
    names = {str(path.relative_to(SOURCE)) for path in checked_files()}
    for expected in (
        "practice/views.py",
        "practice/forms.py",
        "reflection/video_views.py",
        "records/audit_views.py",
        "outcomes/reports.py",
        "outcomes/dashboard.py",
        "learners/templatetags/person_links.py",
    ):
        assert expected in names
    assert "practice/selectors.py" not in names


def test_the_check_finds_each_kind_of_read():
    source = (
        "def view(request, learner):\n"
        "    a = Session.objects.filter(learner=learner)\n"
        "    b = Session.every_record.get(pk=1)\n"
        "    c = (\n"
        "        get_user_model()\n"
        "        .objects.filter(pk=1)\n"
        "    )\n"
        "    d = Session._base_manager.all()\n"
        "    e = Session._default_manager\n"
    )
    assert sorted(manager_reads(source)) == [
        ("_base_manager", 8),
        ("_default_manager", 9),
        ("every_record", 3),
        ("objects", 2),
        ("objects", 5),
    ]
    through_a_selector = "def view(request):\n    return selectors.learner_list(actor=request.membership)\n"
    assert list(manager_reads(through_a_selector)) == []


def test_every_named_exception_is_still_needed():
    """An exception that no longer matches any read is removed from the list, so the list stays true."""
    for where, manager in READS_ON_PURPOSE:
        assert manager in {name for name, _ in manager_reads((SOURCE / where).read_text())}, (where, manager)

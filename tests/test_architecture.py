"""The shape of the code: imports between apps are at the top of each module, where the app graph's contracts
(pyproject.toml, checked by `lint-imports` in `make test`) can see them and a reader finds them.

An import placed inside a function hides a dependency; it is allowed between apps only where the list below names
it and says why."""

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "attunement"

# (module, imported package) -> why the import waits until the function runs.
DEFERRED_ON_PURPOSE = {
    ("interaction/tasks.py", "analysis"): "the engine loads NumPy and the video decoder; only the worker needs them",
}


def _package_of(path: Path) -> str:
    relative = path.relative_to(SOURCE)
    return relative.parts[0].removesuffix(".py")


def _imports_inside_functions(tree: ast.AST):
    def walk(node, inside):
        for child in ast.iter_child_nodes(node):
            now_inside = inside or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if now_inside and isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                yield child.module, child.lineno
            elif now_inside and isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, child.lineno
            yield from walk(child, now_inside)

    yield from walk(tree, False)


def deferred_imports_between_apps() -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        own = _package_of(path)
        where = str(path.relative_to(SOURCE))
        for module, line in _imports_inside_functions(ast.parse(path.read_text())):
            parts = module.split(".")
            if parts[0] != "attunement" or len(parts) < 2 or parts[1] == own:
                continue
            if (where, parts[1]) not in DEFERRED_ON_PURPOSE:
                found.append(f"{where}:{line} imports {module} inside a function")
    return found


def test_apps_import_each_other_only_at_the_top_of_a_module():
    assert deferred_imports_between_apps() == []


def test_the_check_finds_an_import_hidden_in_a_function():
    tree = ast.parse("def f():\n    from attunement.practice.models import Session\n    return Session\n")
    assert list(_imports_inside_functions(tree)) == [("attunement.practice.models", 2)]


def test_every_named_exception_is_still_needed():
    """An exception that no longer matches any import is removed from the list, so the list stays true."""
    used = set()
    for where, package in DEFERRED_ON_PURPOSE:
        tree = ast.parse((SOURCE / where).read_text())
        if any(module.split(".")[1:2] == [package] for module, _ in _imports_inside_functions(tree)):
            used.add((where, package))
    assert used == set(DEFERRED_ON_PURPOSE)

"""The layering of issue 9 holds, and the contracts that guard it do fail when it breaks.

``lint-imports`` runs the ``[tool.importlinter]`` contracts of ``pyproject.toml`` on the real tree. Then a tiny
throw-away project with contracts of the same types shows each kind of break is caught: a service importing a
view, and two apps importing each other. Last, grimp's import graph of the app code has no module cycle.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def lint_imports(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", *args],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_tree_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = config()["contracts"]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_the_contracts_cover_layers_internals_portal_and_cycles():
    contracts = {contract["id"]: contract for contract in config()["contracts"]}
    assert contracts["apps"]["type"] == "layers"
    assert contracts["apps"]["layers"][0] == "partnercenter" and contracts["apps"]["layers"][-1] == "core"
    assert contracts["app-internals"]["type"] == "layers" and "containers" in contracts["app-internals"]
    assert contracts["no-portal"] == {**contracts["no-portal"], "type": "forbidden", "forbidden_modules": ["portal"]}
    assert contracts["acyclic"]["type"] == "acyclic_siblings"
    # every app of the project is in the app order, and every one is checked inside and for cycles
    apps = set(config()["root_packages"])
    assert set(contracts["apps"]["layers"]) == apps
    assert set(contracts["app-internals"]["containers"]) == apps - {"partnercenter"}
    assert set(contracts["acyclic"]["ancestors"]) == apps


# --- a throw-away project: two apps ("low" below "high") and a portal, with contracts like ours ---

TOY_CONFIG = """
[importlinter]
root_packages =
    low
    high
    portal

[importlinter:contract:apps]
name = Apps run one way
type = layers
layers =
    portal
    high
    low

[importlinter:contract:app-internals]
name = Within an app: adapters > services > models
type = layers
containers =
    low
    high
layers =
    (views) : (tasks)
    (services)
    (models)

[importlinter:contract:no-portal]
name = No app imports portal
type = forbidden
source_modules =
    low
    high
forbidden_modules =
    portal

[importlinter:contract:acyclic]
name = No import cycle between the modules of an app
type = acyclic_siblings
ancestors =
    low
    high
"""


def toy_project(tmp_path: Path, extra_imports: dict[str, str] | None = None) -> Path:
    """``low`` and ``high`` with views, services and models importing downwards; ``extra_imports`` adds a line to
    a module (``{"low/services.py": "from . import views"}``)."""
    modules = {
        "low/__init__.py": "",
        "low/models.py": "",
        "low/services.py": "from . import models\n",
        "low/views.py": "from . import services\n",
        "high/__init__.py": "",
        "high/models.py": "from low import models\n",
        "high/services.py": "from . import models\nfrom low import services\n",
        "high/views.py": "from . import services\n",
        "portal/__init__.py": "",
        "portal/views.py": "from high import views\n",
    }
    for path, line in (extra_imports or {}).items():
        modules[path] = modules.get(path, "") + line + "\n"
    for path, text in modules.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    (tmp_path / ".importlinter").write_text(textwrap.dedent(TOY_CONFIG))
    return tmp_path


def test_the_toy_project_keeps_the_contracts(tmp_path):
    result = lint_imports(toy_project(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_a_service_importing_a_view_breaks_the_app_internals_contract(tmp_path):
    result = lint_imports(toy_project(tmp_path, {"low/services.py": "from . import views"}))
    assert result.returncode != 0
    assert "Within an app: adapters > services > models BROKEN" in result.stdout
    assert "low.services is not allowed to import low.views" in result.stdout


def test_a_service_importing_a_task_breaks_it_too(tmp_path):
    result = lint_imports(toy_project(tmp_path, {"high/services.py": "from . import tasks", "high/tasks.py": ""}))
    assert result.returncode != 0
    assert "high.services is not allowed to import high.tasks" in result.stdout


def test_two_apps_importing_each_other_break_the_app_order(tmp_path):
    result = lint_imports(toy_project(tmp_path, {"low/models.py": "from high import models as high_models"}))
    assert result.returncode != 0
    assert "Apps run one way BROKEN" in result.stdout
    assert "low is not allowed to import high" in result.stdout


def test_an_app_importing_portal_breaks_the_forbidden_contract(tmp_path):
    result = lint_imports(toy_project(tmp_path, {"high/services.py": "import portal.views"}))
    assert result.returncode != 0
    assert "No app imports portal BROKEN" in result.stdout


def test_a_cycle_inside_an_app_breaks_the_acyclic_contract(tmp_path):
    # models -> helpers -> models: neither is a declared layer, so only the acyclic contract sees it
    result = lint_imports(
        toy_project(tmp_path, {"low/helpers.py": "from . import models", "low/models.py": "from . import helpers"})
    )
    assert result.returncode != 0
    assert "No import cycle between the modules of an app BROKEN" in result.stdout


# --- no module cycle in app code ---


def module_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    cycles = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_module_cycles_are_found():
    """The cycle finder itself: a -> b -> a is one cycle, c alone is none."""
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b")
    graph.add_import(importer="b", imported="a")
    graph.add_import(importer="c", imported="a")
    assert module_cycles(graph) == [["a", "b"]]


def test_no_module_import_cycle_in_app_code():
    """Every import counts, in-function ones included: a lazy import does not hide a cycle. The only edges
    left out are the acyclic contract's ignores (each one names the helper branch that removes it)."""
    settings = config()
    graph = grimp.build_graph(*settings["root_packages"], exclude_type_checking_imports=True)
    acyclic = next(contract for contract in settings["contracts"] if contract["id"] == "acyclic")
    for edge in acyclic.get("ignore_imports", []):
        importer, imported = (part.strip() for part in edge.split("->"))
        graph.remove_import(importer=importer, imported=imported)
    assert module_cycles(graph) == []

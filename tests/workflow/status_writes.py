"""Find every place in the app code that writes a workflow status field directly (AST scan)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "migrations", "node_modules", "static", "bench", "scripts", ".git"}


def app_files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts[:-1]) or rel.parts[0].startswith("."):
            continue
        yield rel


def _names_in_list(node) -> set[str]:
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
    return set()


def status_writes(source: str, fields: set[str]) -> list[tuple[int, str]]:
    """``(line, code)`` of each direct write of one of ``fields``: attribute assignment, ``setattr``,
    ``update(field=...)``, ``update_or_create(defaults={...})``, ``bulk_update(..., [field])``,
    ``save(update_fields=[field])``."""
    found = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, ast.Attribute) and t.attr in fields and isinstance(t.ctx, ast.Store):
                    found.append((getattr(node, "lineno", 0), ast.unparse(t)))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "setattr" and len(node.args) >= 2:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and arg.value in fields:
                found.append((node.lineno, ast.unparse(node)))
        if name == "update" and isinstance(func, ast.Attribute):
            if any(k.arg in fields for k in node.keywords):
                found.append((node.lineno, ast.unparse(node)[:120]))
        if name in ("update_or_create", "get_or_create"):
            for k in node.keywords:
                if k.arg in ("defaults", "create_defaults") and isinstance(k.value, ast.Dict):
                    keys = {key.value for key in k.value.keys if isinstance(key, ast.Constant)}
                    if name == "update_or_create" and keys & fields:
                        found.append((node.lineno, ast.unparse(node)[:120]))
        if name == "bulk_update" and len(node.args) >= 2 and _names_in_list(node.args[1]) & fields:
            found.append((node.lineno, ast.unparse(node)[:120]))
        if name == "save":
            for k in node.keywords:
                if k.arg == "update_fields" and _names_in_list(k.value) & fields:
                    found.append((node.lineno, ast.unparse(node)[:120]))
    return found

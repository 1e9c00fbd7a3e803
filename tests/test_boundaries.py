"""The engine stays platform-neutral: ``bot/`` imports no adapter, storage, SDK or scheduler."""

from __future__ import annotations

import ast
from pathlib import Path

import bot

FORBIDDEN = {
    "adapters",
    "storage",
    "bounceback",
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "asyncpg",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "apscheduler",
    "aiohttp",
    "pydantic",
    "pydantic_settings",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_bot_imports_nothing_platform_or_storage_specific() -> None:
    package = Path(bot.__file__).parent
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 5
    offenders = {
        str(path.relative_to(package)): sorted(imported_roots(path) & FORBIDDEN) for path in modules
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_user_facing_words_live_in_the_content_file() -> None:
    # Flows fetch their words by key: a sentence as a string literal in bot/ is a smell.
    package = Path(bot.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) in docstrings or "%s" in node.value:  # docs and log formats
                    continue
                assert len(node.value.split()) <= 6, f"{path.name}: {node.value[:60]!r}"

"""The layers of docs/architecture.md, checked on every import statement (also the lazy ones
inside functions): a package may import its own layer and the layers below it, never above;
only the Rasa adapters and the runtime may import Rasa; nothing under bot/ imports actions/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

# bottom to top; a package may import any package of its own rank or lower
LAYERS: dict[str, int] = {
    "base": 0,
    "domain": 1,
    "understanding": 2,
    "conversation": 3,
    "leads": 4,
    "migrations": 4,
    # A table of the leads database beside `leads` (and reached through its store); below
    # notify, whose delivery worker sends the rows and knows what they mean.
    "outbox": 4,
    "notify": 5,
    "analytics": 5,
    "rasa_adapters": 6,
    "web": 7,
    "runtime": 8,
    "__main__": 8,
}
MAY_IMPORT_RASA = {"rasa_adapters", "runtime"}
FRAMEWORKS = ("rasa", "rasa_sdk")
PURE = {"base", "domain", "understanding", "conversation"}  # no web, no database, no Rasa
IO_FRAMEWORKS = ("sanic", "sqlalchemy", "aiohttp", "pika", "aio_pika", "socketio")


def _package_of(path: Path) -> str:
    parts = path.relative_to(BOT).parts
    return parts[0].removesuffix(".py") if parts else ""


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "bot":  # `from bot import x` names a package
                found.extend((node.lineno, f"bot.{alias.name}") for alias in node.names)
            else:
                found.append((node.lineno, node.module))
    return found


MODULES = sorted(p for p in BOT.rglob("*.py") if _package_of(p) in LAYERS)


def test_every_bot_module_belongs_to_a_layer() -> None:
    strays = [str(p.relative_to(ROOT)) for p in BOT.rglob("*.py")
              if p.name != "__init__.py" or p.parent != BOT
              if _package_of(p) not in LAYERS]
    assert strays == [], f"modules outside every layer of docs/architecture.md: {strays}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(BOT)))
def test_imports_only_go_down(path: Path) -> None:
    own = _package_of(path)
    wrong = []
    for line, module in _imports(path):
        top, _, rest = module.partition(".")
        where = f"{path.relative_to(ROOT)}:{line}: {module}"
        if top == "actions":
            wrong.append(f"{where} (bot/ never imports the action adapters)")
        elif top == "bot":
            target = rest.split(".")[0]
            if target not in LAYERS:
                wrong.append(f"{where} (no such layer)")
            elif LAYERS[target] > LAYERS[own]:
                wrong.append(f"{where} ({own} is below {target})")
        elif top in FRAMEWORKS and own not in MAY_IMPORT_RASA:
            wrong.append(f"{where} (only the Rasa adapters and the runtime import Rasa)")
        elif top in IO_FRAMEWORKS and own in PURE:
            wrong.append(f"{where} (the core layers do no web or database I/O)")
    assert wrong == []


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The import scan itself works: a lazy import inside a function is found."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from bot.web.app import create_app\n    import rasa.core\n")
    assert _imports(module) == [(2, "bot.web.app"), (3, "rasa.core")]

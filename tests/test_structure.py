"""The engine's imports flow one way, as the stage table of docs/architecture.md says: a module imports
modules of its own stage and of earlier ones only, and every module is in the table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from referater.config import load_config
from referater.loader import as_is, light, load_content
from referater.site import Site

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "referater"


def stage_table() -> list[tuple[str, list[str]]]:
    """(stage, module names) in the order of the table; a package is written `search/`."""
    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    section = text.split("## Stages and what each may import", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and "`" in cells[1]:
            rows.append((cells[0], re.findall(r"`([\w/]+)`", cells[1])))
    return rows


def module_name(path: Path) -> str:
    return path.relative_to(PACKAGE).with_suffix("").as_posix().replace("/", ".")


def stage_of(module: str, ranks: dict[str, int]) -> int | None:
    top = module.split(".")[0]
    return ranks.get(module, ranks.get(f"{top}/"))


def engine_imports(path: Path) -> set[str]:
    """The modules of referater/ that a file imports (relative imports, at any depth of the file)."""
    package = module_name(path).split(".")[:-1]  # search/__init__.py: "search" is its package
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.add(".".join([*base, *node.module.split(".")]))
            else:
                found.update(".".join([*base, alias.name]) for alias in node.names)
    return {
        name
        for name in found
        if (PACKAGE / f"{name.replace('.', '/')}.py").is_file()
        or (PACKAGE / name.replace(".", "/") / "__init__.py").is_file()
    }


def test_the_table_names_every_module_once() -> None:
    rows = stage_table()
    assert [stage for stage, _ in rows][:3] == ["base", "content", "model"]
    named = [module for _, modules in rows for module in modules]
    assert len(named) == len(set(named))
    ranks = {module: rank for rank, (_, modules) in enumerate(rows) for module in modules}
    unplaced = [
        module_name(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "__init__.py" or path.parent != PACKAGE
        if stage_of(module_name(path), ranks) is None and module_name(path) != "__init__"
    ]
    assert unplaced == []


def test_no_module_imports_from_a_later_stage() -> None:
    rows = stage_table()
    ranks = {module: rank for rank, (_, modules) in enumerate(rows) for module in modules}
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        own = stage_of(source, ranks)
        if own is None:
            continue
        for target in sorted(engine_imports(path)):
            theirs = stage_of(target, ranks)
            if theirs is not None and theirs > own:
                upward.append(f"{source} ({rows[own][0]}) imports {target} ({rows[theirs][0]})")
    assert upward == []


def test_the_checker_sees_an_upward_import() -> None:
    """The test above can fail: the pages stage's meeting_page importing render's mdrender is one."""
    rows = stage_table()
    ranks = {module: rank for rank, (_, modules) in enumerate(rows) for module in modules}
    assert stage_of("mdrender", ranks) > stage_of("meeting_page", ranks)
    assert stage_of("opendata", ranks) > stage_of("meeting_page", ranks)
    assert "site" in engine_imports(PACKAGE / "meeting_page.py")
    assert "search.index" in engine_imports(PACKAGE / "search" / "__init__.py")


def test_the_model_holds_no_content_store() -> None:
    assert "full" not in Site.__dataclass_fields__
    assert "loader" not in engine_imports(PACKAGE / "site.py")


def test_the_store_of_full_meetings_refuses_a_light_one() -> None:
    site = ROOT / "tests" / "fixtures" / "links"
    meeting = load_content(site, load_config(site)).meetings[0]
    assert as_is(meeting) is meeting
    with pytest.raises(ValueError, match="ContentStore"):
        as_is(light(meeting))

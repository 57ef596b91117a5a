"""Shared helpers: build real sites into temporary directories and read what they wrote."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import settings as hypothesis_settings

# In CI the property tests draw the same examples every run, so a green main stays green; a developer's
# runs draw new ones and find what CI has not seen yet.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_site(source: Path, target: Path, with_content: bool = True) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "site_config.yaml", target / "site_config.yaml")
    if with_content and (source / "content").is_dir():
        shutil.copytree(source / "content", target / "content")
    return target


def run_cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def build(site: Path, *extra: str) -> Path:
    result = run_cli("build", "--site", site, "--no-search", *extra)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return site / "output"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def page(output: Path, url_path: str) -> BeautifulSoup:
    """The page at a URL path such as /klynger/fyn/ (index.html implied)."""
    rel = url_path.lstrip("/")
    target = output / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return soup(target)


def tree_digest(root: Path) -> str:
    """Names, bytes and mtimes of every file: to prove a failed build touched nothing."""
    h = hashlib.blake2b()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
            h.update(str(path.stat().st_mtime_ns).encode())
    return h.hexdigest()


def broken_links(output: Path, base_path: str = "/") -> list[str]:
    """Every internal href/src in every HTML file must name a file, and every #fragment an id in it."""
    ids: dict[Path, set[str]] = {}

    def ids_of(path: Path) -> set[str]:
        if path not in ids:
            ids[path] = {tag["id"] for tag in soup(path).find_all(id=True)}
        return ids[path]

    problems = []
    for html in sorted(output.rglob("*.html")):
        doc = soup(html)
        for tag in doc.find_all(["a", "link", "script", "img", "form"]):
            ref = tag.get("href") or tag.get("src") or tag.get("action")
            if not ref or tag.name == "link" and tag.get("rel") == ["canonical"]:
                continue
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc:
                continue
            if parts.path:
                if not parts.path.startswith(base_path):
                    problems.append(f"{html}: {ref} is outside {base_path}")
                    continue
                target = output / unquote(parts.path[len(base_path) :])
            else:
                target = html
            if target.is_dir() or parts.path.endswith("/"):
                target = target / "index.html"
            if "pagefind" in parts.path and not target.exists():
                continue  # the search bundle is written by Pagefind, not built in these tests
            if not target.exists():
                problems.append(f"{html.relative_to(output)}: {ref} → missing file")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in ids_of(target):
                problems.append(f"{html.relative_to(output)}: {ref} → missing anchor")
    return problems


@pytest.fixture(scope="session")
def links_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cross-link fixture site, built once."""
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("links"))
    build(site)
    return site


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's own content and config, built once into a temporary directory."""
    site = copy_site(ROOT, tmp_path_factory.mktemp("real"))
    build(site)
    return site

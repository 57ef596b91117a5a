"""An output folder that cannot be written (a full disk, no access, a file where the folder should be)
is one Danish message and exit 1, never a traceback; the published output/ stays as it was, and the next
build recovers by itself, whatever the failed one left beside output/."""

from __future__ import annotations

import errno
import os
import pathlib
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_site, tree_digest

from referater import cli, write

MEETING = "content/nord/2024-02-08-politisk-niveau.md"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(site: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    """A build in this process (so that a test can make the system fail under it): exit code, errors."""
    code = cli.main(["build", "--site", str(site), "--no-search", "--jobs", "1", "--quiet", *extra])
    lines = capsys.readouterr().err.splitlines()  # the fixture's own warnings about its content aside
    errors = [line for line in lines if not (line.startswith("content/") and ": advarsel: " in line)]
    return code, "\n".join(errors)


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A built site with one meeting edited since, so that the next build has pages to write."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    assert run(site, capsys)[0] == 0
    path = site / MEETING
    path.write_text(path.read_text("utf-8").replace("Intet.", "Intet at bemærke.", 1), "utf-8")
    return site


def clean_build(site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    """What a build from nothing makes of the site as it is now."""
    fresh = copy_site(site, tmp_path / "fresh")
    assert run(fresh, capsys, "--no-cache")[0] == 0
    return files(fresh / "output")


def fail_in_staging(monkeypatch: pytest.MonkeyPatch, error: int, after: int = 0) -> None:
    """Writing a staged file fails (after `after` files went well), as on a full disk."""
    real = pathlib.Path.write_bytes
    count = [0]

    def write_bytes(self: Path, data: bytes) -> int:
        if ".staging" in str(self):
            count[0] += 1
            if count[0] > after:
                raise OSError(error, os.strerror(error), str(self))
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (errno.ENOSPC, "disken er fuld; frigør plads, og byg igen"),
        (errno.EDQUOT, "din diskkvote er brugt op"),
        (errno.EACCES, "ingen adgang; giv skriveadgang"),
        (errno.EROFS, "filsystemet er skrivebeskyttet; byg et andet sted med --out"),
    ],
)
def test_a_failed_write_is_one_message_and_the_next_build_recovers(
    site: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    error: int,
    hint: str,
) -> None:
    published = tree_digest(site / "output")
    with monkeypatch.context() as patched:
        fail_in_staging(patched, error, after=1)
        code, stderr = run(site, capsys)
    assert code == 1
    assert "Traceback" not in stderr
    assert "output.staging/" in stderr and hint in stderr and "intet blev udgivet" in stderr
    assert tree_digest(site / "output") == published

    assert run(site, capsys) == (0, "")
    assert files(site / "output") == clean_build(site, tmp_path, capsys)


def test_a_failure_while_publishing_keeps_the_published_output(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    published = tree_digest(site / "output")

    def read_only(a: Path, b: Path) -> bool:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(b))

    with monkeypatch.context() as patched:
        patched.setattr(write, "_exchange", read_only)
        code, stderr = run(site, capsys)
    assert code == 1 and "output: fejl: kunne ikke læse eller skrive her" in stderr
    assert tree_digest(site / "output") == published
    assert run(site, capsys) == (0, "")
    assert files(site / "output") == clean_build(site, tmp_path, capsys)


def test_a_file_where_output_should_be_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / "output").write_text("mine", "utf-8")
    code, stderr = run(site, capsys)
    assert code == 1
    assert (
        "output: fejl: output er ikke en mappe; flyt eller slet den, eller byg et andet sted med --out"
        in stderr
    )
    assert (site / "output").read_text("utf-8") == "mine"
    assert not (site / "output.staging").exists()


@pytest.mark.parametrize(
    "leftover", ["staging-file", "previous-file", "staging-link", "half-previous", "read-only-staging"]
)
def test_whatever_a_failed_build_left_beside_output_the_next_build_recovers(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], leftover: str
) -> None:
    published = files(site / "output")
    stage, previous = site / "output.staging", site / "output.previous"
    if leftover == "staging-file":
        stage.write_text("halv", "utf-8")
    elif leftover == "previous-file":
        previous.unlink(missing_ok=True) if previous.is_file() else None
        if previous.is_dir():
            write._rmtree(previous)
        previous.write_text("halv", "utf-8")
    elif leftover == "staging-link":
        (tmp_path / "elsewhere").mkdir()
        (tmp_path / "elsewhere/keep.txt").write_text("keep", "utf-8")
        stage.symlink_to(tmp_path / "elsewhere")
    elif leftover == "half-previous":  # a tree with files that are not the published ones
        target = previous / "klynger/nord/2024-02-08-politisk-niveau"
        target.mkdir(parents=True, exist_ok=True)
        (target / "index.html").unlink(missing_ok=True)
        (target / "index.html").write_text("<p>halv", "utf-8")
        (previous / "index.html").unlink(missing_ok=True)
    elif leftover == "read-only-staging":
        (stage / "klynger").mkdir(parents=True)
        (stage / "klynger/stale.html").write_text("gammel", "utf-8")
        os.chmod(stage / "klynger", 0o555)
        os.chmod(stage, 0o555)

    assert run(site, capsys) == (0, "")
    expected = clean_build(site, tmp_path, capsys)
    assert files(site / "output") == expected != published
    if leftover == "staging-link":
        assert (tmp_path / "elsewhere/keep.txt").read_text("utf-8") == "keep"


def test_a_state_that_cannot_be_saved_after_publishing_is_a_warning(
    site: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from referater import buildstate

    def full(path: Path, data: dict) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    with monkeypatch.context() as patched:
        patched.setattr(buildstate, "write_json", full)
        code, stderr = run(site, capsys)
    assert code == 0
    assert ".cache/build.json: advarsel: kunne ikke læse eller skrive her" in stderr
    assert "næste byg bygger alt igen" in stderr
    assert not (site / ".cache/build.json").exists()
    expected = clean_build(site, tmp_path, capsys)
    assert files(site / "output") == expected
    # the meeting changes back: the next build must not trust fingerprints of the output it replaced
    path = site / MEETING
    path.write_text(path.read_text("utf-8").replace("Intet at bemærke.", "Intet.", 1), "utf-8")
    assert run(site, capsys) == (0, "")
    assert files(site / "output") == clean_build(site, tmp_path / "again", capsys)

"""`build.py new`: write a skeleton referat for a body (a sundhedsklynge or a sundhedsråd), forum and date, as a
draft that is never published.

Messages are for secretariat staff, so they are in Danish.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from .config import SiteConfig, load_config
from .suggest import find_slug, names_of, nearest_slug

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# Text of the skeleton that means "not filled in yet": `check` refuses it in a meeting that is no draft.
PLACEHOLDER_TITLE = "Titel på punktet"

_TEMPLATE = """\
---
cluster: {cluster}
forum: {forum}
date: {date}
time: ""                            # starttidspunkt, fx 09:00
location: ""                        # fx Lokale 14, Klørvænget 8, 5000 Odense C  eller  Online - MS Teams
# Deltagere: erstat [] med én linje pr. person, fx
#   - {{name: Fornavn Efternavn, org: Organisation, role: medformand}}
#   - {{name: Fornavn Efternavn, org: V, absent: true}}
participants: []
draft: true                         # sæt til false, når referatet er færdigt og må udgives
# joint_with: [slug, slug]          # ved et fællesmøde: de andre organer, der deltog (slugs fra site_config.yaml)
---

## Punkt 1: Velkommen og godkendelse af dagsorden

### Indstilling

Det indstilles, at dagsordenen godkendes.

### Beslutning

## Punkt 2: {placeholder}

### Resumé

### Sagsfremstilling

### Indstilling

### Beslutning

### Bilag

## Punkt 3: Eventuelt

### Beslutning
"""


def skeleton(cluster: str, forum: str, date: dt.date) -> str:
    """The text of a new meeting file (frontmatter and standard agenda items)."""
    return _TEMPLATE.format(
        cluster=cluster, forum=forum, date=date.isoformat(), placeholder=PLACEHOLDER_TITLE
    )


def run_new(args: argparse.Namespace) -> int:
    site: Path = args.site
    config = load_config(site)  # a broken config raises SiteError: the CLI prints it as file:line
    cluster = find_slug(args.cluster, names_of(config.clusters))
    forum = find_slug(args.forum, names_of(config.forums))
    problems = _problems(config, args.cluster, cluster, args.forum, forum, args.date)
    if problems:
        for problem in problems:
            print(f"fejl: {problem}", file=sys.stderr)
        return 1
    assert cluster and forum  # for the type checker: _problems said so
    date = dt.date.fromisoformat(args.date)
    body = config.clusters[cluster]
    if not body.alive_on(date):
        later = (
            f" Brug i stedet {', '.join(body.successors)}."
            if body.successors and body.until and date > body.until
            else ""
        )
        print(
            f"advarsel: {body.full_name} fandtes ikke {date.isoformat()} "
            f"({body.start or ''} – {body.until or ''}); check vil melde det som en fejl.{later}",
            file=sys.stderr,
        )
    relative = Path("content") / cluster / f"{date.isoformat()}-{forum}.md"
    path = site / relative
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file where the folder should be: not the meeting file existing
            raise NotADirectoryError(20, f"{path.parent} er en fil, ikke en mappe") from None
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(skeleton(cluster, forum, date))
    except FileExistsError:
        print(
            f"fejl: {relative.as_posix()} findes allerede; den bliver ikke overskrevet. "
            "Ret i den eksisterende fil, eller slet den først, hvis du vil begynde forfra.",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        print(
            f"fejl: kunne ikke skrive {relative.as_posix()}: {exc.strerror or exc}. "
            "Har du lov at skrive i mappen? Kør kommandoen i projektmappen, eller giv --site.",
            file=sys.stderr,
        )
        return 1
    print(f"Skrev {relative.as_posix()}")
    print(
        "Filen er en kladde (draft: true) og bliver ikke udgivet. Se den i forhåndsvisningen (make serve). "
        "Når referatet er færdigt: sæt draft: false, kør `python build.py check`, og commit filen."
    )
    return 0


def _problems(
    config: SiteConfig,
    cluster_text: str,
    cluster: str | None,
    forum_text: str,
    forum: str | None,
    date_text: str,
) -> list[str]:
    problems = []
    if cluster is None:
        problems.append(_unknown("klynge", "Kendte klynger og sundhedsråd", cluster_text, config.clusters))
    if forum is None:
        problems.append(_unknown("forum", "Kendte fora", forum_text, config.forums))
    if not _DATE.match(date_text):
        problems.append(f"datoen {date_text!r} skal skrives åååå-mm-dd, fx 2024-04-22")
    else:
        try:
            dt.date.fromisoformat(date_text)
        except ValueError:
            problems.append(f"datoen {date_text!r} findes ikke i kalenderen")
    return problems


def _unknown(what: str, known_label: str, given: str, entries: dict) -> str:
    guess = nearest_slug(given, names_of(entries))
    hint = f" – mente du {guess!r}?" if guess else ""
    known = ", ".join(f"{slug} ({e.name})" for slug, e in entries.items())
    return f"ukendt {what} {given!r}{hint} {known_label} i site_config.yaml: {known}"

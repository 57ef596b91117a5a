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
from .slugs import slugify

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_TEMPLATE = """\
---
cluster: {cluster}
forum: {forum}
date: {date}
time: ""                            # starttidspunkt, fx "09:00" (husk anførselstegn)
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

## Punkt 2: Titel på punktet

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
    return _TEMPLATE.format(cluster=cluster, forum=forum, date=date.isoformat())


def run_new(args: argparse.Namespace) -> int:
    site: Path = args.site
    config = load_config(site)  # a broken config raises SiteError: the CLI prints it as file:line
    problems = _problems(config, args.cluster, args.forum, args.date)
    if problems:
        for problem in problems:
            print(f"fejl: {problem}", file=sys.stderr)
        return 1
    date = dt.date.fromisoformat(args.date)
    body = config.clusters[args.cluster]
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
    relative = Path("content") / args.cluster / f"{date.isoformat()}-{args.forum}.md"
    path = site / relative
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(skeleton(args.cluster, args.forum, date))
    except FileExistsError:
        print(
            f"fejl: {relative.as_posix()} findes allerede; den bliver ikke overskrevet. "
            "Ret i den eksisterende fil, eller slet den først, hvis du vil begynde forfra.",
            file=sys.stderr,
        )
        return 1
    except OSError as exc:
        print(f"fejl: kunne ikke skrive {relative.as_posix()}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Skrev {relative.as_posix()}")
    print(
        "Filen er en kladde (draft: true) og bliver ikke udgivet. Når referatet er færdigt: sæt "
        "draft: false, kør `python build.py check`, og commit filen."
    )
    return 0


def _problems(config: SiteConfig, cluster: str, forum: str, date_text: str) -> list[str]:
    problems = []
    if cluster not in config.clusters:
        known = ", ".join(config.clusters)
        hint = _hint(
            cluster, {slug: (c.name, c.full_name, *c.aliases) for slug, c in config.clusters.items()}
        )
        problems.append(
            f"ukendt organ {cluster!r}.{hint} Kendte sundhedsklynger og sundhedsråd i site_config.yaml: {known}"
        )
    if forum not in config.forums:
        known = ", ".join(config.forums)
        hint = _hint(forum, {slug: (f.name, *f.aliases) for slug, f in config.forums.items()})
        problems.append(f"ukendt forum {forum!r}.{hint} Kendte fora i site_config.yaml: {known}")
    if not _DATE.match(date_text):
        problems.append(f"datoen {date_text!r} skal skrives åååå-mm-dd, fx 2024-04-22")
    else:
        try:
            dt.date.fromisoformat(date_text)
        except ValueError:
            problems.append(f"datoen {date_text!r} findes ikke i kalenderen")
    return problems


def _hint(given: str, names: dict[str, tuple[str, ...]]) -> str:
    """A "did you mean" hint when given is a display name or alias ("Sønderjylland", "FSN")."""
    wanted = slugify(given)
    for slug, others in names.items():
        if wanted and (wanted == slug or any(wanted == slugify(name) for name in others)):
            return f" Mente du {slug!r}?"
    return ""

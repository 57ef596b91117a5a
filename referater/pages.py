"""Stage 3: every output page: its URL, its template, what it depends on, and how to make its context.

This list is the dependency graph. A page's fingerprint is its `shape` (the site model's facts it shows,
as plain data) plus the digests of the meetings in `deps`; only a page whose fingerprint changed is
rendered again, and only then is its context (small, explicit views) built.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from . import urls
from .body_pages import body_groups, body_pages, body_shape
from .dates import month_name
from .listings import ListingShapes, Snippets
from .loader import Texts
from .meeting_page import meeting_pages
from .memory import paused_gc
from .model import Meeting
from .page import Page, crumb_link, make_page, root_link
from .site import Key, Site
from .views import Link, MeetingLink, item_link, meeting_link


@paused_gc()
def build_pages(site: Site, store: Texts) -> list[Page]:
    """Every page of the site; the meeting pages show the full texts of `store` (the content store)."""
    snippets = Snippets(site)
    pages: list[Page] = [_home(site)]
    pages.extend(body_pages(site))
    pages.extend(meeting_pages(site, store))
    pages.extend(_forums(site))
    pages.extend(_topics(site, snippets))
    pages.extend(_cases(site, snippets))
    pages.extend(_archive(site))
    pages.append(
        make_page(
            urls.file_of(urls.SEARCH),
            "search.html",
            "search",
            "Søg i referaterne",
            [root_link(site)],
            description="Søg i alle sundhedsklyngernes og sundhedsrådenes dagsordenspunkter og beslutninger.",
        )()
    )
    pages.append(make_page(urls.NOT_FOUND, "404.html", "404", "Siden findes ikke", [root_link(site)])())
    return pages


def _keys(meetings: list[Meeting]) -> tuple[Key, ...]:
    return tuple(m.key for m in meetings)


def _home(site: Site) -> Page:
    latest = site.meetings[:12]
    counts = (body_shape(site), _topic_counts(site), _year_counts(site), len(site.meetings))
    return make_page(
        urls.file_of(urls.HOME),
        "home.html",
        "home",
        site.config.title,
        [],
        ("home", counts),
        _keys(latest),
        description=site.config.description,
    )(
        lambda: {
            "latest": tuple(meeting_link(site, m.key) for m in latest),
            "groups": body_groups(site),
            "topics": _topic_links(site),
            "years": _year_links(site),
            "total": len(site.meetings),
        }
    )


def _topic_counts(site: Site) -> tuple:
    return tuple((slug, site.topic_meetings.get(slug, 0)) for slug in site.config.topics)


def _year_counts(site: Site) -> tuple:
    return tuple((year, len(ms)) for year, ms in sorted(site.by_year.items()))


def _topic_links(site: Site) -> tuple[tuple[Link, int], ...]:
    return tuple(
        (Link(site.topic_url(slug), t.name), site.topic_meetings.get(slug, 0))
        for slug, t in sorted(site.config.topics.items(), key=lambda kv: kv[1].name)
        if site.topic_entries.get(slug)
    )


def _year_links(site: Site) -> tuple[tuple[Link, int], ...]:
    return tuple(
        (Link(site.year_url(y), str(y)), len(ms)) for y, ms in sorted(site.by_year.items(), reverse=True)
    )


def _grouped_by_year(site: Site, meetings: list[Meeting]) -> tuple[tuple[int, tuple[MeetingLink, ...]], ...]:
    years: dict[int, list[MeetingLink]] = {}
    for m in meetings:  # newest first already
        years.setdefault(m.date.year, []).append(meeting_link(site, m.key))
    return tuple((y, tuple(links)) for y, links in years.items())


def _forums(site: Site) -> list[Page]:
    counts = tuple((slug, len(site.by_forum.get(slug, []))) for slug in site.config.forums)
    pages = [
        make_page(urls.file_of(urls.FORUMS), "forums.html", "index", "Fora", [root_link(site)], counts)(
            lambda: {
                "forums": tuple(
                    (Link(site.forum_url(slug), f.name), len(site.by_forum.get(slug, [])))
                    for slug, f in site.config.forums.items()
                )
            }
        )
    ]
    crumbs = [root_link(site), crumb_link(site, urls.FORUMS, "Fora")]
    for slug, forum in site.config.forums.items():
        meetings = site.by_forum.get(slug, [])
        chunks = _chunks(meetings, FORUM_PAGE_SIZE)
        numbered = _numbered(site.forum_url(slug), len(chunks))
        per_year: dict[int, int] = {}
        for m in meetings:
            per_year[m.date.year] = per_year.get(m.date.year, 0) + 1
        for number, chunk in enumerate(chunks, start=1):

            def context(chunk: list[Meeting] = chunk, per_year: dict[int, int] = per_year) -> dict[str, Any]:
                # A year's heading counts all the forum's meetings that year, also those on other pages.
                return {"years": tuple((y, per_year[y], links) for y, links in _grouped_by_year(site, chunk))}

            years = tuple(dict.fromkeys(m.date.year for m in chunk))
            shape = (
                slug,
                number,
                len(chunks),
                len(meetings),
                tuple((y, per_year[y]) for y in years),
                _keys(chunk),
            )
            title = forum.name if number == 1 else f"{forum.name}, side {number} af {len(chunks)}"
            pages.append(
                make_page(
                    urls.file_of(urls.page(urls.forum(slug), number)),
                    "forum.html",
                    "forum",
                    title,
                    crumbs,
                    shape,
                    _keys(chunk),
                    forum=forum,
                    total=len(meetings),
                    pager=_pager(numbered, number),
                    description=f"Referater fra møder på {forum.name.lower()} i alle sundhedsklynger og sundhedsråd.",
                )(context)
            )
    return pages


FORUM_PAGE_SIZE = (
    100  # meetings per forum page: at 10,000 meetings a forum has over 3,000 (700 KB in one page)
)


def _topics(site: Site, snippets: Snippets) -> list[Page]:
    shapes = ListingShapes(site, "topic-shapes", snippets)
    pages = [
        make_page(
            urls.file_of(urls.TOPICS), "topics.html", "index", "Emner", [root_link(site)], _topic_counts(site)
        )(
            lambda: {
                "topics": _topic_links(site),
                "descriptions": {s: t.description for s, t in site.config.topics.items()},
            }
        )
    ]
    crumbs = [root_link(site), crumb_link(site, urls.TOPICS, "Emner")]
    for slug, topic in site.config.topics.items():
        entries = site.topic_entries.get(slug, [])
        chunks = _chunks(entries, TOPIC_PAGE_SIZE)
        totals = (sum(1 for e in entries if e.main), sum(1 for e in entries if not e.main))
        meetings = site.topic_meetings.get(slug, 0)
        numbered = _numbered(site.topic_url(slug), len(chunks))
        for number, chunk in enumerate(chunks, start=1):

            def context(chunk: list = chunk) -> dict[str, Any]:
                links = tuple(item_link(site, e.meeting, e.item, e.main, with_snippet=True) for e in chunk)
                return {
                    "main": tuple(link for link in links if link.main),
                    "mentioned": tuple(link for link in links if not link.main),
                }

            path = urls.file_of(urls.page(urls.topic(slug), number))
            digest, deps = shapes(path, "topic", partial(_topic_shape, number, len(chunks), totals, chunk))
            title = topic.name if number == 1 else f"{topic.name}, side {number} af {len(chunks)}"
            pages.append(
                make_page(
                    path,
                    "topic.html",
                    "topic",
                    title,
                    crumbs,
                    (),
                    deps,
                    shape_digest=digest,
                    topic=topic,
                    meetings=meetings,
                    totals=totals,
                    pager=_pager(numbered, number),
                    description=topic.description or f"Dagsordenspunkter om {topic.name.lower()}.",
                )(context)
            )
    shapes.done()
    return pages


def _topic_shape(number: int, count: int, totals: tuple, chunk: list) -> tuple:
    entries = tuple((e.meeting, e.item, e.main) for e in chunk)
    items = tuple((e.meeting, e.item) for e in chunk)
    return (number, count, totals, entries), tuple(dict.fromkeys(e.meeting for e in chunk)), items


def _case_shape(refs: list) -> tuple:
    items = tuple((r.meeting, r.number) for r in refs)
    return items, tuple(dict.fromkeys(r.meeting for r in refs)), items


TOPIC_PAGE_SIZE = 50  # items per topic page: at 10,000 meetings a topic has thousands


def _chunks(items: list, size: int) -> list[list]:
    """A long list in pages of `size`; an empty list is one empty page (the page still exists)."""
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _numbered(first: str, count: int) -> tuple[Link, ...]:
    """The URLs of a list's pages, labelled by number: page 1 is the list's own URL, then side/N/."""
    return tuple(Link(urls.page(first, n), str(n)) for n in range(1, count + 1))


def _pager(pages: tuple[Link, ...], number: int) -> dict[str, Any] | None:
    """Links between the pages of a long list: previous, next, and every page by number."""
    if len(pages) < 2:
        return None
    return {
        "current": number,
        "pages": pages,
        "previous": pages[number - 2].url if number > 1 else None,
        "next": pages[number].url if number < len(pages) else None,
    }


def _cases(site: Site, snippets: Snippets) -> list[Page]:
    shapes = ListingShapes(site, "case-shapes", snippets)
    listed = tuple(
        (Link(site.url(urls.case(slug)), case), len({r.meeting for r in site.cases[case]}))
        for case, slug in site.case_slugs.items()
    )
    pages = [
        make_page(
            urls.file_of(urls.CASES), "cases.html", "index", "Sager", [root_link(site)], listed, cases=listed
        )()
    ]
    crumbs = [root_link(site), crumb_link(site, urls.CASES, "Sager")]
    for case, slug in site.case_slugs.items():
        refs = site.cases[case]
        path = urls.file_of(urls.case(slug))
        digest, deps = shapes(path, "case", partial(_case_shape, refs))
        pages.append(
            make_page(
                path,
                "case.html",
                "case",
                f"Sag {case}",
                crumbs,
                (),
                deps,
                shape_digest=digest,
                case=case,
                meetings=len({r.meeting for r in refs}),
                description=f"Sagens forløb for sag {case}: alle møder, der har behandlet sagen.",
            )(
                lambda refs=refs: {
                    "items": tuple(
                        item_link(site, r.meeting, r.number, with_snippet=True) for r in reversed(refs)
                    )
                }
            )
        )
    shapes.done()
    return pages


def _archive(site: Site) -> list[Page]:
    years = tuple(
        (
            Link(site.year_url(y), str(y)),
            len(ms),
            tuple(
                (Link(site.month_url(y, mo), month_name(mo)), len(site.by_month[(y, mo)]))
                for mo in sorted({m.date.month for m in ms}, reverse=True)
            ),
        )
        for y, ms in sorted(site.by_year.items(), reverse=True)
    )
    pages = [
        make_page(
            urls.file_of(urls.ARCHIVE),
            "archive.html",
            "index",
            "Arkiv",
            [root_link(site)],
            years,
            years=years,
        )()
    ]
    for year, meetings in site.by_year.items():

        def months(year: int = year, meetings: list[Meeting] = meetings) -> dict[str, Any]:
            return {
                "months": tuple(
                    (
                        Link(site.month_url(year, mo), f"{month_name(mo).capitalize()} {year}"),
                        tuple(meeting_link(site, m.key) for m in meetings if m.date.month == mo),
                    )
                    for mo in sorted({m.date.month for m in meetings}, reverse=True)
                )
            }

        pages.append(
            make_page(
                urls.file_of(urls.year(year)),
                "year.html",
                "year",
                f"Møder i {year}",
                [root_link(site), crumb_link(site, urls.ARCHIVE, "Arkiv")],
                year,
                _keys(meetings),
                year=year,
                total=len(meetings),
                description=f"Alle referater fra sundhedsklyngernes og sundhedsrådenes møder i {year}.",
            )(months)
        )
    for (year, month), meetings in site.by_month.items():
        label = f"{month_name(month).capitalize()} {year}"
        crumbs = [
            root_link(site),
            crumb_link(site, urls.ARCHIVE, "Arkiv"),
            crumb_link(site, urls.year(year), str(year)),
        ]
        pages.append(
            make_page(
                urls.file_of(urls.month(year, month)),
                "month.html",
                "month",
                f"Møder i {label.lower()}",
                crumbs,
                (year, month),
                _keys(meetings),
                label=label,
                description=f"Referater fra sundhedsklyngernes og sundhedsrådenes møder i {label.lower()}.",
            )(lambda meetings=meetings: {"meetings": tuple(meeting_link(site, m.key) for m in meetings)})
        )
    return pages

"""The home page's arrangement: the editors' slots first (`FrontPage`), the latest stories in
whatever they leave empty. Both are read as bare rows; the cards come from the cache."""

from collections import namedtuple

from .. import freshness
from ..freshness import shown
from ..models import FrontPageSlot

Story = namedtuple("Story", "pk featured section_path")
Place = FrontPageSlot.Place


def arranged_slots() -> list[tuple[str, int | None, Story]]:
    """(place, rail's section id, story) of the live arrangement, in the editors' order; kept
    until the arrangement changes, another takes over, or a story in it changes or is
    (un)published (`la`: a story coming back to its slot is not among the names read)."""
    return freshness.kept(freshness.key("front-page"), _read_slots, shows_too=(shown.FRONT_PAGE, shown.ALL))


def _read_slots():
    rows = FrontPageSlot.objects.shown_now().order_by("position", "pk")
    columns = ("place", "section_id", "article_id", "article__featured", "article__category__path")
    slots = [
        (place, section, Story(pk, featured, path)) for place, section, pk, featured, path in rows.values_list(*columns)
    ]
    freshness.shows(*(shown.article(story.pk) for _, _, story in slots))
    return slots


def arrange(slots, latest, sections, top_count, rail_count):
    """(lead, top stories, [(section, stories)]) from the arranged `slots` and the `latest`
    stories, newest first. A story is placed once: where an editor put it first, and the
    fallbacks never take one an editor placed elsewhere."""
    placed = set()

    def take(candidates, count):
        taken = []
        for story in candidates:
            if len(taken) >= count:
                break
            if story.pk not in placed:
                placed.add(story.pk)
                taken.append(story)
        return taken

    def arranged(place, section=None):
        return [story for where, rail, story in slots if where == place and (section is None or rail == section)]

    lead = take(arranged(Place.LEAD), 1)
    top = take(arranged(Place.TOP), top_count)
    rails = {section.pk: take(arranged(Place.RAIL, section.pk), rail_count) for section in sections}
    if not lead:  # the featured story, else the newest
        lead = take([story for story in latest if story.featured] + list(latest), 1)
    top += take(latest, top_count - len(top))
    for section in sections:
        in_section = [s for s in latest if s.section_path and s.section_path.split("/")[0] == section.path]
        rails[section.pk] += take(in_section, rail_count - len(rails[section.pk]))
    return (lead[0] if lead else None), top, [(s, rails[s.pk]) for s in sections if rails[s.pk]]

"""`GET /kalender/{token}.ics`: a person's follow-ups as a calendar Outlook can subscribe to.

A plain GET from a calendar client: no Bot Framework token and none of the messaging
endpoint's tenant or serviceUrl guards. The token in the address is the only credential, so an
unknown token and a malformed one get the same bare 404, and nothing in an answer says whether
a person exists. The feed covers 30 days back (answered follow-ups too) to the plan's horizon.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta

from aiohttp import web

from bot.conversation.dependencies import BotDependencies
from bot.conversation.texts import text
from followup.calendar.feed import FEED_ROUTE, is_well_formed, person_for_token
from followup.calendar.ical import CalendarEntry, EntryStatus, render_calendar
from followup.calendar.workdays import oslo_today
from followup.models import OPEN_FOLLOW_UP_STATES, Person
from followup.plans.materialise import horizon_end
from followup.tasks import TaskItem, list_tasks

log = logging.getLogger(__name__)

DAYS_BACK = 30
CACHE_CONTROL = "private, max-age=300"
HEADERS = {
    "Cache-Control": CACHE_CONTROL,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
NOT_FOUND_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _status(item: TaskItem, today: date) -> EntryStatus:
    if item.follow_up.state not in OPEN_FOLLOW_UP_STATES:
        return EntryStatus.ANSWERED
    return EntryStatus.OVERDUE if item.overdue(today) else EntryStatus.OPEN


def calendar_entries(items: list[TaskItem], today: date, locale: str | None) -> list[CalendarEntry]:
    """One all-day entry per follow-up, in the person's language."""
    entries = []
    for item in items:
        values = {"title": item.checkpoint.title, "reference": item.contract.reference}
        summary = (
            text("calendar.event_for", locale, name=item.covering_for.display_name, **values)
            if item.covering_for is not None
            else text("calendar.event", locale, **values)
        )
        description = text(
            "calendar.description",
            locale,
            contract=f"{item.contract.reference} {item.contract.title}",
            supplier=item.supplier.name if item.supplier else "–",
            question=item.checkpoint.question,
        )
        if item.covered_by is not None:
            description += "\n" + text(
                "tasks.covered_by", locale, name=item.covered_by.display_name
            )
        entries.append(
            CalendarEntry(
                uid=item.follow_up.id,
                day=item.follow_up.due_date,
                summary=summary,
                description=description,
                status=_status(item, today),
            )
        )
    return entries


class CalendarFeedRoute:
    def __init__(self, deps: BotDependencies) -> None:
        self._deps = deps

    def add_to(self, app: web.Application) -> None:
        app.router.add_get(FEED_ROUTE, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        token = request.match_info.get("token", "")
        if not is_well_formed(token):
            return _not_found()
        body = await asyncio.to_thread(self._render, token)
        if body is None:
            return _not_found()
        return web.Response(
            text=body, content_type="text/calendar", charset="utf-8", headers=HEADERS
        )

    def _render(self, token: str) -> str | None:
        now = self._deps.clock()
        today = oslo_today(now)
        start = today - timedelta(days=DAYS_BACK)
        days = (horizon_end(today, self._deps.plan.calendar) - start).days
        with self._deps.uow_factory() as uow:
            person_id = person_for_token(uow, token)
            if person_id is None:
                return None
            person: Person | None = uow.people.get(person_id)
            if person is None:
                return None
            items = list_tasks(uow, person_id, start, days=days)
        log.info("calendar feed served", extra={"person_id": person_id, "events": len(items)})
        return render_calendar(
            calendar_entries(items, today, person.locale),
            name=text("calendar.name", person.locale, name=person.display_name),
            now=now,
        )


def _not_found() -> web.Response:
    return web.Response(status=404, headers=NOT_FOUND_HEADERS)

"""Which incoming activities were already handled, shared by every bot instance.

Teams re-sends an activity it got no answer to within 15 seconds, and a card action within 5;
the first instance to insert the activity's key handles it, every other copy is answered from
here (with the stored invoke response, when there is one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from storage.tables import ProcessedActivityRow


@dataclass(frozen=True, slots=True)
class PriorHandling:
    """The activity was seen before; its invoke response, if one was stored."""

    invoke_status: int | None
    invoke_body: str | None


class ProcessedActivityLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, key: str, now: datetime) -> PriorHandling | None:
        """Claim `key` for this instance: None if it is new, else how it was handled before."""
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(ProcessedActivityRow).values(key=key, received_at=now))
        except IntegrityError:
            with self._engine.connect() as conn:
                row = conn.execute(
                    select(
                        ProcessedActivityRow.invoke_status, ProcessedActivityRow.invoke_body
                    ).where(ProcessedActivityRow.key == key)
                ).first()
            return PriorHandling(row[0], row[1]) if row else PriorHandling(None, None)
        return None

    def record_invoke_response(self, key: str, status: int, body: str | None) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(ProcessedActivityRow)
                .where(ProcessedActivityRow.key == key)
                .values(invoke_status=status, invoke_body=body)
            )

    def release(self, key: str) -> None:
        """The turn failed before it was handled: let a re-sent copy try again."""
        with self._engine.begin() as conn:
            conn.execute(delete(ProcessedActivityRow).where(ProcessedActivityRow.key == key))

    def prune(self, older_than: timedelta, now: datetime) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                delete(ProcessedActivityRow).where(
                    ProcessedActivityRow.received_at < now - older_than
                )
            )
        return int(result.rowcount or 0)

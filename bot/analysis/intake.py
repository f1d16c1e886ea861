"""A supplier's sales statistics sent in chat, as the answer to the agreement's
*Salgsstatistikk* follow-up: stored as a document by the uploads (`bot.uploads`), then read,
imported and analysed at once here, so the owner sees the result in the same conversation
(issue 16). A file with a bad row is stored as the document it is, but its lines are not
imported: the owner is told which rows to have the supplier fix."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

from bot.analysis.cards import analysis_card
from bot.analysis.report import import_report_lines
from bot.conversation.texts import text
from followup.analysis.findings import (
    CeilingAlertRenderer,
    FindingsUnitOfWork,
    record_period_findings,
)
from followup.analysis.models import ImportKind, Thresholds
from followup.analysis.reading import InvalidAnalysisFile
from followup.analysis.services import (
    AnalyseAgreement,
    ImportAnalysisFile,
    analyse,
    import_analysis_file,
)
from followup.deviations.services import DeviationAlertRenderer
from followup.errors import FollowUpError
from followup.models import Contract
from followup.ports import OutgoingMessage

log = logging.getLogger(__name__)


class TableFile(Protocol):
    """A table file looked at (`storage.register_files.RegisterFile`)."""

    @property
    def headers(self) -> tuple[str, ...]: ...
    def rows(self) -> Iterator[tuple[int, dict[str, object]]]: ...


OpenStatistics = Callable[[Path], TableFile]
"""Opens a statistics file; raises `FollowUpError` (Norwegian message) when it cannot."""


class AnalyseStatistics:
    """`bot.uploads.commands.StatisticsIntake`: import the file's lines and analyse them."""

    def __init__(
        self,
        uow_factory: Callable[[], FindingsUnitOfWork],
        open_file: OpenStatistics,
        thresholds: Thresholds,
        clock: Callable[[], datetime],
        alert_renderer: DeviationAlertRenderer,
        ceiling_renderer: CeilingAlertRenderer | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._open = open_file
        self._thresholds = thresholds
        self._clock = clock
        self._alerts = alert_renderer
        self._ceiling = ceiling_renderer

    async def __call__(
        self, contract: Contract, file_name: str, data: bytes, person_id: str, locale: str | None
    ) -> OutgoingMessage | None:
        return await asyncio.to_thread(self._run, contract, file_name, data, person_id, locale)

    def _run(
        self, contract: Contract, file_name: str, data: bytes, person_id: str, locale: str | None
    ) -> OutgoingMessage | None:
        now = self._clock()
        suffix = Path(file_name).suffix.lower() or ".csv"
        try:
            with tempfile.TemporaryDirectory(prefix="kv-statistics-") as folder:
                path = Path(folder) / f"statistikk{suffix}"
                path.write_bytes(data)
                table = self._open(path)
                with self._uow_factory() as uow:
                    report = import_analysis_file(
                        ImportAnalysisFile(
                            kind=ImportKind.STATISTICS,
                            rows=table.rows(),
                            headers=table.headers,
                            file_name=file_name,
                            sha256=hashlib.sha256(data).hexdigest(),
                            actor=person_id,
                            reference=contract.reference,
                        ),
                        uow,
                        now,
                    )
        except InvalidAnalysisFile as exc:
            return _said([text("analysis.chat.unreadable", locale), *exc.problems])
        except FollowUpError as exc:
            return _said([text("analysis.chat.unreadable", locale), str(exc)])
        if not report.stored:
            lines = import_report_lines(report, locale)
            return _said([text("analysis.chat.not_imported", locale), *lines])
        period = max(report.periods, key=lambda p: (p[1], p[0]), default=None)
        try:
            for each in report.periods:  # findings become deviations, reported by the sender
                with self._uow_factory() as uow:
                    record_period_findings(
                        contract.reference,
                        each,
                        person_id,
                        uow,
                        now,
                        thresholds=self._thresholds,
                        alert_renderer=self._alerts,
                        ceiling_renderer=self._ceiling,
                    )
                    uow.commit()
            with self._uow_factory() as uow:
                result = analyse(
                    AnalyseAgreement(contract.reference, period), uow, now, self._thresholds
                )
        except FollowUpError:
            log.exception("analysing imported statistics failed")
            return None
        card = analysis_card(result, locale)
        return OutgoingMessage(str(card.get("fallbackText", "")), card=card)


def _said(lines: Sequence[str]) -> OutgoingMessage:
    return OutgoingMessage("\n\n".join(line for line in lines if line))


__all__ = ["AnalyseStatistics", "OpenStatistics", "TableFile"]

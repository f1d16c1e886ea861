"""Opening the purchase analysis' files (price list, sales statistics, ledger extract): CSV and
Excel, streamed row by row as the contract register is (`storage.register_files`), each found
by its own column vocabulary (`followup.analysis.reading`)."""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path
from typing import Final

from followup.analysis.reading import MIN_HEADER_MATCHES, AnalysisFile, count_known_headers
from followup.register.reading import header_key
from storage.register_files import RegisterFile, Vocabulary, open_table_file

_EXAMPLES: Final = {
    AnalysisFile.PRICE_LIST: "Varenummer, Varetekst, Avtalt pris og Kjernesortiment",
    AnalysisFile.STATISTICS: "Periode, Kunde, Varenummer, Antall og Beløp eks. mva",
    AnalysisFile.LEDGER: "Bilagsdato, Org.nr, Leverandør, Beløp eks. mva og Konto",
}
_CONTENT: Final = {
    AnalysisFile.PRICE_LIST: "prislisten",
    AnalysisFile.STATISTICS: "salgsstatistikken",
    AnalysisFile.LEDGER: "regnskapsutdraget",
}
_SHEETS: Final = {
    AnalysisFile.PRICE_LIST: ("Prisliste", "Priser", "Price list", "Prices"),
    AnalysisFile.STATISTICS: ("Statistikk", "Salgsstatistikk", "Statistics", "Sales"),
    AnalysisFile.LEDGER: ("Regnskap", "Reskontro", "Bilag", "Ledger", "Transactions"),
}

VOCABULARIES: Final = {
    kind: Vocabulary(
        count_known=partial(count_known_headers, kind),
        min_matches=MIN_HEADER_MATCHES,
        sheet_names=frozenset(header_key(name) for name in _SHEETS[kind]),
        example_headers=_EXAMPLES[kind],
        content=_CONTENT[kind],
    )
    for kind in AnalysisFile
}


def open_analysis_file(path: Path, kind: AnalysisFile) -> RegisterFile:
    """Look at a file of `kind`; raise `RegisterFileError` (Norwegian) when it cannot be read."""
    return open_table_file(path, VOCABULARIES[kind])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()

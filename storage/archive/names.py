"""Namespaces, schema files and container names of Fiks Arkiv V1 (one place for the strings)."""

from __future__ import annotations

from typing import Final

_BASE: Final = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv"
ARKIVMELDING_NS: Final = f"{_BASE}/arkivmelding/opprett/v1"
RECEIPT_NS: Final = f"{_BASE}/arkivmelding/opprett/kvittering/v1"
METADATA_NS: Final = f"{_BASE}/metadatakatalog/v1"
ERROR_NS: Final = f"{_BASE}/feil/feilmelding/v1"
XSI_NS: Final = "http://www.w3.org/2001/XMLSchema-instance"

ARKIVMELDING_SCHEMA: Final = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.xsd"
RECEIPT_SCHEMA: Final = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering.xsd"

MESSAGE_TYPE: Final = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
RECEIPT_TYPE: Final = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"

ARKIVMELDING_FILE: Final = "arkivmelding.xml"
RECEIPT_FILE: Final = "arkivmelding-kvittering.xml"
"""The receipt's file name in a Fiks IO answer (as KS' integration tests expect it)."""

CREATED: Final = "Opprettet"
EXISTING: Final = "Eksisterende"


def qualified(namespace: str, name: str) -> str:
    """Clark notation: ``{namespace}name``."""
    return f"{{{namespace}}}{name}"

"""Named documentation (*dokumentasjon*): which document a file is, and what is still missing.

A checkpoint asks for documents by code (`Checkpoint.evidence`, from `default_plan.toml`):
`egenrapportering`, `lønnsslipper`, `timelister`, `arbeidsavtaler`, `skatteattest`,
`mannskapsliste`, `lærlingoversikt`, `underleverandøroversikt`, `salgsstatistikk`, `referat`,
`evaluering`; procurement may add its own. Codes are stored exactly as the plan spells them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from followup.words import fold_letters

# What people call these documents in file names, besides the code itself (folded: lower case,
# æ/ø/å as ae/o/a, letters and digits only).
SYNONYMS: Final[Mapping[str, tuple[str, ...]]] = {
    "skatteattest": ("attestskatt", "skattattest"),
    "egenrapportering": ("egenrapport", "egenerklaering"),
    "lønnsslipper": ("lonnsslipp", "lonnslipp", "lonnsspesifikasjon", "payslip"),
    "timelister": ("timeliste", "timeregistrering", "timesheet"),
    "arbeidsavtaler": ("arbeidsavtale", "arbeidskontrakt", "ansettelsesavtale"),
    "mannskapsliste": ("mannskap", "hmskort", "personalliste"),
    "lærlingoversikt": ("laerling",),
    "underleverandøroversikt": ("underleverandor",),
    "salgsstatistikk": ("salgsrapport", "statistikk"),
    "referat": ("motereferat",),
    "evaluering": ("leverandorvurdering",),
}


def fold(text: str) -> str:
    """`fold_letters` (lower case, æ/ø/å spelt out, accents dropped), only letters and digits
    left."""
    return re.sub(r"[^a-z0-9]+", "", fold_letters(text))


def guess_evidence(file_name: str, candidates: Sequence[str]) -> str | None:
    """Which of `candidates` (a checkpoint's evidence codes) the file name says the file is:
    `Skatteattest 2026.pdf` → `skatteattest`, `HMS-kort-liste uke 12.xlsx` → `mannskapsliste`.

    When several match, the longest match wins, then the earlier candidate. None when no
    candidate matches. A pure function: the name alone decides.
    """
    name = fold(file_name.rsplit(".", 1)[0] if "." in file_name else file_name)
    best: tuple[int, int, str] | None = None
    for index, code in enumerate(candidates):
        patterns = {fold(code), *SYNONYMS.get(code, ())}
        length = max((len(p) for p in patterns if p and p in name), default=0)
        if length and (best is None or (-length, index) < (best[0], best[1])):
            best = (-length, index, code)
    return best[2] if best else None


def missing_evidence(required: Sequence[str], delivered: Iterable[str | None]) -> list[str]:
    """The required codes not yet delivered, in the checkpoint's order."""
    have = {code for code in delivered if code}
    missing: list[str] = []
    for code in required:
        if code not in have and code not in missing:
            missing.append(code)
    return missing


__all__ = ["SYNONYMS", "fold", "guess_evidence", "missing_evidence"]

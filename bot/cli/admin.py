"""`kontraktsvakt admin grant <e-post>`: make the first administrator, on the server.

Only the first: once any administrator exists, roles are given in the chat with
`rolle gi <e-post> innkjøp | admin` (audited like this one, whose actor is `cli`). The person
must be in the register (the contract import, or a first message to the bot).

Exit codes: 0 when the role was given, 1 when refused (an administrator exists, nobody has
that address), 2 for an address that is not one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final, TextIO

from followup.access import AccessRefusal, bootstrap_admin
from followup.errors import FollowUpError
from storage.db import create_db_engine, create_session_factory
from storage.unit_of_work import SqlAlchemyUnitOfWorkFactory

EXIT_OK: Final = 0
EXIT_REFUSED: Final = 1
EXIT_USAGE: Final = 2

T_GRANTED = "{name} ({address}) er nå administrator. Flere roller gis i chatten: «rolle gi …»."
REFUSALS: Final = {
    AccessRefusal.ADMIN_EXISTS: (
        "Det finnes allerede en administrator. Be en administrator skrive "
        "«rolle gi {address} admin» til Kontraktsvakt i Teams."
    ),
    AccessRefusal.UNKNOWN_PERSON: (
        "Ingen med e-postadressen {address} står i registeret. Importer kontraktsregisteret, "
        "eller la personen skrive til boten først."
    ),
    AccessRefusal.BAD_ADDRESS: "«{address}» er ikke en e-postadresse.",
}


def run_admin_grant(
    database_url: str, address: str, now: datetime, *, stdout: TextIO, stderr: TextIO
) -> int:
    engine = create_db_engine(database_url)
    try:
        factory = SqlAlchemyUnitOfWorkFactory(create_session_factory(engine))
        with factory() as uow:
            made = bootstrap_admin(address, uow, now)
            uow.commit()
    except FollowUpError as error:
        code = error.code
        message = REFUSALS.get(AccessRefusal(code)) if code and _is_access(code) else None
        stderr.write((message or str(error)).format(address=address.strip()) + "\n")
        return EXIT_USAGE if error.code == AccessRefusal.BAD_ADDRESS else EXIT_REFUSED
    finally:
        engine.dispose()
    person = made.person
    stdout.write(
        T_GRANTED.format(name=person.display_name, address=person.email or person.upn or address)
        + "\n"
    )
    return EXIT_OK


def _is_access(code: str | None) -> bool:
    return code in {r.value for r in AccessRefusal}

"""The words of the public register's pages (`bot.public_register`): Bokmål first, English
second, same keys. The pages are in Bokmål (`lang="nb"`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    "public.site": "Rammeavtaler",
    "public.skip": "Hopp til hovedinnholdet",
    "public.nav": "Rammeavtaler",
    "public.nav.all": "Alle rammeavtaler",
    "public.nav.json": "Åpne data (JSON)",
    "public.nav.csv": "Åpne data (CSV)",
    "public.footer.accessibility": "Tilgjengelighetserklæring",
    "public.footer.about": (
        "Kommunens rammeavtaler som er merket offentlige. Priser og interne opplysninger "
        "publiseres ikke."
    ),
    "public.list.title": "Rammeavtaler",
    "public.list.intro": (
        "Her finner du kommunens rammeavtaler: hvem leverandøren er, hva som kan kjøpes, hvor "
        "lenge avtalen gjelder og hvordan du bestiller."
    ),
    "public.form.search": "Søk i rammeavtaler",
    "public.form.search_hint": "Søk i tittel, leverandør, hva som kan kjøpes og kategori.",
    "public.form.filters": "Avgrens",
    "public.form.category": "Kategori",
    "public.form.category_all": "Alle kategorier",
    "public.form.supplier": "Leverandør",
    "public.form.supplier_all": "Alle leverandører",
    "public.form.unit": "Hvem kan bruke avtalen",
    "public.form.unit_all": "Alle enheter",
    "public.form.validity": "Gyldighet",
    "public.form.validity.gyldig": "Gjeldende avtaler",
    "public.form.validity.utlopt": "Utløpte avtaler",
    "public.form.validity.alle": "Alle avtaler",
    "public.form.submit": "Søk",
    "public.form.reset": "Nullstill søket",
    "public.results.count": Plural(
        one="{count} rammeavtale", other="{count} rammeavtaler", by="count"
    ),
    "public.results.count_for": Plural(
        one="{count} rammeavtale for «{query}»",
        other="{count} rammeavtaler for «{query}»",
        by="count",
    ),
    "public.results.none": "Ingen rammeavtaler passer søket",
    "public.results.none_for": "Ingen rammeavtaler passer søket «{query}»",
    "public.results.none_hint": (
        "Prøv et annet ord, færre ord, eller se på alle avtaler (også utløpte)."
    ),
    "public.results.list": "Treff",
    "public.pages.nav": "Sider",
    "public.pages.position": "Side {page} av {pages}",
    "public.pages.previous": "Forrige side",
    "public.pages.next": "Neste side",
    "public.field.reference": "Avtalenummer",
    "public.field.supplier": "Leverandør",
    "public.field.organisation_number": "organisasjonsnummer {number}",
    "public.field.category": "Kategori",
    "public.field.cpv": "CPV-kode",
    "public.field.scope": "Hva kan kjøpes",
    "public.field.period": "Avtaleperiode",
    "public.field.valid_until": "Gjelder til",
    "public.field.status": "Status",
    "public.field.units": "Hvem kan bruke avtalen",
    "public.field.how_to_order": "Slik bestiller du",
    "public.field.contact": "Kontakt",
    "public.field.doffin": "Kunngjøring",
    "public.field.doffin_link": "Kunngjøringen på Doffin ({notice})",
    "public.value.none": "Ikke oppgitt",
    "public.value.ongoing": "Løpende avtale uten sluttdato",
    "public.value.from": "Fra {start}",
    "public.value.to": "Til {end}",
    "public.value.period": "{start} – {end}",
    "public.value.no_end": "Ingen sluttdato",
    "public.value.in_force": "Gjeldende",
    "public.value.expired": "Utløpt",
    "public.value.contact_hidden": "Ta kontakt med kommunens innkjøpsavdeling.",
    "public.options.caption": "Opsjoner (forlengelser)",
    "public.options.period": "Periode",
    "public.options.status": "Status",
    "public.options.none": "Avtalen har ingen opsjoner.",
    "public.detail.back": "Tilbake til alle rammeavtaler",
    "public.not_found.title": "Fant ikke siden",
    "public.not_found.body": (
        "Vi finner ingen offentlig rammeavtale eller side med denne adressen. Avtalen kan være "
        "fjernet, eller adressen kan være skrevet feil."
    ),
    "public.bad_request.title": "Søket kan ikke brukes",
    "public.error.query_too_long": Plural(
        one="Søket er for langt. Bruk høyst {limit} tegn.",
        other="Søket er for langt. Bruk høyst {limit} tegn.",
        by="limit",
    ),
    "public.error.category": "Ukjent kategori. Velg en kategori fra listen.",
    "public.error.supplier": "Ukjent leverandør. Velg en leverandør fra listen.",
    "public.error.unit": "Ukjent enhet. Velg en enhet fra listen.",
    "public.error.validity": "Ukjent gyldighet. Velg gjeldende, utløpte eller alle avtaler.",
    "public.error.page": "Sidenummeret må være et helt tall fra 1 til {limit}.",
    "public.error.page_beyond": Plural(
        one="Det finnes bare {count} side med treff.",
        other="Det finnes bare {count} sider med treff.",
        by="count",
    ),
    "public.error.method_title": "Kan bare leses",
    "public.error.method": "Denne siden kan bare leses.",
    "public.unavailable.title": "Tjenesten er ikke tilgjengelig",
    "public.unavailable.body": "Sidene kan ikke vises akkurat nå. Prøv igjen om litt.",
    "public.error.rate_title": "For mange forespørsler",
    "public.error.rate": Plural(
        one="Du har hentet sidene svært mange ganger på kort tid. Prøv igjen om {seconds} sekund.",
        other=(
            "Du har hentet sidene svært mange ganger på kort tid. Prøv igjen om {seconds} sekunder."
        ),
        by="seconds",
    ),
    "public.accessibility.title": "Tilgjengelighetserklæring",
    "public.accessibility.body": (
        "Sidene med kommunens rammeavtaler skal oppfylle kravene til universell utforming "
        "(WCAG 2.1 nivå AA). De kan brukes med tastatur og skjermleser, har tekst med god "
        "kontrast og virker uten JavaScript. Sidene testes automatisk med axe-core."
    ),
    "public.accessibility.report": (
        "Finner du noe som ikke virker for deg? Ta kontakt med kommunen. Du kan også klage "
        "til Tilsynet for universell utforming av IKT (Digitaliseringsdirektoratet)."
    ),
    "public.accessibility.uustatus": "Tilsynet for universell utforming av IKT",
}

EN: Words = {
    "public.site": "Framework agreements",
    "public.skip": "Skip to main content",
    "public.nav": "Framework agreements",
    "public.nav.all": "All framework agreements",
    "public.nav.json": "Open data (JSON)",
    "public.nav.csv": "Open data (CSV)",
    "public.footer.accessibility": "Accessibility statement",
    "public.footer.about": (
        "The municipality's framework agreements marked public. Prices and internal information "
        "are not published."
    ),
    "public.list.title": "Framework agreements",
    "public.list.intro": (
        "The municipality's framework agreements: who the supplier is, what may be bought, how "
        "long the agreement runs and how to order."
    ),
    "public.form.search": "Search framework agreements",
    "public.form.search_hint": "Searches title, supplier, what may be bought and category.",
    "public.form.filters": "Narrow down",
    "public.form.category": "Category",
    "public.form.category_all": "All categories",
    "public.form.supplier": "Supplier",
    "public.form.supplier_all": "All suppliers",
    "public.form.unit": "Who may use the agreement",
    "public.form.unit_all": "All units",
    "public.form.validity": "Validity",
    "public.form.validity.gyldig": "Agreements in force",
    "public.form.validity.utlopt": "Expired agreements",
    "public.form.validity.alle": "All agreements",
    "public.form.submit": "Search",
    "public.form.reset": "Clear the search",
    "public.results.count": Plural(
        one="{count} framework agreement", other="{count} framework agreements", by="count"
    ),
    "public.results.count_for": Plural(
        one="{count} framework agreement for “{query}”",
        other="{count} framework agreements for “{query}”",
        by="count",
    ),
    "public.results.none": "No framework agreements match the search",
    "public.results.none_for": "No framework agreements match “{query}”",
    "public.results.none_hint": (
        "Try another word, fewer words, or look at all agreements (expired ones too)."
    ),
    "public.results.list": "Results",
    "public.pages.nav": "Pages",
    "public.pages.position": "Page {page} of {pages}",
    "public.pages.previous": "Previous page",
    "public.pages.next": "Next page",
    "public.field.reference": "Agreement number",
    "public.field.supplier": "Supplier",
    "public.field.organisation_number": "organisation number {number}",
    "public.field.category": "Category",
    "public.field.cpv": "CPV code",
    "public.field.scope": "What may be bought",
    "public.field.period": "Agreement period",
    "public.field.valid_until": "Valid until",
    "public.field.status": "Status",
    "public.field.units": "Who may use the agreement",
    "public.field.how_to_order": "How to order",
    "public.field.contact": "Contact",
    "public.field.doffin": "Notice",
    "public.field.doffin_link": "The notice on Doffin ({notice})",
    "public.value.none": "Not given",
    "public.value.ongoing": "Ongoing agreement without an end date",
    "public.value.from": "From {start}",
    "public.value.to": "Until {end}",
    "public.value.period": "{start} – {end}",
    "public.value.no_end": "No end date",
    "public.value.in_force": "In force",
    "public.value.expired": "Expired",
    "public.value.contact_hidden": "Contact the municipality's procurement department.",
    "public.options.caption": "Options (extensions)",
    "public.options.period": "Period",
    "public.options.status": "Status",
    "public.options.none": "The agreement has no options.",
    "public.detail.back": "Back to all framework agreements",
    "public.not_found.title": "Page not found",
    "public.not_found.body": (
        "There is no public framework agreement or page at this address. The agreement may "
        "have been removed, or the address may be mistyped."
    ),
    "public.bad_request.title": "The search cannot be used",
    "public.error.query_too_long": Plural(
        one="The search is too long. Use at most {limit} character.",
        other="The search is too long. Use at most {limit} characters.",
        by="limit",
    ),
    "public.error.category": "Unknown category. Pick a category from the list.",
    "public.error.supplier": "Unknown supplier. Pick a supplier from the list.",
    "public.error.unit": "Unknown unit. Pick a unit from the list.",
    "public.error.validity": "Unknown validity. Pick agreements in force, expired or all.",
    "public.error.page": "The page number must be a whole number from 1 to {limit}.",
    "public.error.page_beyond": Plural(
        one="There is only {count} page of results.",
        other="There are only {count} pages of results.",
        by="count",
    ),
    "public.error.method_title": "Read only",
    "public.error.method": "This page can only be read.",
    "public.unavailable.title": "The service is unavailable",
    "public.unavailable.body": "The pages cannot be shown right now. Try again in a while.",
    "public.error.rate_title": "Too many requests",
    "public.error.rate": Plural(
        one="You have fetched the pages very many times in a short while. Try again in "
        "{seconds} second.",
        other="You have fetched the pages very many times in a short while. Try again in "
        "{seconds} seconds.",
        by="seconds",
    ),
    "public.accessibility.title": "Accessibility statement",
    "public.accessibility.body": (
        "The pages of the municipality's framework agreements are meant to meet the universal "
        "design requirements (WCAG 2.1 level AA). They work with a keyboard and a screen "
        "reader, have text with good contrast and need no JavaScript. They are tested "
        "automatically with axe-core."
    ),
    "public.accessibility.report": (
        "Something does not work for you? Contact the municipality. You may also complain to "
        "the Authority for Universal Design of ICT (the Norwegian Digitalisation Agency)."
    ),
    "public.accessibility.uustatus": "The Authority for Universal Design of ICT",
}

add_words(NB, EN)

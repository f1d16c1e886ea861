"""Words of documents sent to the bot: receiving, confirming and refusing files (merged into
`bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import add_words

NB: dict[str, str] = {
    "command.dokument": "Send dokumentasjon til en oppfølging",
    "help.cmd.dokument": (
        "«dokument KOM-2025-0147 [lenke]» – dokumentasjon til en oppfølging: legg ved filen her "
        "i chatten (med avtalenummeret i meldingen, eller etter «Last opp dokumentasjon» på "
        "kortet), eller lim inn en lenke"
    ),
    "upload.usage": (
        "Skriv avtalenummeret, og legg ved filen i samme melding eller lim inn en lenke, for "
        "eksempel «dokument KOM-2025-0147 https://…». Du kan også trykke «Last opp "
        "dokumentasjon» på kortet og så legge ved filen."
    ),
    "upload.personal_only": (
        "Dokumentasjon tar jeg bare imot i en personlig chat med meg. Send filen til meg direkte."
    ),
    "upload.unavailable": "Jeg kan ikke ta imot filer her akkurat nå.",
    "upload.no_file": (
        "Jeg fant ingen fil i meldingen. Legg ved filen med binders-ikonet under skrivefeltet, "
        "eller lim inn en lenke til den."
    ),
    "upload.busy": (
        "Jeg laster ned mange filer akkurat nå og tok ikke imot denne. Send den igjen om et "
        "par minutter."
    ),
    "upload.received_one": (
        "Mottatt, jeg laster ned «{name}» og lagrer den på {reference} – {title}. Du får "
        "beskjed her når den er lagret."
    ),
    "upload.received_many": (
        "Mottatt, jeg laster ned {count} filer og lagrer dem på {reference} – {title}. Du får "
        "beskjed her når de er lagret."
    ),
    "upload.link_name": "filen bak lenken til {host}",
    "upload.not_fetched": "«{name}» ble ikke hentet: {reason}",
    "upload.attach_now": (
        "Legg ved filen her i chatten (binders-ikonet under skrivefeltet), eller lim inn en "
        "lenke til den. Den blir lagret på {reference} – {title} (frist {due})."
    ),
    "upload.attach_missing": "Det som mangler: {names}.",
    "upload.which_title": "Hvilken oppfølging gjelder «{name}»?",
    "upload.which_title_many": "Hvilken oppfølging gjelder de {count} filene?",
    "upload.which_intro": (
        "Trykk «Lagre her» på oppfølgingen filen hører til, eller skriv «dokument "
        "<avtalenr>». Jeg husker filen i en time."
    ),
    "upload.which_item": "**{reference}** {title} – {checkpoint}, frist {due}",
    "upload.which_asks": "Ber om: {names}",
    "upload.store_here": "Lagre her",
    "upload.nothing_open": (
        "Du har ingen åpne oppfølginger som venter på dokumentasjon. Hvilken avtale gjelder "
        "filen? Skriv «dokument <avtalenr>», så lagrer jeg den der. Jeg husker filen i en time."
    ),
    "upload.none_for_contract": (
        "{reference} har ingen oppfølging som venter på dokumentasjon nå, så filen ble ikke lagret."
    ),
    "upload.confirm_head": "Mottatt for {reference} – {title}, {checkpoint} (frist {due})",
    "upload.confirm_none": (
        "Ingenting ble lagret på {reference} – {title}, {checkpoint} (frist {due})"
    ),
    "upload.confirm_stored": "«{name}» – {type}, {size}, SHA-256 {sha}",
    "upload.confirm_as": "lagret som {evidence}",
    "upload.confirm_duplicate": (
        "«{name}» – allerede mottatt {date} ({type}, {size}, SHA-256 {sha}); ikke lagret på nytt"
    ),
    "upload.confirm_refused": "«{name}» – ikke lagret: {reason}",
    "upload.confirm_missing": "Mangler fortsatt: {names}.",
    "upload.confirm_complete": "Alt som etterspørres, er levert.",
    "upload.failed": (
        "Beklager, noe gikk galt da jeg skulle lagre filen. Ingenting er lagret; send den "
        "igjen om litt. Feilen er logget."
    ),
    # The domain's refusals (followup.documents.services.UploadRefusal, DocumentRefusal).
    "upload.empty": "Filen er tom.",
    "upload.too_large": "Filen er for stor. Grensen er {max_mb} MB.",
    "upload.type_not_allowed": ("Filtypen «.{extension}» tar jeg ikke imot. Dette går: {allowed}."),
    "upload.content_mismatch": (
        "Innholdet er ikke en .{extension}-fil, selv om navnet sier det. Send den riktige filen."
    ),
    "upload.unknown_evidence": ("Oppfølgingen ber ikke om «{evidence}». Den ber om: {allowed}."),
    "upload.activity_reused": (
        "Denne meldingen er allerede brukt til et annet svar. Send filen i en ny melding."
    ),
    "document.not_found": "Jeg finner ikke dokumentet, eller du har ikke tilgang til det.",
    # Fetching (bot.teams.file_downloads.DownloadRefusal).
    "upload.bad_link": "Lenken kan jeg ikke bruke. Lim inn hele adressen, som begynner med https://.",
    "upload.not_https": (
        "Lenken er ikke sikker (den begynner ikke med https://), så jeg henter ikke filen."
    ),
    "upload.host_not_allowed": (
        "Jeg henter ikke filer fra {host}, bare fra kommunens SharePoint og OneDrive. Legg ved "
        "filen her i chatten i stedet."
    ),
    "upload.redirect_refused": (
        "Lenken sendte meg videre til {host}, og dit henter jeg ikke filer fra."
    ),
    "upload.download_failed": (
        "Nedlastingen feilet (svar {status}). Lenken kan ha gått ut: send filen på nytt."
    ),
    "upload.download_timeout": (
        "Nedlastingen tok for lang tid (over {seconds} sekunder). Prøv igjen, eller send en "
        "mindre fil."
    ),
    "upload.not_a_file": (
        "Lenken går til en nettside, ikke en fil. Lenker som krever innlogging kan jeg ikke "
        "hente: legg ved filen her i chatten i stedet."
    ),
}

EN: dict[str, str] = {
    "command.dokument": "Send documents for a follow-up",
    "help.cmd.dokument": (
        "“document KOM-2025-0147 [link]” – documents for a follow-up: attach the file in this "
        "chat (with the contract number in the message, or after “Upload documents” on the "
        "card), or paste a link"
    ),
    "upload.usage": (
        "Type the contract number, and attach the file to the same message or paste a link, "
        "for example “document KOM-2025-0147 https://…”. You can also press “Upload documents” "
        "on the card and then attach the file."
    ),
    "upload.personal_only": (
        "I only take documents in a personal chat with me. Send the file to me directly."
    ),
    "upload.unavailable": "I cannot take files here right now.",
    "upload.no_file": (
        "I found no file in the message. Attach the file with the paper clip below the box, "
        "or paste a link to it."
    ),
    "upload.busy": (
        "I am downloading many files right now and did not take this one. Send it again in a "
        "couple of minutes."
    ),
    "upload.received_one": (
        "Received, I am downloading “{name}” and storing it on {reference} – {title}. I will "
        "tell you here when it is stored."
    ),
    "upload.received_many": (
        "Received, I am downloading {count} files and storing them on {reference} – {title}. "
        "I will tell you here when they are stored."
    ),
    "upload.link_name": "the file behind the link to {host}",
    "upload.not_fetched": "“{name}” was not fetched: {reason}",
    "upload.attach_now": (
        "Attach the file in this chat (the paper clip below the box), or paste a link to it. "
        "It will be stored on {reference} – {title} (due {due})."
    ),
    "upload.attach_missing": "Still missing: {names}.",
    "upload.which_title": "Which follow-up is “{name}” for?",
    "upload.which_title_many": "Which follow-up are the {count} files for?",
    "upload.which_intro": (
        "Press “Store here” on the follow-up the file belongs to, or type “document "
        "<contract number>”. I will keep the file for an hour."
    ),
    "upload.which_item": "**{reference}** {title} – {checkpoint}, due {due}",
    "upload.which_asks": "Asks for: {names}",
    "upload.store_here": "Store here",
    "upload.nothing_open": (
        "You have no open follow-ups waiting for documents. Which contract is the file for? "
        "Type “document <contract number>” and I will store it there. I will keep the file for "
        "an hour."
    ),
    "upload.none_for_contract": (
        "{reference} has no follow-up waiting for documents now, so the file was not stored."
    ),
    "upload.confirm_head": "Received for {reference} – {title}, {checkpoint} (due {due})",
    "upload.confirm_none": (
        "Nothing was stored on {reference} – {title}, {checkpoint} (due {due})"
    ),
    "upload.confirm_stored": "“{name}” – {type}, {size}, SHA-256 {sha}",
    "upload.confirm_as": "stored as {evidence}",
    "upload.confirm_duplicate": (
        "“{name}” – already received {date} ({type}, {size}, SHA-256 {sha}); not stored again"
    ),
    "upload.confirm_refused": "“{name}” – not stored: {reason}",
    "upload.confirm_missing": "Still missing: {names}.",
    "upload.confirm_complete": "Everything asked for has been delivered.",
    "upload.failed": (
        "Sorry, something went wrong while storing the file. Nothing was stored; send it again "
        "in a little while. The error has been logged."
    ),
    "upload.empty": "The file is empty.",
    "upload.too_large": "The file is too large. The limit is {max_mb} MB.",
    "upload.type_not_allowed": "I do not take “.{extension}” files. These work: {allowed}.",
    "upload.content_mismatch": (
        "The content is not a .{extension} file, whatever the name says. Send the right file."
    ),
    "upload.unknown_evidence": (
        "The follow-up does not ask for “{evidence}”. It asks for: {allowed}."
    ),
    "upload.activity_reused": (
        "This message was already used for another answer. Send the file in a new message."
    ),
    "document.not_found": "I cannot find the document, or you may not see it.",
    "upload.bad_link": "I cannot use that link. Paste the whole address, starting with https://.",
    "upload.not_https": (
        "The link is not secure (it does not start with https://), so I did not fetch it."
    ),
    "upload.host_not_allowed": (
        "I do not fetch files from {host}, only from the municipality's SharePoint and OneDrive. "
        "Attach the file in this chat instead."
    ),
    "upload.redirect_refused": (
        "The link sent me on to {host}, and I do not fetch files from there."
    ),
    "upload.download_failed": (
        "The download failed (answer {status}). The link may have expired: send the file again."
    ),
    "upload.download_timeout": (
        "The download took too long (over {seconds} seconds). Try again, or send a smaller file."
    ),
    "upload.not_a_file": (
        "The link leads to a web page, not a file. I cannot fetch links that need signing in: "
        "attach the file in this chat instead."
    ),
}

add_words(NB, EN)

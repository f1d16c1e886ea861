"""Words of documents sent to the bot: receiving, confirming and refusing files (merged into
`bot.conversation.texts`)."""

from __future__ import annotations

from bot.conversation.texts import Plural, Words, add_words

NB: Words = {
    "command.dokument": "Send dokumentasjon til en oppfølging",
    "help.cmd.dokument": (
        "«dokument *avtalenr* [hva] [lenke]» – dokumentasjon til en oppfølging: legg ved filen "
        "her i chatten (med avtalenummeret i meldingen, eller etter «Last opp dokumentasjon» på "
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
    "upload.received": (
        "Mottatt, jeg laster ned «{name}» og lagrer den på {reference} – {title}. Du får "
        "beskjed her når den er lagret."
    ),
    "upload.received_files": Plural(
        one=(
            "Mottatt, jeg laster ned {count} fil og lagrer den på {reference} – {title}. Du får "
            "beskjed her når den er lagret."
        ),
        other=(
            "Mottatt, jeg laster ned {count} filer og lagrer dem på {reference} – {title}. Du "
            "får beskjed her når de er lagret."
        ),
    ),
    "upload.received_sorting": (
        "Mottatt, jeg laster ned «{name}» og ser hvilken dokumentasjon for {reference} den er. "
        "Du får beskjed her."
    ),
    "upload.received_sorting_files": Plural(
        one=(
            "Mottatt, jeg laster ned {count} fil og ser hvilken dokumentasjon for {reference} "
            "den er. Du får beskjed her."
        ),
        other=(
            "Mottatt, jeg laster ned {count} filer og ser hvilken dokumentasjon for {reference} "
            "de er. Du får beskjed her."
        ),
    ),
    "upload.link_name": "filen bak lenken til {host}",
    "upload.not_fetched": "«{name}» ble ikke hentet: {reason}",
    "upload.attach_now": (
        "Legg ved filen her i chatten (binders-ikonet under skrivefeltet), eller lim inn en "
        "lenke til den. Den blir lagret på {reference} – {title} (frist {due})."
    ),
    "upload.attach_missing": "Det som mangler: {names}.",
    "upload.attach_as": "Den lagres som {evidence}.",
    "upload.which_title": "Hvilken dokumentasjon er «{name}»?",
    "upload.which_title_files": Plural(
        one="Hvilken dokumentasjon er den {count} filen?",
        other="Hvilken dokumentasjon er de {count} filene?",
    ),
    "upload.which_intro": (
        "Jeg kan ikke se hva filen er. Trykk «Lagre her» på dokumentasjonen den er. Jeg husker "
        "filen i en time."
    ),
    "upload.which_typed": (
        "Du kan også skrive «dokument {reference}» og hva det er, for eksempel «dokument "
        "{reference} {example}»."
    ),
    "upload.which_typed_any": (
        "Du kan også skrive «dokument», avtalenummeret og hva det er, for eksempel «dokument "
        "{reference} {example}»."
    ),
    "upload.which_not_asked": (
        "Filen ser ut som {evidence}, men {reference} venter ikke på {evidence} nå."
    ),
    "upload.which_next_title": "Hvilken dokumentasjon sender du for {reference}?",
    "upload.which_next_intro": (
        "{reference} venter på flere dokumenter. Trykk «Velg» på det du sender, og legg så ved "
        "filen her i chatten."
    ),
    "upload.which_item": "**{evidence}** – {checkpoint}, frist {due}",
    "upload.which_item_contract": "**{reference}** {evidence} – {checkpoint}, frist {due}",
    "upload.which_more": "Og {count} til: skriv «dokument», avtalenummeret og hva det er.",
    "upload.store_here": "Lagre her",
    "upload.choose": "Velg",
    "upload.nothing_open": (
        "Du har ingen åpne oppfølginger som venter på dokumentasjon. Hvilken avtale gjelder "
        "filen? Skriv «dokument» og avtalenummeret, for eksempel «dokument KOM-2025-0147», så "
        "lagrer jeg den der. Jeg husker filen i en time."
    ),
    "upload.none_for_contract": (
        "{reference} har ingen oppfølging som venter på dokumentasjon nå, så filen ble ikke lagret."
    ),
    "upload.confirm_head": "Mottatt for {reference} – {title}, {checkpoint} (frist {due})",
    "upload.confirm_head_contract": "Mottatt for {reference} – {title}",
    "upload.confirm_none": (
        "Ingenting ble lagret på {reference} – {title}, {checkpoint} (frist {due})"
    ),
    "upload.confirm_none_contract": "Ingenting ble lagret på {reference} – {title}",
    "upload.confirm_stored": "«{name}» – {type}, {size}, SHA-256 {sha}",
    "upload.confirm_as": "lagret som {evidence}",
    "upload.confirm_on": "på {checkpoint} (frist {due})",
    "upload.confirm_place": "{checkpoint} (frist {due})",
    "upload.confirm_sent_as": "sendt som «{name}»",
    "upload.confirm_duplicate": (
        "«{name}» – allerede mottatt {date} ({type}, {size}, SHA-256 {sha}); ikke lagret på nytt"
    ),
    "upload.confirm_duplicate_at": (
        "«{name}» – allerede mottatt {date} på {place} ({type}, {size}, SHA-256 {sha}); ikke "
        "lagret på nytt"
    ),
    "upload.confirm_refused": "«{name}» – ikke lagret: {reason}",
    "upload.confirm_missing": "Mangler fortsatt: {names}.",
    "upload.confirm_missing_on": "{checkpoint} (frist {due}) mangler fortsatt: {names}.",
    "upload.confirm_complete": "Alt som etterspørres, er levert.",
    "upload.confirm_complete_on": "{checkpoint} (frist {due}): alt som etterspørres, er levert.",
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
    "upload.download_timeout": Plural(
        one=(
            "Nedlastingen tok for lang tid (over {seconds} sekund). Prøv igjen, eller send en "
            "mindre fil."
        ),
        other=(
            "Nedlastingen tok for lang tid (over {seconds} sekunder). Prøv igjen, eller send en "
            "mindre fil."
        ),
        by="seconds",
    ),
    "upload.not_a_file": (
        "Lenken går til en nettside, ikke en fil. Lenker som krever innlogging kan jeg ikke "
        "hente: legg ved filen her i chatten i stedet."
    ),
}

EN: Words = {
    "command.dokument": "Send documents for a follow-up",
    "help.cmd.dokument": (
        "“document KOM-2025-0147 [what] [link]” – documents for a follow-up: attach the file in "
        "this chat (with the contract number in the message, or after “Upload documents” on "
        "the card), or paste a link"
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
    "upload.received": (
        "Received, I am downloading “{name}” and storing it on {reference} – {title}. I will "
        "tell you here when it is stored."
    ),
    "upload.received_files": Plural(
        one=(
            "Received, I am downloading {count} file and storing it on {reference} – {title}. "
            "I will tell you here when it is stored."
        ),
        other=(
            "Received, I am downloading {count} files and storing them on {reference} – "
            "{title}. I will tell you here when they are stored."
        ),
    ),
    "upload.received_sorting": (
        "Received, I am downloading “{name}” and will see which document for {reference} it "
        "is. I will tell you here."
    ),
    "upload.received_sorting_files": Plural(
        one=(
            "Received, I am downloading {count} file and will see which document for "
            "{reference} it is. I will tell you here."
        ),
        other=(
            "Received, I am downloading {count} files and will see which documents for "
            "{reference} they are. I will tell you here."
        ),
    ),
    "upload.link_name": "the file behind the link to {host}",
    "upload.not_fetched": "“{name}” was not fetched: {reason}",
    "upload.attach_now": (
        "Attach the file in this chat (the paper clip below the box), or paste a link to it. "
        "It will be stored on {reference} – {title} (due {due})."
    ),
    "upload.attach_missing": "Still missing: {names}.",
    "upload.attach_as": "It will be stored as {evidence}.",
    "upload.which_title": "Which document is “{name}”?",
    "upload.which_title_files": Plural(
        one="Which document is the {count} file?", other="Which documents are the {count} files?"
    ),
    "upload.which_intro": (
        "I cannot tell what the file is. Press “Store here” on the document it is. I will keep "
        "the file for an hour."
    ),
    "upload.which_typed": (
        "You can also type “document {reference}” and what it is, for example “document "
        "{reference} {example}”."
    ),
    "upload.which_typed_any": (
        "You can also type “document”, the contract number and what it is, for example "
        "“document {reference} {example}”."
    ),
    "upload.which_not_asked": (
        "The file looks like {evidence}, but {reference} is not waiting for {evidence} now."
    ),
    "upload.which_next_title": "Which document are you sending for {reference}?",
    "upload.which_next_intro": (
        "{reference} is waiting for several documents. Press “Choose” on the one you are "
        "sending, then attach the file in this chat."
    ),
    "upload.which_item": "**{evidence}** – {checkpoint}, due {due}",
    "upload.which_item_contract": "**{reference}** {evidence} – {checkpoint}, due {due}",
    "upload.which_more": "And {count} more: type “document”, the contract number and what it is.",
    "upload.store_here": "Store here",
    "upload.choose": "Choose",
    "upload.nothing_open": (
        "You have no open follow-ups waiting for documents. Which contract is the file for? "
        "Type “document” and the contract number, for example “document KOM-2025-0147”, and I "
        "will store it there. I will keep the file for an hour."
    ),
    "upload.none_for_contract": (
        "{reference} has no follow-up waiting for documents now, so the file was not stored."
    ),
    "upload.confirm_head": "Received for {reference} – {title}, {checkpoint} (due {due})",
    "upload.confirm_head_contract": "Received for {reference} – {title}",
    "upload.confirm_none": (
        "Nothing was stored on {reference} – {title}, {checkpoint} (due {due})"
    ),
    "upload.confirm_none_contract": "Nothing was stored on {reference} – {title}",
    "upload.confirm_stored": "“{name}” – {type}, {size}, SHA-256 {sha}",
    "upload.confirm_as": "stored as {evidence}",
    "upload.confirm_on": "on {checkpoint} (due {due})",
    "upload.confirm_place": "{checkpoint} (due {due})",
    "upload.confirm_sent_as": "sent as “{name}”",
    "upload.confirm_duplicate": (
        "“{name}” – already received {date} ({type}, {size}, SHA-256 {sha}); not stored again"
    ),
    "upload.confirm_duplicate_at": (
        "“{name}” – already received {date} on {place} ({type}, {size}, SHA-256 {sha}); not "
        "stored again"
    ),
    "upload.confirm_refused": "“{name}” – not stored: {reason}",
    "upload.confirm_missing": "Still missing: {names}.",
    "upload.confirm_missing_on": "{checkpoint} (due {due}) is still missing: {names}.",
    "upload.confirm_complete": "Everything asked for has been delivered.",
    "upload.confirm_complete_on": (
        "{checkpoint} (due {due}): everything asked for has been delivered."
    ),
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
    "upload.download_timeout": Plural(
        one=(
            "The download took too long (over {seconds} second). Try again, or send a smaller file."
        ),
        other=(
            "The download took too long (over {seconds} seconds). Try again, or send a smaller "
            "file."
        ),
        by="seconds",
    ),
    "upload.not_a_file": (
        "The link leads to a web page, not a file. I cannot fetch links that need signing in: "
        "attach the file in this chat instead."
    ),
}

add_words(NB, EN)

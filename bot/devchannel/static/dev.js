// The dev chat page: pick a person, then chat with the bot through Web Chat as that person.
// Every request goes to this page's own origin (the page's Content-Security-Policy enforces it).
"use strict";

(function () {
  const ROLE_LABELS = {
    procurement: "innkjøp",
    admin: "administrator",
    owner: "kontraktseier",
    deputy: "stedfortreder",
  };
  const STORAGE_KEY = "kontraktsvakt.dev.personId";
  const byId = (id) => document.getElementById(id);

  function show(sectionId) {
    for (const section of document.querySelectorAll("main > section")) {
      section.hidden = section.id !== sectionId;
    }
  }

  function fail(message) {
    byId("error-text").textContent = message;
    show("error");
  }

  function loadWebChat() {
    return new Promise((resolve, reject) => {
      if (window.WebChat) {
        resolve(window.WebChat);
        return;
      }
      const script = document.createElement("script");
      script.src = "/dev/webchat.js";
      script.onload = () =>
        window.WebChat ? resolve(window.WebChat) : reject(new Error("WebChat mangler"));
      script.onerror = () => reject(new Error("webchat.js mangler"));
      document.head.appendChild(script);
    });
  }

  function roleText(person) {
    const labels = (person.roles || []).map((role) =>
      role === "deputy" && person.coveringFor
        ? ROLE_LABELS.deputy + " for " + person.coveringFor
        : ROLE_LABELS[role] || role,
    );
    return labels.length ? labels.join(" · ") : "ingen rolle";
  }

  // `2026-03-14` → `14.03.2026`, as Norwegians write a date.
  function norwegianDate(iso) {
    const [year, month, day] = iso.split("-");
    return `${day}.${month}.${year}`;
  }

  function badge(kind, text) {
    const element = document.createElement("span");
    element.className = "badge " + kind;
    element.textContent = text;
    return element;
  }

  // What is waiting for the person: overdue follow-ups, those due within a week, an absence.
  function badges(person) {
    const found = [];
    if (person.overdue > 0) {
      found.push(badge("overdue", person.overdue + " forfalt"));
    }
    if (person.dueSoon > 0) {
      found.push(badge("due", person.dueSoon + " med frist innen en uke"));
    }
    if (person.awayUntil) {
      found.push(badge("away", "borte til " + norwegianDate(person.awayUntil)));
    }
    if (!found.length) {
      return null;
    }
    const line = document.createElement("span");
    line.className = "badges";
    line.append(...found);
    return line;
  }

  function renderPeople(people, onPick) {
    const list = byId("people");
    list.replaceChildren();
    byId("empty").hidden = people.length > 0;
    for (const person of people) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.personId = person.id;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = person.displayName;
      const roles = document.createElement("span");
      roles.className = "roles";
      roles.textContent = roleText(person);
      const email = document.createElement("span");
      email.className = "email";
      email.textContent = person.email || "";
      button.append(name, roles);
      const waiting = badges(person);
      if (waiting) {
        button.append(waiting);
      }
      button.append(email);
      button.addEventListener("click", () => onPick(person.id));
      const item = document.createElement("li");
      item.append(button);
      list.append(item);
    }
    show("picker");
  }

  function initials(name) {
    return name
      .split(/\s+/u)
      .filter(Boolean)
      .slice(0, 2)
      .map((part) => part[0].toUpperCase())
      .join("");
  }

  async function startChat(WebChat, personId) {
    const response = await fetch("/_dev/api/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ personId }),
    });
    if (!response.ok) {
      sessionStorage.removeItem(STORAGE_KEY);
      return false;
    }
    const grant = await response.json();
    sessionStorage.setItem(STORAGE_KEY, personId);
    byId("who").textContent = "Du er " + grant.displayName;
    byId("who").hidden = false;
    byId("switch").hidden = false;
    show("chat");
    const directLine = WebChat.createDirectLine({
      domain: location.origin + "/_dev/directline/v3/directline",
      token: grant.token,
      webSocket: false,
      pollingInterval: 500,
    });
    WebChat.renderWebChat(
      {
        directLine,
        userID: grant.userId,
        username: grant.displayName,
        locale: "nb-NO",
        styleOptions: {
          hideUploadButton: false,
          botAvatarInitials: "KV",
          userAvatarInitials: initials(grant.displayName),
        },
      },
      byId("webchat"),
    );
    return true;
  }

  async function main() {
    byId("switch").addEventListener("click", () => {
      sessionStorage.removeItem(STORAGE_KEY);
      location.reload();
    });
    let WebChat;
    try {
      WebChat = await loadWebChat();
    } catch {
      show("missing");
      return;
    }
    const remembered = sessionStorage.getItem(STORAGE_KEY);
    if (remembered && (await startChat(WebChat, remembered))) {
      return;
    }
    const response = await fetch("/_dev/api/people");
    if (!response.ok) {
      fail("Kunne ikke hente personene (HTTP " + response.status + ").");
      return;
    }
    renderPeople(await response.json(), (personId) =>
      startChat(WebChat, personId).then((ok) => ok || fail("Fant ikke personen.")),
    );
  }

  main().catch((error) => fail("Noe gikk galt: " + error.message));
})();

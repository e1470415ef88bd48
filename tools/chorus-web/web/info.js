// SPDX-License-Identifier: BSD-2-Clause
// Security info: sign in (password, then a second factor), list the
// methods, and change them; every change first runs "confirm that it is
// you" (a fresh password and second factor), as chorus-enroll does.
"use strict";

const panes = ["overview", "confirm", "app-form", "contact-form", "codes", "push-form"];
function only(id) {
  for (const p of panes) chorus.show(p, p === id);
}

const METHOD_NAMES = { app: "Authenticator app", sms: "Text message", call: "Phone call", sms2: "Text message to the alternate phone", call2: "Call to the alternate phone", push: "Approve on my phone" };
let contactWhich = "phone";

function message(text, error) {
  chorus.say(chorus.el("overview-messages"), error ? { ok: false, error: text } : { messages: [{ text }] });
}

function row(id, title, detail, buttons) {
  const div = document.createElement("div");
  div.className = "method";
  div.id = id;
  const b = document.createElement("b");
  b.textContent = title;
  div.appendChild(b);
  if (detail) {
    const span = document.createElement("span");
    span.textContent = " " + detail;
    div.appendChild(span);
  }
  const actions = document.createElement("div");
  for (const [label, bid, fn] of buttons) {
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "secondary";
    btn.id = bid;
    btn.textContent = label;
    btn.addEventListener("click", fn);
    actions.appendChild(btn);
  }
  div.appendChild(actions);
  return div;
}

async function refresh() {
  const j = await chorus.get("/api/info");
  if (!j.ok) {
    if (j.ended) location.reload();
    message(j.error, true);
    return;
  }
  chorus.el("who").textContent = j.user;
  const list = chorus.el("method-list");
  list.textContent = "";
  (j.apps || []).forEach((name, i) => {
    const n = String(i + 1);
    list.appendChild(row("app-" + n, "Authenticator app", name ? "\u201c" + name + "\u201d" : "", [
      ["Rename", "rename-app-" + n, () => rename(n)],
      ["Remove", "remove-app-" + n, () => change("/api/app/remove", { app: n }, "The app was removed.")],
    ]));
  });
  const contact = (which, title, value, proven) => {
    if (!value) return;
    list.appendChild(row("contact-" + which, title, value + (proven ? "" : " (not proven)"), [
      ["Remove", "remove-" + which, () => change("/api/remove", { method: which }, "Removed.")],
    ]));
  };
  contact("phone", "Phone", j.phone, j.phone_proven);
  contact("phone2", "Alternate phone", j.phone2, j.phone2_proven);
  contact("email", "Email", j.email, j.email_proven);
  if (j.push) {
    list.appendChild(row("push", "Phone", "approves sign-ins (push)", [
      ["Remove", "remove-push", () => change("/api/remove", { method: "push" }, "The phone was removed.")],
    ]));
  }
  if (j.recovery_left > 0) {
    list.appendChild(row("recovery", "Recovery codes", j.recovery_left + " left", [
      ["Remove", "remove-recovery", () => change("/api/remove", { method: "recovery" }, "Recovery codes removed.")],
    ]));
  }
  const sel = chorus.el("default-method");
  sel.textContent = "";
  const options = ["app"];
  if (j.phone && j.phone_proven) options.push("sms", "call");
  if (j.phone2 && j.phone2_proven) options.push("sms2", "call2");
  if (j.push) options.push("push");
  for (const m of options) {
    const o = document.createElement("option");
    o.value = m;
    o.textContent = METHOD_NAMES[m];
    if (m === j.default) o.selected = true;
    sel.appendChild(o);
  }
  only("overview");
}

// "Confirm that it is you": every change needs a fresh proof. When it is not
// given, back to the overview, saying that nothing changed.
async function confirmed() {
  only("confirm");
  const box = chorus.el("confirm-converse");
  const first = await chorus.post("/api/confirm", {});
  const j = await chorus.converse(box, first);
  if (j.ok === true) return true;
  only("overview");
  message("Not confirmed: nothing was changed.", true);
  return false;
}

async function change(path, fields, done) {
  if (!(await confirmed())) return;
  const j = await chorus.post(path, fields);
  await refresh();
  if (j.ok) message(done, false);
  else chorus.say(chorus.el("overview-messages"), j);
}

async function rename(n) {
  const name = window.prompt("New name for this app:");
  if (name) await change("/api/app/rename", { app: n, name }, "The app was renamed.");
}

async function addApp() {
  if (!(await confirmed())) return;
  const j = await chorus.post("/api/app/new", {});
  if (!j.ok) {
    only("overview");
    chorus.say(chorus.el("overview-messages"), j);
    return;
  }
  chorus.el("qr").src = "data:image/svg+xml;base64," + btoa(j.svg);
  chorus.el("app-key").textContent = j.secret;
  chorus.el("app-code").value = "";
  chorus.el("app-messages").textContent = "";
  only("app-form");
}

async function saveApp(ev) {
  ev.preventDefault();
  const j = await chorus.post("/api/app/save", { code: chorus.el("app-code").value, name: chorus.el("app-name").value });
  if (j.ok) {
    await refresh();
    message("The app was added.", false);
  } else {
    chorus.say(chorus.el("app-messages"), j);
  }
}

async function addPush() {
  if (!(await confirmed())) return;
  const j = await chorus.post("/api/push/new", {});
  if (!j.ok) {
    only("overview");
    chorus.say(chorus.el("overview-messages"), j);
    return;
  }
  chorus.el("push-qr").src = "data:image/svg+xml;base64," + btoa(j.svg);
  chorus.el("push-link").href = j.uri;
  chorus.el("push-converse").textContent = "";
  chorus.show("push-next", true);
  only("push-form");
}

// The app registers, then a test request with a number appears on the
// phone; the conversation shows the number and waits for the Enter.
async function finishPush() {
  chorus.show("push-next", false);
  const first = await chorus.post("/api/push/finish", {});
  const j = await chorus.converse(chorus.el("push-converse"), first);
  if (j.ok) {
    await refresh();
    message("The phone was added: sign-ins now ask it for approval.", false);
  }
}

function addContact(which) {
  contactWhich = which;
  const email = which === "email";
  chorus.el("contact-title").textContent = email ? "Email" : which === "phone2" ? "Alternate phone" : "Phone";
  chorus.el("contact-label").textContent = email ? "Email address" : "Phone number (international, e.g. +6421555123)";
  chorus.show("contact-how-box", !email);
  chorus.el("contact-value").value = "";
  chorus.el("contact-converse").textContent = "";
  only("contact-form");
}

async function proveContact(ev) {
  ev.preventDefault();
  const value = chorus.el("contact-value").value;
  const how = contactWhich === "email" ? "email" : chorus.el("contact-how").value;
  if (!(await confirmed())) return;
  only("contact-form");
  chorus.show("contact-form", false);
  const first = await chorus.post("/api/contact", { which: contactWhich, value, how });
  const j = await chorus.converse(chorus.el("contact-converse"), first);
  if (j.ok) {
    await refresh();
    message("Saved and proven.", false);
  }
}

async function newCodes() {
  if (!(await confirmed())) return;
  const j = await chorus.post("/api/recovery", {});
  if (!j.ok) {
    await refresh();
    chorus.say(chorus.el("overview-messages"), j);
    return;
  }
  const list = chorus.el("code-list");
  list.textContent = "";
  for (const c of j.codes) {
    const li = document.createElement("li");
    li.textContent = c;
    list.appendChild(li);
  }
  only("codes");
}

document.addEventListener("DOMContentLoaded", async () => {
  const s = await chorus.session();
  if (s.signed_in) {
    chorus.show("signin", false);
    await refresh();
  }
  chorus.el("signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const first = await chorus.post("/api/signin", { user: chorus.el("user").value });
    chorus.show("signin", false);
    const j = await chorus.converse(chorus.el("signin-converse"), first);
    if (j.ok) {
      chorus.el("signin-converse").textContent = "";
      await refresh();
    } else {
      chorus.show("signin", true);
    }
  });
  chorus.el("add-app").addEventListener("click", addApp);
  chorus.el("app-form").addEventListener("submit", saveApp);
  chorus.el("add-phone").addEventListener("click", () => addContact("phone"));
  chorus.el("add-phone2").addEventListener("click", () => addContact("phone2"));
  chorus.el("add-email").addEventListener("click", () => addContact("email"));
  chorus.el("add-push").addEventListener("click", addPush);
  chorus.el("push-next").addEventListener("click", finishPush);
  chorus.el("contact-form").addEventListener("submit", proveContact);
  chorus.el("new-codes").addEventListener("click", newCodes);
  chorus.el("codes-done").addEventListener("click", refresh);
  chorus.el("default-save").addEventListener("click", () =>
    change("/api/default", { method: chorus.el("default-method").value }, "The default method was saved."));
  chorus.el("confirm-cancel").addEventListener("click", async (ev) => {
    ev.preventDefault();
    await refresh();
  });
  chorus.el("signout").addEventListener("click", async () => {
    await chorus.post("/api/signout", {});
    location.assign("/");
  });
});

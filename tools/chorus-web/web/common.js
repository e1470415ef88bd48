// SPDX-License-Identifier: BSD-2-Clause
// What both pages share: the session's CSRF token, posting a form to the
// API, showing messages, and a conversation (the server asks, the person
// answers) rendered into a box. Text is always set with textContent.
"use strict";

const chorus = {
  csrf: "",
  digits: 6,

  async session() {
    const r = await fetch("/api/session", { credentials: "same-origin" });
    const j = await r.json();
    chorus.csrf = j.csrf || "";
    chorus.digits = j.digits || 6;
    return j;
  },

  async get(path) {
    const r = await fetch(path, { credentials: "same-origin" });
    return chorus.answer(r);
  },

  async post(path, fields) {
    const body = new URLSearchParams(fields || {});
    body.set("csrf", chorus.csrf);
    const r = await fetch(path, { method: "POST", credentials: "same-origin", body });
    return chorus.answer(r);
  },

  async answer(r) {
    let j;
    try {
      j = await r.json();
    } catch (e) {
      j = { ok: false, error: "The server did not answer. Try again." };
    }
    if (j.csrf) chorus.csrf = j.csrf;
    return j;
  },

  el(id) {
    return document.getElementById(id);
  },

  show(id, on) {
    chorus.el(id).classList.toggle("hidden", !on);
  },

  // Writes the answer's messages (and its error) into the element.
  say(box, j) {
    box.textContent = "";
    for (const m of j.messages || []) {
      const p = document.createElement("p");
      p.textContent = m.text;
      if (m.error) p.className = "error";
      box.appendChild(p);
    }
    if (j.ok === false && j.error) {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = j.error;
      box.appendChild(p);
    }
  },

  // Runs a conversation in box: `first` is the answer that started it.
  // Resolves with the final answer (state "done", or an error).
  converse(box, first) {
    return new Promise((resolve) => {
      const step = (j) => {
        box.textContent = "";
        const said = document.createElement("div");
        said.className = "messages";
        chorus.say(said, j);
        box.appendChild(said);
        if (j.state !== "ask") {
          resolve(j);
          return;
        }
        const form = document.createElement("form");
        const label = document.createElement("label");
        label.textContent = j.prompt;
        label.htmlFor = "converse-input";
        const input = document.createElement("input");
        input.id = "converse-input";
        input.type = j.echo ? "text" : "password";
        input.autocomplete = "off";
        const button = document.createElement("button");
        button.id = "converse-send";
        button.type = "submit";
        button.textContent = "Continue";
        form.append(label, input, button);
        form.addEventListener("submit", async (ev) => {
          ev.preventDefault();
          button.disabled = true;
          const text = input.value;
          input.value = "";
          step(await chorus.post("/api/answer", { text }));
        });
        box.appendChild(form);
        input.focus();
      };
      step(first);
    });
  },
};

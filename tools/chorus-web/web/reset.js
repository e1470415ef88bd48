// SPDX-License-Identifier: BSD-2-Clause
// Forgot password: identify, the emailed code, a second method (a
// conversation with the server), then the new password with a checklist
// the server evaluates as it is typed. The server decides everything; the
// page only shows what it says.
"use strict";

const METHOD_TEXT = {
  app: "Use a code from my authenticator app (or a recovery code)",
  sms: "Text me a code",
  call: "Call me",
  sms2: "Text me a code on my alternate phone",
  call2: "Call my alternate phone",
  push: "Approve on my phone",
};

const steps = ["step-identify", "step-email", "step-method", "step-converse", "step-password", "step-done"];
function only(id) {
  for (const s of steps) chorus.show(s, s === id);
}

let methods = [];
let checkSeq = 0;

function showMethods() {
  const box = chorus.el("methods");
  box.textContent = "";
  for (const m of methods) {
    const b = document.createElement("button");
    b.type = "button";
    b.id = "method-" + m;
    b.className = "secondary";
    b.textContent = METHOD_TEXT[m] || m;
    b.addEventListener("click", () => secondFactor(m));
    box.appendChild(b);
    box.appendChild(document.createElement("br"));
  }
  only("step-method");
}

async function secondFactor(method) {
  only("step-converse");
  const box = chorus.el("converse");
  box.textContent = "";
  const first = await chorus.post("/api/reset/second", { method });
  const j = await chorus.converse(box, first);
  if (j.ok) {
    only("step-password");
    chorus.el("new-password").focus();
    checkRules();
  }
}

function renderRules(j, same) {
  const list = chorus.el("rules");
  list.textContent = "";
  const rules = (j.rules || []).slice();
  rules.push({ id: "same", text: "Both passwords are the same", met: same });
  for (const r of rules) {
    const li = document.createElement("li");
    li.id = "rule-" + r.id;
    li.textContent = r.text;
    if (r.met) li.className = "met";
    list.appendChild(li);
  }
  chorus.el("set-password").disabled = !(j.all_met && same);
}

async function checkRules() {
  const seq = ++checkSeq;
  const password = chorus.el("new-password").value;
  const confirm = chorus.el("confirm-password").value;
  const j = await chorus.post("/api/reset/rules", { password });
  if (seq !== checkSeq) return; // a later keystroke's answer is coming
  renderRules(j, password !== "" && password === confirm);
  chorus.el("rules").dataset.checked = String(seq);
}

function eye(buttonId, inputId) {
  chorus.el(buttonId).addEventListener("click", () => {
    const input = chorus.el(inputId);
    const showing = input.type === "text";
    input.type = showing ? "password" : "text";
    chorus.el(buttonId).textContent = showing ? "Show" : "Hide";
    chorus.el(buttonId).setAttribute("aria-label", showing ? "Show password" : "Hide password");
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  await chorus.session();

  chorus.el("step-identify").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const j = await chorus.post("/api/reset/start", { identifier: chorus.el("identifier").value });
    chorus.say(chorus.el("identify-messages"), j);
    if (j.ok) only("step-email");
  });

  chorus.el("resend").addEventListener("click", async (ev) => {
    ev.preventDefault();
    const j = await chorus.post("/api/reset/resend", {});
    const box = chorus.el("email-messages");
    if (j.ok) {
      chorus.say(box, { messages: [{ text: "A new code is on its way. The previous one no longer works." }] });
    } else {
      chorus.say(box, { ok: false, error: j.wait ? "Wait " + j.wait + " seconds before asking for another code." : j.error });
    }
  });

  chorus.el("step-email").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const j = await chorus.post("/api/reset/code", { code: chorus.el("email-code").value });
    chorus.say(chorus.el("email-messages"), j);
    if (j.ok) {
      methods = j.methods || [];
      showMethods();
    }
  });

  chorus.el("other-method").addEventListener("click", (ev) => {
    ev.preventDefault();
    showMethods();
  });

  chorus.el("new-password").addEventListener("input", checkRules);
  chorus.el("confirm-password").addEventListener("input", checkRules);
  eye("eye-new", "new-password");
  eye("eye-confirm", "confirm-password");

  chorus.el("step-password").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    chorus.el("set-password").disabled = true;
    const j = await chorus.post("/api/reset/set", {
      password: chorus.el("new-password").value,
      confirm: chorus.el("confirm-password").value,
    });
    chorus.say(chorus.el("password-messages"), j);
    if (j.ok) {
      chorus.el("new-password").value = "";
      chorus.el("confirm-password").value = "";
      only("step-done");
    } else {
      checkRules();
    }
  });
});

#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""chorus-web in a real browser: headless Chromium driven by Selenium
against the real service, SMTP sink and gateway. Forgot password end to end
with the checklist read from the page after every keystroke; Security info
with the QR code scanned off the screen (zbarimg) and turned into a code
(oathtool). A screenshot of every step is kept in --shots.

    test_browser.py --web W --broker B --deliver D --ctl C --module M --reset-service S --shots DIR CASE
"""
import argparse
import os
import shutil
import subprocess
import sys
import urllib.parse

from web_env import OLD_PASSWORD, SKIP, Env, Fail, case_registry, check, run_case

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = None

NEW_PASSWORD = "Blue-Kite-42x"
CASES = {}
case = case_registry(CASES)


class Browser:
    def __init__(self, env, shots, name):
        opts = webdriver.ChromeOptions()
        for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--window-size=900,1300", "--disable-extensions", "--no-first-run"]:
            opts.add_argument(a)
        opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        self.d = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                  options=opts)
        self.env = env
        self.shots = shots
        self.name = name
        self.n = 0

    def quit(self):
        self.d.quit()

    def open(self, path):
        self.d.get(self.env.base + path)

    def el(self, id_):
        return self.d.find_element(By.ID, id_)

    def wait(self, cond, what, timeout=20):
        try:
            # The pages replace their nodes as answers come: a node found a
            # moment ago may be gone; look again rather than fail.
            return WebDriverWait(self.d, timeout, poll_frequency=0.05,
                                 ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)
                                 ).until(lambda d: cond())
        except TimeoutException:
            self.shot("timeout")
            raise Fail("timed out waiting for " + what)

    def visible(self, id_):
        return self.wait(lambda: self.el(id_).is_displayed() and self.el(id_), id_ + " to show")

    def type(self, id_, text):
        e = self.visible(id_)
        e.clear()
        e.send_keys(text)

    def click(self, id_):
        self.wait(lambda: self.el(id_).is_displayed() and (self.el(id_).click() or True), "clicking " + id_)

    def shot(self, step):
        self.n += 1
        os.makedirs(self.shots, exist_ok=True)
        self.d.save_screenshot(os.path.join(self.shots, "%s-%02d-%s.png" % (self.name, self.n, step)))

    def converse(self, answers):
        """Answers the page's conversation prompts in order."""
        for a in answers:
            prompt = self.wait(lambda: self.d.find_elements(By.ID, "converse-input"), "a prompt")
            self.shot("prompt")
            prompt[0].send_keys(a() if callable(a) else a)
            self.d.find_element(By.ID, "converse-send").click()
            # The page replaces the form when the server answers: wait for a
            # new one (or none) in one script, free of stale references.
            self.wait(lambda: self.d.execute_script(
                "const b = document.getElementById('converse-send'); return b === null || !b.disabled;"),
                "the answer to be taken")

    def errors(self):
        # Read in one script: the page replaces these nodes as answers come.
        return self.d.execute_script("return [...document.querySelectorAll('p.error')]"
                                     ".filter(e => e.offsetParent !== null).map(e => e.textContent);")


def expected_rules(password):
    classes = sum([any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)])
    return {"min_length": len(password) >= 10, "classes": classes >= 3}


def rules_on_page(b):
    return {li.get_attribute("id")[5:]: "met" in (li.get_attribute("class") or "")
            for li in b.d.find_elements(By.CSS_SELECTOR, "#rules li")}


@case
def browser_reset(env, b):
    """Forgot password: email code, SMS, the live checklist, the eye, PAM."""
    user = env.add_user(email="browser@example.org", phone="+6421555567")
    env.start()
    b.open("/")
    b.shot("home")
    b.click("go-reset")
    b.type("identifier", "browser@example.org")
    b.shot("identify")
    b.click("identify-next")
    b.visible("email-code").send_keys(env.wait_mail_code())
    b.shot("email-code")
    b.click("email-verify")
    b.visible("method-sms")
    b.shot("methods")
    check(b.el("method-call").is_displayed() and b.el("method-app").is_displayed(), "methods missing")
    b.click("method-sms")
    b.converse([lambda: env.wait_sms_code()])
    new = b.visible("new-password")
    b.shot("password-empty")
    button = b.el("set-password")
    check(not button.is_enabled(), "the button is enabled before any rule is met")
    seq = int(b.el("rules").get_attribute("data-checked") or 0)
    # Type the password one key at a time and read the ticks after each.
    for i, ch in enumerate(NEW_PASSWORD):
        new.send_keys(ch)
        seq += 1
        b.wait(lambda: b.el("rules").get_attribute("data-checked") == str(seq), "the checklist after key %d" % (i + 1))
        got = rules_on_page(b)
        want = expected_rules(NEW_PASSWORD[:i + 1])
        for rule, met in want.items():
            check(got.get(rule) == met, "after %r rule %s shows %s" % (NEW_PASSWORD[:i + 1], rule, got.get(rule)))
        check(got.get("same") is False and not button.is_enabled(), "enabled before the confirmation matches")
    b.shot("password-typed")
    confirm = b.el("confirm-password")
    for i, ch in enumerate(NEW_PASSWORD):
        confirm.send_keys(ch)
        seq += 1
        b.wait(lambda: b.el("rules").get_attribute("data-checked") == str(seq), "the checklist on confirm")
        done = i == len(NEW_PASSWORD) - 1
        check(rules_on_page(b).get("same") is done and button.is_enabled() is done,
              "confirm after %d keys: same=%s enabled=%s" % (i + 1, rules_on_page(b).get("same"), button.is_enabled()))
    check(all(rules_on_page(b).values()), "not every rule ticked: %r" % rules_on_page(b))
    check(new.get_attribute("type") == "password", "the password shows before the eye is used")
    b.click("eye-new")
    check(new.get_attribute("type") == "text" and new.get_attribute("value") == NEW_PASSWORD, "the eye did not show it")
    b.shot("password-shown")
    b.click("eye-new")
    check(new.get_attribute("type") == "password", "the eye did not hide it again")
    b.click("set-password")
    b.visible("done-text")
    b.shot("done")
    check(env.password_works(user, NEW_PASSWORD), "the new password does not work")
    check(not env.password_works(user, OLD_PASSWORD), "the old password still works")


@case
def browser_reset_refuses_wrong_code(env, b):
    """A wrong emailed code is refused on the page and nothing moves on;
    Re-send is throttled as in chorus-reset."""
    env.add_user(email="wrong@example.org")
    env.start()
    b.open("/reset")
    b.type("identifier", "wrong@example.org")
    b.click("identify-next")
    b.visible("email-code").send_keys("000000")
    b.click("email-verify")
    b.wait(lambda: b.errors(), "an error")
    b.shot("wrong-code")
    check(not b.el("step-method").is_displayed(), "a wrong code moved on")
    b.click("resend")
    b.wait(lambda: any("Wait" in e for e in b.errors()), "the re-send throttle")
    b.shot("resend-throttled")


def scan_qr(b, path):
    b.el("qr").screenshot(path)
    p = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True, timeout=30)
    check(p.returncode == 0 and p.stdout.startswith("otpauth://totp/"), "the QR did not scan: %r" % p.stdout)
    uri = p.stdout.strip()
    secret = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)["secret"][0]
    return uri, secret


@case
def browser_security_info(env, b):
    """Sign in, add an app by scanning its QR code, rename it, make the
    default the phone, new recovery codes, remove the app, sign out; each
    change confirmed with the password and a recovery code."""
    user = env.add_user(phone="+6421555567")
    codes = env.ctl("recovery-codes", user).stdout.split()
    env.start()
    b.open("/info")
    b.type("user", user)
    b.shot("signin")
    b.click("signin-next")
    b.converse([OLD_PASSWORD, env.app_code()])
    b.visible("overview")
    b.shot("overview")
    check(b.el("who").text == user, "signed in as %r" % b.el("who").text)
    check(b.el("app-1").is_displayed() and b.el("contact-phone").is_displayed(), "methods not listed")
    # Add an app: confirm, scan, type its code.
    b.click("add-app")
    b.converse([OLD_PASSWORD, codes[0]])
    b.visible("qr")
    b.wait(lambda: b.d.execute_script("return document.getElementById('qr').complete && "
                                      "document.getElementById('qr').naturalWidth > 0"), "the QR image")
    b.shot("qr")
    uri, secret = scan_qr(b, os.path.join(b.shots, "qr-scanned.png"))
    check(secret.replace(" ", "") == b.el("app-key").text.replace(" ", ""), "the key text differs from the QR")
    check(user in urllib.parse.unquote(uri), "the QR does not name the account: " + uri)
    b.type("app-name", "tablet")
    b.type("app-code", env.app_code(secret))
    b.click("app-save")
    b.visible("app-2")
    b.shot("two-apps")
    check("tablet" in b.el("app-2").text, "the new app's name: %r" % b.el("app-2").text)
    apps = env.ctl("apps", user).stdout
    check("tablet" in apps, "the app was not saved: " + apps)
    # Rename it.
    b.click("rename-app-2")
    alert = b.wait(lambda: b.d.switch_to.alert, "the rename prompt")
    alert.send_keys("work tablet")
    alert.accept()
    b.converse([OLD_PASSWORD, codes[1]])
    b.wait(lambda: "work tablet" in b.visible("app-2").text, "the new name")
    # The default method: the proven phone.
    b.visible("default-method")
    b.d.execute_script("document.getElementById('default-method').value = 'sms';")
    b.click("default-save")
    b.converse([OLD_PASSWORD, codes[2]])
    b.visible("overview")
    b.wait(lambda: "sms" in env.ctl("status", user).stdout.lower(), "the default to be saved")
    # New recovery codes: shown once.
    b.click("new-codes")
    b.converse([OLD_PASSWORD, codes[3]])
    b.visible("codes")
    shown = [li.text for li in b.d.find_elements(By.CSS_SELECTOR, "#code-list li")]
    b.shot("recovery-codes")
    check(len(shown) >= 5 and codes[4] not in shown, "recovery codes: %r" % shown)
    b.click("codes-done")
    # Remove the second app, confirmed with one of the new codes.
    b.click("remove-app-2")
    b.converse([OLD_PASSWORD, shown[0]])
    b.wait(lambda: not b.d.find_elements(By.ID, "app-2"), "the app to go")
    check("tablet" not in env.ctl("apps", user).stdout, "the app is still saved")
    b.shot("removed")
    b.click("signout")
    b.wait(lambda: b.d.current_url.rstrip("/") == env.base, "the home page")
    b.open("/info")
    b.visible("signin")
    b.shot("signed-out")


@case
def browser_wrong_password(env, b):
    """A wrong password says only that sign-in failed."""
    user = env.add_user()
    env.start()
    b.open("/info")
    b.type("user", user)
    b.click("signin-next")
    b.converse(["not-the-password"])  # PAM refuses it: no code is asked
    b.wait(lambda: any("Sign-in failed" in e for e in b.errors()), "the refusal")
    b.shot("refused")
    check(not b.el("overview").is_displayed(), "a wrong password showed the methods")


def main():
    ap = argparse.ArgumentParser()
    for opt in ["web", "broker", "deliver", "ctl", "module", "reset-service", "shots"]:
        ap.add_argument("--" + opt, required=True)
    ap.add_argument("case", choices=sorted(CASES))
    o = ap.parse_args()
    if webdriver is None or not (shutil.which("chromium") and shutil.which("chromedriver")):
        print("SKIP: needs chromium, chromium-driver and python3-selenium")
        return SKIP
    if not shutil.which("zbarimg"):
        print("SKIP: needs zbarimg (zbar-tools)")
        return SKIP
    env = Env(o)
    browser = []

    def body():
        browser.append(Browser(env, o.shots, o.case))
        CASES[o.case](env, browser[0])

    return run_case(env, body, teardown=lambda: browser and browser[0].quit())

if __name__ == "__main__":
    sys.exit(main())

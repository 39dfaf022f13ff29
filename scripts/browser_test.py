#!/usr/bin/env python3
"""Real-browser test of the demo web app: headless Chromium driven by selenium.

Two users register through the UI; user A lists an auction through the UI; user B, in a second
browser on a phone-sized screen, bids on it through the UI; user A's page must show the new price
and the bid without a reload (it arrives over the item's Server-Sent Events stream). A bid that
breaks a rule must be explained in words. Neither browser may log a console error (the one
expected 422 of the rejected bid aside). Screenshots go to --screenshots (default
.build/screenshots/) for review.

    scripts/browser_test.py                      # starts .build/debug/gavel on a free port
    scripts/browser_test.py --bin path/to/gavel
    scripts/browser_test.py --url http://127.0.0.1:8080   # a running server
    scripts/browser_test.py --readme-screenshot docs/screenshot.png

Needs the Debian packages chromium and chromium-driver, and selenium from PyPI. Prints one line
per check and a closing "browser: N passed, M failed"; exits 1 when anything failed.
"""
import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

try:
    from selenium import webdriver
    from selenium.common.exceptions import TimeoutException, WebDriverException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:
    sys.exit("browser: the Python package selenium is required (make deps)")
try:
    import pyotp
except ImportError:
    sys.exit("browser: the Python package pyotp is required (make deps)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESKTOP = (1280, 900)
PHONE = (390, 844)
WAIT = 15  # seconds any single UI condition may take
PASSWORD = "browser-test-passphrase"


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def ok(self, name):
        self.passed += 1
        print(f"ok   {name}", flush=True)

    def fail(self, name, detail=""):
        self.failed += 1
        print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)

    def check(self, name, condition, detail=""):
        (self.ok if condition else lambda n: self.fail(n, detail))(name)
        return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


class Server:
    """The gavel binary on a free loopback port with a throw-away database and demo data."""

    def __init__(self, binary, config):
        self.binary = binary
        self.config = config
        self.tmp = tempfile.mkdtemp(prefix="gavel-browser.")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.log = open(os.path.join(self.tmp, "server.log"), "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GAVEL_")}
        env.update({
            "GAVEL_DATABASE_SQLITE_PATH": os.path.join(self.tmp, "gavel.sqlite"),
            "GAVEL_AUTH_BCRYPT_COST": "4",
            "GAVEL_AUTH_JWT_SECRET": "browser-" + secrets.token_hex(24),
            "GAVEL_LOG_LEVEL": "warning",
        })
        self.env = env

    def start(self):
        seed = [self.binary, "seed", "--config", self.config, "--users", "3", "--products", "12", "--items", "8"]
        subprocess.run(seed, env=self.env, stdout=self.log, stderr=self.log, check=True, timeout=120)
        self.process = subprocess.Popen(
            [self.binary, "serve", "--config", self.config, "--port", str(self.port)],
            env=self.env, stdout=self.log, stderr=self.log)
        if not wait_http(self.url + "/health", 30):
            raise RuntimeError(f"the server did not start; see {self.log.name}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def tail(self, lines=30):
        try:
            with open(self.log.name, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")
        except OSError:
            return ""


def browser(size):
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
    options.add_argument("--headless=new")
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    options.add_argument("--disable-dev-shm-usage")
    options.add_argument("--disable-gpu")
    options.add_argument("--no-first-run")
    options.add_argument("--disable-extensions")
    options.add_argument("--lang=en-US")
    options.add_argument(f"--window-size={size[0]},{size[1]}")
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver_path = shutil.which("chromedriver")
    if not driver_path:
        sys.exit("browser: chromedriver not found (apt-get install chromium-driver)")
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    return driver


def severe(driver, allowed=()):
    """Console entries at error level, less those containing one of `allowed`."""
    return [e for e in driver.get_log("browser")
            if e.get("level") == "SEVERE" and not any(a in e.get("message", "") for a in allowed)]


def wait(driver, condition, timeout=WAIT):
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition)


def visible(driver, testid, timeout=WAIT):
    return wait(driver, EC.visibility_of_element_located((By.CSS_SELECTOR, f'[data-testid="{testid}"]')), timeout)


def text_contains(testid, text):
    return EC.text_to_be_present_in_element((By.CSS_SELECTOR, f'[data-testid="{testid}"]'), text)


def fill(driver, element_id, value):
    el = driver.find_element(By.ID, element_id)
    el.clear()
    el.send_keys(value)


def shot(driver, directory, name):
    path = os.path.join(directory, name)
    driver.save_screenshot(path)
    return path


def slow(driver, latency_ms):
    """Delays every request of `driver` by `latency_ms` (0: back to normal)."""
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1})


def register(driver, base, email, name):
    driver.get(base + "/#/register")
    visible(driver, "register-form")
    fill(driver, "register-email", email)
    fill(driver, "register-name", name)
    fill(driver, "register-password", PASSWORD)
    driver.find_element(By.ID, "register-submit").click()
    visible(driver, "nav-account")


def two_factor(driver, base, email, shots, checks):
    """Enable 2FA through the UI (QR code, secret), confirm it with a TOTP code, log out, and log
    in again through the challenge step with a recovery code (a TOTP code of the step just used
    would be refused as a replay, and waiting for the next step costs up to 30 s)."""
    driver.get(base + "/#/account")
    visible(driver, "twofactor")
    fill(driver, "twofactor-password", PASSWORD)
    driver.find_element(By.ID, "twofactor-enable").click()
    secret = visible(driver, "twofactor-secret").text.replace(" ", "")
    uri = driver.find_element(By.ID, "twofactor-uri").text
    checks.check("enabling 2FA shows the secret and the otpauth:// URI",
                 uri.startswith("otpauth://totp/") and f"secret={secret}" in uri, uri)
    qr = driver.find_elements(By.CSS_SELECTOR, '[data-testid="twofactor-qr"] svg path')
    checks.check("enabling 2FA shows a QR code", bool(qr) and len(qr[0].get_attribute("d") or "") > 1000)
    driver.execute_script("document.getElementById('twofactor-secret').scrollIntoView({block: 'center'})")
    shot(driver, shots, "07-2fa-enrol-phone.png")
    fill(driver, "verify-code", pyotp.TOTP(secret).now())
    driver.find_element(By.ID, "twofactor-verify").click()
    codes = [li.text for li in visible(driver, "recovery-codes").find_elements(By.TAG_NAME, "li")]
    checks.check("confirming 2FA shows 10 recovery codes", len(codes) == 10, str(codes))
    driver.find_element(By.ID, "nav-logout").click()
    visible(driver, "nav-login")
    driver.get(base + "/#/login")
    visible(driver, "login-form")
    fill(driver, "login-email", email)
    fill(driver, "login-password", PASSWORD)
    driver.find_element(By.ID, "login-submit").click()
    visible(driver, "challenge-form")
    checks.ok("logging in with 2FA on asks for the second factor")
    driver.find_element(By.ID, "challenge-toggle").click()
    fill(driver, "challenge-code", codes[0])
    driver.find_element(By.ID, "challenge-submit").click()
    visible(driver, "nav-account")
    checks.ok("a recovery code completes the sign-in")


def run(base, args, checks):
    shots = args.screenshots
    os.makedirs(shots, exist_ok=True)
    tag = secrets.token_hex(3)
    seller = browser(DESKTOP)
    bidder = None
    try:
        # Page loads and the list renders.
        seller.get(base + "/")
        visible(seller, "items-list")
        wait(seller, lambda d: d.find_elements(By.CSS_SELECTOR, '[data-testid="item-card"], [data-testid="items-empty"]'))
        checks.ok("the demo page loads and lists auctions")
        shot(seller, shots, "01-auctions-desktop.png")

        register(seller, base, f"seller-{tag}@example.com", f"Seller {tag}")
        checks.ok("user A registers through the UI")

        # User A lists an auction.
        seller.get(base + "/#/sell")
        visible(seller, "item-form")
        title = f"Brass desk lamp {tag}"
        fill(seller, "item-name-input", title)
        fill(seller, "item-description-input", "A 1950s brass desk lamp, rewired. Listed by the browser test.")
        fill(seller, "item-start-price", "10.00")
        fill(seller, "item-increment", "0.50")
        Select(seller.find_element(By.ID, "item-duration")).select_by_value("3600")
        shot(seller, shots, "02-sell-form.png")
        seller.find_element(By.ID, "item-submit").click()
        page = visible(seller, "item-page")
        item_id = page.get_attribute("data-id")
        wait(seller, text_contains("item-price", "10.00"))
        wait(seller, text_contains("item-live", "Live"))
        checks.ok(f"user A lists an item through the UI ({item_id})")
        seller.execute_script("window.__gavelNoReload = 'still here';")

        # User B bids from a phone-sized second browser.
        # Over a slow network (every request 400 ms late), the signed-in navigation must appear only
        # once the redirect after sign-in has happened; a page opened after that must not be left.
        bidder = browser(PHONE)
        bidder.execute_cdp_cmd("Network.enable", {})
        slow(bidder, 400)
        register(bidder, base, f"bidder-{tag}@example.com", f"Bidder {tag}")
        checks.check("user B registers through the UI (second browser, phone size, slow network)",
                     not bidder.current_url.endswith("#/register"), f"still at {bidder.current_url}")
        slow(bidder, 0)
        bidder.get(f"{base}/#/items/{item_id}")
        visible(bidder, "bid-form")
        wait(bidder, text_contains("item-name", title))
        fill(bidder, "bid-amount", "12.50")
        bidder.find_element(By.ID, "bid-submit").click()
        wait(bidder, text_contains("bid-message", "highest bidder"))
        wait(bidder, text_contains("item-price", "12.50"))
        checks.ok("user B bids through the UI and leads")
        shot(bidder, shots, "03-bid-phone.png")

        # User A's window shows the new price without a reload.
        try:
            wait(seller, text_contains("item-price", "12.50"), timeout=10)
            checks.ok("user A's page shows the new price live (no reload)")
        except TimeoutException:
            checks.fail("user A's page shows the new price live (no reload)",
                        f"price shows {seller.find_element(By.ID, 'item-price').text!r}")
        checks.check("user A's page was not reloaded",
                     seller.execute_script("return window.__gavelNoReload") == "still here")
        rows = seller.find_elements(By.CSS_SELECTOR, '[data-testid="bid-history"] [data-testid="bid-row"]')
        checks.check("user A's bid history shows the bid", len(rows) == 1 and "12.50" in rows[0].text,
                     f"{len(rows)} rows")
        checks.check("user A's page shows a leader", "Highest bidder" in seller.find_element(By.ID, "item-leader").text)
        shot(seller, shots, "04-item-live-desktop.png")

        # No console errors so far, in either browser.
        for who, driver in (("A", seller), ("B", bidder)):
            errors = severe(driver)
            checks.check(f"browser {who} logged no console errors", not errors,
                         "; ".join(e.get("message", "")[:200] for e in errors))

        # A rule rejection is explained in words: B already leads, so a lower bid only could
        # raise B's own maximum (bid.too_low on max_amount).
        fill(bidder, "bid-amount", "1.00")
        bidder.find_element(By.ID, "bid-submit").click()
        try:
            wait(bidder, text_contains("bid-message", "already the highest bidder"))
            checks.ok("a rejected bid is explained in words")
        except TimeoutException:
            checks.fail("a rejected bid is explained in words", bidder.find_element(By.ID, "bid-message").text)
        bidder.execute_script("document.getElementById('bid-message').scrollIntoView({block: 'center'})")
        shot(bidder, shots, "05-bid-rejected-phone.png")
        errors = severe(bidder, allowed=(f"/api/v1/items/{item_id}/bids",))
        checks.check("the rejected bid logged no other console error", not errors,
                     "; ".join(e.get("message", "")[:200] for e in errors))

        checks.check("the seller sees no bid form on their own item",
                     not seller.find_element(By.ID, "bid-form").is_displayed())

        two_factor(bidder, base, f"bidder-{tag}@example.com", shots, checks)
        errors = severe(bidder)
        checks.check("the two-factor flow logged no console errors", not errors,
                     "; ".join(e.get("message", "")[:200] for e in errors))
        if args.readme_screenshot:
            directory = os.path.dirname(os.path.abspath(args.readme_screenshot))
            os.makedirs(directory, exist_ok=True)
            seller.set_window_size(1280, 800)
            seller.execute_script("document.getElementById('notice').hidden = true; window.scrollTo(0, 0)")
            time.sleep(0.3)
            seller.save_screenshot(args.readme_screenshot)
            print(f"browser: README screenshot saved to {args.readme_screenshot}")

        # Swagger UI answers with either the UI or a plain message about its CDN.
        seller.get(base + "/swagger/")
        try:
            wait(seller, lambda d: d.find_element(By.ID, "swagger-status").get_attribute("data-state"), timeout=20)
            state = seller.find_element(By.ID, "swagger-status").get_attribute("data-state")
            if state == "loaded":
                wait(seller, EC.presence_of_element_located((By.CSS_SELECTOR, "#swagger-ui .info")), timeout=20)
                checks.ok("Swagger UI renders the document")
            else:
                text = seller.find_element(By.ID, "swagger-status").text
                checks.check("Swagger UI says its CDN cannot be reached", "could not be loaded" in text, text)
            shot(seller, shots, "06-swagger.png")
        except TimeoutException:
            checks.fail("the Swagger UI page reports its state", seller.find_element(By.ID, "swagger-status").text)
    except Exception:
        for name, driver in (("seller", seller), ("bidder", bidder)):
            if driver:
                try:
                    print(f"browser: failure screenshot {shot(driver, shots, f'failure-{name}.png')}", file=sys.stderr)
                except WebDriverException:
                    pass
        raise
    finally:
        for driver in (seller, bidder):
            if driver:
                try:
                    driver.quit()
                except WebDriverException:
                    pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build/debug/gavel"), help="the gavel binary to start")
    parser.add_argument("--config", default=os.path.join(ROOT, "config.yaml"))
    parser.add_argument("--url", help="test a running server instead of starting one")
    parser.add_argument("--screenshots", default=os.path.join(ROOT, ".build/screenshots"))
    parser.add_argument("--readme-screenshot", help="also save the item page (1280x800) to this path")
    args = parser.parse_args()

    checks = Checks()
    server = None
    started = time.monotonic()
    try:
        if args.url:
            base = args.url.rstrip("/")
        else:
            if not os.access(args.bin, os.X_OK):
                sys.exit(f"browser: {args.bin} not found or not executable (make build)")
            server = Server(args.bin, args.config)
            server.start()
            base = server.url
        run(base, args, checks)
    except (TimeoutException, WebDriverException, RuntimeError, subprocess.SubprocessError) as error:
        checks.fail("browser scenario", f"{type(error).__name__}: {str(error).strip().splitlines()[0][:300]}")
        traceback.print_exc(limit=6)
        if server:
            print(server.tail(), file=sys.stderr)
    finally:
        if server:
            server.stop()
            if server.process and server.process.returncode not in (0, None):
                checks.fail("the server exits cleanly on SIGTERM", f"exit {server.process.returncode}")
            shutil.rmtree(server.tmp, ignore_errors=True)
    print(f"browser: screenshots in {args.screenshots} ({time.monotonic() - started:.0f} s)")
    print(f"browser: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())

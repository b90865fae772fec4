#!/usr/bin/python3
"""A person's session on serve's web page, in headless Chromium driven by Selenium.

Usage: browser_session.py URL MOVIES_JSON FAILURE_PNG [--shot PNG]

MOVIES_JSON has "titles", four display titles in the catalog (catalog_movies.py). The script types each (two
picked with the keyboard, two with a click), checks the chips, answers with keys and buttons,
opens and closes the info panel and the "more like this" list, checks the liked list, starts over, and fails on any
JavaScript console error or on a page wider than a phone's screen. On failure it saves a
screenshot at FAILURE_PNG. With --shot it also saves a screenshot of the page mid-session (the
README's picture).

Debian's chromium, chromium-driver and python3-selenium; run by /usr/bin/python3.
"""
import json
import os
import sys
import tempfile
import traceback

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

URL, FAVOURITES, FAILURE = sys.argv[1], json.load(open(sys.argv[2]))["titles"], sys.argv[3]
SHOT = sys.argv[sys.argv.index("--shot") + 1] if "--shot" in sys.argv else None
WAIT = 30  # seconds; the sanitized build is slow


def browser(profile):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    # A phone's width (headless Chromium's narrowest window is about 500 pixels), or for the
    # README's picture a laptop's window with the whole card in view.
    window = "--window-size=760,1500" if SHOT else "--window-size=390,900"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", window,
                 "--hide-scrollbars"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def find(driver, test, many=False):
    selector = f'[data-test="{test}"]'
    return (driver.find_elements if many else driver.find_element)(By.CSS_SELECTOR, selector)


def wait(driver, condition, what):
    # The page re-renders lists as answers arrive: an element read in between is stale, and the
    # condition is simply tried again.
    try:
        return WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)
                             ).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}") from None


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def active_title(driver):
    def read(d):
        active = find(d, "search").get_attribute("aria-activedescendant")
        return (d.find_element(By.ID, active).text if active else "") or " "
    return wait(driver, read, "the active search result").strip()


def choose(driver, title, number, keyboard):
    search = find(driver, "search")
    name = title.rsplit(" (", 1)[0]
    search.send_keys(name.lower())
    result = wait(driver, lambda d: next((r for r in find(d, "result", True)
                                          if r.text.startswith(title)), None),
                  f"a search result for {title}")
    if keyboard:
        for _ in range(10):
            if active_title(driver).startswith(title):
                break
            search.send_keys(Keys.ARROW_DOWN)
        assert active_title(driver).startswith(title), active_title(driver)
        search.send_keys(Keys.ENTER)
    else:
        result.click()
    wait(driver, lambda d: len(find(d, "favourite", True)) == number, f"favourite {number}")
    wait(driver, lambda d: find(d, "favourite", True)[-1].text.startswith(title),
         f"favourite {number} to be {title}")


def rec_title(driver):
    return wait(driver, lambda d: find(d, "rec-title").is_displayed() and find(d, "rec-title").text,
                "a recommendation")


def answer(driver, key=None, button=None):
    before_number = driver.find_element(By.ID, "rec-number").text
    if key:
        driver.find_element(By.TAG_NAME, "body").send_keys(key)
    else:
        find(driver, button).click()
    wait(driver, lambda d: d.find_element(By.ID, "rec-number").text != before_number,
         f"the next recommendation after {key or button}")


def session(driver):
    driver.get(URL)
    assert driver.title == "movierec", driver.title
    search = wait(driver, lambda d: find(d, "search"), "the search box")
    label = driver.find_element(By.CSS_SELECTOR, 'label[for="search"]')
    assert label.get_attribute("textContent").strip(), "the search box has no label"

    # A chip can be removed, and chosen again.
    choose(driver, FAVOURITES[0], 1, keyboard=True)
    find(driver, "favourite").find_element(By.TAG_NAME, "button").click()
    wait(driver, lambda d: not find(d, "favourite", True), "the chip removed")
    for number, title in enumerate(FAVOURITES, 1):
        choose(driver, title, number, keyboard=number % 2 == 1)

    first = rec_title(driver)
    assert find(driver, "like").is_displayed() and not search.is_displayed()
    answer(driver, key="y")
    assert [e.text for e in find(driver, "liked-item", True)] == [first]
    answer(driver, button="dislike")
    answer(driver, key="s")
    third = rec_title(driver)
    driver.find_element(By.TAG_NAME, "body").send_keys("i")
    panel = wait(driver, lambda d: find(d, "info-panel").is_displayed() and find(d, "info-panel"),
                 "the info panel")
    wait(driver, lambda d: "Why this one" in panel.text, "the why in the info panel")
    assert find(driver, "info").get_attribute("aria-expanded") == "true"
    if SHOT:
        driver.save_screenshot(SHOT)
    find(driver, "info").click()
    wait(driver, lambda d: not find(d, "info-panel").is_displayed(), "the info panel to close")
    assert rec_title(driver) == third, "info must not move on"
    # More like this: a list of other movies, by button; m closes it; the movie still waits.
    find(driver, "similar").click()
    items = wait(driver, lambda d: find(d, "similar-item", True), "the similar movies")
    names = [item.text for item in items]
    assert 0 < len(names) <= 10 and not any(n.startswith(third) for n in names), names
    assert find(driver, "similar").get_attribute("aria-expanded") == "true"
    driver.find_element(By.TAG_NAME, "body").send_keys("m")
    wait(driver, lambda d: not find(d, "similar-panel").is_displayed(), "the similar list to close")
    assert rec_title(driver) == third, "more like this must not move on"
    answer(driver, button="like")
    assert len(find(driver, "liked-item", True)) == 2

    width = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is wider than the screen: {width}"

    find(driver, "restart").click()
    wait(driver, lambda d: find(d, "search").is_displayed(), "the search box after starting over")
    assert not find(driver, "favourite", True) and not find(driver, "liked-item", True)
    assert not find(driver, "rec-title").is_displayed()
    assert driver.switch_to.active_element == find(driver, "search"), "focus after starting over"
    choose(driver, FAVOURITES[2], 1, keyboard=False)

    errors = console_errors(driver)
    assert not errors, f"JavaScript console errors: {errors}"


def profile_session(driver):
    """A session kept under a name, started over, then resumed with the Resume button: its
    favourites come back and neither answered movie is recommended again."""
    driver.get(URL)
    name = wait(driver, lambda d: find(d, "profile-name"), "the name field")
    label = driver.find_element(By.CSS_SELECTOR, 'label[for="profile-name"]')
    assert label.get_attribute("textContent").strip(), "the name field has no label"
    name.send_keys("web-ana")
    for number, title in enumerate(FAVOURITES, 1):
        choose(driver, title, number, keyboard=number % 2 == 1)
    answered = [rec_title(driver)]
    answer(driver, key="y")
    answered.append(rec_title(driver))
    answer(driver, key="n")
    assert not find(driver, "profile-name").is_displayed(), "the name field during a session"
    find(driver, "restart").click()
    wait(driver, lambda d: find(d, "profile-name").is_displayed(), "the name field after starting over")
    assert find(driver, "profile-name").get_attribute("value") == "web-ana"
    find(driver, "resume").click()
    resumed = rec_title(driver)
    assert resumed not in answered, (resumed, answered)
    assert len(find(driver, "favourite", True)) == 4, "the resumed favourites"
    answer(driver, key="s")
    errors = console_errors(driver)
    assert not errors, f"JavaScript console errors: {errors}"


def main():
    with tempfile.TemporaryDirectory() as profile:
        driver = browser(profile)
        try:
            session(driver)
            profile_session(driver)
        except Exception:
            traceback.print_exc()
            os.makedirs(os.path.dirname(os.path.abspath(FAILURE)), exist_ok=True)
            driver.save_screenshot(FAILURE)
            print(f"screenshot of the failure: {FAILURE}", file=sys.stderr)
            try:
                print(f"console: {driver.get_log('browser')}", file=sys.stderr)
            except Exception:
                pass
            return 1
        finally:
            driver.quit()
    print("browser session: ok")
    return 0


sys.exit(main())

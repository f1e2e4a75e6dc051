"""Every HTML page the kit makes passes an axe-core audit with no violation of any impact,
at a laptop's 1366 px and a phone's 390 px, and is never wider than the window (WCAG 1.4.10).

The pages: report.html, feedback pages (graded, late, missing, timed out, hand-graded),
similarity.html, the hand-grading pages manual/<question>.html and every page of the review
app. axe-core comes bundled with axe-playwright-python; the browser is Debian's chromium
(tests/browser.py). axe runs every rule that is on by default, best practices included
(landmarks, region, empty table headers).
"""

import pytest

from autograder import assignments, manual
from autograder.review import app as review, store
from tests.browser import browser, page, served  # noqa: F401 (fixtures)
from tests.test_report_html import make_run

WIDTHS = (1366, 390)


def audit(browser, url: str, width: int, setup=None) -> list[str]:  # noqa: F811
    """axe's violations of the page at ``url`` in a window ``width`` px wide, one line each,
    and a line if the page is wider than the window."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(url)
        if setup:
            setup(page)
        results = Axe().run(page)
        problems = [f"{v['id']} ({v['impact']}): {v['help']} at "
                    f"{[n['target'] for n in v['nodes']][:3]}"
                    for v in results.response["violations"]]
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > width:
            problems.append(f"the page is {wide} px wide in a {width} px window")
        return problems
    finally:
        context.close()


@pytest.fixture(scope="module")
def convnets_run(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    try:
        yield make_run(tmp_path_factory.mktemp("axe"), monkeypatch)
    finally:
        monkeypatch.undo()


@pytest.fixture(scope="module")
def tuning_run(tmp_path_factory):
    """A Tuning class with one answer graded by hand and merged, the rest pending."""
    monkeypatch = pytest.MonkeyPatch()
    try:
        out = make_run(tmp_path_factory.mktemp("axe-tuning"), monkeypatch, name="tuning")
    finally:
        monkeypatch.undo()
    tuning = assignments.get("tuning")
    key = next(iter(tuning.manual_questions))
    item = store.rubric(tuning, key)[0]
    store.save_review(tuning, out, key, "s1001", {"rubric": [item["id"]], "adjustment": 0,
                                                  "comment": "Clear, and right."})
    manual.main(["--assignment", "tuning", "--out", str(out)])
    return out


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", ["report.html", "similarity.html", "feedback/s1001.html",
                                  "feedback/s1002.html", "feedback/s1005.html",
                                  "feedback/s1008.html", "feedback/s1011.html"])
def test_report_feedback_and_similarity_pages(browser, convnets_run, path, width):  # noqa: F811
    assert (convnets_run / path).exists(), path
    assert audit(browser, (convnets_run / path).as_uri(), width) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_report_sorted_and_filtered(browser, convnets_run, width):  # noqa: F811
    def sort_and_filter(page):
        page.locator("#students th button", has_text="final").click()
        page.check("#only-look")
    assert audit(browser, (convnets_run / "report.html").as_uri(), width, sort_and_filter) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_hand_grading_pages(browser, tuning_run, width):  # noqa: F811
    tuning = assignments.get("tuning")
    pages = ["report.html", "feedback/s1001.html", "feedback/s1002.html",
             *(f"manual/{key}.html" for key in tuning.manual_questions)]
    for path in pages:
        assert audit(browser, (tuning_run / path).as_uri(), width) == [], path


@pytest.fixture(scope="module")
def server(tuning_run):
    with served(review.create_app(review.load(tuning_run))) as url:
        yield url


@pytest.mark.parametrize("width", WIDTHS)
def test_review_app_pages(browser, server, width):  # noqa: F811
    tuning = assignments.get("tuning")
    key = next(iter(tuning.manual_questions))
    pages = ["/", f"/q/{key}/1", f"/q/{key}/1/2"]  # a group, and one of its students
    for path in pages:
        assert audit(browser, server + path, width) == [], path

    def names_shown_and_a_refusal(page):
        page.goto(f"{server}/q/{key}/1")
        page.click("#names")
        page.wait_for_selector("#members summary")
        page.click("#members summary")
        page.fill("#adjustment", "99")
        page.click("#save")
        page.wait_for_function(
            "document.getElementById('message').textContent.includes('not saved')")
    assert audit(browser, f"{server}/q/{key}/1", width, names_shown_and_a_refusal) == []


@pytest.fixture(scope="module")
def zh_runs(tmp_path_factory):
    """The same classes graded under a course file with language and ta_language zh."""
    from tests.test_ta_language import zh_course
    monkeypatch = pytest.MonkeyPatch()
    try:
        zh_course(monkeypatch)
        yield {name: make_run(tmp_path_factory.mktemp(f"axe-zh-{name}"), monkeypatch, name=name)
               for name in ("convnets", "tuning")}
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("width", WIDTHS)
def test_chinese_report_feedback_similarity_and_review_pages(browser, zh_runs, width):  # noqa: F811
    convnets = zh_runs["convnets"]
    for path in ("report.html", "similarity.html", "feedback/s1001.html", "feedback/s1005.html"):
        assert '<html lang="zh">' in (convnets / path).read_text(encoding="utf-8"), path
        assert audit(browser, (convnets / path).as_uri(), width) == [], path
    with served(review.create_app(review.load(zh_runs["tuning"]))) as url:
        key = next(iter(assignments.get("tuning").manual_questions))
        for path in ("/", f"/q/{key}/1"):
            assert audit(browser, f"{url}{path}", width) == [], path

"""The review app (make review): written answers graded in a real headless browser.

The run folder is the Tuning sample class as ``make grade`` leaves it (auto-graded rows
faked: no otter here), plus three hostile answers; the app runs in a thread on a free
port of 127.0.0.1.
"""
import csv
import json
import re

import pytest

from autograder import assignments, manual
from autograder.review import answers, store
from autograder.engine import notebooks, report
from autograder.engine.runner import Outcome
from autograder.grade import GradeBook
from autograder.review import app as review
from autograder.tools import samples
from tests.browser import browser, page, served  # noqa: F401 (fixtures)

HOSTILE = {
    "script": "<script>window.pwned = 'script'</script> The curves cross at epoch 4.",
    "onerror": 'Overfits after epoch 3 <img src=x onerror="window.pwned = \'img\'">',
    "link": "See [my plot](javascript:window.pwned='link') and "
            "<a href=\"javascript:window.pwned='a'\">this</a>.",
}


@pytest.fixture
def tuning():
    return assignments.get("tuning")


@pytest.fixture
def run(tmp_path, tuning):
    """The Tuning sample class and three hostile answers, collected as make grade does."""
    folder = tmp_path / "submissions"
    for sample in samples.samples_of(tuning):
        notebooks.write(samples.notebook_for(tuning, sample), folder / f"{sample.id}.ipynb")
    reference = next(s for s in samples.samples_of(tuning) if s.id == "reference")
    for name, text in HOSTILE.items():
        nb = samples.notebook_for(tuning, reference)
        nb.cells[notebooks.kit_cells(nb, "manual")["overfitting"]].source = text
        notebooks.write(nb, folder / f"hostile_{name}.ipynb")
    out = tmp_path / "run"
    questions, max_points = report.question_points(tuning)
    out.mkdir()
    book = GradeBook(out / "grades.csv", questions, max_points,
                     {k: q["points"] for k, q in tuning.manual_questions.items()})
    paths = sorted(folder.glob("*.ipynb"))
    for path in paths:
        book.record(Outcome(path.stem, "graded", scores={q: 1.0 for q in questions}))
    answers.collect(tuning, paths, out)
    return out


@pytest.fixture
def server(run):
    """The app on a free port; yields its base URL."""
    with served(review.create_app(review.load(run))) as url:
        yield url


def groups(run, key):
    """The students of each answer group of question ``key``, in the app's order."""
    return [group.students for group in review.load(run).groups(key)]


def scores(run):
    with open(store.scores_path(run), newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def test_grade_three_answer_groups_with_the_keyboard_reload_and_merge(server, run, page, tuning):
    page.goto(f"{server}/q/overfitting")
    assert page.url.endswith("/q/overfitting/1")  # resumes at the first ungraded answer
    total = len(review.load(run).answers)
    assert page.locator("#progress").inner_text() == f"0 of {total} graded"
    first, second, third = groups(run, "overfitting")[:3]
    assert len(first) == 7  # the seven blank answers: one group, graded once
    assert "left blank by 7 students" in page.locator("#who").inner_text()
    page.keyboard.press("1")  # epoch +1
    page.keyboard.press("2")  # sign +0.5
    assert page.locator("#total").inner_text() == "1.5"
    page.keyboard.press("Enter")
    page.wait_for_url("**/q/overfitting/2")
    page.keyboard.press("1")
    page.keyboard.press("4")  # no_numbers -0.5
    page.keyboard.press("c")
    page.keyboard.type("Which epoch?")
    page.keyboard.press("Escape")
    page.keyboard.press("Enter")
    page.wait_for_url("**/q/overfitting/3")
    page.keyboard.press("p")
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # free points only
    page.wait_for_url("**/q/overfitting/4")
    done = len(first) + len(second) + len(third)
    assert page.locator("#progress").inner_text() == f"{done} of {total} graded"

    table = scores(run)
    for group, points in ((first, "1.5"), (second, "0.5"), (third, "2")):
        assert {table[s]["overfitting"] for s in group} == {points}
    page.reload()
    assert page.url.endswith("/q/overfitting/4")
    page.goto(f"{server}/q/overfitting")  # a fresh visit resumes after the three graded
    assert page.url.endswith("/q/overfitting/4")
    page.keyboard.press("k")
    page.wait_for_url("**/q/overfitting/3")
    assert page.locator("#adjustment").input_value() == "2"
    page.keyboard.press("k")
    page.wait_for_url("**/q/overfitting/2")
    boxes = page.locator("input[name=rubric]")
    assert [boxes.nth(i).is_checked() for i in range(4)] == [True, False, False, True]
    assert page.locator("#comment").input_value() == "Which epoch?"
    page.keyboard.press("j")
    page.wait_for_url("**/q/overfitting/3")

    manual.main(["--assignment", "tuning", "--out", str(run)])
    with open(run / "grades.csv", newline="") as f:
        graded = {row["id"]: row for row in csv.DictReader(f)}
    assert graded[second[0]]["manual:overfitting"] == "0.5"
    auto = len(report.question_points(tuning)[0])  # the faked 1 point per auto-graded question
    assert float(graded[first[0]]["total"]) == auto + 1.5
    entry = store.hand_graded(run, tuning, second[0])[0]
    assert entry["points"] == 0.5 and entry["comment"] == "Which epoch?"
    assert [item["points"] for item in entry["rubric"] if item["given"]] == [1, -0.5]


def test_identical_and_blank_answers_are_one_group_with_overrides(run, tuning):
    loaded = review.load(run)
    text = loaded.answers["own_words"]["overfitting"]
    loaded.answers["copier"]["overfitting"] = "  " + text.replace(" ", "\n  ", 3) + "\n"
    found = loaded.groups("overfitting")
    same = next(g for g in found if "own_words" in g.students)
    assert same.students == ("copier", "own_words") and not same.blank
    blank = next(g for g in found if g.blank)
    assert "stub" in blank.students and len(blank.students) == 7
    assert sum(len(g.students) for g in found) == len(loaded.answers)
    assert found.index(blank) == 0 and found.index(same) == 1  # biggest groups first

    client = review.create_app(loaded).test_client()
    where = {"base_url": "http://127.0.0.1:9"}
    position = found.index(same) + 1
    # One student of the group graded on their own; the group's grade leaves them alone.
    own = client.post(f"/api/q/overfitting/{position}/1", json={"adjustment": 2}, **where)
    assert own.status_code == 200 and own.json["next"] == f"/q/overfitting/{position}"
    group = client.post(f"/api/q/overfitting/{position}", json={"rubric": ["epoch"]}, **where)
    assert group.status_code == 200 and group.json["students"] == 1
    table = scores(run)
    assert table["copier"]["overfitting"] == "2" and table["own_words"]["overfitting"] == "1"
    reviews = store.read_reviews(run, "overfitting")
    assert reviews["copier"]["own"] and not reviews["own_words"]["own"]
    page = client.get(f"/q/overfitting/{position}", **where).get_data(as_text=True)
    assert "graded on their own (2)" in page and "graded with the group (1)" in page
    assert "copier" not in page and "own_words" not in page  # anonymous: numbers only
    # A refusal names the answer by its place, never the student, while names are hidden.
    bad = client.post(f"/api/q/overfitting/{position}/2", json={"adjustment": 9}, **where)
    assert bad.status_code == 400 and bad.json["error"].startswith("answer 2, student 2: ")
    assert "own_words" not in bad.json["error"] and "review of" not in bad.json["error"]
    assert client.get(f"/q/overfitting/{position}/3", **where).status_code == 404
    # Back with the group: the student takes the group's grade.
    back = client.post(f"/api/q/overfitting/{position}/1/rejoin", json={}, **where)
    assert back.status_code == 200 and back.json["saved"]["points"] == 1
    assert scores(run)["copier"]["overfitting"] == "1"
    assert not store.read_reviews(run, "overfitting")["copier"]["own"]
    assert client.post(f"/api/q/overfitting/{position}/3/rejoin", json={},
                       **where).status_code == 404
    assert client.post(f"/api/q/overfitting/{position}/1/rejoin", data={},
                       **where).status_code == 400  # a form from elsewhere: refused


def test_two_sessions_on_two_questions_lose_nothing(server, run, browser):
    tabs = {key: browser.new_context().new_page() for key in ("overfitting", "mse_loss")}
    for key, tab in tabs.items():
        tab.goto(f"{server}/q/{key}")
    for position in range(1, 4):  # interleaved: one save on each question in turn
        for key, tab in tabs.items():
            tab.keyboard.press("1")
            tab.keyboard.press("Enter")
            tab.wait_for_url(f"**/q/{key}/{position + 1}")
    table = scores(run)
    for key in tabs:
        graded = [s for s in table if table[s][key]]
        expected = [s for group in groups(run, key)[:3] for s in group]
        assert sorted(graded) == sorted(expected)
        assert len(store.read_reviews(run, key)) == len(expected)
    for tab in tabs.values():
        tab.context.close()


def test_hostile_answers_do_not_run(server, run, page):
    page.goto(f"{server}/")
    page.click("#names")  # ids shown, to find each hostile answer
    found = groups(run, "overfitting")
    for name in HOSTILE:
        position = found.index((f"hostile_{name}",)) + 1
        response = page.goto(f"{server}/q/overfitting/{position}")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert page.locator("#who").inner_text() == f"hostile_{name}"
        answer = page.locator("#answer")
        assert answer.locator("script, img, [onerror]").count() == 0
        assert answer.locator("a[href^='javascript']").count() == 0
        assert "window.pwned" in answer.inner_text()  # shown as text
        assert page.evaluate("typeof window.pwned") == "undefined"
    # A comment that tries to close the textarea stays text after saving and reloading.
    page.locator("#comment").fill("</textarea><script>window.pwned = 'comment'</script>")
    here = page.url
    page.locator("#save").click()
    page.wait_for_url(lambda url: url != here)
    page.goto(here)
    assert page.locator("#comment").input_value().startswith("</textarea><script>")
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_anonymous_by_default_with_a_switch_to_show_names(server, run, page):
    ids = list(review.load(run).answers)
    found = groups(run, "mse_loss")
    position = next(n for n, group in enumerate(found, start=1) if len(group) == 1)
    [first] = found[position - 1]
    (run / "collected").mkdir()
    (run / "collected" / "manifest.json").write_text(
        json.dumps({"students": {first: {"name": "Ada Lovelace"}}}))
    for path in (f"/q/mse_loss/{position}", "/q/mse_loss/1", "/q/mse_loss/1/2"):
        page.goto(server + path)
        text = page.content()
        assert not any(f">{student}<" in text or f"{student} (" in text for student in ids)
        assert "Ada" not in text
    page.goto(f"{server}/q/mse_loss/{position}")
    assert page.locator("#who").inner_text() == f"answer {position}"
    page.click("#names")
    assert page.url.endswith(f"/q/mse_loss/{position}")
    assert page.locator("#who").inner_text() == f"{first} (Ada Lovelace)"
    page.goto(f"{server}/q/mse_loss/1")  # the blank group lists its students by id now
    assert page.locator("#members li a").all_text_contents() == list(found[0])
    assert groups(run, "mse_loss") == groups(run, "mse_loss")  # the same on every load
    singles = [g[0] for g in groups(run, "overfitting") if len(g) == 1]
    assert len(singles) == 7 and singles != sorted(singles)  # shuffled


def test_a_score_out_of_range_is_refused_in_the_page(server, run, page):
    page.goto(f"{server}/q/overfitting/1")
    for key in "123":
        page.keyboard.press(key)  # 1 + 0.5 + 0.5
    page.keyboard.press("p")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    message = page.locator("#message")
    message.wait_for(state="visible")
    page.wait_for_function("document.getElementById('message').textContent.includes('not saved')")
    assert message.inner_text() == ("not saved: answer 1: 3 points is not a score between 0 "
                                    "and 2 for question 'overfitting'")
    assert page.url.endswith("/q/overfitting/1")
    assert not any(row["overfitting"] for row in scores(run).values())
    # The refusal is an HTTP 400, which chromium logs; it is the only error expected.
    assert all("status of 400" in error for error in page.console_errors)
    page.console_errors.clear()


def test_the_api_refuses_unknown_items_foreign_hosts_and_forms(run):
    client = review.create_app(review.load(run)).test_client()
    url = "/api/q/mse_loss/1"
    reply = client.post(url, json={"rubric": ["bonus"]}, base_url="http://127.0.0.1:9")
    assert reply.status_code == 400
    assert "no rubric item 'bonus' in question 'mse_loss'" in reply.json["error"]
    assert client.post(url, json={"rubric": []}, base_url="http://evil.example:9").status_code == 403
    assert client.post(url, data={"rubric": "gradient"},
                       base_url="http://127.0.0.1:9").status_code == 400
    assert client.post(url, json={}, base_url="http://127.0.0.1:9",
                       headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.post("/api/q/mse_loss/999", json={}, base_url="http://127.0.0.1:9").status_code == 404
    assert not any(row["mse_loss"] for row in scores(run).values())
    ok = client.post(url, json={"rubric": ["gradient"], "comment": "ok"},
                     base_url="http://127.0.0.1:9", headers={"Origin": "http://127.0.0.1:9"})
    assert ok.status_code == 200 and ok.json["saved"]["points"] == 1
    assert ok.json["students"] == len(groups(run, "mse_loss")[0])
    assert ok.json["next"] == "/q/mse_loss/2"


def test_an_ordinary_link_renders_without_a_referrer(run):
    """markdown-it-py 4 hands the renderer to a render rule: a plain link once made a 500."""
    loaded = review.load(run)
    for student in loaded.answers:  # one group: the first answer shown
        loaded.answers[student]["overfitting"] = "Read [the docs](https://keras.io/api/) first."
    client = review.create_app(loaded).test_client()
    page = client.get("/q/overfitting/1", base_url="http://127.0.0.1:9")
    assert page.status_code == 200
    link = '<a href="https://keras.io/api/" rel="noopener noreferrer nofollow" ' \
           'referrerpolicy="no-referrer" target="_blank">the docs</a>'
    assert link in page.get_data(as_text=True)


@pytest.mark.parametrize("back, lands", [
    ("/q/overfitting/2", "/q/overfitting/2"), ("/q/overfitting", "/q/overfitting"),
    ("/", "/"), ("/%09/evil.example", "/"), ("/\t/evil.example", "/"),
    ("//evil.example", "/"), ("https://evil.example/", "/"), ("/\\evil.example", "/"),
    ("/api/q/overfitting/1", "/"), ("/names/on", "/"), ("/q/overfitting/2?x=//evil", "/"),
])
def test_the_names_switch_returns_to_the_apps_own_pages_only(run, back, lands):
    client = review.create_app(review.load(run)).test_client()
    reply = client.post("/names/on", query_string={"back": back}, base_url="http://127.0.0.1:9")
    assert reply.status_code == 303 and reply.headers["Location"] == lands


def test_a_link_in_an_answer_cannot_unmask_the_class(run):
    """Only absolute http(s) and mailto links are links: a relative one would open the
    app's own pages with the TA's cookies. And the names switch is a form's POST from the
    app itself: no link (GET) and no other site's form flips it."""
    loaded = review.load(run)
    answer = ("[names](/names/on?back=/) [names](names/on) [here](//evil.example/x) "
              "[odd](https:///names/on) [mail](mailto:ta@example.edu) [docs](https://keras.io/)")
    for student in loaded.answers:
        loaded.answers[student]["overfitting"] = answer
    client = review.create_app(loaded).test_client()
    page = client.get("/q/overfitting/1", base_url="http://127.0.0.1:9").get_data(as_text=True)
    links = re.findall(r'<a href="([^"]*)" rel="noopener', page)
    assert links == ["mailto:ta@example.edu", "https://keras.io/"]
    assert "[names](/names/on?back=/)" in page  # the rest stays text
    assert client.get("/names/on", base_url="http://127.0.0.1:9").status_code == 405
    for headers in ({"Origin": "https://evil.example"},
                    {"Sec-Fetch-Site": "cross-site", "Origin": "null"}):
        foreign = client.post("/names/on", base_url="http://127.0.0.1:9", headers=headers)
        assert foreign.status_code == 403 and "names=1" not in foreign.headers.get(
            "Set-Cookie", "")
    own = client.post("/names/on", base_url="http://127.0.0.1:9",
                      headers={"Origin": "http://127.0.0.1:9"})
    assert own.status_code == 303 and "names=1" in own.headers["Set-Cookie"]


def test_one_student_of_a_group_graded_alone_then_with_the_group_again(server, run, page):
    blank = groups(run, "overfitting")[0]
    page.goto(f"{server}/q/overfitting/1/2")
    assert page.locator("#who").inner_text() == "answer 1, student 2, graded on their own"
    assert page.locator("#rejoin").count() == 0  # nothing to undo yet
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/q/overfitting/1")  # back to the group
    assert "graded on their own (1)" in page.locator("#members").text_content()
    assert {s: r["overfitting"] for s, r in scores(run).items() if r["overfitting"]} == {
        blank[1]: "1"}
    page.keyboard.press("2")
    page.keyboard.press("Enter")  # the group: 0.5, the student on their own keeps 1
    page.wait_for_url("**/q/overfitting/2")
    table = scores(run)
    assert table[blank[1]]["overfitting"] == "1"
    assert {table[s]["overfitting"] for s in blank if s != blank[1]} == {"0.5"}
    page.goto(f"{server}/q/overfitting/1/2")
    page.click("#rejoin")
    page.wait_for_url("**/q/overfitting/1")
    assert {scores(run)[s]["overfitting"] for s in blank} == {"0.5"}

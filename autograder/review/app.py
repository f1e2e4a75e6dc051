"""The review app: one question, one answer at a time, saved at once.

Why it is built this way:

- Student answers are hostile data. They are rendered as Markdown with raw HTML
  escaped, images off and only absolute http(s)/mailto links (:data:`LINK`),
  and every page carries a Content-Security-Policy that allows scripts and styles
  from this app's own ``static/`` only: an answer that slipped a tag through would
  still not run.
- The app listens on 127.0.0.1 and answers only requests whose Host is this
  machine (a web page elsewhere cannot reach it through DNS rebinding); saving
  takes JSON only, which a cross-site form cannot send.
- Anonymous by default: answers come in a shuffled order seeded per question
  (every TA, and every reload, sees the same order) and URLs carry positions,
  never ids; a switch (a cookie, set by a form's POST from the app's own page, never by a
  link) shows the ids. Every message the app shows names an
  answer by its position ("answer 3"), never by the student's id.
- Answers are graded in groups, as Gradescope does (:mod:`autograder.review.groups`):
  identical answers, and blank ones, are one group graded once; each student of a
  group can still be graded on their own (``/q/<key>/<group>/<member>``), and the
  group's later grades leave that student alone.
- The state lives on disk, not in the server: each page reads the run's
  ``manual/`` files, each save goes through :func:`autograder.review.store.save_review`
  under the run's lock. Two TAs, in two tabs or two servers, lose nothing, and a
  reload or a restart resumes where the TA stopped.
"""
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, jsonify, redirect, render_template, request, url_for
from markdown_it import MarkdownIt
from werkzeug.exceptions import HTTPException

from autograder import assignments
from autograder.assignments import KitError
from autograder.engine import report
from autograder.review import answers, store
from autograder.review import groups as grouping
from shared.i18n import msg_in

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


#: The links an answer may hold: to another site, or an e-mail address. markdown-it alone
#: refuses javascript: and data:, but takes a relative link, which opens a page of this app
#: itself with the TA's cookies (``[plot](/q/...)``).
LINK = re.compile(r"(?:https?://[^/\\\s]|mailto:)", re.IGNORECASE)


def markdown() -> MarkdownIt:
    """CommonMark with raw HTML escaped, no images (no request leaves the page), and
    links that open nothing of ours: absolute http(s) and mailto only (:data:`LINK`); any
    other stays text."""
    md = MarkdownIt("commonmark", {"html": False}).disable("image")
    md.validateLink = lambda url: bool(LINK.match(url.strip()))

    def link_open(renderer, tokens, index, options, env):  # markdown-it-py binds the renderer
        tokens[index].attrSet("rel", "noopener noreferrer nofollow")
        tokens[index].attrSet("referrerpolicy", "no-referrer")
        tokens[index].attrSet("target", "_blank")
        return renderer.renderToken(tokens, index, options, env)

    md.add_render_rule("link_open", link_open)
    return md


@dataclass
class Run:
    """What the app grades: one run folder's answers, in a fixed order per question."""

    out: Path
    assignment: assignments.Assignment
    answers: dict  # student -> question -> text
    seed: int = 0

    def groups(self, key: str) -> list[grouping.Group]:
        return grouping.groups(self.answers, key, self.seed)

    def marks(self, key: str) -> tuple[dict, dict]:
        """(saved reviews, points in scores.csv) for question ``key``, read now."""
        return (store.read_reviews(self.out, key),
                store.typed_points(self.out, self.assignment, key))


def load(out: Path, name: str | None = None, seed: int = 0) -> Run:
    collected, by_student = store.read_answers(out)
    assignment = assignments.get(name or collected)
    if not assignment.manual_questions:
        raise KitError(f"{assignment.name} has no questions graded by hand")
    if collected != assignment.name:
        raise KitError(f"{store.answers_path(out)} holds answers to {collected}, "
                       f"not {assignment.name}: check RUN and ASSIGNMENT")
    for key in assignment.manual_questions:
        store.rubric(assignment, key)  # a bad rubric is named at start, not mid-grading
    return Run(out, assignment, by_student, seed)


def create_app(run: Run) -> Flask:
    app = Flask(__name__)
    # A student's name in brackets of the TA's language, marked as data (report.marked)
    app.jinja_env.globals.update(marked=report.marked, slot=report.DATA_SLOT)
    md = markdown()
    questions = run.assignment.manual_questions
    language = report.run_language(run.out, run.assignment, "ta_language")  # the TA's
    prompts = answers.prompts(run.assignment, language)
    texts = report._translated(run.assignment, language)  # titles and rubric items shown
    title = texts.get("title", run.assignment.config["title"])
    shown = {key: {**q, "title": texts.get(f"manual.{key}.title", q["title"])}
             for key, q in questions.items()}

    def rubric(key) -> list[dict]:
        return [{**item, "text": texts.get(f"manual.{key}.rubric.{item['id']}", item["text"])}
                for item in store.rubric(run.assignment, key)]

    @app.context_processor
    def words():  # every page's words in the TA's language, one catalogue (shared/i18n.py)
        return {"t": functools.partial(msg_in, language), "language": language}

    @app.before_request
    def only_this_machine():
        if request.host.rsplit(":", 1)[0] not in LOCAL_HOSTS:
            abort(403)

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    def question_or_404(key):
        if key not in questions:
            abort(404, f"no question '{key}'")
        return questions[key]

    def graded(key) -> set[str]:
        reviews, scores = run.marks(key)
        return set(reviews) | set(scores)

    @app.get("/")
    def overview():
        rows = [{"key": key, "title": q["title"], "points": q["points"],
                 "graded": len(graded(key)), "total": len(run.answers)}
                for key, q in shown.items()]
        return render_template("overview.html", title=title,
                               rows=rows, names=_names_shown())

    @app.get("/q/<key>")
    def resume(key):
        """The first group of the question with an answer not graded yet: where the TA stopped."""
        question_or_404(key)
        done = graded(key)
        position = next((n for n, group in enumerate(run.groups(key))
                         if not set(group.students) <= done), None)
        if position is None:
            return redirect(url_for("overview"))
        return redirect(url_for("answer", key=key, position=position + 1))

    def group_or_404(key, position) -> grouping.Group:
        found = run.groups(key)
        if not 1 <= position <= len(found):
            abort(404, f"question '{key}' has answers 1 to {len(found)}")
        return found[position - 1]

    def member_or_404(group, member) -> str:
        if member is not None and not 1 <= member <= len(group.students):
            abort(404, f"this answer has students 1 to {len(group.students)}")
        return group.students[(member or 1) - 1]

    @app.get("/q/<key>/<int:position>")
    @app.get("/q/<key>/<int:position>/<int:member>")
    def answer(key, position, member=None):
        question_or_404(key)
        found = run.groups(key)
        group = group_or_404(key, position)
        student = member_or_404(group, member)
        reviews, scores = run.marks(key)
        if member is None:  # the group's grade: what its students graded with it hold
            with_group = [s for s in group.students if s in reviews and not reviews[s].get("own")]
            saved = reviews.get(with_group[0]) if with_group else None
        else:
            saved = reviews.get(student)
        if saved is None and student in scores and student not in reviews:
            saved = {"rubric": [], "adjustment": float(scores[student]), "comment": ""}  # typed
        roster = report.run_info(run.out).get("students", {})
        members = [{"number": n, "student": s, "name": roster.get(s, {}).get("name", ""),
                    "own": bool(reviews.get(s, {}).get("own")), "points": scores.get(s)}
                   for n, s in enumerate(group.students, start=1)]
        return render_template(
            "answer.html", title=title, key=key, question=shown[key],
            prompt=md.render(prompts.get(key, "")),
            answer=md.render(msg_in(language, "rv.no_answer") if group.text == store.NO_ANSWER
                             else group.text),
            blank=group.text == store.NO_ANSWER,
            items=rubric(key),
            saved=saved or {"rubric": [], "adjustment": 0, "comment": ""},
            points=scores.get(student) if member is not None or len(group.students) == 1
            else None, position=position, count=len(found), member=member, group=group,
            members=members, graded=len(set(reviews) | set(scores)), total=len(run.answers),
            student=student, name=roster.get(student, {}).get("name", ""),
            names=_names_shown(), questions=shown)

    @app.post("/api/q/<key>/<int:position>")
    @app.post("/api/q/<key>/<int:position>/<int:member>")
    def save(key, position, member=None):
        question_or_404(key)
        found = run.groups(key)
        body = request.get_json(silent=True) if request.is_json else None
        if not isinstance(body, dict):
            return jsonify(error="send the grade as a JSON object"), 400
        if request.origin and request.origin.split("//", 1)[-1] != request.host:
            return jsonify(error="grades are saved from this app's own pages only"), 403
        if not 1 <= position <= len(found):
            return jsonify(error=f"question '{key}' has answers 1 to {len(found)}"), 404
        group = found[position - 1]
        if member is not None and not 1 <= member <= len(group.students):
            return jsonify(error=f"answer {position} has students 1 to {len(group.students)}"), 404
        label = (msg_in(language, "rv.answer_member", position=position, member=member)
                 if member is not None else msg_in(language, "rv.answer", position=position))
        review = {k: body.get(k) for k in ("rubric", "adjustment", "comment") if k in body}
        try:
            if member is None:
                saved = store.save_reviews(run.assignment, run.out, key, list(group.students),
                                           review, label, language=language)
            else:
                saved = store.save_reviews(run.assignment, run.out, key,
                                           [group.students[member - 1]], review, label, own=True,
                                           language=language)
        except KitError as exc:
            return jsonify(error=str(exc)), 400
        following = (url_for("answer", key=key, position=position)
                     if member is not None else
                     url_for("answer", key=key, position=position + 1)
                     if position < len(found) else url_for("overview"))
        return jsonify(saved=next(iter(saved.values()), None), students=len(saved),
                       graded=len(graded(key)), count=len(found), next=following)

    @app.post("/api/q/<key>/<int:position>/<int:member>/rejoin")
    def rejoin(key, position, member):
        """A student graded on their own takes the group's grade again."""
        question_or_404(key)
        if not request.is_json:  # what a cross-site form cannot send
            return jsonify(error="send the request as JSON"), 400
        if request.origin and request.origin.split("//", 1)[-1] != request.host:
            return jsonify(error="grades are saved from this app's own pages only"), 403
        found = run.groups(key)
        if not 1 <= position <= len(found) or not 1 <= member <= len(found[position - 1].students):
            return jsonify(error=f"no student {member} in answer {position}"), 404
        group = found[position - 1]
        try:
            saved = store.rejoin_group(run.assignment, run.out, key, group.students[member - 1],
                                       list(group.students),
                                       msg_in(language, "rv.answer_member", position=position,
                                              member=member))
        except KitError as exc:
            return jsonify(error=str(exc)), 400
        return jsonify(saved=saved, graded=len(graded(key)),
                       next=url_for("answer", key=key, position=position))

    @app.get("/favicon.ico")
    def favicon():
        return "", 204

    @app.post("/names/<state>")
    def names(state):
        """Show or hide the students' ids: a form's POST from the app's own page, never a
        link (an answer's link, were one to slip through, cannot unmask the class)."""
        # The browser says where the form was: Sec-Fetch-Site (the pages' no-referrer
        # policy makes a same-origin form's Origin "null"), else Origin.
        site, origin = request.headers.get("Sec-Fetch-Site"), request.headers.get("Origin")
        if site is not None and site not in ("same-origin", "none"):
            abort(403)
        if site is None and origin not in (None, "null") \
                and origin.rstrip("/") != request.host_url.rstrip("/"):
            abort(403)
        response = redirect(_own_page(app, request.args.get("back", "/")), 303)
        response.set_cookie("names", "1" if state == "on" else "", samesite="Strict",
                            httponly=True)
        return response

    return app


#: The pages ``back`` may lead to: the app's own, rebuilt by ``url_for`` (never the text
#: given: browsers drop tabs and newlines, so ``/\t/evil.example`` is ``//evil.example``).
RETURN_PAGES = {"overview", "resume", "answer"}


def _own_page(app: Flask, back: str) -> str:
    """The URL of the app's own page ``back`` names, or the overview's."""
    try:
        endpoint, values = app.url_map.bind("localhost").match(back, method="GET")
    except HTTPException:  # not a page of ours (NotFound, MethodNotAllowed, RequestRedirect)
        endpoint, values = "overview", {}
    if endpoint not in RETURN_PAGES:
        endpoint, values = "overview", {}
    return url_for(endpoint, **values)


def _names_shown() -> bool:
    return request.cookies.get("names") == "1"

"""``python -m autograder.review --out <run> [--assignment NAME] [--port N]``."""
import argparse
import sys
from pathlib import Path

from werkzeug.serving import make_server

from autograder.assignments import KitError
from autograder.engine import report
from autograder.review.app import create_app, load
from shared.i18n import msg_in

HOST = "127.0.0.1"  # this machine only: the app has no login


def main(argv=None):
    parser = argparse.ArgumentParser(description="Grade a run's written answers in the browser")
    parser.add_argument("--out", required=True, type=Path, help="the run folder of make grade")
    parser.add_argument("--assignment", help="default: the one the run's answers belong to")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=0, help="seed of the anonymous order")
    args = parser.parse_args(argv)
    try:
        run = load(args.out, args.assignment, args.seed)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    try:
        server = make_server(HOST, args.port, create_app(run), threaded=True)
    except OSError as exc:
        sys.exit(f"error: cannot listen on {HOST}:{args.port} ({exc.strerror}); "
                 f"pick another with PORT=<number>")
    language = report.run_language(run.out, run.assignment, "ta_language")  # the TA's
    print(msg_in(language, "rv.serving", assignment=run.assignment.name, run=args.out,
                 url=f"http://{HOST}:{server.server_port}/"), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

"""python -m runtime.serve [--model M] [HOST:]PORT [--token T]: the live view's drawing pad alone.

No camera needed: try a model from a laptop or a phone by drawing digits in the browser.
"""

from __future__ import annotations

import argparse
import sys
import threading

from runtime.cliargs import THRESHOLD_HELP, positive_int, probability
from runtime.command import cli, program
from runtime.image import quiet_opencv
from runtime.live import LiveServer, announce, parse_bind
from runtime.live.options import add_live_options, check_live_options
from runtime.models.auto import AUTO, MODEL_HELP, resolve
from runtime.reader.recognizer import DEFAULT_THRESHOLD, Recognizer
from runtime.webcam import stop_on_sigterm

PROG = "runtime.serve"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog=program(PROG), description="Serve the drawing pad: draw "
                                "digits in a browser, read them with the model (no camera "
                                "needed).")
    p.add_argument("bind", metavar="[HOST:]PORT", help="where to listen, e.g. 8080 (127.0.0.1) or "
                   "0.0.0.0:8080 (every interface: a token is then required, printed with the URL)")
    p.add_argument("--model", default=AUTO, help=MODEL_HELP)
    add_live_options(p, stream=False)
    p.add_argument("--threads", type=positive_int, default=1, help="inference threads (default 1)")
    p.add_argument("--threshold", type=probability, default=DEFAULT_THRESHOLD,
                   help=THRESHOLD_HELP)
    args = p.parse_args(argv)
    check_live_options(p, args, serving=True)
    return args


@cli
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    quiet_opencv()
    host, port = parse_bind(args.bind)
    model, chosen = resolve(args.model)
    recognizer = Recognizer.open(model, threads=args.threads, threshold=args.threshold)
    server = LiveServer(host, port, pad=recognizer, model_name=model.name,
                        token=args.token, allow_hosts=tuple(args.allow_host))
    stop_on_sigterm()
    try:
        server.start()
        if chosen:  # said once the server is up (an error says nothing else)
            print(chosen, flush=True)
        print("\n".join(announce(server)), flush=True)
        print("drawing pad only (no camera); Ctrl-C stops", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

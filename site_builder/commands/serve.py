"""`site-builder serve`: build the site, then serve it on localhost to look at it."""

from __future__ import annotations

import functools
from pathlib import Path


def register(sub) -> None:
    parser = sub.add_parser("serve", help="xây dựng trang rồi mở trên máy (http://127.0.0.1:8000)")
    parser.add_argument("--out", type=Path, default=None, help="thư mục kết quả (mặc định: build/site)")
    parser.add_argument("--port", type=int, default=8000)
    parser.set_defaults(run=run)


def run(args) -> int:
    import http.server  # here, not above: every command imports this module to register it (~10 ms)

    from site_builder.commands import build

    args.timings = False
    args.link_report = None
    code = build.run(args)
    if code:
        return code
    folder = (args.out or args.root / "build" / "site").resolve()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
        print(f"Đang phục vụ trang tại http://127.0.0.1:{args.port}/ (Ctrl+C để dừng).")
        server.serve_forever()
    return 0

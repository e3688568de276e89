"""A loopback OpenAI-compatible chat server with scripted answers, for tests and benchmarks.

The real openai client (through LangChain's ChatOpenAI) talks HTTP to it on 127.0.0.1,
so retries, timeouts and parsing are exercised as in production; nothing leaves the
machine. Answers come from a script (a queue of `Reply`, consumed in order) and, when
the script is empty, from a responder function of the request. `item_model` is a
responder that plays a well-behaved model: it reads the note ids and the item count
from the prompt and answers with grounded items built by the offline generator.

Run it alone for the benchmark: `python -m tests.llm_server --latency 0.3` prints
`PORT <n>` and serves until killed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bank.models import Item

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Reply:
    """One scripted HTTP answer: a status, a body (dict as JSON, str as is), a delay."""

    status: int = 200
    body: dict[str, Any] | str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


Responder = Callable[[dict[str, Any]], Reply]


def completion(
    content: str | None = None,
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    refusal: str | None = None,
    prompt_tokens: int = 1000,
    completion_tokens: int = 500,
    model: str = "test-model",
) -> dict[str, Any]:
    """A chat.completion body as OpenAI sends it."""
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tool_calls else "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def json_reply(obj: Any, **usage: int) -> Reply:
    """A 200 answer whose message content is obj as a JSON string."""
    return Reply(body=completion(json.dumps(obj), **usage))


def tool_reply(name: str, obj: Any, **usage: int) -> Reply:
    """A 200 answer that calls tool `name` with obj as its arguments."""
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(obj)},
    }
    return Reply(body=completion(None, tool_calls=[call], **usage))


def error_reply(status: int, message: str = "scripted error", **headers: str) -> Reply:
    return Reply(
        status=status, body={"error": {"message": message, "type": "server_error"}}, headers=headers
    )


def prompt_text(request: dict[str, Any]) -> str:
    """All message contents of a chat request, joined."""
    parts = []
    for m in request.get("messages", []):
        content = m.get("content")
        if isinstance(content, list):
            content = " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
        parts.append(str(content or ""))
    return "\n".join(parts)


def is_judge(request: dict[str, Any]) -> bool:
    fmt = request.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name", "")
    tools = [t.get("function", {}).get("name", "") for t in request.get("tools", [])]
    return "judge" in name.lower() or any("judge" in t.lower() for t in tools)


def approx_tokens(text: str) -> int:
    return max(1, len(text) // 4)


_NOTE_ID = re.compile(r'<note id="([^"]+)"')
_COUNT = re.compile(r"Write exactly (\d+) item")


class ItemModel:
    """A responder that answers generation requests with grounded items from the notes.

    Items come from the offline generator over the notes named in the prompt, so
    they are clean and their quotes are in the cited notes. A judge request gets a
    verdict that agrees with every key and reports no flaw.
    """

    def __init__(self, notes_dir: Path | None = None) -> None:
        from bank.blueprint import load_blueprint
        from bank.notes import load_notes

        self.blueprint = load_blueprint()
        self.notes = load_notes(notes_dir or ROOT / "data" / "notes", self.blueprint)
        self._by_id = self.notes.by_id()
        self._domains: dict[int, list[Item]] = {}
        self._pools: dict[str, list[Item]] = {}
        self._cursor: dict[str, int] = {}
        self._lock = threading.Lock()
        self._keys: dict[str, str] = {}  # stem -> key, so the judge can agree

    def _pool(self, note_id: str) -> list[Item]:
        """Every clean item the offline generator makes citing one note (computed once).

        The offline generator works over the whole note set (its scenario families
        cite rule facts of several notes); the items citing `note_id` first are kept.
        """
        from generators.base import GenerationRequest
        from generators.offline import OfflineGenerator
        from validators.flaws import check_flaws

        if note_id not in self._pools:
            note = self._by_id[note_id]
            domain = self._domains.get(note.domain)
            if domain is None:
                request = GenerationRequest(domain=note.domain, count=300)
                gen = OfflineGenerator(check_flaws)
                domain = gen.generate(request, self.notes, self.blueprint).items
                self._domains[note.domain] = domain
            items = [it for it in domain if it.sources and it.sources[0].note == note_id]
            with self._lock:
                self._pools[note_id] = items
                self._keys.update({it.stem: it.answer for it in items})
        return self._pools[note_id]

    def warm(self, *domains: int) -> ItemModel:
        """Build the items of these domains' notes now (all domains when none named)."""
        for note in self.notes.notes:
            if not domains or note.domain in domains:
                self._pool(note.id)
        return self

    def _items(self, note_ids: tuple[str, ...], count: int) -> list[Item]:
        """The next items of the notes' pools, round-robin: distinct until a pool wraps."""
        pools = {i: self._pool(i) for i in note_ids if i in self._by_id}
        pools = {i: p for i, p in pools.items() if p}
        out: list[Item] = []
        with self._lock:
            while pools and len(out) < count:
                for note_id, pool in pools.items():
                    if len(out) == count:
                        break
                    cursor = self._cursor.get(note_id, 0)
                    out.append(pool[cursor % len(pool)])
                    self._cursor[note_id] = cursor + 1
        return out

    def batch(self, request: dict[str, Any]) -> dict[str, Any]:
        text = prompt_text(request)
        note_ids = tuple(dict.fromkeys(_NOTE_ID.findall(text)))
        m = _COUNT.search(text)
        count = int(m.group(1)) if m else 1
        return {"items": [to_wire(it) for it in self._items(note_ids, count)]}

    def judge(self, request: dict[str, Any]) -> dict[str, Any]:
        text = prompt_text(request)
        stems = re.findall(r'<item index="\d+">\n(.*)', text)
        verdicts = []
        for i, stem in enumerate(stems):
            key = self._keys.get(stem.strip(), "A")
            verdicts.append(
                {"index": i, "answer": key, "reason": "scripted", "defensible": [key], "flaws": []}
            )
        return {"verdicts": verdicts}

    def __call__(self, request: dict[str, Any]) -> Reply:
        obj = self.judge(request) if is_judge(request) else self.batch(request)
        content = json.dumps(obj)
        return Reply(
            body=completion(
                content,
                prompt_tokens=approx_tokens(prompt_text(request)),
                completion_tokens=approx_tokens(content),
            )
        )


def to_wire(item: Item) -> dict[str, Any]:
    """An item as the model is asked to write it (the generator's output schema)."""
    return {
        "stem": item.stem,
        "options": list(item.options),
        "answer": item.answer,
        "rationale": item.rationale or "",
        "difficulty": item.difficulty or "medium",
        "bloom": item.bloom or "remember",
        "sources": [{"note": s.note, "quote": s.quote} for s in item.sources],
    }


class LLMServer:
    """The server: start(), then point the client at `.url`; requests are kept in order."""

    def __init__(self, responder: Responder | None = None, latency: float = 0.0) -> None:
        self.responder = responder
        self.latency = latency
        self.requests: list[dict[str, Any]] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- scripting --------------------------------------------------------------
    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.popleft()
        if self.responder is not None:
            return self.responder(request)
        return error_reply(500, "no scripted reply left")

    @property
    def pending(self) -> int:
        return len(self._script)

    # ---- lifecycle ----------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> LLMServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; with Nagle's algorithm on, the
            # second waits for the client's delayed ACK (~40 ms a request).
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    request = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    request = {}
                reply = server._next(request)
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                delay = reply.delay + server.latency
                if delay:
                    time.sleep(delay)
                with server._lock:
                    server.in_flight -= 1
                body = reply.body if reply.body is not None else ""
                data = (body if isinstance(body, str) else json.dumps(body)).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test): nothing to answer

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # 32+ clients connect at once in the benchmark

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> LLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


RECORDED = ROOT / "tests" / "data" / "llm"


def request_method(request: dict[str, Any]) -> str:
    """The structured-output method a chat request asks with (as generators/llm_method.py)."""
    if request.get("tools"):
        return "function_calling"
    kind = (request.get("response_format") or {}).get("type")
    return {"json_schema": "json_schema", "json_object": "json_mode"}.get(str(kind), "text")


def load_recording(name: str) -> dict[str, Any]:
    """One recorded exchange with a real server (tests/data/llm/<name>.json)."""
    data: dict[str, Any] = json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))
    return data


class Replay:
    """A responder that answers as a recorded real server did, by the method asked with.

    `answers` maps a method (json_schema, function_calling, json_mode) to recording
    names, replayed in turn (the last one again when they run out); a method with no
    recording gets `fallback` (default: the HTTP 500 a server that does not know it
    sends). A recorded answer cut off at the output-token limit is replayed only to a
    request that sets one; a request without a limit gets `runaway_delay` seconds of
    silence, as the real server's runaway generation gave.
    """

    def __init__(
        self,
        answers: dict[str, list[str]],
        *,
        fallback: str | None = None,
        runaway_delay: float = 30.0,
    ) -> None:
        self.answers = {m: [load_recording(n) for n in names] for m, names in answers.items()}
        self.fallback = load_recording(fallback) if fallback else None
        self.runaway_delay = runaway_delay
        self.sent: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> Reply:
        method = request_method(request)
        recorded = self.answers.get(method)
        if not recorded:
            if self.fallback is None:
                return error_reply(500, f"no recording for {method}")
            return Reply(status=self.fallback["status"], body=self.fallback["response"])
        with self._lock:
            n = self.sent.get(method, 0)
            self.sent[method] = n + 1
        exchange = recorded[min(n, len(recorded) - 1)]
        body = exchange["response"]
        if not was_cut(exchange):
            return Reply(status=exchange["status"], body=body)
        limit = request.get("max_tokens") or request.get("max_completion_tokens")
        if not limit:
            return Reply(status=500, body="runaway", delay=self.runaway_delay)
        # Cut at this request's limit, as the server would have cut it.
        body = json.loads(json.dumps(body))
        body["usage"]["completion_tokens"] = int(limit)
        return Reply(status=exchange["status"], body=body)


def was_cut(exchange: dict[str, Any]) -> bool:
    """Whether a recorded answer stopped at its request's output-token limit."""
    body = exchange["response"]
    if not isinstance(body, dict):
        return False
    if any(c.get("finish_reason") == "length" for c in body.get("choices", [])):
        return True
    limit = exchange.get("request", {}).get("max_tokens")
    return bool(limit) and body.get("usage", {}).get("completion_tokens", 0) >= limit


class Garbage:
    """A responder that answers every n-th generation request with broken JSON."""

    def __init__(self, responder: Responder, every: int) -> None:
        self.responder = responder
        self.every = every
        self._count = itertools.count(1)

    def __call__(self, request: dict[str, Any]) -> Reply:
        if self.every and not is_judge(request) and next(self._count) % self.every == 0:
            return Reply(body=completion('{"items": [{"stem": "cut off', completion_tokens=12))
        return self.responder(request)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.3, help="Seconds per request.")
    parser.add_argument(
        "--garbage-every", type=int, default=0, help="Break every n-th generation answer."
    )
    args = parser.parse_args(argv)
    model = ItemModel().warm()  # answer from the first request on, at full speed
    responder: Responder = model
    if args.garbage_every:
        responder = Garbage(responder, args.garbage_every)
    server = LLMServer(responder, latency=args.latency).start()
    print(f"PORT {server.port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
        sys.exit(0)


if __name__ == "__main__":
    main()

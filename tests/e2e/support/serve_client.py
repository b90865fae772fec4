#!/usr/bin/python3
"""Drives a running `serve` over real sockets for tests/e2e/serve.sh.

Usage: serve_client.py URL IDS_JSON EXPECTED_JSONL

IDS_JSON names four favourites and a movie outside the trained catalog; EXPECTED_JSONL is what
`recommend --json --seed 7` wrote for those favourites and the answers y, n, i, s, y: the API's
session with seed 7 must give the same recommendations and explanation, field for field. The
server runs with --max-sessions 3 --threads 2 --read-timeout-seconds 2
--request-timeout-seconds 3. Any failed check raises (exit 1).
"""
import http.client
import json
import socket
import sys
import threading
import time
import urllib.parse

URL = urllib.parse.urlparse(sys.argv[1])
HOST, PORT = URL.hostname, URL.port
IDS = json.load(open(sys.argv[2]))
EXPECTED = [json.loads(line) for line in open(sys.argv[3], encoding="utf-8")]
SESSION_IDS = []


def request(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def check_headers(response, where):
    assert response.getheader("Content-Security-Policy") == "default-src 'self'", where
    assert response.getheader("X-Content-Type-Options") == "nosniff", where


def api(method, path, body=None, status=200, raw=None):
    """The JSON answer of one request, checking its status, type and headers."""
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    headers = {"Content-Type": "application/json"} if data is not None else {}
    response, payload = request(method, path, data, headers)
    where = f"{method} {path} -> {response.status} {payload[:300]!r}"
    assert response.status == status, where
    assert response.getheader("Content-Type") == "application/json", where
    check_headers(response, where)
    answer = json.loads(payload.decode("utf-8"))
    if status >= 400:
        assert set(answer) == {"error"} and answer["error"], where
        for leak in ("json.exception", "what()", "/home", "/tmp", "/work", "std::", "httplib"):
            assert leak not in answer["error"], where
    return answer


def raw_exchange(data, read_for=5.0):
    """Sends bytes on a fresh connection and returns all it gets until the server closes or a
    pause of read_for seconds."""
    s = socket.create_connection((HOST, PORT), timeout=read_for)
    try:
        s.sendall(data)
    except OSError:
        pass  # the server may close before reading it all; its answer still counts
    chunks = []
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    except OSError:
        pass
    s.close()
    return b"".join(chunks)


def raw_status(answer):
    line = answer.split(b"\r\n", 1)[0]
    assert line.startswith(b"HTTP/1.1 "), answer[:200]
    return int(line.split()[1])


def raw_json(answer):
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"Content-Type: application/json" in head, head
    assert b"Content-Security-Policy: default-src 'self'" in head, head
    return json.loads(body.decode("utf-8"))


def without_event(event):
    event = dict(event)
    del event["event"]
    return event


def check_health():
    health = api("GET", "/api/health")
    assert health["status"] == "ok" and health["k"] == 8 and health["model"] == "als", health
    assert 0 < health["catalog"] <= health["movies"], health


def whole_session():
    recs = [without_event(e) for e in EXPECTED if e["event"] == "recommendation"]
    info = [without_event(e) for e in EXPECTED if e["event"] == "info"]
    end = [e for e in EXPECTED if e["event"] == "end"][0]
    created = api("POST", "/api/sessions", {"favourites": IDS["favourites"], "seed": 7}, 201)
    sid = created["session_id"]
    SESSION_IDS.append(sid)
    assert len(sid) == 32 and created["seed"] == 7
    assert [m["movie_id"] for m in created["favourites"]] == IDS["favourites"]
    assert created["recommendation"] == recs[0], (created["recommendation"], recs[0])
    rec = created["recommendation"]
    shown = [rec]
    for answer in ("like", "dislike", "info", "skip", "like"):
        if answer == "info":
            assert api("GET", f"/api/sessions/{sid}/explain") == info[0]
            continue
        rec = api("POST", f"/api/sessions/{sid}/answers",
                  {"movie_id": rec["movie_id"], "answer": answer})["recommendation"]
        shown.append(rec)
    assert shown == recs, "the API's recommendations differ from recommend --json's"
    state = api("GET", f"/api/sessions/{sid}")
    assert state["counts"] == {"shown": 5, "likes": 2, "dislikes": 1, "skips": 1, "watches": 0}, state
    assert [a["answer"] for a in state["answers"]] == ["like", "dislike", "skip", "like"]
    summary = api("DELETE", f"/api/sessions/{sid}")
    assert summary["liked"] == end["liked"] and summary["likes"] == 2, summary
    api("GET", f"/api/sessions/{sid}", status=404)


def search_and_movies():
    title = IDS["titles"][0]
    query = urllib.parse.quote_plus(title.rsplit(" (", 1)[0].lower())
    found = api("GET", f"/api/movies/search?q={query}&limit=5")
    assert IDS["favourites"][0] in [r["movie_id"] for r in found["results"]], found
    for result in found["results"]:
        assert set(result) >= {"movie_id", "title", "year", "genres", "in_catalog"}, result
    api("GET", "/api/movies/search?q=secretword&limit=3")
    movie = api("GET", f"/api/movies/{IDS['favourites'][0]}")
    assert movie["title"] == title and movie["in_catalog"] is True, movie
    outside = api("GET", f"/api/movies/{IDS['outside']}")
    assert outside["in_catalog"] is True and outside["evidence"] in ("folded", "content"), outside
    assert movie["evidence"] == "trained" and movie["evidence_ratings"] > 0, movie
    health = api("GET", "/api/health")
    assert health["catalog"] > health["recommendable"] > 0, health


def error_statuses():
    favs = IDS["favourites"]
    api("POST", "/api/sessions", raw='{"favourites": [1, 2', status=400)
    api("POST", "/api/sessions", {"favourites": favs[:3]}, status=400)
    api("POST", "/api/sessions", {"favourites": favs[:3] + [99999999]}, status=400)
    api("GET", "/api/movies/search?q=x&limit=0", status=400)
    api("GET", "/api/movies/99999999", status=404)
    api("GET", "/api/sessions/" + "0" * 32, status=404)
    api("GET", "/no/such/route", status=404)
    response, _ = request("PUT", "/api/sessions")
    assert response.status == 405 and response.getheader("Allow") == "POST"
    created = api("POST", "/api/sessions", {"favourites": favs}, 201)
    sid = created["session_id"]
    SESSION_IDS.append(sid)
    wrong = next(i for i in favs if i != created["recommendation"]["movie_id"])
    api("POST", f"/api/sessions/{sid}/answers", {"movie_id": wrong, "answer": "like"}, status=409)
    api("POST", f"/api/sessions/{sid}/answers", {"movie_id": wrong, "answer": "meh"}, status=400)
    # A megabyte body, declared: 413 and the server reads no more of it than it must.
    big = '{"favourites": [' + "1," * 500000 + "1]}"
    api("POST", "/api/sessions", raw=big, status=413)
    # A client that asks first (Expect: 100-continue) is refused before it sends the body.
    answer = raw_exchange(b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n"
                          b"Expect: 100-continue\r\n\r\n")
    assert raw_status(answer) == 413, answer[:300]
    raw_json(answer)
    # A megabyte body in chunks (no declared length).
    chunks = b"".join(b"%x\r\n%s\r\n" % (65536, b"x" * 65536) for _ in range(16)) + b"0\r\n\r\n"
    answer = raw_exchange(b"POST /api/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                          b"Content-Type: application/json\r\n\r\n" + chunks)
    assert raw_status(answer) == 413, answer[:300]
    # The session limit (3): the open one, two more, then 503 with a hint; the open ones work.
    for _ in range(2):
        SESSION_IDS.append(api("POST", "/api/sessions", {"favourites": favs}, 201)["session_id"])
    body = json.dumps({"favourites": favs})
    response, payload = request("POST", "/api/sessions", body, {"Content-Type": "application/json"})
    assert response.status == 503, (response.status, payload)
    assert response.getheader("Retry-After") and "--max-sessions" in json.loads(payload)["error"]
    rec = api("GET", f"/api/sessions/{sid}")["recommendation"]
    api("POST", f"/api/sessions/{sid}/answers", {"movie_id": rec["movie_id"], "answer": "skip"})
    api("DELETE", f"/api/sessions/{sid}")
    SESSION_IDS.append(api("POST", "/api/sessions", {"favourites": favs}, 201)["session_id"])


def hostile_requests():
    for path in (b"/../../etc/passwd", b"/%2e%2e/%2e%2e/etc/passwd", b"/app.js/../../etc/passwd",
                 b"/..%2f..%2fetc%2fpasswd", b"/static/../CMakeLists.txt"):
        answer = raw_exchange(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert raw_status(answer) == 404, (path, answer[:300])
        assert b"root:" not in answer and b"cmake_minimum_required" not in answer
        raw_json(answer)
    for query in (b"%ff%fe%00", b"\xff\xfe", b"%c3%28", b"\xc3(", b"a" * 6000):
        answer = raw_exchange(b"GET /api/movies/search?q=" + query +
                              b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status = raw_status(answer)
        assert status in (200, 400), (query, answer[:300])
        found = raw_json(answer)
        if status == 200:
            assert found["results"] == [] or isinstance(found["results"], list)
    for junk in (b"FROB / HTTP/1.1\r\nHost: x\r\n\r\n", b"garbage\r\n\r\n",
                 b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n"):
        answer = raw_exchange(junk)
        assert raw_status(answer) == 400, (junk[:40], answer[:300])
        raw_json(answer)
    answer = raw_exchange(b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert raw_status(answer) == 414, answer[:300]
    # Many headers, each within the library's 8 KiB line limit, past --max-header-bytes: the
    # connection is cut (with an error status when it can still be written).
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 1000) for i in range(40))
    answer = raw_exchange(b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert answer == b"" or raw_status(answer) in (400, 413), answer[:300]
    # The same path twice on one kept-alive connection.
    connection = http.client.HTTPConnection(HOST, PORT, timeout=10)
    for _ in range(2):
        connection.request("GET", "/api/health")
        assert connection.getresponse().read()
    connection.close()


def slow_clients():
    def drip(results, index):
        start = time.monotonic()
        s = socket.create_connection((HOST, PORT), timeout=20)
        try:
            s.sendall(b"GET /api/health HTTP/1.1\r\n")
            for _ in range(40):
                time.sleep(0.5)
                s.sendall(b"X")
        except OSError:
            pass
        try:
            while s.recv(4096):
                pass
        except OSError:
            pass
        results[index] = time.monotonic() - start
        s.close()

    def silent(results, index):
        start = time.monotonic()
        s = socket.create_connection((HOST, PORT), timeout=20)
        try:
            s.recv(1)
        except OSError:
            pass
        results[index] = time.monotonic() - start
        s.close()

    results = [None] * 4
    threads = [threading.Thread(target=drip, args=(results, i)) for i in range(3)]
    threads.append(threading.Thread(target=silent, args=(results, 3)))
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    # Both workers are held by slow clients now; a normal request is still answered once the
    # request timeout (3 s) cuts them.
    start = time.monotonic()
    check_health()
    assert time.monotonic() - start < 10, time.monotonic() - start
    for thread in threads:
        thread.join()
    assert all(r is not None and r < 10 for r in results), results


def metrics():
    response, payload = request("GET", "/metrics")
    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/plain; version=0.0.4")
    text = payload.decode()
    for line in ('route="/api/sessions/{sid}/answers",method="POST",status="200"',
                 'route="/api/sessions",method="POST",status="503"',
                 'route="transport",method="POST",status="413"',
                 "movierec_http_request_duration_seconds_bucket",
                 "movierec_sessions_open 3", 'movierec_sessions_total{event="refused"} 1'):
        assert line in text, (line, text)
    for sid in SESSION_IDS:
        assert sid not in text


check_health()
search_and_movies()
whole_session()
error_statuses()
hostile_requests()
slow_clients()
metrics()
for sid in SESSION_IDS:
    response, _ = request("DELETE", f"/api/sessions/{sid}")
    assert response.status in (200, 404)
assert "movierec_sessions_open 0" in request("GET", "/metrics")[1].decode()
check_health()
print("serve client: ok")

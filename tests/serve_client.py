#!/usr/bin/env python3
"""serve_client.py - helpers of tests/serve_test.sh (hedui serve, issue 21).

  bodies DATA_DIR OUT_DIR [--as-of D] [--reason R]
      For every household of DATA_DIR/households.csv, and for all of them
      at once (ALL): OUT/<id>.json, a POST /v1/check body, and
      OUT/<id>.households.csv + OUT/<id>.members.csv holding the same rows
      in the same order, for `hedui check`.
  compare SERVE_JSON CHECK_JSON HH_CSV MEM_CSV
      The answer of serve equals the answer of `check --json` once the
      input's names differ ("households"/"members" against the paths):
      exit 0, or 1 with the first differences.
  hmac KEY_FILE ID
      "h:" + the first 128 bits of HMAC-SHA-256(key, ID), hex (the access
      log's keyed hash, computed independently of hedui).
  loglines LOG
      Every line is a JSON object with the access log's fields; prints the
      number of lines (exit 1 on a bad line).
  overload HOST PORT N_IDLE
      Opens N_IDLE connections that send nothing, then a whole request on
      one more (prints its status), closes the idle ones and asks again
      (prints that status): "503 200" when the server sheds load.
  slowloris HOST PORT SECONDS
      Sends a request's first line, then one header byte every 0.5 s; prints
      the seconds until the server closed the connection ("open" when it
      had not after SECONDS).
  headers HOST PORT N [BYTES]
      A GET / with N extra header lines (or one of BYTES bytes); prints the
      status.
  post URL BODY OUT
      POST the JSON file BODY to URL/v1/check, the answer to OUT; prints
      the status (tests/check_cli.sh, where curl may be missing).
  flags ANSWER_JSON FLAGS_CSV HOUSEHOLD_ID...
      The findings of those households in an answer (check --json or serve)
      are the rows of a run's flags.csv for them (its eight columns, the
      region code from the answer's household): exit 0 printing how many,
      or 1 with the differences.
Standard library only.
"""
import csv
import hashlib
import hmac
import json
import os
import socket
import sys
import time

HH_COLS = ["household_id", "region_code", "program", "area_type", "status", "applied_on",
           "approved_on", "monthly_benefit", "caseworker_id"]
MEM_COLS = ["household_id", "id_no", "name", "relation", "declared_monthly_income",
            "work_ability", "disability_grade"]


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def write_set(out, name, hhs, as_of, reason):
    body = {"households": []}
    if as_of:
        body["as_of"] = as_of
    if reason:
        body["reason"] = reason
    with open(os.path.join(out, name + ".households.csv"), "w", newline="",
              encoding="utf-8") as fh, \
            open(os.path.join(out, name + ".members.csv"), "w", newline="",
                 encoding="utf-8") as fm:
        wh = csv.writer(fh, lineterminator="\n")
        wm = csv.writer(fm, lineterminator="\n")
        wh.writerow(HH_COLS)
        wm.writerow(MEM_COLS)
        for h, ms in hhs:
            wh.writerow([h[c] for c in HH_COLS])
            jh = {c: h[c] for c in HH_COLS}
            jh["members"] = []
            for m in ms:
                wm.writerow([m[c] for c in MEM_COLS])
                jh["members"].append({c: m[c] for c in MEM_COLS if c != "household_id"})
            body["households"].append(jh)
    with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
        json.dump(body, f, ensure_ascii=False)


def cmd_bodies(args):
    data, out = args[0], args[1]
    as_of = reason = None
    rest = args[2:]
    while rest:
        if rest[0] == "--as-of":
            as_of = rest[1]
        elif rest[0] == "--reason":
            reason = rest[1]
        rest = rest[2:]
    os.makedirs(out, exist_ok=True)
    hhs = read_csv(os.path.join(data, "households.csv"))
    mem = read_csv(os.path.join(data, "members.csv"))
    seen = set()
    sets = []
    for h in hhs:
        if h["household_id"] in seen:
            continue
        seen.add(h["household_id"])
        sets.append((h, [m for m in mem if m["household_id"] == h["household_id"]]))
    for h, ms in sets:
        write_set(out, h["household_id"], [(h, ms)], as_of, reason)
    write_set(out, "ALL", sets, as_of, reason)
    print(len(sets))
    return 0


def relabel(obj, hh_path, mem_path):
    """check's answer with the input paths renamed as serve names them."""
    if isinstance(obj, dict):
        return {k: relabel(v, hh_path, mem_path) for k, v in obj.items()}
    if isinstance(obj, list):
        return [relabel(v, hh_path, mem_path) for v in obj]
    if isinstance(obj, str):
        return obj.replace(mem_path, "members").replace(hh_path, "households")
    return obj


def diff(a, b, path="", out=None):
    out = [] if out is None else out
    if type(a) is not type(b):
        out.append(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'check' if k in b else 'serve'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: {a!r} != {b!r}")
    return out


def cmd_compare(args):
    with open(args[0], encoding="utf-8") as f:
        served = json.load(f)
    with open(args[1], encoding="utf-8") as f:
        checked = relabel(json.load(f), args[2], args[3])
    d = diff(served, checked)
    if d:
        print("\n".join(d[:10]), file=sys.stderr)
        return 1
    return 0


def cmd_hmac(args):
    key = open(args[0], "rb").read()
    print("h:" + hmac.new(key, args[1].encode(), hashlib.sha256).hexdigest()[:32])
    return 0


def cmd_loglines(args):
    n = 0
    want = {"time", "caller", "peer", "reason", "status", "households", "ms"}
    with open(args[0], encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            try:
                o = json.loads(line)
            except ValueError as e:
                print(f"line {i}: not JSON: {e}", file=sys.stderr)
                return 1
            if not want <= set(o):
                print(f"line {i}: lacks {sorted(want - set(o))}", file=sys.stderr)
                return 1
            n += 1
    print(n)
    return 0


def status_of(sock):
    data = b""
    sock.settimeout(10)
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return "closed"
        data += chunk
    return data.split(b" ", 2)[1].decode()


def cmd_overload(args):
    host, port, n = args[0], int(args[1]), int(args[2])
    idle = [socket.create_connection((host, port)) for _ in range(n)]
    time.sleep(0.5)
    req = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    s = socket.create_connection((host, port))
    s.sendall(req)
    first = status_of(s)
    s.close()
    for c in idle:
        c.close()
    second = "none"
    end = time.time() + 10   # the server sees the closes in its own time
    while time.time() < end:
        time.sleep(0.2)
        s = socket.create_connection((host, port))
        s.sendall(req)
        second = status_of(s)
        s.close()
        if second == "200":
            break
    print(first, second)
    return 0


def cmd_slowloris(args):
    host, port, secs = args[0], int(args[1]), float(args[2])
    s = socket.create_connection((host, port))
    s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")
    t0 = time.time()
    s.settimeout(0.5)
    while time.time() - t0 < secs:
        try:
            s.sendall(b"X")
            if s.recv(1) == b"":
                print(f"{time.time() - t0:.1f}")
                return 0
        except socket.timeout:
            continue
        except OSError:
            print(f"{time.time() - t0:.1f}")
            return 0
    print("open")
    return 0


def cmd_headers(args):
    host, port, n = args[0], int(args[1]), int(args[2])
    s = socket.create_connection((host, port))
    extra = "".join(f"X-H{i}: {i}\r\n" for i in range(n))
    if len(args) > 3:
        extra = "X-Big: " + "a" * int(args[3]) + "\r\n"
    s.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\n{extra}Connection: close\r\n\r\n".encode())
    print(status_of(s))
    return 0


def cmd_post(args):
    import urllib.error
    import urllib.request
    with open(args[1], "rb") as f:
        req = urllib.request.Request(args[0] + "/v1/check", data=f.read(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as x:
        status, body = x.code, x.read()
    with open(args[2], "wb") as f:
        f.write(body)
    print(status)
    return 0


FLAG_COLS = ["rule_id", "kind", "severity", "household_id", "hukou_no", "id_no",
             "region_code", "evidence"]


def cmd_flags(args):
    with open(args[0], encoding="utf-8") as f:
        answer = json.load(f)
    ids = set(args[2:])
    got = []
    for h in answer["households"]:
        if h["household_id"] not in ids:
            continue
        for x in h["findings"]:
            got.append((x["rule_id"], x["kind"], x["severity"], h["household_id"],
                        x["hukou_no"], x["id_no"], h["region_code"], x["evidence"]))
    want = [tuple(r[c] for c in FLAG_COLS) for r in read_csv(args[1])
            if r["household_id"] in ids]
    if sorted(got) != sorted(want):
        for r in sorted(set(want) - set(got)):
            print("only in the run: " + ",".join(r), file=sys.stderr)
        for r in sorted(set(got) - set(want)):
            print("only in the answer: " + ",".join(r), file=sys.stderr)
        if set(got) == set(want):
            print(f"repeated rows: {len(got)} in the answer, {len(want)} in the run",
                  file=sys.stderr)
        return 1
    print(len(got))
    return 0


def main():
    cmds = {"bodies": cmd_bodies, "compare": cmd_compare, "hmac": cmd_hmac,
            "loglines": cmd_loglines, "overload": cmd_overload, "slowloris": cmd_slowloris,
            "headers": cmd_headers, "post": cmd_post, "flags": cmd_flags}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""serve_page.py - drive hedui serve's page (GET /) in headless Chromium as a
caseworker would, for tests/serve_test.sh (issue 21).

  serve_page.py URL SCENARIO_JSON PROFILE_DIR

Starts `chromium --headless` with the DevTools protocol on a free port,
opens URL, and through the protocol (a minimal WebSocket client below, the
standard library only): types the reason and the household's fields into
the form (focus + Input.insertText, as typing), pastes the members block
(tab-separated, as copied from a spreadsheet) into the paste box, clicks
"填入成员表" and "核对" with real mouse events, and waits for the answer.
Prints one JSON object: the verdict text and its data-verdict, the review
reasons and findings rows as shown, the members filled in, and every
console message, exception and CSP violation seen.

SCENARIO_JSON: {"reason": ..., "as_of": ..., "fields": {"household_id": ...,
"region_code": ..., "program": ..., "status": ..., ...}, "paste": "TSV"}.
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request


class WS:
    """A WebSocket client good enough for the DevTools protocol."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.s = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(4096)
            if not chunk:
                raise RuntimeError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError("websocket handshake refused: " + head.decode(errors="replace"))
        self.buf = head.split(b"\r\n\r\n", 1)[1]

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            hdr = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            hdr = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        self.s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise RuntimeError("websocket closed")
            self.buf += chunk

    def recv(self):
        msg = b""
        while True:
            self._need(2)
            b0, b1 = self.buf[0], self.buf[1]
            n, off = b1 & 0x7F, 2
            if n == 126:
                self._need(4)
                n, off = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                self._need(10)
                n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
            self._need(off + n)
            payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
            op = b0 & 0x0F
            if op == 8:
                raise RuntimeError("websocket closed by chromium")
            if op in (0, 1, 2):
                msg += payload
                if b0 & 0x80:
                    return msg.decode()


class CDP:
    def __init__(self, ws):
        self.ws, self.id, self.events = ws, 0, []

    def call(self, method, **params):
        self.id += 1
        self.ws.send(json.dumps({"id": self.id, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate {expr[:60]}: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")

    def wait(self, expr, timeout=20):
        end = time.time() + timeout
        while time.time() < end:
            v = self.js(expr)
            if v:
                return v
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {expr}")

    def type_into(self, elem_id, text):
        self.js(f"document.getElementById({json.dumps(elem_id)}).focus()")
        self.js(f"document.getElementById({json.dumps(elem_id)}).select && "
                f"document.getElementById({json.dumps(elem_id)}).select()")
        self.call("Input.insertText", text=text)

    def click(self, elem_id):
        box = self.js(f"(function(){{var e=document.getElementById({json.dumps(elem_id)});"
                      "e.scrollIntoView({block:'center'});var r=e.getBoundingClientRect();"
                      "return [r.left+r.width/2, r.top+r.height/2];})()")
        for t in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=t, x=box[0], y=box[1], button="left",
                      clickCount=1)


def main():
    url, scen_path, prof = sys.argv[1], sys.argv[2], sys.argv[3]
    scen = json.load(open(scen_path, encoding="utf-8"))
    os.makedirs(prof, exist_ok=True)
    env = dict(os.environ, HOME=prof, XDG_CONFIG_HOME=prof, XDG_CACHE_HOME=prof)
    chrome = subprocess.Popen(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--remote-debugging-port=0", "--remote-allow-origins=*",
         f"--user-data-dir={prof}/data", "--window-size=1280,1600", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=open(os.path.join(prof, "chromium.log"), "w"),
        env=env)
    try:
        port_file = os.path.join(prof, "data", "DevToolsActivePort")
        end = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.time() > end or chrome.poll() is not None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        cdp = CDP(WS(page["webSocketDebuggerUrl"]))
        for d in ("Runtime.enable", "Log.enable", "Page.enable"):
            cdp.call(d)
        cdp.call("Page.addScriptToEvaluateOnNewDocument",
                 source="window.__csp=[];document.addEventListener('securitypolicyviolation',"
                        "function(e){window.__csp.push(e.violatedDirective+' '+e.blockedURI);});")
        cdp.call("Page.navigate", url=url)
        cdp.wait("document.body && document.body.getAttribute('data-state') === 'ready'")
        cdp.type_into("reason", scen["reason"])
        if scen.get("as_of"):
            cdp.js(f"document.getElementById('as_of').value = {json.dumps(scen['as_of'])}")
        for k, v in scen["fields"].items():
            if cdp.js(f"document.getElementById({json.dumps(k)}).tagName") == "SELECT" or \
                    cdp.js(f"document.getElementById({json.dumps(k)}).type") == "date":
                cdp.js(f"document.getElementById({json.dumps(k)}).value = {json.dumps(v)}")
            else:
                cdp.type_into(k, v)
        cdp.click("pasteopen")   # open the paste box
        cdp.wait("document.getElementById('pastebox').open")
        cdp.type_into("paste", scen["paste"])
        cdp.click("fill")
        filled = cdp.js("Array.prototype.map.call(document.querySelectorAll('#members tbody tr'),"
                        "function(tr){return Array.prototype.map.call(tr.querySelectorAll("
                        "'input,select'),function(x){return x.value;});})")
        cdp.click("go")
        state = cdp.wait("(function(){var s=document.body.getAttribute('data-state');"
                         "return s==='done'||s==='error'?s:null;})()")
        out = {
            "state": state,
            "verdict": cdp.js("document.getElementById('verdict').textContent"),
            "data_verdict": cdp.js("document.getElementById('verdict').getAttribute("
                                   "'data-verdict')"),
            "error": cdp.js("document.getElementById('error').hidden ? '' : "
                            "document.getElementById('error').textContent"),
            "reasons": cdp.js("Array.prototype.map.call(document.querySelectorAll("
                              "'#reasons li'),function(x){return x.textContent;})"),
            "findings": cdp.js("Array.prototype.map.call(document.querySelectorAll("
                               "'#findings tbody tr'),function(x){return x.textContent;})"),
            "notes": cdp.js("Array.prototype.map.call(document.querySelectorAll("
                            "'#notes li'),function(x){return x.textContent;})"),
            "snap": cdp.js("document.getElementById('snap').textContent"),
            "filled": filled,
            "csp": cdp.js("window.__csp"),
        }
        time.sleep(0.3)
        cdp.js("1")   # collect the events sent meanwhile
        out["console"] = [
            e["params"] for e in cdp.events
            if e.get("method") in ("Runtime.consoleAPICalled", "Runtime.exceptionThrown")
            or (e.get("method") == "Log.entryAdded"
                and e["params"]["entry"].get("level") in ("error", "warning"))]
        shot = cdp.call("Page.captureScreenshot", format="png")
        with open(os.path.join(prof, "page.png"), "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        print(json.dumps(out, ensure_ascii=False))
        return 0
    finally:
        chrome.terminate()
        try:
            chrome.wait(10)
        except subprocess.TimeoutExpired:
            chrome.kill()


if __name__ == "__main__":
    sys.exit(main())

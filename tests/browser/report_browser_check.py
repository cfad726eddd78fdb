#!/usr/bin/env python3
"""Opens a `kubectl meshca report` HTML page in headless Chromium and checks it as a reader's
browser shows it:

  html5lib        the page parses with no HTML parse error (html5lib, the WHATWG parsing
                  algorithm; strict mode's errors, all of them listed); `tidy -q -e` too when
                  tidy is installed (its errors fail, its warnings are printed and fail only
                  with --strict-tidy)
  self-contained  the markup loads nothing that is not inline: no src/href/srcset/poster/CSS
                  url()/@import other than data: and #fragment (a lazy image below the fold
                  that the browser never asks for is caught here); <a href> links are not loads
  no network      the browser requested nothing but the page itself and data:/blob: URLs
                  (a file:// beside the page fails too), as the DevTools protocol saw it from
                  the load to the dark screenshot and as Chromium's own net log saw it (every
                  request its network stack started for the page, subframes included); the
                  browser runs behind a dead proxy on 127.0.0.1:9 with every host name
                  unresolvable, so nothing leaves the machine anyway
  console         no console error, uncaught exception or browser-logged error (failed load,
                  Content-Security-Policy violation); warnings are printed, and fail only
                  with --strict-console
  screenshot      OUT.png (the viewport, --width x --height) is not blank: at least
                  --min-ink (2%) of its pixels differ from its most common colour and it has
                  at least --min-colours (8) colours (the PNG is decoded here, with zlib)
  expect          each --expect TEXT occurs in the text of the rendered DOM (tags stripped,
                  entities decoded, white space collapsed in both)
  dark mode       with prefers-color-scheme: dark emulated (what --force-dark-mode gives),
                  the media query matches and OUT-dark.png is not blank either; whether the
                  page changed is printed, and fails only with --require-dark-change
  fonts           a probe page of plain text renders ink (no installed font: Chromium draws
                  text as nothing at all)

and prints `render: N ms` (wall time from starting the browser to the page painted: load
event, fonts ready, two frames; startup included, then broken down, with the page's own
navigation timing) and the page's size.
One line per check, `ok   ...` or `FAIL ...`; exit 0 when all pass, 1 when one fails, 2 on bad
usage (no such page), 77 with --skip-missing when no Chromium is installed.

--self-test writes pages that must fail (a remote <img>, a remote stylesheet, a console.error,
an uncaught exception, a CSP violation, a fetch() from script, a relative file, a lazy remote
image, a blank page, an unclosed <table>, a stray </div>, missing text) and one that must pass,
and checks that each is judged so, by the check it is meant for; and that emulated dark mode
changes a page's background.

Needs Debian's chromium, python3-html5lib and a font (fonts-liberation, which chromium
recommends, or fonts-dejavu-core); tidy is optional.

Usage: report_browser_check.py PAGE.html --screenshot OUT.png [--expect TEXT ...]
                               [--width 1280] [--height 2000] [options]
       report_browser_check.py --self-test
"""
import argparse
import base64
import collections
import fcntl
import html.parser
import itertools
import json
import os
import pathlib
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zlib

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_SKIP = 0, 1, 2, 77
DEBIAN_PYTHON = "/usr/bin/python3"
REEXEC_MARK = "MESHCA_REPORT_BROWSER_CHECK_REEXEC"


def import_html5lib():
    """html5lib, or None. Debian's python3-html5lib lives in the system Python's dist-packages:
    another python3 first on PATH (a pyenv one, say) does not see it, so run again under
    /usr/bin/python3 when that one has it."""
    try:
        import html5lib  # pylint: disable=import-outside-toplevel
        return html5lib
    except ImportError:
        pass
    if (os.path.exists(DEBIAN_PYTHON) and not os.environ.get(REEXEC_MARK)
            and os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON)):
        probe = subprocess.run([DEBIAN_PYTHON, "-c", "import html5lib"], check=False,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if probe.returncode == 0:
            os.environ[REEXEC_MARK] = "1"
            sys.stdout.flush()
            os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])
    return None


# ---------------------------------------------------------------------------------------------
# Results


class Results:
    """One line per check, in order; the checks that failed, by name."""

    def __init__(self, quiet=False):
        self.lines = []
        self.failed = []
        self.passed = []
        self.quiet = quiet

    def _print(self, line):
        self.lines.append(line)
        if not self.quiet:
            print(line, flush=True)

    def ok(self, name, detail=""):
        self.passed.append(name)
        self._print("ok   " + name + (": " + detail if detail else ""))

    def fail(self, name, detail=""):
        self.failed.append(name)
        self._print("FAIL " + name + (": " + detail if detail else ""))

    def check(self, name, good, detail=""):
        (self.ok if good else self.fail)(name, detail)

    def skip(self, name, detail=""):
        self._print("skip " + name + (": " + detail if detail else ""))

    def warn(self, text):
        self._print("warn " + text)

    def info(self, text):
        self._print(text)


# ---------------------------------------------------------------------------------------------
# PNG decoding (8-bit, not interlaced; what Chromium writes)


def _unfilter_rows(raw, width, height, channels):
    stride = width * channels
    mask7 = int.from_bytes(b"\x7f" * stride, "little")
    mask8 = int.from_bytes(b"\x80" * stride, "little")
    prev = bytes(stride)
    rows = []
    pos = 0
    for _ in range(height):
        kind = raw[pos]
        line = raw[pos + 1:pos + 1 + stride]
        pos += 1 + stride
        if len(line) != stride:
            raise ValueError("PNG image data is short")
        if kind == 0:
            out = bytes(line)
        elif kind == 1:  # Sub: a running sum per channel
            buf = bytearray(stride)
            for c in range(channels):
                sums = itertools.accumulate(line[c::channels])
                buf[c::channels] = bytes(map((255).__and__, sums))
            out = bytes(buf)
        elif kind == 2:  # Up: byte-wise addition without carries, on whole rows
            a = int.from_bytes(line, "little")
            b = int.from_bytes(prev, "little")
            out = (((a & mask7) + (b & mask7)) ^ ((a ^ b) & mask8)).to_bytes(stride, "little")
        elif kind == 3:  # Average
            buf = bytearray(line)
            for x in range(stride):
                left = buf[x - channels] if x >= channels else 0
                buf[x] = (buf[x] + ((left + prev[x]) >> 1)) & 255
            out = bytes(buf)
        elif kind == 4:  # Paeth
            buf = bytearray(line)
            for x in range(channels):
                buf[x] = (buf[x] + prev[x]) & 255
            for x in range(channels, stride):
                a = buf[x - channels]
                b = prev[x]
                c = prev[x - channels]
                pa = b - c if b > c else c - b
                pb = a - c if a > c else c - a
                pc = a + b - c - c
                if pc < 0:
                    pc = -pc
                if pa <= pb and pa <= pc:
                    buf[x] = (buf[x] + a) & 255
                elif pb <= pc:
                    buf[x] = (buf[x] + b) & 255
                else:
                    buf[x] = (buf[x] + c) & 255
            out = bytes(buf)
        else:
            raise ValueError("PNG row filter %d unknown" % kind)
        rows.append(out)
        prev = out
    return rows


def decode_png(data):
    """(width, height, rows of RGB bytes)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    pos = 8
    header = None
    palette = None
    idat = []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"PLTE":
            palette = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or interlace != 0:
        raise ValueError("PNG with bit depth %d, interlace %d: not handled" % (depth, interlace))
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour_type)
    if channels is None:
        raise ValueError("PNG colour type %d unknown" % colour_type)
    rows = _unfilter_rows(zlib.decompress(b"".join(idat)), width, height, channels)
    if colour_type == 2:
        rgb = rows
    elif colour_type == 6:  # alpha dropped: screenshots are opaque
        rgb = [bytes(b for i, b in enumerate(row) if i % 4 != 3) for row in rows]
    elif colour_type == 3:
        rgb = [b"".join(palette[3 * i:3 * i + 3] for i in row) for row in rows]
    else:
        rgb = [bytes(itertools.chain.from_iterable((v, v, v) for v in row[::channels]))
               for row in rows]
    return width, height, rgb


def image_stats(path):
    """(width, height, ink fraction, distinct colours, most common colour as #rrggbb)."""
    with open(path, "rb") as png:
        width, height, rows = decode_png(png.read())
    counts = collections.Counter()
    for row in rows:
        counts.update(zip(row[0::3], row[1::3], row[2::3]))
    total = width * height
    (common, common_count), = counts.most_common(1)
    return (width, height, 1.0 - common_count / total if total else 0.0, len(counts),
            "#%02x%02x%02x" % common)


def check_not_blank(results, name, path, args):
    try:
        width, height, ink, colours, background = image_stats(path)
    except (OSError, ValueError, zlib.error) as err:
        results.fail(name, "%s: %s" % (path, err))
        return None
    good = ink >= args.min_ink and colours >= args.min_colours
    results.check(name, good, "%s %dx%d, %.1f%% of pixels differ from the most common colour %s "
                  "(at least %.1f%% wanted), %d colours (at least %d wanted)"
                  % (path, width, height, 100 * ink, background, 100 * args.min_ink, colours,
                     args.min_colours))
    return background


# ---------------------------------------------------------------------------------------------
# Markup: validation, inline-only resources, text


def parse_errors_html5lib(html5lib, data):
    """html5lib's parse errors (the ones strict mode raises on, every one of them)."""
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    tree = parser.parse(data)
    return tree, ["line %d col %d: %s%s" % (pos[0], pos[1], code,
                                             " (%s)" % params.get("name") if isinstance(
                                                 params, dict) and params.get("name") else "")
                  for pos, code, params in parser.errors]


# Elements of today's HTML that tidy 5.6 (Debian 12's) does not know: an "is not recognized"
# error for one of them is only a warning here.
TIDY_MISSES = {"data", "search", "slot"}
TIDY_UNKNOWN = re.compile(r"Error: <([A-Za-z][\w-]*)> is not recognized")
TIDY_SUMMARY = re.compile(r"^(This document has errors that must be fixed before|"
                          r"using HTML Tidy to generate a tidied up version\.)")


def run_tidy(path):
    """(exit code, error lines, warning lines), or None when tidy is not installed."""
    tidy = shutil.which("tidy")
    if not tidy:
        return None
    proc = subprocess.run([tidy, "-q", "-e", "--show-warnings", "yes", "--gnu-emacs", "no", path],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
                          timeout=60)
    lines = [line for line in proc.stderr.decode("utf-8", "replace").splitlines()
             if line.strip() and not TIDY_SUMMARY.match(line)]
    errors = [line for line in lines if " Error: " in line]
    known = [line for line in errors if TIDY_UNKNOWN.search(line)
             and TIDY_UNKNOWN.search(line).group(1).lower() in TIDY_MISSES]
    errors = [line for line in errors if line not in known]
    warnings = [line for line in lines if line not in errors and line not in known]
    warnings += ["%s (valid HTML; this tidy predates it)" % line for line in known]
    code = proc.returncode if errors or proc.returncode < 2 else (1 if warnings else 0)
    return code, errors, warnings


LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "preload",
                "prefetch", "modulepreload", "manifest", "dns-prefetch", "preconnect",
                "prerender", "import", "pingback"}
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)


def _inline(url):
    url = url.strip()
    return url == "" or url.startswith("#") or url.lower().startswith(("data:", "about:blank"))


def _srcset_urls(value):
    """The URLs of a srcset (HTML's algorithm, roughly: a URL runs to white space)."""
    urls = []
    pos = 0
    while pos < len(value):
        while pos < len(value) and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < len(value) and not value[pos].isspace():
            pos += 1
        url = value[start:pos].rstrip(",")
        if url:
            urls.append(url)
        if value[start:pos].endswith(","):
            continue
        while pos < len(value) and value[pos] != ",":  # descriptors
            pos += 1
    return urls


def _css_urls(text):
    return ([next(g for g in m.groups() if g is not None) for m in CSS_URL.finditer(text)]
            + [next(g for g in m.groups() if g is not None) for m in CSS_IMPORT.finditer(text)])


def _local(name):
    return name.rsplit("}", 1)[-1].lower()


def external_references(tree):
    """[(what, url)] for everything in the markup that makes the browser load a resource that
    is not inline in the page."""
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        attrs = {_local(k): v for k, v in element.attrib.items()}
        candidates = []
        for attr in ("src", "poster", "background", "lowsrc", "dynsrc"):
            if attr in attrs:
                candidates.append((attr, attrs[attr]))
        for attr in ("srcset", "imagesrcset"):
            if attr in attrs:
                candidates += [(attr, url) for url in _srcset_urls(attrs[attr])]
        if tag == "object" and "data" in attrs:
            candidates.append(("data", attrs["data"]))
        if tag == "link" and "href" in attrs:
            rels = set(attrs.get("rel", "").lower().split())
            if rels & LOADING_RELS:
                candidates.append(("href", attrs["href"]))
        if tag in ("image", "use", "feimage", "script", "tref", "cursor") and "href" in attrs:
            candidates.append(("href", attrs["href"]))
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            match = re.search(r"url\s*=\s*['\"]?([^'\";]+)", attrs.get("content", ""), re.I)
            if match:
                candidates.append(("refresh", match.group(1)))
        if "style" in attrs:
            candidates += [("style=url()", url) for url in _css_urls(attrs["style"])]
        if tag == "style":
            candidates += [("url()", url) for url in _css_urls(element.text or "")]
        for attr, url in candidates:
            if not _inline(url):
                found.append(("<%s %s>" % (tag, attr), url))
    return found


def script_uses(tree):
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        if tag == "script":
            found.append("<script>")
        for key, value in element.attrib.items():
            if _local(key).startswith("on"):
                found.append("<%s %s>" % (tag, _local(key)))
            elif value.strip().lower().startswith("javascript:"):
                found.append("<%s %s=javascript:>" % (tag, _local(key)))
    return found


class _TextExtractor(html.parser.HTMLParser):
    SKIP = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def collapse(text):
    return re.sub(r"\s+", " ", text).strip()


def dom_text(markup):
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return collapse("".join(extractor.parts))


# ---------------------------------------------------------------------------------------------
# Chromium, driven over the DevTools protocol on a pipe (--remote-debugging-pipe: commands in
# on fd 3, answers and events out on fd 4, each a JSON text ended by NUL)

CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                       "google-chrome", "google-chrome-stable", "chrome-headless-shell"]
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--hide-scrollbars", "--mute-audio", "--force-color-profile=srgb",
    # No network: every request goes to a proxy that is not there, loopback included, and no
    # host name resolves.
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # Less of the browser's own traffic (it would be refused too, and is told apart below).
    "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps",
    "--disable-extensions", "--disable-domain-reliability",
    "--disable-client-side-phishing-detection", "--no-pings", "--disable-breakpad",
    "--disable-features=Translate,OptimizationHints,MediaRouter,SpellCheck,"
    "NetworkTimeServiceQuerying",
]


def find_chromium(explicit):
    for name in [explicit] if explicit else CHROMIUM_CANDIDATES:
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def chromium_version(exe):
    try:
        proc = subprocess.run([exe, "--version"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=30, check=False)
        lines = proc.stdout.decode("utf-8", "replace").strip().splitlines()
        return lines[0] if lines else "unknown version"
    except (OSError, subprocess.TimeoutExpired):
        return "unknown version"


class BrowserError(Exception):
    pass


class Browser:
    """One headless Chromium with a private profile and a net log in WORKDIR."""

    def __init__(self, exe, workdir, width, height, timeout):
        self.workdir = workdir
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.netlog = os.path.join(workdir, "netlog.json")
        self.stderr_path = os.path.join(workdir, "chromium.stderr")
        profile = os.path.join(workdir, "profile")
        os.mkdir(profile, 0o700)
        command_r, self.command_w = os.pipe()
        self.answer_r, answer_w = os.pipe()
        # Out of the way of 3 and 4 before the child moves them there.
        high_r = fcntl.fcntl(command_r, fcntl.F_DUPFD_CLOEXEC, 10)
        high_w = fcntl.fcntl(answer_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(command_r)
        os.close(answer_w)

        def to_3_and_4():
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        argv = [exe] + BROWSER_FLAGS + [
            "--user-data-dir=" + profile, "--remote-debugging-pipe",
            "--window-size=%d,%d" % (width, height),
            "--log-net-log=" + self.netlog, "--net-log-capture-mode=Default", "about:blank"]
        env = dict(os.environ)
        for key in ("GOOGLE_API_KEY", "GOOGLE_DEFAULT_CLIENT_ID", "GOOGLE_DEFAULT_CLIENT_SECRET"):
            env.pop(key, None)
        self.started = time.monotonic()
        with open(self.stderr_path, "wb") as stderr:
            self.proc = subprocess.Popen(  # pylint: disable=subprocess-popen-preexec-fn
                argv, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr, env=env,
                pass_fds=(3, 4), preexec_fn=to_3_and_4, start_new_session=True, cwd=workdir)
        os.close(high_r)
        os.close(high_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []  # (arrival, message)

    def stderr_tail(self, lines=15):
        try:
            with open(self.stderr_path, encoding="utf-8", errors="replace") as err:
                text = [line.rstrip() for line in err if "dbus" not in line.lower()]
            return "\n".join(text[-lines:])
        except OSError:
            return ""

    def _remaining(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise BrowserError("Chromium did not finish within %d s" % self.timeout)
        return left

    def _pump(self, wait):
        ready, _, _ = select.select([self.answer_r], [], [], max(0.0, wait))
        if not ready:
            return []
        chunk = os.read(self.answer_r, 1 << 20)
        if not chunk:
            try:
                status = self.proc.wait(5)
            except subprocess.TimeoutExpired:
                status = "none yet"
            tail = self.stderr_tail()
            raise BrowserError("Chromium closed its DevTools pipe (exit status %s)%s"
                               % (status, "\n" + tail if tail else ""))
        self.buffer += chunk
        messages = []
        while b"\0" in self.buffer:
            text, self.buffer = self.buffer.split(b"\0", 1)
            messages.append(json.loads(text.decode("utf-8")))
        return messages

    def call(self, method, params=None, session=None, wait=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.command_w, json.dumps(message).encode("utf-8") + b"\0")
        end = time.monotonic() + (wait if wait is not None else self._remaining())
        while True:
            left = min(end - time.monotonic(), self._remaining())
            if left <= 0:
                raise BrowserError("no answer to %s" % method)
            answer = None
            for message in self._pump(left):  # events after the answer are kept too
                if message.get("id") == self.next_id:
                    answer = message
                elif "method" in message:
                    self.events.append((time.monotonic(), message))
            if answer is not None:
                if "error" in answer:
                    raise BrowserError("%s: %s" % (method, answer["error"].get("message")))
                return answer.get("result", {})

    def wait_event(self, method, session, seconds, since=0):
        """True when the event came within SECONDS (events from index SINCE on count)."""
        end = time.monotonic() + seconds
        seen = len(self.events)
        if any(m.get("method") == method and m.get("sessionId") == session
               for _, m in self.events[since:]):
            return True
        while time.monotonic() < end:
            for message in self._pump(min(end - time.monotonic(), self._remaining())):
                if "method" in message:
                    self.events.append((time.monotonic(), message))
            for _, message in self.events[seen:]:
                if message.get("method") == method and message.get("sessionId") == session:
                    return True
            seen = len(self.events)
        return False

    def settle(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for message in self._pump(min(end - time.monotonic(), self._remaining())):
                if "method" in message:
                    self.events.append((time.monotonic(), message))

    def close(self):
        try:
            if self.proc.poll() is None:
                try:
                    self.call("Browser.close", wait=10)
                except (BrowserError, OSError, ValueError):
                    pass
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            if self.proc.poll() is None:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
            else:  # the browser's own children, if one lingers
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            for fd in (self.command_w, self.answer_r):
                try:
                    os.close(fd)
                except OSError:
                    pass


def evaluate(browser, session, expression, await_promise=False):
    result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                               "awaitPromise": await_promise}, session)
    if "exceptionDetails" in result:
        raise BrowserError("evaluating %s: %s" % (expression[:60],
                                                  result["exceptionDetails"].get("text")))
    return result.get("result", {}).get("value")


FRAMES_PAINTED = ("document.fonts.ready.then(() => new Promise(done => requestAnimationFrame("
                  "() => requestAnimationFrame(() => done(true)))))")


def screenshot(browser, session, path, clip=None):
    params = {"format": "png", "fromSurface": True}
    if clip:
        params["clip"] = dict(zip(("x", "y", "width", "height"), clip), scale=1)
    shot = browser.call("Page.captureScreenshot", params, session)
    with open(path, "wb") as out:
        out.write(base64.b64decode(shot["data"]))


def load_page(exe, page, shot, dark_shot, args, workdir):
    """Runs the browser over PAGE. A dict of what it saw, or raises BrowserError."""
    seen = {"timing": {}}
    browser = Browser(exe, workdir, args.width, args.height, args.timeout)
    try:
        targets = browser.call("Target.getTargets")["targetInfos"]
        page_targets = [t for t in targets if t.get("type") == "page"]
        if not page_targets:
            raise BrowserError("no page target in the browser")
        session = browser.call("Target.attachToTarget", {"targetId": page_targets[0]["targetId"],
                                                         "flatten": True})["sessionId"]
        seen["session"] = session
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.call(domain + ".enable", session=session)
        browser.call("Emulation.setDeviceMetricsOverride",
                     {"width": args.width, "height": args.height, "deviceScaleFactor": 1,
                      "mobile": False}, session)
        browser.call("Emulation.setScrollbarsHidden", {"hidden": True}, session)
        navigated = time.monotonic()
        seen["timing"]["startup_ms"] = (navigated - browser.started) * 1000
        nav = browser.call("Page.navigate", {"url": page.as_uri()}, session)
        if nav.get("errorText"):
            raise BrowserError("navigating to %s: %s" % (page.as_uri(), nav["errorText"]))
        seen["loaded"] = browser.wait_event("Page.loadEventFired", session,
                                            min(args.timeout / 2, browser.deadline
                                                - time.monotonic()))
        seen["timing"]["load_wall_ms"] = (time.monotonic() - navigated) * 1000
        # Painted: the load event, web fonts ready, then two frames.
        evaluate(browser, session, FRAMES_PAINTED, await_promise=True)
        painted = time.monotonic()
        seen["timing"]["painted_ms"] = (painted - navigated) * 1000
        seen["timing"]["render_wall_ms"] = (painted - browser.started) * 1000
        browser.settle(args.settle)  # late console messages and requests
        screenshot(browser, session, shot)
        timing = evaluate(browser, session, """JSON.stringify({
            nav: performance.getEntriesByType('navigation').map(e => e.toJSON())[0] || null,
            paint: performance.getEntriesByType('paint').map(e => [e.name, e.startTime])})""")
        seen["timing"]["page"] = json.loads(timing) if timing else {}
        seen["dom"] = evaluate(browser, session, """(document.doctype ?
            new XMLSerializer().serializeToString(document.doctype) + '\\n' : '') +
            document.documentElement.outerHTML""")
        frames = browser.call("Page.getFrameTree", session=session)["frameTree"]
        seen["frame_url"] = frames["frame"]["url"]
        # Dark mode: what a reader whose system prefers dark gets (--force-dark-mode alike).
        browser.call("Emulation.setEmulatedMedia",
                     {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}, session)
        evaluate(browser, session, FRAMES_PAINTED, await_promise=True)
        browser.settle(min(args.settle, 0.2))
        seen["dark_matches"] = evaluate(
            browser, session, "matchMedia('(prefers-color-scheme: dark)').matches")
        screenshot(browser, session, dark_shot)
        browser.settle(min(args.settle, 0.2))
        seen["events"] = [m for _, m in browser.events]
        # Fonts: a page of plain text must draw something (recorded events end above).
        browser.call("Emulation.setEmulatedMedia", {"features": []}, session)
        probe = os.path.join(workdir, "font-probe.png")
        since = len(browser.events)
        browser.call("Page.navigate", {"url": "data:text/html;charset=utf-8," + urllib.parse.quote(
            "<body style='margin:0;font:64px sans-serif;color:#000;background:#fff'>"
            "Mesh CA Report 0123<br>abcdefghijklm</body>")}, session)
        browser.wait_event("Page.loadEventFired", session, 10, since)
        evaluate(browser, session, FRAMES_PAINTED, await_promise=True)
        screenshot(browser, session, probe, clip=(0, 0, 640, 160))
        seen["font_probe"] = probe
    finally:
        browser.close()
    seen["netlog"] = browser.netlog
    return seen


# ---------------------------------------------------------------------------------------------
# What the browser saw


LOCAL_SCHEMES = ("data:", "blob:", "about:")


def _same_document(url, page_uri):
    return url.split("#", 1)[0] == page_uri


def network_requests(events, page_uri):
    """[(kind, url)] of requests other than the page itself and data:/blob: URLs."""
    bad = []
    for message in events:
        method = message.get("method")
        params = message.get("params", {})
        url = None
        if method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            kind = params.get("type") or "request"
        elif method == "Network.webSocketCreated":
            url, kind = params.get("url", ""), "WebSocket"
        if url is None or url.startswith(LOCAL_SCHEMES) or _same_document(url, page_uri):
            continue
        if url.startswith("file:"):
            kind = kind + ", a file beside the page: not self-contained"
        bad.append((kind, url))
    return sorted(set(bad), key=bad.index)


def netlog_requests(path, page_uri):
    """(requests on the page's behalf, the browser's own requests): lists of URLs the network
    stack started, from Chromium's net log."""
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            text = log.read()
    except OSError as err:
        raise ValueError("no net log: %s" % err) from err
    try:
        data = json.loads(text)
    except ValueError:  # a log whose writer was stopped has no closing brackets
        data = json.loads(text.rstrip().rstrip(",") + "]}")
    constants = data["constants"]
    event_names = {v: k for k, v in constants["logEventTypes"].items()}
    source_names = {v: k for k, v in constants["logSourceType"].items()}
    page, own = [], []
    for event in data.get("events", []):
        if source_names.get(event.get("source", {}).get("type")) != "URL_REQUEST":
            continue
        if event_names.get(event.get("type")) != "URL_REQUEST_START_JOB":
            continue
        params = event.get("params", {})
        url = params.get("url", "")
        if not url or url.startswith(LOCAL_SCHEMES) or url.startswith("file:"):
            continue
        # The browser's own requests (updates, time, sign-in) have no initiating origin and
        # are not keyed to the page's site; everything a file:// page starts is.
        ours = (params.get("initiator") not in (None, "not an origin")
                or "file://" in params.get("network_isolation_key", "")
                or "file://" in params.get("site_for_cookies", ""))
        (page if ours else own).append(url)
    return sorted(set(page), key=page.index), sorted(set(own), key=own.index)


def _remote_object(arg):
    if "value" in arg:
        return str(arg["value"])
    return arg.get("description") or arg.get("type", "")


def console_messages(events):
    """[(level, text)]: level is error, warning or info."""
    out = []
    for message in events:
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            kind = params.get("type")
            level = ("error" if kind in ("error", "assert") else
                     "warning" if kind == "warning" else "info")
            where = ""
            frames = params.get("stackTrace", {}).get("callFrames") or []
            if frames:
                where = " (%s:%d)" % (frames[0].get("url"), frames[0].get("lineNumber", 0) + 1)
            out.append((level, "console.%s: %s%s" % (
                kind, " ".join(_remote_object(a) for a in params.get("args", [])), where)))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            out.append(("error", "uncaught exception: %s" % text.splitlines()[0] if text
                        else "uncaught exception"))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            level = entry.get("level")
            level = level if level in ("error", "warning") else "info"
            text = "%s: %s" % (entry.get("source", "log"), entry.get("text", ""))
            if entry.get("url"):
                text += " (%s)" % entry["url"]
            out.append((level, text))
    return out


# ---------------------------------------------------------------------------------------------
# The checks


def dark_path(shot):
    base, ext = os.path.splitext(shot)
    return base + "-dark" + (ext or ".png")


def check_page(page_path, shot, args, exe, html5lib, results):
    page = pathlib.Path(page_path).resolve()
    data = page.read_bytes()
    page_uri = page.as_uri()
    tree = None

    # Validation: html5lib, then tidy.
    if html5lib is None:
        results.fail("html5lib parse", "html5lib is not installed (apt-get install "
                     "python3-html5lib)")
    else:
        tree, errors = parse_errors_html5lib(html5lib, data)
        results.check("html5lib parse", not errors,
                      "no parse error" if not errors else "%d parse error(s): %s" % (
                          len(errors), "; ".join(errors[:8]) + (" ..." if len(errors) > 8
                                                                else "")))
    if args.no_tidy:
        results.skip("tidy", "--no-tidy")
    else:
        tidy = run_tidy(str(page))
        if tidy is None:
            results.skip("tidy", "tidy is not installed")
        else:
            code, errors, warnings = tidy
            for line in warnings:
                results.warn("tidy: " + line)
            if errors or code >= 2:
                results.fail("tidy", "%d error(s): %s" % (len(errors), "; ".join(errors[:8])))
            elif warnings and args.strict_tidy:
                results.fail("tidy", "%d warning(s), --strict-tidy" % len(warnings))
            else:
                results.ok("tidy", "no error" + (", %d warning(s)" % len(warnings)
                                                 if warnings else ""))

    # Markup that would load something.
    if tree is not None:
        refs = external_references(tree)
        results.check("self-contained markup", not refs,
                      "every resource is inline" if not refs else "; ".join(
                          "%s %s" % (what, url) for what, url in refs[:8]))
        if args.forbid_script:
            scripts = script_uses(tree)
            results.check("no script", not scripts,
                          "none" if not scripts else ", ".join(scripts[:8]))

    # The browser.
    workdir = tempfile.mkdtemp(prefix="report-browser-check-")
    os.chmod(workdir, 0o700)
    dark_shot = dark_path(shot)
    for stale in (shot, dark_shot):  # no screenshot of an earlier run may pass for this one's
        if os.path.exists(stale):
            os.remove(stale)
    try:
        try:
            seen = load_page(exe, page, shot, dark_shot, args, workdir)
        except (BrowserError, OSError, ValueError) as err:
            results.fail("browser run", str(err))
            return
        results.check("page loaded", seen["loaded"] and _same_document(seen["frame_url"],
                                                                       page_uri),
                      "load event %.0f ms after navigation, frame at %s"
                      % (seen["timing"]["load_wall_ms"], seen["frame_url"]))

        events = seen["events"]
        requests = network_requests(events, page_uri)
        try:
            net_page, net_own = netlog_requests(seen["netlog"], page_uri)
            net_note = "net log: %d request(s) on the page's behalf" % len(net_page)
            if net_own:
                net_note += ", %d of Chromium's own, refused by the dead proxy (%s)" % (
                    len(net_own), ", ".join(sorted({re.sub(r"^(\w+://[^/]+).*", r"\1", u)
                                                    for u in net_own})))
        except (ValueError, KeyError) as err:
            net_page, net_note = [], None
            results.fail("net log", str(err))
        seen_by = {}  # URL -> who saw it, in order
        for kind, url in requests:
            seen_by.setdefault(url, []).append("DevTools: " + kind)
        for url in net_page:
            seen_by.setdefault(url, []).append("net log")
        if seen_by:
            results.fail("no network request", "the page requested %s" % "; ".join(
                "%s (%s)" % (url, ", ".join(who)) for url, who in seen_by.items()))
        else:
            results.ok("no network request", "the page itself only (DevTools); " + (
                net_note or "no net log"))

        messages = console_messages(events)
        errors = [text for level, text in messages if level == "error"]
        warnings = [text for level, text in messages if level == "warning"]
        for text in warnings:
            results.warn("console " + text)
        for level, text in messages:
            if level == "info":
                results.info("note console " + text)
        if errors:
            results.fail("console error", "; ".join(errors[:8]))
        elif warnings and args.strict_console:
            results.fail("console error", "%d warning(s), --strict-console" % len(warnings))
        else:
            results.ok("no console error", "%d warning(s)" % len(warnings) if warnings else "")

        light_bg = check_not_blank(results, "screenshot not blank", shot, args)

        text = dom_text(seen["dom"] or "")
        for wanted in args.expect:
            results.check("expected text", collapse(wanted) in text, repr(wanted) + (
                "" if collapse(wanted) in text else " is not in the page's text"))

        results.check("dark mode", bool(seen["dark_matches"]),
                      "prefers-color-scheme: dark matches" if seen["dark_matches"] else
                      "prefers-color-scheme: dark did not match under emulation")
        dark_bg = check_not_blank(results, "dark screenshot not blank", dark_shot, args)
        if light_bg and dark_bg:
            changed = light_bg != dark_bg
            if args.require_dark_change:
                results.check("dark mode changes the page", changed,
                              "background %s -> %s" % (light_bg, dark_bg))
            else:
                results.info("note dark mode: background %s -> %s%s" % (
                    light_bg, dark_bg, "" if changed else " (the page has no dark colours)"))

        try:
            _, _, ink, colours, _ = image_stats(seen["font_probe"])
            results.check("text renders", ink >= 0.01,
                          "a text probe page has %.1f%% ink" % (100 * ink) if ink >= 0.01 else
                          "a text probe page drew nothing: no font installed? (apt-get install "
                          "fonts-dejavu-core or fonts-liberation)")
        except (OSError, ValueError, zlib.error) as err:
            results.fail("text renders", str(err))

        nav = seen["timing"]["page"].get("nav") or {}
        paint = dict(seen["timing"]["page"].get("paint") or [])
        own = []
        if nav.get("loadEventEnd"):
            own.append("loadEventEnd %.0f ms" % nav["loadEventEnd"])
        if nav.get("domContentLoadedEventEnd"):
            own.append("DOMContentLoaded %.0f ms" % nav["domContentLoadedEventEnd"])
        if "first-contentful-paint" in paint:
            own.append("first-contentful-paint %.0f ms" % paint["first-contentful-paint"])
        timing = seen["timing"]
        render_ms = timing["render_wall_ms"]
        results.info("render: %.0f ms (wall, headless browser start to the page painted: browser "
                     "start %.0f ms, navigation to load event %.0f ms, to painted %.0f ms; the "
                     "page's own timing: %s)" % (render_ms, timing["startup_ms"],
                                                 timing["load_wall_ms"], timing["painted_ms"],
                                                 ", ".join(own) or "none"))
        results.info("size: %d bytes" % len(data))
        if args.max_render_ms and render_ms > args.max_render_ms:
            results.fail("render time", "%.0f ms > --max-render-ms %d" % (render_ms,
                                                                          args.max_render_ms))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Self-test

HEAD = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>t</title>%s'
        '</head>\n<body>%s</body></html>\n')
GOOD_STYLE = ("<style>body{font:16px sans-serif;background:#fff;color:#123}"
              "h1{background:#2a6;color:#fff;padding:8px}"
              "@media (prefers-color-scheme: dark){body{background:#102030;color:#eee}}</style>")
GOOD_BODY = ('<h1>Mesh CA report</h1><p>Roots &amp; intermediates:&nbsp;3 &mdash; all '
             'valid</p><table><tr><th>cluster</th><th>days left</th></tr><tr><td>east</td>'
             '<td>41</td></tr></table><svg width="300" height="120" role="img">'
             '<title>chart</title><rect x="0" y="0" width="220" height="40" fill="#3a7"/>'
             '<rect x="0" y="60" width="120" height="40" fill="#c33"/>'
             '<text x="230" y="30">220</text></svg>'
             '<img alt="dot" src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAA'
             'fFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==">'
             '<p><a href="https://example.invalid/docs">docs (a link, not a load)</a></p>')

SELF_TESTS = [
    # (name, head extra, body, --expect, check that must fail or None for a page that passes,
    #  text that check's FAIL line must hold...)
    ("a good page passes", GOOD_STYLE, GOOD_BODY,
     ["Roots & intermediates: 3 — all valid", "Mesh CA report", "days left"], None),
    ("a remote <img> is caught", GOOD_STYLE,
     GOOD_BODY + '<img src="http://example.invalid/x.png" alt="x">', [], "no network request",
     "http://example.invalid/x.png (DevTools: Image, net log)"),
    ("a remote stylesheet is caught",
     GOOD_STYLE + '<link rel="stylesheet" href="https://example.invalid/s.css">', GOOD_BODY, [],
     "no network request", "https://example.invalid/s.css (DevTools: Stylesheet, net log)"),
    ("a fetch() from script is caught", GOOD_STYLE,
     GOOD_BODY + "<script>fetch('https://example.invalid/api').catch(function(){});</script>",
     [], "no network request", "https://example.invalid/api (DevTools: Fetch"),
    ("a file beside the page is caught", GOOD_STYLE,
     GOOD_BODY + '<img src="beside.png" alt="x">', [], "no network request",
     "/beside.png (DevTools: Image, a file beside the page: not self-contained)"),
    ("a console.error is caught", GOOD_STYLE,
     GOOD_BODY + "<script>console.error('x')</script>", [], "console error",
     "console.error: x"),
    ("an uncaught exception is caught", GOOD_STYLE,
     GOOD_BODY + "<script>undefinedFunction()</script>", [], "console error",
     "uncaught exception: ReferenceError"),
    ("a CSP violation is caught",
     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
     "style-src 'unsafe-inline'\">" + GOOD_STYLE, GOOD_BODY, [], "console error",
     "Content Security Policy"),
    ("a lazy remote image below the fold is caught", GOOD_STYLE,
     GOOD_BODY + '<div style="height:9000px"></div><img loading="lazy" alt="x" '
     'src="https://example.invalid/lazy.png">', [], "self-contained markup",
     "<img src> https://example.invalid/lazy.png"),
    ("a blank white page is caught", "<style>body{background:#fff}</style>", "<p> </p>", [],
     "screenshot not blank", "0.0% of pixels differ"),
    ("an unclosed <table> is caught", GOOD_STYLE,
     GOOD_BODY + "<table><tr><td>open</td></tr>\n<p>after</p>", [], "html5lib parse",
     "eof-in-table"),
    ("a stray </div> is caught", GOOD_STYLE, GOOD_BODY + "<p>x</p></div>", [],
     "html5lib parse", "(div)"),
    ("missing text is caught", GOOD_STYLE, GOOD_BODY, ["no such text in the page"],
     "expected text", "'no such text in the page' is not in the page's text"),
]


SELF_TEST_VIEWPORT = (800, 600)  # smaller than a report's: quicker to decode, same verdicts


def self_test(args, exe, html5lib):
    workdir = tempfile.mkdtemp(prefix="report-browser-self-test-")
    os.chmod(workdir, 0o700)
    failures = 0
    try:
        for number, (name, head, body, expect, must_fail, *must_say) in enumerate(SELF_TESTS):
            page = os.path.join(workdir, "page%02d.html" % number)
            with open(page, "w", encoding="utf-8") as out:
                out.write(HEAD % (head, body))
            case = argparse.Namespace(**vars(args))
            case.expect = expect
            case.width, case.height = SELF_TEST_VIEWPORT
            results = Results(quiet=True)
            started = time.monotonic()
            check_page(page, os.path.join(workdir, "shot%02d.png" % number), case, exe,
                       html5lib, results)
            took = (time.monotonic() - started) * 1000
            if must_fail is None:
                good = not results.failed
                why = "passed" if good else "failed: " + ", ".join(results.failed)
            else:
                line = next((l for l in results.lines if l.startswith("FAIL " + must_fail)),
                            None)
                good = line is not None and all(text in line for text in must_say)
                why = (line[:240] if line else "not caught by %r (failed: %s)"
                       % (must_fail, ", ".join(results.failed) or "nothing"))
                if line is not None and not good:
                    why += " (wanted in it: %s)" % ", ".join(repr(t) for t in must_say)
            print("%s self-test: %s (%.0f ms): %s" % ("ok  " if good else "FAIL", name, took,
                                                      why), flush=True)
            if not good:
                failures += 1
                for line in results.lines:
                    print("       " + line)
        failures += self_test_dark(args, exe, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("self-test: %s (%d case(s) wrong)" % ("PASS" if not failures else "FAIL", failures))
    return EXIT_OK if not failures else EXIT_FAIL


def self_test_dark(args, exe, workdir):
    """Emulated dark mode must change the pixel colour of a page whose body background has a
    dark variant, and leave one without alone."""
    page = pathlib.Path(workdir, "dark.html")
    page.write_text(HEAD % (GOOD_STYLE, GOOD_BODY), encoding="utf-8")
    shot = os.path.join(workdir, "dark-probe.png")
    run = tempfile.mkdtemp(prefix="run-", dir=workdir)
    case = argparse.Namespace(**vars(args))
    case.width, case.height = SELF_TEST_VIEWPORT
    try:
        seen = load_page(exe, page.resolve(), shot, dark_path(shot), case, run)
        light = image_stats(shot)[4]
        dark = image_stats(dark_path(shot))[4]
    except (BrowserError, OSError, ValueError) as err:
        print("FAIL self-test: dark mode: %s" % err)
        return 1
    good = light == "#ffffff" and dark == "#102030" and seen["dark_matches"]
    print("%s self-test: emulated dark mode changes the background: %s -> %s (want #ffffff -> "
          "#102030)" % ("ok  " if good else "FAIL", light, dark))
    return 0 if good else 1


# ---------------------------------------------------------------------------------------------


def main(argv):
    parser = argparse.ArgumentParser(
        description="Check a self-contained HTML report in headless Chromium.",
        epilog="Exit 0: every check passed; 1: one failed; 2: bad usage; 77: no Chromium "
        "and --skip-missing.")
    parser.add_argument("page", nargs="?", help="the HTML page")
    parser.add_argument("--screenshot", metavar="OUT.png",
                        help="where the screenshot goes (the dark one beside it, OUT-dark.png)")
    parser.add_argument("--expect", action="append", default=[], metavar="TEXT",
                        help="text that must be in the page's rendered DOM (repeatable)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=2000)
    parser.add_argument("--self-test", action="store_true",
                        help="prove that each check catches what it is for")
    parser.add_argument("--strict-tidy", action="store_true", help="tidy's warnings fail too")
    parser.add_argument("--no-tidy", action="store_true", help="do not run tidy")
    parser.add_argument("--strict-console", action="store_true",
                        help="console warnings fail too")
    parser.add_argument("--forbid-script", action="store_true",
                        help="fail on <script>, on* handlers and javascript: URLs")
    parser.add_argument("--require-dark-change", action="store_true",
                        help="fail unless dark mode changes the page's background")
    parser.add_argument("--min-ink", type=float, default=0.02,
                        help="least share of pixels off the most common colour (0.02)")
    parser.add_argument("--min-colours", type=int, default=8)
    parser.add_argument("--max-render-ms", type=int, default=0,
                        help="fail when the render wall time is above this (default: no limit)")
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds for each browser run (60)")
    parser.add_argument("--settle", type=float, default=0.3,
                        help="seconds to keep listening after the page has painted (0.3)")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM"),
                        help="the browser (default: $CHROMIUM, else Debian's chromium)")
    parser.add_argument("--skip-missing", action="store_true",
                        help="exit 77 (CTest's SKIP_RETURN_CODE) when no Chromium is installed")
    args = parser.parse_args(argv)

    if args.width < 16 or args.height < 16:
        parser.error("--width and --height must be at least 16")
    if not args.self_test:
        if not args.page or not args.screenshot:
            parser.print_usage(sys.stderr)
            print("report_browser_check.py: a PAGE and --screenshot OUT.png are needed",
                  file=sys.stderr)
            return EXIT_USAGE
        if not os.path.isfile(args.page):
            print("report_browser_check.py: no such page: %s" % args.page, file=sys.stderr)
            return EXIT_USAGE

    html5lib = import_html5lib()
    exe = find_chromium(args.chromium)
    if exe is None:
        print("%s no Chromium found (apt-get install chromium, or --chromium PATH)"
              % ("skip" if args.skip_missing else "FAIL"))
        return EXIT_SKIP if args.skip_missing else EXIT_FAIL
    print("browser: %s (%s)" % (chromium_version(exe), exe), flush=True)

    if args.self_test:
        return self_test(args, exe, html5lib)

    shot = os.path.abspath(args.screenshot)
    os.makedirs(os.path.dirname(shot), exist_ok=True)
    print("page: %s, viewport %dx%d" % (args.page, args.width, args.height), flush=True)
    results = Results()
    check_page(args.page, shot, args, exe, html5lib, results)
    print("result: %s (%d check(s) passed, %d failed%s)" % (
        "PASS" if not results.failed else "FAIL", len(results.passed), len(results.failed),
        ": " + ", ".join(results.failed) if results.failed else ""))
    return EXIT_OK if not results.failed else EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Checks answers of the service against its OpenAPI document.

hm.py calls check() on every answer that a test receives through
hm.request(), hm.Client or hm.Session, so that the whole suite keeps
the document (www/api/schema/openapi.json, which nginx serves at
/api/schema/) true to what the service answers:

- An answer of a documented operation (path template and method; HEAD
  is checked as GET) must have a documented status (an error may fall
  to the operation's "default"), a documented Content-Type, a body that
  validates against the schema of that response (JSON Schema 2020-12,
  with python3-jsonschema), and the headers the response marks
  required.  A response documented without content has no body.
- Any other answer of /api/ (an unknown path, a method the path does
  not have) must be an error, and a problem+json body must validate
  against the Problem schema; so must nginx's own problem answers
  anywhere else.  Other non-JSON answers (the static pages) are left
  alone.

A violation raises SchemaViolation (an AssertionError) naming the
operation, the status and the schema location that failed, e.g.

    GET /api/patients/{id}/ 200 application/json: 'email' is a required
    property at $ (schema #/components/schemas/Patient/required)

Violations in threads other than the main one are also kept in
VIOLATIONS, which test_zzz_openapi.py reports, since a thread's
exception may never reach a test.  Set HM_OPENAPI_CHECK=0 to switch
the checks off (say, to see what a test does without them).
"""

import json
import os
import re
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_PATH = os.path.join(HERE, "..", "..", "www", "api", "schema",
                        "openapi.json")

# Paths under /api/ that nginx serves as static files: the document and
# the two pages that render it.
STATIC_PREFIXES = ("/api/schema/", "/api/docs/", "/api/redoc/")

METHODS = ("get", "put", "post", "delete", "options", "head", "patch",
           "trace")

VIOLATIONS = []
_lock = threading.Lock()


class SchemaViolation(AssertionError):
    """An answer that the OpenAPI document does not describe."""


def enabled():
    return os.environ.get("HM_OPENAPI_CHECK", "1") != "0"


def _pointer_escape(s):
    return str(s).replace("~", "~0").replace("/", "~1")


def _media_type(value):
    return (value or "").split(";", 1)[0].strip().lower()


def _is_json(mt):
    return mt == "application/json" or mt.endswith("+json")


class Document:
    """The parsed document, its path templates as regular expressions,
    and one compiled validator per schema location."""

    def __init__(self, path=DOC_PATH):
        import jsonschema       # Debian: python3-jsonschema
        self.jsonschema = jsonschema
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        self.cls = jsonschema.Draft202012Validator
        self.format_checker = getattr(self.cls, "FORMAT_CHECKER", None) or \
            jsonschema.draft202012_format_checker
        # A literal path wins over a template that also matches it
        # (OpenAPI's rule): fewer "{...}" first.
        self.templates = []
        for template, item in sorted(self.doc["paths"].items(),
                                     key=lambda kv: kv[0].count("{")):
            rx = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+",
                              re.escape(template)) + "$"
            self.templates.append((re.compile(rx), template, item))
        self._validators = {}
        self._vlock = threading.Lock()
        self._where = None

    def resolve(self, pointer):
        """The node at "#/a/b" of the document."""
        node = self.doc
        for part in pointer.lstrip("#").split("/")[1:]:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node[int(part)] if isinstance(node, list) else node[part]
        return node

    def deref(self, pointer):
        """(pointer, node) after following "$ref"s of the node."""
        node = self.resolve(pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"]
            node = self.resolve(pointer)
        return pointer, node

    def validator(self, pointer):
        """A validator for the schema at "pointer".  The root schema is
        the whole document with a "$ref" to it, so that every "$ref"
        inside resolves against the document (with any jsonschema
        version); the document's other members are no keywords."""
        with self._vlock:
            v = self._validators.get(pointer)
            if v is None:
                root = dict(self.doc)
                root["$ref"] = pointer
                v = self.cls(root, format_checker=self.format_checker)
                self._validators[pointer] = v
            return v

    def _locations(self):
        """{id(node): pointer} of every object and array of the
        document, made once."""
        if self._where is None:
            where = {}
            todo = [("#", self.doc)]
            while todo:
                ptr, node = todo.pop()
                if id(node) in where:
                    continue
                where[id(node)] = ptr
                if isinstance(node, dict):
                    items = node.items()
                elif isinstance(node, list):
                    items = enumerate(node)
                else:
                    continue
                for k, v in items:
                    if isinstance(v, (dict, list)):
                        todo.append((ptr + "/" + _pointer_escape(k), v))
            self._where = where
        return self._where

    def schema_location(self, pointer, error):
        """Where in the document the keyword that "error" failed is:
        the subschema it belongs to is an object of the document itself
        (the validator's root is a shallow copy), found by identity."""
        ptr = self._locations().get(id(error.schema))
        if ptr is None:
            ptr = pointer
        return ptr + "/" + _pointer_escape(error.validator)

    def operation(self, method, path):
        """(template, operation pointer or None, path item) for a
        request, or (None, None, None) when no template matches."""
        for rx, template, item in self.templates:
            if rx.match(path):
                m = method.lower()
                if m == "head":
                    m = "get"
                ptr = "#/paths/" + _pointer_escape(template)
                if m in item:
                    return template, ptr + "/" + m, item
                return template, None, item
        return None, None, None

    def errors(self, pointer, instance):
        """Readable messages for "instance" against the schema at
        "pointer", the most relevant first."""
        v = self.validator(pointer)
        errs = list(v.iter_errors(instance))
        if not errs:
            return []
        # An object whose "allOf" part failed has its members counted
        # as unevaluated too: say the cause, not that echo.
        causes = [e for e in errs if e.validator != "unevaluatedProperties"]
        errs = causes or errs
        best = self.jsonschema.exceptions.best_match(errs)
        errs.sort(key=lambda e: e is not best)
        out = []
        for e in errs[:3]:
            at = getattr(e, "json_path", None) or \
                "$" + "".join("[%r]" % p for p in e.absolute_path)
            out.append("%s at %s (schema %s)" % (
                _short(e.message), at, self.schema_location(pointer, e)))
        if len(errs) > 3:
            out.append("and %d more" % (len(errs) - 3))
        return out


def _short(s, n=300):
    return s if len(s) <= n else s[:n] + "..."


_doc = None
_doc_lock = threading.Lock()


def document():
    global _doc
    with _doc_lock:
        if _doc is None:
            _doc = Document()
        return _doc


def _problems(doc, resp, what):
    """Checks an answer that no operation describes: an error whose
    problem+json body is a Problem."""
    out = []
    mt = _media_type(resp.headers.get("Content-Type"))
    if resp.status < 400:
        out.append("%s answered %d: an undocumented operation may only "
                   "answer errors" % (what, resp.status))
    if mt == "application/problem+json" and resp.body:
        if resp.json is None:
            out.append("%s %d: the problem body is not JSON" %
                       (what, resp.status))
        else:
            out += ["%s %d %s: %s" % (what, resp.status, mt, e) for e in
                    doc.errors("#/components/schemas/Problem", resp.json)]
    return out


def _response_pointer(doc, op_ptr, status):
    """(pointer, response object) of "status" in the operation, or of
    its range ("4XX"), or for an error its "default"; (None, None) if
    none fits: a success must be documented as such."""
    responses = doc.resolve(op_ptr)["responses"]
    keys = [str(status), "%dXX" % (status // 100)]
    if status >= 400:
        keys.append("default")
    for key in keys:
        if key in responses:
            return doc.deref(op_ptr + "/responses/" + key)
    return None, None


def violations(method, path, resp):
    """Every way "resp", the answer to "method" "path" (a request
    target: path and query), strays from the document; [] if none."""
    doc = document()
    p = urllib.parse.unquote(urllib.parse.urlsplit(path).path,
                             errors="replace")
    if not p.startswith("/api/") or p.startswith(STATIC_PREFIXES):
        mt = _media_type(resp.headers.get("Content-Type"))
        if mt == "application/problem+json":
            return _problems(doc, resp, "%s %s" % (method, p))
        return []
    template, op_ptr, _ = doc.operation(method, p)
    if template is None:
        return _problems(doc, resp, "%s %s (no such path in the document)"
                         % (method, p))
    what = "%s %s" % (method.upper(), template)
    if op_ptr is None:
        return _problems(doc, resp, what + " (no such operation in the "
                         "document)")
    rptr, robj = _response_pointer(doc, op_ptr, resp.status)
    if rptr is None:
        return ["%s: status %d is not documented (%s/responses)" %
                (what, resp.status, op_ptr)]
    out = []
    for name, h in robj.get("headers", {}).items():
        _, h = doc.deref(rptr + "/headers/" + _pointer_escape(name))
        if h.get("required") and resp.headers.get(name) is None:
            out.append("%s %d: no %s header, which %s requires" %
                       (what, resp.status, name, rptr))
    if method.upper() == "HEAD":
        return out
    content = robj.get("content")
    mt = _media_type(resp.headers.get("Content-Type"))
    if not content:
        if resp.body:
            out.append("%s %d: a body (%s) where %s documents none" %
                       (what, resp.status, mt or "no Content-Type", rptr))
        return out
    if mt not in content:
        out.append("%s %d: Content-Type %r is not documented (%s has %s)"
                   % (what, resp.status, mt, rptr, ", ".join(content)))
        return out
    if not _is_json(mt):
        return out
    if resp.json is None:
        out.append("%s %d %s: the body is not JSON: %r" %
                   (what, resp.status, mt, resp.body[:200]))
        return out
    sptr = rptr + "/content/" + _pointer_escape(mt) + "/schema"
    out += ["%s %d %s: %s" % (what, resp.status, mt, e)
            for e in doc.errors(sptr, resp.json)]
    return out


def check(method, path, resp):
    """Raises SchemaViolation when "resp" strays from the document (see
    violations()); off when HM_OPENAPI_CHECK=0."""
    if not enabled():
        return
    found = violations(method, path, resp)
    if not found:
        return
    msg = "the answer strays from the OpenAPI document:\n  " + \
        "\n  ".join(found) + "\n  answer: %r" % (resp,)
    if threading.current_thread() is not threading.main_thread():
        with _lock:
            VIOLATIONS.append(msg)
    raise SchemaViolation(msg)

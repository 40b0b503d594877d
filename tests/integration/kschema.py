"""Any request encoded and any response decoded from Apache Kafka's own
message definitions (../shared/kafka-protocol/messages, read with
tools/gen_protocol.py's loader), at any version, into plain dicts keyed by
the definitions' field names. The differential tests send the same dict to
Kafka and to Sluice and compare what comes back field by field; kwire.py
stays the hand-written client for exact and malformed bytes."""
import os
import struct
import sys
import uuid

import kwire

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from gen_protocol import load_messages, parse_versions, valid_range  # noqa: E402

MESSAGES_DIR = os.environ.get("KAFKA_MESSAGES", os.path.join(ROOT, "..", "shared", "kafka-protocol", "messages"))
_MESSAGES = load_messages(MESSAGES_DIR)
API_NAMES = {key: js["name"][:-len("Request")] for (key, kind), js in _MESSAGES.items() if kind == "request"}
API_KEYS = {name: key for key, name in API_NAMES.items()}

_FIXED = {"int8": ">b", "int16": ">h", "uint16": ">H", "int32": ">i", "uint32": ">I", "int64": ">q",
          "float64": ">d", "bool": ">?"}


class Message:
    """One request or response definition."""

    def __init__(self, api, kind):
        self.js = _MESSAGES[(API_KEYS[api], kind)]
        self.lo, self.hi = valid_range(self.js)
        self.universe = range(0, self.hi + 1)
        self.structs = {s["name"]: s["fields"] for s in self.js.get("commonStructs", [])}

    def flexible(self, v):
        return v in parse_versions(self.js.get("flexibleVersions"), self.universe)

    def has(self, f, key, v):
        return v in parse_versions(f.get(key), self.universe)

    def subfields(self, f):
        return f.get("fields") or self.structs[f["type"].lstrip("[]")]

    # ---- encoding ----
    def encode(self, value, v):
        return self._encode_struct(self.js["fields"], value, v, self.flexible(v))

    def _encode_struct(self, fields, value, v, flex):
        out, tagged = b"", []
        for f in fields:
            if not self.has(f, "versions", v):
                continue
            if self.has(f, "taggedVersions", v):
                if f["name"] in value:
                    tagged.append((f["tag"], self._encode_value(f, value[f["name"]], v, flex)))
                continue
            out += self._encode_value(f, value.get(f["name"], default(f)), v, flex)
        if flex:
            out += kwire.uvarint(len(tagged))
            for tag, data in sorted(tagged):
                out += kwire.uvarint(tag) + kwire.uvarint(len(data)) + data
        return out

    def _encode_value(self, f, x, v, flex):
        t = f["type"]
        if t.startswith("[]"):
            if x is None:
                return kwire.uvarint(0) if flex else kwire.i32(-1)
            head = kwire.uvarint(len(x) + 1) if flex else kwire.i32(len(x))
            inner = dict(f, type=t[2:])
            return head + b"".join(self._encode_value(inner, item, v, flex) for item in x)
        if t in _FIXED:
            return struct.pack(_FIXED[t], x)
        if t == "uuid":
            return uuid.UUID(x).bytes if isinstance(x, str) else (x or bytes(16))
        if t == "string":
            return kwire.compact_string(x) if flex else kwire.string(x)
        if t in ("bytes", "records"):
            return kwire.compact_bytes(x) if flex else kwire.nbytes(x)
        return self._encode_struct(self.subfields(f), x or {}, v, flex)

    # ---- decoding ----
    def decode(self, data, v):
        r = kwire.Reader(data)
        value = self._decode_struct(self.js["fields"], r, v, self.flexible(v))
        r.exact()
        return value

    def _decode_struct(self, fields, r, v, flex):
        out, by_tag = {}, {}
        for f in fields:
            if not self.has(f, "versions", v):
                continue
            if self.has(f, "taggedVersions", v):
                by_tag[f["tag"]] = f
                continue
            out[f["name"]] = self._decode_value(f, r, v, flex)
        if flex:
            for _ in range(r.uvarint()):
                tag, size = r.uvarint(), r.uvarint()
                if tag in by_tag:
                    out[by_tag[tag]["name"]] = self._decode_value(by_tag[tag], kwire.Reader(r.data[r.pos:r.pos + size]),
                                                                  v, flex)
                else:
                    out.setdefault("_unknown_tags", {})[tag] = r.data[r.pos:r.pos + size]
                r.pos += size
        return out

    def _decode_value(self, f, r, v, flex):
        t = f["type"]
        if t.startswith("[]"):
            n = r.uvarint() - 1 if flex else r.i32()
            inner = dict(f, type=t[2:])
            return None if n < 0 else [self._decode_value(inner, r, v, flex) for _ in range(n)]
        if t in _FIXED:
            return r._unpack(_FIXED[t], struct.calcsize(_FIXED[t]))
        if t == "uuid":
            r.pos += 16
            return str(uuid.UUID(bytes=r.data[r.pos - 16:r.pos]))
        if t == "string":
            return r.compact_string() if flex else r.string()
        if t in ("bytes", "records"):
            if flex:
                n = r.uvarint() - 1
                if n < 0:
                    return None
                r.pos += n
                return r.data[r.pos - n:r.pos]
            return r.nbytes()
        return self._decode_struct(self.subfields(f), r, v, flex)


def default(f):
    """A field's value when a request leaves it out: its declared default,
    else zero, empty or false as Kafka's generated classes do."""
    d, t = f.get("default"), f["type"]
    if t.startswith("[]"):
        return []
    if d == "null":
        return None
    if t in ("int8", "int16", "uint16", "int32", "uint32", "int64"):
        return int(d, 0) if d is not None else 0
    if t == "float64":
        return float(d or 0)
    if t == "bool":
        return d == "true"
    if t == "string":
        return d or ""
    if t in ("bytes", "records"):
        return b""
    if t == "uuid":
        return bytes(16)
    return {}


def call(conn, api, version, request):
    """Sends one request (a dict) at this version; returns the decoded response."""
    req, resp = Message(api, "request"), Message(api, "response")
    flexible = req.flexible(version)
    corr = conn.request(API_KEYS[api], version, req.encode(request, version), flexible=flexible)
    # ApiVersions answers with header v0 at every version, so that a client
    # can read it before knowing what the broker supports.
    got, body = conn.response(flexible=flexible and api != "ApiVersions")
    assert got == corr, "correlation id %d, expected %d" % (got, corr)
    return resp.decode(body, version)

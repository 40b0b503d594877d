"""A tiny raw Kafka wire client for tests that must send exactly the bytes
they choose (malformed frames, corrupt batches) and read exact responses.
Real client libraries are used everywhere else."""
import socket
import struct
import time

# ---- CRC-32C (Castagnoli), table-driven ----
_POLY = 0x82F63B78
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# ---- primitive encoders ----
def i8(v): return struct.pack(">b", v)
def i16(v): return struct.pack(">h", v)
def i32(v): return struct.pack(">i", v)
def i64(v): return struct.pack(">q", v)


def uvarint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def varint(v):
    return uvarint((v << 1) ^ (v >> 63) if v < 0 else v << 1)


def string(s):
    if s is None:
        return i16(-1)
    b = s.encode() if isinstance(s, str) else s
    return i16(len(b)) + b


def compact_string(s):
    if s is None:
        return uvarint(0)
    b = s.encode() if isinstance(s, str) else s
    return uvarint(len(b) + 1) + b


def nbytes(b):
    return i32(-1) if b is None else i32(len(b)) + b


def compact_bytes(b):
    return uvarint(0) if b is None else uvarint(len(b) + 1) + b


# ---- record batches (magic 2) ----
def record(offset_delta, key, value, headers=(), ts_delta=0):
    body = i8(0) + varint(ts_delta) + varint(offset_delta)
    body += varint(-1) if key is None else varint(len(key)) + key
    body += varint(-1) if value is None else varint(len(value)) + value
    body += varint(len(headers))
    for hk, hv in headers:
        body += varint(len(hk)) + hk + (varint(-1) if hv is None else varint(len(hv)) + hv)
    return varint(len(body)) + body


def batch(records, base_ts=None, attributes=0, producer_id=-1, producer_epoch=-1, base_sequence=-1,
          last_offset_delta=None, count=None, raw_records=None):
    """records: list of (key, value) or (key, value, headers)."""
    if base_ts is None:
        base_ts = int(time.time() * 1000)
    recs = raw_records if raw_records is not None else b"".join(
        record(i, r[0], r[1], r[2] if len(r) > 2 else ()) for i, r in enumerate(records))
    n = len(records) if count is None else count
    lod = n - 1 if last_offset_delta is None else last_offset_delta
    after_crc = (i16(attributes) + i32(lod) + i64(base_ts) + i64(base_ts) + i64(producer_id) +
                 i16(producer_epoch) + i32(base_sequence) + i32(n) + recs)
    crc = crc32c(after_crc)
    tail = i32(0) + i8(2) + struct.pack(">I", crc) + after_crc   # leader epoch, magic, crc
    return i64(0) + i32(len(tail)) + tail


def parse_batches(data):
    """Yields (base_offset, attributes, record_count, last_offset_delta) of each whole batch."""
    pos = 0
    while pos + 61 <= len(data):
        base, length = struct.unpack_from(">qi", data, pos)
        if pos + 12 + length > len(data):
            break
        attrs, = struct.unpack_from(">h", data, pos + 21)
        lod, = struct.unpack_from(">i", data, pos + 23)
        count, = struct.unpack_from(">i", data, pos + 57)
        yield base, attrs, count, lod
        pos += 12 + length


# ---- connection ----
class Conn:
    def __init__(self, bootstrap, timeout=10):
        host, port = bootstrap.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.corr = 0

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def request(self, api_key, version, body, flexible=False, client_id="kwire"):
        """Sends one request; returns its correlation id."""
        self.corr += 1
        hdr = i16(api_key) + i16(version) + i32(self.corr) + string(client_id)
        if flexible:
            hdr += uvarint(0)
        payload = hdr + body
        self.sock.sendall(i32(len(payload)) + payload)
        return self.corr

    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("connection closed after %d of %d bytes" % (len(buf), n))
            buf += chunk
        return bytes(buf)

    def response(self, flexible=False):
        """Reads one response frame; returns (correlation_id, body bytes)."""
        size, = struct.unpack(">i", self.recv_exact(4))
        data = self.recv_exact(size)
        corr, = struct.unpack_from(">i", data, 0)
        pos = 4
        if flexible:
            pos += 1  # empty tagged fields in header v1
        return corr, data[pos:]

    def is_closed(self, timeout=5):
        """True if the broker closes the connection within timeout."""
        self.sock.settimeout(timeout)
        try:
            while True:
                d = self.sock.recv(65536)
                if not d:
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False


def produce_v3(topic, partition, records_blob, acks=-1, timeout_ms=5000):
    """A Produce v3 request body (non-flexible)."""
    return (string(None) + i16(acks) + i32(timeout_ms) + i32(1) + string(topic) + i32(1) + i32(partition) +
            nbytes(records_blob))


def parse_produce_v3_response(body):
    """Returns [(topic, partition, error_code, base_offset)]."""
    out = []
    pos = 0
    ntopics, = struct.unpack_from(">i", body, pos); pos += 4
    for _ in range(ntopics):
        ln, = struct.unpack_from(">h", body, pos); pos += 2
        name = body[pos:pos + ln].decode(); pos += ln
        nparts, = struct.unpack_from(">i", body, pos); pos += 4
        for _ in range(nparts):
            idx, err, base, _lat = struct.unpack_from(">ihqq", body, pos); pos += 22
            out.append((name, idx, err, base))
    return out

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
          last_offset_delta=None, count=None, raw_records=None, max_ts=None):
    """records: list of (key, value) or (key, value, headers). max_ts is
    the header's MaxTimestamp (base_ts unless given)."""
    if base_ts is None:
        base_ts = int(time.time() * 1000)
    if max_ts is None:
        max_ts = base_ts
    recs = raw_records if raw_records is not None else b"".join(
        record(i, r[0], r[1], r[2] if len(r) > 2 else ()) for i, r in enumerate(records))
    n = len(records) if count is None else count
    lod = n - 1 if last_offset_delta is None else last_offset_delta
    after_crc = (i16(attributes) + i32(lod) + i64(base_ts) + i64(max_ts) + i64(producer_id) +
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


# ---- helpers for admin/offset APIs that the installed clients lack ----
# (kafka-python 2.0.2 and confluent-kafka 1.7 have no DeleteRecords,
# DescribeLogDirs, DescribeCluster, IncrementalAlterConfigs or
# ListOffsets max-timestamp.)

class Reader:
    """Reads Kafka primitive types from a response body."""

    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def _unpack(self, fmt, n):
        v, = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += n
        return v

    def i8(self): return self._unpack(">b", 1)
    def i16(self): return self._unpack(">h", 2)
    def i32(self): return self._unpack(">i", 4)
    def i64(self): return self._unpack(">q", 8)
    def bool(self): return self.i8() != 0

    def uvarint(self):
        shift = v = 0
        while True:
            b = self.data[self.pos]
            self.pos += 1
            v |= (b & 0x7F) << shift
            if not b & 0x80:
                return v
            shift += 7

    def string(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def compact_string(self):
        n = self.uvarint() - 1
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    def nbytes(self):
        n = self.i32()
        if n < 0:
            return None
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def array(self, item):
        n = self.i32()
        return None if n < 0 else [item() for _ in range(n)]

    def compact_array(self, item):
        n = self.uvarint() - 1
        return None if n < 0 else [item() for _ in range(n)]

    def skip_tags(self):
        for _ in range(self.uvarint()):
            self.uvarint()
            self.pos += self.uvarint()

    def exact(self):
        """Checks that every byte of the body was read."""
        assert self.pos == len(self.data), "response has %d bytes left over" % (len(self.data) - self.pos)


def call(conn, api_key, version, body, flexible=False):
    """Sends one request and returns a Reader on its response body."""
    corr = conn.request(api_key, version, body, flexible=flexible)
    got, data = conn.response(flexible=flexible)
    assert got == corr, "correlation id %d, expected %d" % (got, corr)
    return Reader(data)


def list_offsets_v7(conn, topic, partition, timestamp):
    """ListOffsets v7 (flexible) for one partition; returns (error, timestamp, offset, leader_epoch)."""
    body = (i32(-1) + i8(0) + uvarint(2) + compact_string(topic) + uvarint(2) + i32(partition) + i32(-1) +
            i64(timestamp) + uvarint(0) + uvarint(0) + uvarint(0))
    r = call(conn, 2, 7, body, flexible=True)
    r.i32()  # throttle
    out = []

    def part():
        p = (r.i32(), r.i16(), r.i64(), r.i64(), r.i32())
        r.skip_tags()
        return p

    def top():
        r.compact_string()
        out.extend(r.compact_array(part))
        r.skip_tags()

    r.compact_array(top)
    assert len(out) == 1 and out[0][0] == partition
    return out[0][1:]


def delete_records(conn, topic, offsets, timeout_ms=5000, version=1):
    """DeleteRecords v0/v1; offsets {partition: offset}. Returns {partition: (error, low_watermark)}."""
    body = i32(1) + string(topic) + i32(len(offsets))
    for p, off in offsets.items():
        body += i32(p) + i64(off)
    body += i32(timeout_ms)
    r = call(conn, 21, version, body)
    r.i32()
    out = {}

    def part():
        idx, low, err = r.i32(), r.i64(), r.i16()
        out[idx] = (err, low)

    def top():
        r.string()
        r.array(part)

    r.array(top)
    return out


def describe_log_dirs_v1(conn, topics=None):
    """DescribeLogDirs v1; topics {name: [partitions]} or None for all.
    Returns [(error, log_dir, {topic: {partition: size}})]."""
    if topics is None:
        body = i32(-1)
    else:
        body = i32(len(topics))
        for name, parts in topics.items():
            body += string(name) + i32(len(parts)) + b"".join(i32(p) for p in parts)
    r = call(conn, 35, 1, body)
    r.i32()

    def result():
        err, d = r.i16(), r.string()
        sizes = {}

        def top():
            name = r.string()
            sizes[name] = {}

            def part():
                idx, size, _lag, _fut = r.i32(), r.i64(), r.i64(), r.bool()
                sizes[name][idx] = size

            r.array(part)

        r.array(top)
        return err, d, sizes

    return r.array(result)


def describe_cluster_v0(conn):
    """DescribeCluster v0 (flexible). Returns a dict."""
    r = call(conn, 60, 0, i8(0) + uvarint(0), flexible=True)
    out = {"throttle": r.i32(), "error_code": r.i16(), "error_message": r.compact_string(),
           "cluster_id": r.compact_string(), "controller_id": r.i32()}

    def broker():
        b = {"broker_id": r.i32(), "host": r.compact_string(), "port": r.i32(), "rack": r.compact_string()}
        r.skip_tags()
        return b

    out["brokers"] = r.compact_array(broker)
    return out


OP_SET, OP_DELETE, OP_APPEND, OP_SUBTRACT = 0, 1, 2, 3


def incremental_alter_configs_v0(conn, resource_type, resource_name, changes, validate_only=False):
    """IncrementalAlterConfigs v0 for one resource; changes [(name, op, value)].
    Returns (error_code, error_message)."""
    body = i32(1) + i8(resource_type) + string(resource_name) + i32(len(changes))
    for name, op, value in changes:
        body += string(name) + i8(op) + string(value)
    body += i8(1 if validate_only else 0)
    r = call(conn, 44, 0, body)
    r.i32()
    res = r.array(lambda: (r.i16(), r.string(), r.i8(), r.string()))
    assert len(res) == 1
    return res[0][0], res[0][1]


def metadata_v1(conn, topics):
    """topics: list of names or None (all). Returns {name: (error_code, partition count)}."""
    body = i32(-1) if topics is None else i32(len(topics)) + b"".join(string(t) for t in topics)
    return parse_metadata(call(conn, 3, 1, body), 1)


def metadata_v4(conn, topics, allow_auto_topic_creation):
    """Metadata v4 for the named topics. Returns {topic: (error_code, partition count)}."""
    body = i32(len(topics)) + b"".join(string(t) for t in topics) + i8(1 if allow_auto_topic_creation else 0)
    return parse_metadata(call(conn, 3, 4, body), 4)


def parse_metadata(r, version):
    """A Metadata v1-v4 response body: {topic: (error_code, partition count)}."""
    if version >= 3:
        r.i32()
    r.array(lambda: (r.i32(), r.string(), r.i32(), r.string()))
    if version >= 2:
        r.string()
    r.i32()
    out = {}

    def part():
        r.i16(), r.i32(), r.i32()
        r.array(r.i32)
        r.array(r.i32)

    def top():
        err, name, _internal = r.i16(), r.string(), r.bool()
        parts = r.array(part)
        out[name] = (err, len(parts or []))

    r.array(top)
    r.exact()
    return out


def fetch_v4_request(conn, topic, partition, offset, max_wait_ms, min_bytes, max_bytes=1 << 20):
    """Sends a Fetch v4 for one partition without waiting; returns the correlation id."""
    body = (i32(-1) + i32(max_wait_ms) + i32(min_bytes) + i32(max_bytes) + i8(0) + i32(1) + string(topic) +
            i32(1) + i32(partition) + i64(offset) + i32(max_bytes))
    return conn.request(1, 4, body)


def parse_fetch_v4_response(body):
    """Returns [(topic, partition, error_code, high_watermark, records bytes)]."""
    r = Reader(body)
    r.i32()
    out = []

    def part():
        idx, err, hw, _lso = r.i32(), r.i16(), r.i64(), r.i64()
        r.array(lambda: (r.i64(), r.i64()))
        return idx, err, hw, r.nbytes()

    def top():
        name = r.string()
        for p in r.array(part):
            out.append((name,) + p)

    r.array(top)
    return out


def metadata_v12(conn, topics=None):
    """Metadata v12 (flexible) by name, or all topics.
    Returns {name: (error_code, topic_id bytes, partition count)}."""
    if topics is None:
        body = uvarint(0)
    else:
        body = uvarint(len(topics) + 1) + b"".join(b"\0" * 16 + compact_string(t) + uvarint(0) for t in topics)
    body += i8(0) + i8(0) + uvarint(0)
    r = call(conn, 3, 12, body, flexible=True)
    r.i32()

    def broker():
        r.i32(), r.compact_string(), r.i32(), r.compact_string()
        r.skip_tags()

    r.compact_array(broker)
    r.compact_string()
    r.i32()
    out = {}

    def part():
        r.i16(), r.i32(), r.i32(), r.i32()
        for _ in range(3):
            r.compact_array(r.i32)
        r.skip_tags()

    def top():
        err, name = r.i16(), r.compact_string()
        tid = r.data[r.pos:r.pos + 16]
        r.pos += 16
        r.bool()
        parts = r.compact_array(part)
        r.i32()
        r.skip_tags()
        out[name] = (err, tid, len(parts or []))

    r.compact_array(top)
    return out


# ---- idempotent producers ----

def init_producer_id(conn, version=4, transactional_id=None, timeout_ms=60000, producer_id=-1, producer_epoch=-1):
    """InitProducerId v0-5. Returns (error_code, producer_id, producer_epoch)."""
    flexible = version >= 2
    body = (compact_string if flexible else string)(transactional_id) + i32(timeout_ms)
    if version >= 3:
        body += i64(producer_id) + i16(producer_epoch)
    if flexible:
        body += uvarint(0)
    r = call(conn, 22, version, body, flexible=flexible)
    r.i32()
    return r.i16(), r.i64(), r.i16()


def idempotent_batch(producer_id, producer_epoch, base_sequence, values):
    """One idempotent batch of the given values (bytes), keys None."""
    return batch([(None, v) for v in values], producer_id=producer_id, producer_epoch=producer_epoch,
                 base_sequence=base_sequence)


def produce_one(conn, topic, partition, blob, acks=-1):
    """Produce v3 of one records blob to one partition; returns (error_code, base_offset)."""
    corr = conn.request(0, 3, produce_v3(topic, partition, blob, acks=acks))
    got, body = conn.response()
    assert got == corr
    res = parse_produce_v3_response(body)
    assert len(res) == 1 and res[0][:2] == (topic, partition)
    return res[0][2], res[0][3]


# ---- consumer groups (test_groups.py) ----

def _compact_bytes(r):
    n = r.uvarint() - 1
    if n < 0:
        return None
    b = r.data[r.pos:r.pos + n]
    r.pos += n
    return b


def find_coordinator_v2(conn, key, key_type=0):
    """FindCoordinator v2; returns (error, node_id, port, host)."""
    r = call(conn, 10, 2, string(key) + i8(key_type))
    r.i32()
    err, _msg, node, host, port = r.i16(), r.string(), r.i32(), r.string(), r.i32()
    return err, node, port, host


def join_group_v5(conn, group, member_id, session_timeout_ms, instance_id=None,
                  protocols=(("range", b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),)):
    """JoinGroup v5 (protocol type consumer); returns a dict of the response."""
    body = (string(group) + i32(session_timeout_ms) + i32(session_timeout_ms) + string(member_id) +
            string(instance_id) + string("consumer") + i32(len(protocols)))
    for name, meta in protocols:
        body += string(name) + nbytes(meta)
    r = call(conn, 11, 5, body)
    r.i32()
    out = {"error": r.i16(), "generation": r.i32(), "protocol": r.string(), "leader": r.string(),
           "member_id": r.string()}
    out["members"] = r.array(lambda: (r.string(), r.string(), r.nbytes()))
    return out


def heartbeat_v3(conn, group, generation, member_id, instance_id=None):
    r = call(conn, 12, 3, string(group) + i32(generation) + string(member_id) + string(instance_id))
    r.i32()
    return r.i16()


def sync_group_v3(conn, group, generation, member_id, assignments, instance_id=None):
    """SyncGroup v3; assignments {member_id: bytes}. Returns (error, assignment)."""
    body = string(group) + i32(generation) + string(member_id) + string(instance_id) + i32(len(assignments))
    for m, a in assignments.items():
        body += string(m) + nbytes(a)
    r = call(conn, 14, 3, body)
    r.i32()
    return r.i16(), r.nbytes()


def _partition_errors(r):
    """An array of topics, each an array of (partition, error): {partition: error}."""
    out = {}

    def part():
        p, e = r.i32(), r.i16()
        out[p] = e

    def top():
        r.string()
        r.array(part)

    r.array(top)
    return out


def offset_commit_v2(conn, group, topic, offsets, generation=-1, member_id="", metadata=""):
    """OffsetCommit v2 (kafka-python's version); offsets {partition: offset}. Returns {partition: error}."""
    body = string(group) + i32(generation) + string(member_id) + i64(-1) + i32(1) + string(topic)
    body += i32(len(offsets))
    for p, o in offsets.items():
        body += i32(p) + i64(o) + string(metadata)
    return _partition_errors(call(conn, 8, 2, body))


def offset_fetch_v8(conn, groups):
    """OffsetFetch v8; groups {group: {topic: [partitions]} or None for all}.
    Returns {group: ({topic: {partition: (offset, leader_epoch, metadata, error)}}, error)}."""
    body = uvarint(len(groups) + 1)
    for g, topics in groups.items():
        body += compact_string(g)
        if topics is None:
            body += uvarint(0)
        else:
            body += uvarint(len(topics) + 1)
            for t, parts in topics.items():
                body += compact_string(t) + uvarint(len(parts) + 1) + b"".join(i32(p) for p in parts) + uvarint(0)
        body += uvarint(0)
    body += i8(0) + uvarint(0)
    r = call(conn, 9, 8, body, flexible=True)
    r.i32()
    out = {}

    def group():
        gid = r.compact_string()
        topics = {}

        def top():
            name = topics.setdefault(r.compact_string(), {})

            def part():
                p, o, ep, md, err = r.i32(), r.i64(), r.i32(), r.compact_string(), r.i16()
                r.skip_tags()
                name[p] = (o, ep, md, err)

            r.compact_array(part)
            r.skip_tags()

        r.compact_array(top)
        err = r.i16()
        r.skip_tags()
        out[gid] = (topics, err)

    r.compact_array(group)
    return out


def list_groups_v4(conn, states=None):
    """ListGroups v4 with a states filter; returns [(group, protocol_type, state)]."""
    states = states or []
    body = uvarint(len(states) + 1) + b"".join(compact_string(s) for s in states) + uvarint(0)
    r = call(conn, 16, 4, body, flexible=True)
    r.i32()
    assert r.i16() == 0

    def group():
        g = (r.compact_string(), r.compact_string(), r.compact_string())
        r.skip_tags()
        return g

    return sorted(r.compact_array(group))


def describe_groups_v5(conn, groups):
    """DescribeGroups v5; returns {group: {error, state, protocol_type, protocol, members: [dict]}}."""
    body = uvarint(len(groups) + 1) + b"".join(compact_string(g) for g in groups) + i8(0) + uvarint(0)
    r = call(conn, 15, 5, body, flexible=True)
    r.i32()
    out = {}

    def member():
        m = {"member_id": r.compact_string(), "instance_id": r.compact_string(), "client_id": r.compact_string(),
             "client_host": r.compact_string(), "metadata": _compact_bytes(r), "assignment": _compact_bytes(r)}
        r.skip_tags()
        return m

    def group():
        err, gid, state, ptype, pdata = r.i16(), r.compact_string(), r.compact_string(), r.compact_string(), \
            r.compact_string()
        members = r.compact_array(member)
        r.i32()
        r.skip_tags()
        out[gid] = {"error": err, "state": state, "protocol_type": ptype, "protocol": pdata, "members": members}

    r.compact_array(group)
    return out


def delete_groups(conn, groups):
    """DeleteGroups v1; returns {group: error}."""
    r = call(conn, 42, 1, i32(len(groups)) + b"".join(string(g) for g in groups))
    r.i32()
    out = {}

    def res():
        g, e = r.string(), r.i16()
        out[g] = e

    r.array(res)
    return out


def offset_delete(conn, group, topic, partitions):
    """OffsetDelete v0; returns (error, {partition: error})."""
    body = string(group) + i32(1) + string(topic) + i32(len(partitions)) + b"".join(i32(p) for p in partitions)
    r = call(conn, 47, 0, body)
    err = r.i16()
    r.i32()
    return err, _partition_errors(r)

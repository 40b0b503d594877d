"""What every client driver does (tests/clients/README.md), shared by the
Python drivers: the records each codec round-trips, and the 3-member group
walk (two members, a third joins, the first leaves) run on threads."""
import json
import sys
import threading
import time

RECORDS_PER_CODEC = 5
GROUP_RECORDS_PER_PHASE = 10
GROUP_PARTITIONS = 3
DEADLINE_SECONDS = 60
CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def codec_record(codec, i):
    """(key, value, headers) of record i of a codec's topic; headers repeat a key on purpose."""
    return ("key-%d" % i, "value-%d-%s" % (i, codec),
            [("index", str(i)), ("codec", codec), ("dup", "a"), ("dup", "b")])


def codec_walk(prefix, produce, read_back):
    """The codecs scenario of a driver with blocking calls: per codec, its
    records go to a topic of its own through produce(topic, records, codec)
    and come back from read_back(topic) as observed() entries."""
    out = {}
    for codec in CODECS:
        topic = "%s-codec-%s" % (prefix, codec)
        produce(topic, [codec_record(codec, i) for i in range(RECORDS_PER_CODEC)], codec)
        out[codec] = read_back(topic)
    return {"codecs": out}


def observed(key, value, headers):
    """One record as the drivers print it: text key and value, headers in order."""
    dec = lambda b: None if b is None else (b.decode() if isinstance(b, bytes) else b)
    return {"key": dec(key), "value": dec(value), "headers": [[k, dec(v)] for k, v in (headers or [])]}


def emit(summary):
    json.dump(summary, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


def wait_until(condition, what):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("waited %ds for %s" % (DEADLINE_SECONDS, what))
        time.sleep(0.05)


class GroupWalk:
    """Drives members (objects with start(), stop() and an `assigned` set of
    partitions) that call counted(value) once a record's commit succeeded."""

    def __init__(self, make_member, produce):
        self.make_member = make_member
        self.produce = produce   # produce(records, partition_of=...) as the drivers' own produce()
        self.lock = threading.Lock()
        self.values = []

    def counted(self, value):
        with self.lock:
            self.values.append(value)

    def settled(self, members):
        sets = [m.assigned for m in members]
        return all(sets) and sum(len(s) for s in sets) == GROUP_PARTITIONS and \
            set().union(*sets) == set(range(GROUP_PARTITIONS))

    def phase(self, members, number):
        wait_until(lambda: self.settled(members), "the group to settle in phase %d" % number)
        sizes = sorted(len(m.assigned) for m in members)
        self.produce([(None, group_value(number, i), None) for i in range(GROUP_RECORDS_PER_PHASE)],
                     partition_of=lambda i: i % GROUP_PARTITIONS)
        wait_until(lambda: len(self.values) >= GROUP_RECORDS_PER_PHASE * (number + 1),
                   "phase %d's records" % number)
        return sizes

    def run(self):
        members = [self.make_member(n, self.counted) for n in range(3)]
        phases = []
        try:
            members[0].start()
            members[1].start()
            phases.append(self.phase(members[:2], 0))
            members[2].start()
            phases.append(self.phase(members, 1))
            members[0].stop()
            phases.append(self.phase(members[1:], 2))
            time.sleep(0.5)   # a redelivery would show up here
        finally:
            for m in members:
                m.stop()
        return {"group": {"assignment_sizes": phases, "consumed": sorted(self.values)}}


def group_value(phase, i):
    return "g-%d-%02d" % (phase, i)


class AssignmentTracker:
    """The rebalance listener's body, mixed into each client's listener class."""

    def __init__(self, member):
        self.member = member

    def on_partitions_revoked(self, revoked):
        self.member.assigned = set()

    def on_partitions_assigned(self, assigned):
        self.member.assigned = {tp.partition for tp in assigned}


class MemberThread:
    """A member whose consumer lives and dies on its own thread (the Python
    clients are not to be closed from another thread); `loop(self)` polls
    until self.stopping is set and closes the consumer."""

    def __init__(self, loop):
        self.assigned = set()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=loop, args=(self,), daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopping.set()
        if self.thread.ident is not None:
            self.thread.join(timeout=30)
            self.assigned = set()


def read_until(read, wanted):
    """Calls read() until it returns wanted or the deadline passes; returns the
    last value. Kafka applies a config change through its metadata log, so a
    describe right after the alter may still show the old value."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    value = read()
    while value != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def retry(call, what):
    """call() until it does not raise (Kafka's metadata lags a topic's
    creation for a moment) or the deadline passes."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        try:
            return call()
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)

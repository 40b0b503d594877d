"""Consumer groups with real clients against the real broker.

Members run in subprocesses (group_worker.py, js/group_consumer.js) so a
test can close one cleanly (SIGTERM: it leaves the group) or SIGKILL it
(it just stops heartbeating). Every record is numbered; a worker reports
each record before committing it and again once the commit returned, so
the tests check that nothing is skipped and nothing committed is
delivered again."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

import kwire
from conftest import SANITIZED

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
SLOW = 3 if SANITIZED else 1
# Fast groups: first rebalance waits 200 ms for more members.
GROUP_PROPS = {"group.initial.rebalance.delay.ms": "200"}


# ---------------------------------------------------------------- helpers

def create_topic(bootstrap, name, partitions):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(name, partitions, 1)], operation_timeout=10)[name].result(timeout=15)


def produce(bootstrap, topic, partitions, per_partition, tag):
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
    for part in range(partitions):
        for i in range(per_partition):
            p.produce(topic, value=("%s-%d-%d" % (tag, part, i)).encode(), partition=part)
    assert p.flush(30) == 0


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout * SLOW
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class Worker:
    """One group member in a subprocess, its events collected by a thread."""

    def __init__(self, kind, bootstrap, topic, group, extra=None, name=None):
        self.kind = kind
        self.name = name or kind
        if kind == "kafkajs":
            args = ["node", os.path.join(HERE, "js", "group_consumer.js"), bootstrap, topic, group]
        else:
            args = [PY, os.path.join(HERE, "group_worker.py"), kind, bootstrap, topic, group,
                    json.dumps(extra or {})]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.events = []
        self.lock = threading.Lock()
        self.owned = set()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            ev["t"] = time.monotonic()
            ev["w"] = self.name
            with self.lock:
                self.events.append(ev)
                if ev["ev"] == "assign":
                    if self.kind == "kafkajs":   # GROUP_JOIN: the whole assignment
                        self.owned = set(ev["parts"])
                    else:
                        self.owned |= set(ev["parts"])
                elif ev["ev"] == "revoke":
                    self.owned -= set(ev["parts"])

    def assignment(self):
        with self.lock:
            return set(self.owned)

    def evs(self, kind=None):
        with self.lock:
            return [e for e in self.events if kind is None or e["ev"] == kind]

    def close(self):
        """Clean close: the member leaves the group."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.reader.join(5)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)
        self.owned = set()


def wait_assigned(workers, nparts, timeout=30, each=None):
    """Until the workers own every partition exactly once (each owning `each`)."""
    def ok():
        sets = [w.assignment() for w in workers]
        if sum(len(s) for s in sets) != nparts or set().union(*sets) != set(range(nparts)):
            return False
        return each is None or all(len(s) == each for s in sets)
    wait_for(ok, timeout, "assignment of %d partitions over %d members (now %s)" %
             (nparts, len(workers), [sorted(w.assignment()) for w in workers]))


def delivered(workers):
    return {(e["p"], e["o"]) for w in workers for e in w.evs("msg")}


def wait_delivered(workers, nparts, per_partition, timeout=30):
    want = {(p, o) for p in range(nparts) for o in range(per_partition)}
    wait_for(lambda: want <= delivered(workers), timeout,
             "delivery of %d records (missing %s)" % (len(want), sorted(want - delivered(workers))[:10]))


def check_no_committed_redelivery(workers):
    """A record whose commit returned is never delivered again afterwards."""
    committed_at = {}
    for w in workers:
        for e in w.evs("committed"):
            k = (e["p"], e["o"])
            committed_at[k] = min(committed_at.get(k, e["t"]), e["t"])
    for w in workers:
        for e in w.evs("msg"):
            k = (e["p"], e["o"])
            assert not (k in committed_at and e["t"] > committed_at[k]), \
                "record %s delivered again to %s after its commit" % (k, w.name)


def committed_offsets(bootstrap, group, topic, nparts):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        got = c.committed([TopicPartition(topic, p) for p in range(nparts)], timeout=10)
        return {tp.partition: tp.offset for tp in got}
    finally:
        c.close()


# ---------------------------------------------------------------- eager groups, three clients

def three_member_scenario(broker, kind):
    """Three members share 6 partitions; one leaves cleanly, one is killed;
    every record is delivered, none committed is delivered again."""
    bs = broker.bootstrap
    topic, group = "grp-" + kind, "g-" + kind
    create_topic(bs, topic, 6)
    produce(bs, topic, 6, 5, "a")
    ws = [Worker(kind, bs, topic, group, name="%s-%d" % (kind, i)) for i in range(3)]
    try:
        wait_assigned(ws, 6, each=2, timeout=40)
        wait_delivered(ws, 6, 5)

        # A clean close: the other two take over its partitions at once.
        ws[0].close()
        wait_assigned(ws[1:], 6, each=3)
        produce(bs, topic, 6, 5, "b")
        wait_delivered(ws, 6, 10)

        # A killed member: its partitions move after its session timeout.
        ws[1].kill()
        t0 = time.monotonic()
        wait_assigned(ws[2:], 6, each=6, timeout=40)
        moved_s = time.monotonic() - t0
        assert moved_s >= 3, "partitions moved before the session timeout (%.1fs)" % moved_s
        produce(bs, topic, 6, 5, "c")
        wait_delivered(ws, 6, 15)
        check_no_committed_redelivery(ws)
        ws[2].close()
        assert committed_offsets(bs, group, topic, 6) == {p: 15 for p in range(6)}
    finally:
        for w in ws:
            w.kill()


def test_confluent_three_members_leave_and_die(broker_factory):
    three_member_scenario(broker_factory(props=GROUP_PROPS), "confluent")


def test_kafka_python_three_members(broker_factory):
    three_member_scenario(broker_factory(props=GROUP_PROPS), "kafkapython")


def test_kafkajs_three_members(broker_factory):
    three_member_scenario(broker_factory(props=GROUP_PROPS), "kafkajs")


# ---------------------------------------------------------------- static membership, cooperative

def test_static_member_restart_does_not_rebalance(broker_factory):
    broker = broker_factory(props=GROUP_PROPS)
    bs = broker.bootstrap
    topic, group = "grp-static", "g-static"
    create_topic(bs, topic, 6)
    conf = {"session.timeout.ms": 10000}
    a = Worker("confluent", bs, topic, group, dict(conf, **{"group.instance.id": "inst-a"}), name="a")
    b = Worker("confluent", bs, topic, group, dict(conf, **{"group.instance.id": "inst-b"}), name="b")
    a2 = None
    try:
        wait_assigned([a, b], 6, each=3)
        before_b = len(b.evs("assign")) + len(b.evs("revoke"))
        parts_a = a.assignment()
        a.kill()
        a2 = Worker("confluent", bs, topic, group, dict(conf, **{"group.instance.id": "inst-a"}), name="a2")
        wait_for(lambda: a2.assignment() == parts_a, 20, "the restarted static member's partitions")
        time.sleep(2)
        assert len(b.evs("assign")) + len(b.evs("revoke")) == before_b, "the other member saw a rebalance"
        assert b.assignment() == set(range(6)) - parts_a
        assert "static member rejoined" in broker.read_log()
    finally:
        for w in (a, b, a2):
            if w:
                w.kill()


def test_cooperative_sticky_join_and_leave(broker_factory):
    broker = broker_factory(props=GROUP_PROPS)
    bs = broker.bootstrap
    topic, group = "grp-coop", "g-coop"
    create_topic(bs, topic, 6)
    produce(bs, topic, 6, 5, "a")
    conf = {"partition.assignment.strategy": "cooperative-sticky"}
    ws = [Worker("confluent", bs, topic, group, conf, name="c%d" % i) for i in range(2)]
    try:
        wait_assigned(ws, 6, each=3)
        wait_delivered(ws, 6, 5)
        kept = [w.assignment() for w in ws]
        ws.append(Worker("confluent", bs, topic, group, conf, name="c2"))
        wait_assigned(ws, 6, each=2)
        # Sticky: the first two kept what they had, minus what moved.
        assert ws[0].assignment() <= kept[0] and ws[1].assignment() <= kept[1]
        produce(bs, topic, 6, 5, "b")
        wait_delivered(ws, 6, 10)
        ws[2].close()
        wait_assigned(ws[:2], 6, each=3)
        produce(bs, topic, 6, 5, "c")
        wait_delivered(ws, 6, 15)
        check_no_committed_redelivery(ws)
    finally:
        for w in ws:
            w.kill()


# ---------------------------------------------------------------- durability

def test_broker_restart_keeps_committed_offsets(broker_factory):
    broker = broker_factory(props=GROUP_PROPS)
    bs = broker.bootstrap
    topic, group = "grp-restart", "g-restart"
    create_topic(bs, topic, 4)
    produce(bs, topic, 4, 10, "a")
    ws = [Worker("confluent", bs, topic, group, name="r%d" % i) for i in range(2)]
    try:
        wait_assigned(ws, 4, each=2)
        wait_delivered(ws, 4, 10)
        wait_for(lambda: {(e["p"], e["o"]) for w in ws for e in w.evs("committed")} >=
                 {(p, o) for p in range(4) for o in range(10)}, 20, "commits")
        broker.restart()
        assert committed_offsets(bs, group, topic, 4) == {p: 10 for p in range(4)}
        produce(bs, topic, 4, 10, "b")
        wait_delivered(ws, 4, 20, timeout=60)
        check_no_committed_redelivery(ws)
    finally:
        for w in ws:
            w.kill()
    # Metadata and commit time survive too (OffsetFetch v8, several groups).
    broker.restart()
    assert committed_offsets(bs, group, topic, 4) == {p: 20 for p in range(4)}


def test_acknowledged_commit_survives_a_crash(broker_factory):
    """OffsetCommit is answered only once fsynced: a simulated crash right
    after the answers (unsynced writes dropped) loses none of them."""
    props = dict(GROUP_PROPS, **{"sluice.test.crash.simulation": "true"})
    broker = broker_factory(props=props)
    for k in range(3):
        create_topic(broker.bootstrap, "t%d" % k, 20)
    conn = kwire.Conn(broker.bootstrap)
    for i in range(20):
        assert kwire.offset_commit_v2(conn, "g-crash", "t%d" % (i % 3), {i: 100 + i}, metadata="m%d" % i) == {i: 0}
    conn.close()
    os.kill(broker.proc.pid, signal.SIGUSR2)
    broker.proc.wait(timeout=30)
    assert broker.stop() == 137
    broker.start()
    conn = kwire.Conn(broker.bootstrap)
    got = kwire.offset_fetch_v8(conn, {"g-crash": None})["g-crash"]
    conn.close()
    assert got[1] == 0
    assert {(t, p): (o, md) for t, parts in got[0].items() for p, (o, _ep, md, _e) in parts.items()} == \
        {("t%d" % (i % 3), i): (100 + i, "m%d" % i) for i in range(20)}


def test_offsets_of_empty_group_expire(broker_factory):
    broker = broker_factory(props=dict(GROUP_PROPS, **{"sluice.test.offsets.retention.ms": "1500",
                                                      "offsets.retention.check.interval.ms": "300"}))
    bs = broker.bootstrap
    create_topic(bs, "grp-exp", 1)
    conn = kwire.Conn(bs)
    assert kwire.offset_commit_v2(conn, "g-exp", "grp-exp", {0: 42}) == {0: 0}
    assert kwire.offset_fetch_v8(conn, {"g-exp": {"grp-exp": [0]}})["g-exp"][0]["grp-exp"][0][0] == 42
    wait_for(lambda: kwire.offset_fetch_v8(conn, {"g-exp": {"grp-exp": [0]}})["g-exp"][0]["grp-exp"][0][0] == -1,
             10, "offsets to expire")
    assert "g-exp" not in [g for g, _, _ in kwire.list_groups_v4(conn)]
    conn.close()
    broker.restart()
    conn = kwire.Conn(bs)
    assert kwire.offset_fetch_v8(conn, {"g-exp": {"grp-exp": [0]}})["g-exp"][0]["grp-exp"][0][0] == -1
    conn.close()


def test_commits_need_the_partition_and_go_with_the_topic(broker_factory):
    """As in Kafka: a commit for a topic or partition that does not exist
    is refused with UNKNOWN_TOPIC_OR_PARTITION, and deleting a topic
    removes every group's offsets for it, durably, so a topic created
    again under the same name starts with no committed offsets."""
    broker = broker_factory(props=GROUP_PROPS)
    bs = broker.bootstrap
    conn = kwire.Conn(bs)
    assert kwire.offset_commit_v2(conn, "g-unk", "nope", {0: 5}) == {0: 3}
    create_topic(bs, "gone", 2)
    create_topic(bs, "stays", 1)
    assert kwire.offset_commit_v2(conn, "g-unk", "gone", {0: 5, 1: 6, 2: 7}) == {0: 0, 1: 0, 2: 3}
    assert kwire.offset_commit_v2(conn, "g-unk", "stays", {0: 8}) == {0: 0}
    assert kwire.offset_commit_v2(conn, "g-only", "gone", {1: 9}) == {1: 0}
    admin = AdminClient({"bootstrap.servers": bs})
    for f in admin.delete_topics(["gone"], operation_timeout=10).values():
        f.result(timeout=10)
    got = kwire.offset_fetch_v8(conn, {"g-unk": None})["g-unk"][0]
    assert {t: {p: v[0] for p, v in parts.items()} for t, parts in got.items()} == {"stays": {0: 8}}
    # A group whose only offsets were those, and which has no members, goes.
    assert "g-only" not in [g for g, _, _ in kwire.list_groups_v4(conn)]
    conn.close()
    broker.restart()
    create_topic(bs, "gone", 2)
    conn = kwire.Conn(bs)
    got = kwire.offset_fetch_v8(conn, {"g-unk": {"gone": [0, 1]}})["g-unk"][0]["gone"]
    assert got[0][0] == -1 and got[1][0] == -1
    assert kwire.offset_fetch_v8(conn, {"g-unk": {"stays": [0]}})["g-unk"][0]["stays"][0][0] == 8
    conn.close()


# ---------------------------------------------------------------- admin APIs

def test_describe_list_delete_groups(broker_factory):
    broker = broker_factory(props=GROUP_PROPS)
    bs = broker.bootstrap
    topic = "grp-admin"
    create_topic(bs, topic, 2)
    produce(bs, topic, 2, 3, "a")
    w = Worker("confluent", bs, topic, "g-live", name="live")
    conn = kwire.Conn(bs)
    try:
        wait_assigned([w], 2)
        wait_delivered([w], 2, 3)
        # An empty group with offsets, committed by the admin (simple commit).
        assert kwire.offset_commit_v2(conn, "g-idle", topic, {0: 1, 1: 2}) == {0: 0, 1: 0}

        groups = {g: (ptype, state) for g, ptype, state in kwire.list_groups_v4(conn)}
        assert groups["g-live"] == ("consumer", "Stable")
        assert groups["g-idle"][1] == "Empty"
        assert [g for g, _, _ in kwire.list_groups_v4(conn, ["Stable"])] == ["g-live"]
        assert [g for g, _, _ in kwire.list_groups_v4(conn, ["empty"])] == ["g-idle"]

        # The Python binding's list_groups (ListGroups + DescribeGroups).
        admin = AdminClient({"bootstrap.servers": bs})
        live = [g for g in admin.list_groups(timeout=10) if g.id == "g-live"][0]
        assert live.state == "Stable" and live.protocol_type == "consumer" and live.protocol == "range"
        assert len(live.members) == 1 and live.members[0].assignment

        desc = kwire.describe_groups_v5(conn, ["g-live", "nope"])
        assert desc["g-live"]["state"] == "Stable" and len(desc["g-live"]["members"]) == 1
        assert desc["nope"]["state"] == "Dead" and desc["nope"]["error"] == 0

        # OffsetDelete: refused for a subscribed topic, done for an idle group.
        assert kwire.offset_delete(conn, "g-live", topic, [0]) == (0, {0: 86})   # GROUP_SUBSCRIBED_TO_TOPIC
        assert kwire.offset_delete(conn, "g-idle", topic, [0]) == (0, {0: 0})
        fetched = kwire.offset_fetch_v8(conn, {"g-idle": {topic: [0, 1]}})["g-idle"]
        assert fetched[0][topic][0][0] == -1 and fetched[0][topic][1][0] == 2
        assert kwire.offset_delete(conn, "g-none", topic, [0])[0] == 69           # GROUP_ID_NOT_FOUND

        # DeleteGroups: a live group is not empty; the idle one goes.
        res = kwire.delete_groups(conn, ["g-live", "g-idle", "g-none"])
        assert res == {"g-live": 68, "g-idle": 0, "g-none": 69}
        assert "g-idle" not in [g for g, _, _ in kwire.list_groups_v4(conn)]
        assert kwire.offset_fetch_v8(conn, {"g-idle": {topic: [1]}})["g-idle"][0][topic][1][0] == -1
    finally:
        conn.close()
        w.kill()
    # Deletion is durable.
    broker.restart()
    conn = kwire.Conn(bs)
    assert "g-idle" not in [g for g, _, _ in kwire.list_groups_v4(conn)]
    conn.close()


def test_group_protocol_errors(broker_factory):
    broker = broker_factory(props=GROUP_PROPS)
    conn = kwire.Conn(broker.bootstrap)
    # Session timeout outside group.min/max.session.timeout.ms.
    assert kwire.join_group_v5(conn, "g-err", "", 1000)["error"] == 26          # INVALID_SESSION_TIMEOUT
    # v4+: a new member first gets its id with MEMBER_ID_REQUIRED.
    r = kwire.join_group_v5(conn, "g-err", "", 6000)
    assert r["error"] == 79 and r["member_id"]
    mid = r["member_id"]
    r = kwire.join_group_v5(conn, "g-err", mid, 6000)
    assert r["error"] == 0 and r["leader"] == mid and r["generation"] == 1 and len(r["members"]) == 1
    assert kwire.heartbeat_v3(conn, "g-err", 99, mid) == 22                    # ILLEGAL_GENERATION
    assert kwire.heartbeat_v3(conn, "g-err", 1, "who") == 25                   # UNKNOWN_MEMBER_ID
    assert kwire.heartbeat_v3(conn, "g-err", 1, mid) == 0                      # CompletingRebalance: ok
    assert kwire.sync_group_v3(conn, "g-err", 1, mid, {mid: b"x"}) == (0, b"x")
    assert kwire.heartbeat_v3(conn, "g-err", 1, mid) == 0
    # Commit with a wrong generation.
    assert kwire.offset_commit_v2(conn, "g-err", "t", {0: 5}, generation=7, member_id=mid) == {0: 22}
    # FindCoordinator: this broker for groups, transactions refused.
    assert kwire.find_coordinator_v2(conn, "g-err", 0)[:3] == (0, 1, broker.port)
    assert kwire.find_coordinator_v2(conn, "tx", 1)[0] == 53                    # TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    conn.close()


# ---------------------------------------------------------------- CLI

def sluice(broker, *args, timeout=60):
    from conftest import SLUICE_BIN
    p = subprocess.run([SLUICE_BIN, *args, "-b", broker.bootstrap], capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def test_cli_group_list_describe_reset_delete(broker_factory):
    broker = broker_factory(props=GROUP_PROPS)
    bs = broker.bootstrap
    topic = "grp-cli"
    create_topic(bs, topic, 3)
    produce(bs, topic, 3, 4, "a")
    w = Worker("confluent", bs, topic, "g-cli", name="cli")
    try:
        wait_assigned([w], 3)
        wait_delivered([w], 3, 4)
        produce(bs, topic, 3, 2, "b")   # lag 2 once the worker is gone... or consumed

        rc, out, err = sluice(broker, "group", "list")
        assert rc == 0 and out.splitlines() == ["g-cli Stable"], (out, err)
        rc, out, _ = sluice(broker, "group", "list", "--state", "Empty")
        assert rc == 0 and out == ""
        rc, out, err = sluice(broker, "group", "describe", "g-cli")
        assert rc == 0, err
        assert "state Stable" in out and "assignor range" in out and "members 1" in out
        assert "partitions=grp-cli-0,grp-cli-1,grp-cli-2" in out

        rc, out, err = sluice(broker, "group", "reset-offsets", "g-cli", "--topic", topic, "--to-earliest")
        assert rc == 1 and "inactive (empty) group" in err
    finally:
        w.close()

    wait_for(lambda: sluice(broker, "group", "list")[1].split() == ["g-cli", "Empty"], 20, "an empty group")
    rc, out, err = sluice(broker, "group", "describe", "g-cli")
    assert rc == 0, err
    rows = [line.split() for line in out.splitlines() if line.startswith(topic)]
    # TOPIC PARTITION COMMITTED LOG-END LAG MEMBER: everything consumed, no lag.
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [(str(p), "6", "6", "0") for p in range(3)], out

    rc, out, err = sluice(broker, "group", "reset-offsets", "g-cli", "--topic", topic, "--to-earliest", "--dry-run")
    assert rc == 0 and "dry run" in err, err
    assert committed_offsets(bs, "g-cli", topic, 3) == {0: 6, 1: 6, 2: 6}
    rc, out, err = sluice(broker, "group", "reset-offsets", "g-cli", "--topic", topic, "--to-offset", "2", "--execute")
    assert rc == 0, err
    assert committed_offsets(bs, "g-cli", topic, 3) == {0: 2, 1: 2, 2: 2}
    rc, out, _ = sluice(broker, "group", "describe", "g-cli")
    assert [line.split()[4] for line in out.splitlines() if line.startswith(topic)] == ["4", "4", "4"]

    rc, out, err = sluice(broker, "group", "delete", "g-cli")
    assert rc == 0 and "deleted group g-cli" in out, err
    rc, out, _ = sluice(broker, "group", "list")
    assert rc == 0 and out == ""
    rc, _, err = sluice(broker, "group", "delete", "g-cli")
    assert rc == 1 and "does not exist" in err
    assert sluice(broker, "group", "bogus")[0] == 2


def test_static_member_fencing_and_sync_deadline(broker_factory):
    broker = broker_factory(props={"group.initial.rebalance.delay.ms": "0"})
    conn = kwire.Conn(broker.bootstrap)
    # A static member joins at once (no MEMBER_ID_REQUIRED round) ...
    a = kwire.join_group_v5(conn, "g-static-raw", "", 6000, instance_id="i1")
    assert a["error"] == 0 and a["generation"] == 1
    assert kwire.sync_group_v3(conn, "g-static-raw", 1, a["member_id"], {a["member_id"]: b"as"}, "i1") == (0, b"as")
    # ... and its restart takes over: same generation, old assignment, old id fenced.
    b = kwire.join_group_v5(conn, "g-static-raw", "", 6000, instance_id="i1")
    assert b["error"] == 0 and b["generation"] == 1 and b["member_id"] != a["member_id"]
    assert kwire.sync_group_v3(conn, "g-static-raw", 1, b["member_id"], {}, "i1") == (0, b"as")
    assert kwire.heartbeat_v3(conn, "g-static-raw", 1, a["member_id"], "i1") == 82    # FENCED_INSTANCE_ID
    assert kwire.heartbeat_v3(conn, "g-static-raw", 1, b["member_id"], "i1") == 0

    # A leader that joins but never sends SyncGroup is removed after the
    # rebalance timeout (6 s here) even though it keeps heartbeating.
    r = kwire.join_group_v5(conn, "g-nosync", "", 6000)
    r = kwire.join_group_v5(conn, "g-nosync", r["member_id"], 6000)
    assert r["error"] == 0
    t0 = time.monotonic()
    while kwire.heartbeat_v3(conn, "g-nosync", r["generation"], r["member_id"]) == 0:
        assert time.monotonic() - t0 < 15 * SLOW, "the member was never removed"
        time.sleep(0.5)
    assert time.monotonic() - t0 >= 5
    assert kwire.heartbeat_v3(conn, "g-nosync", r["generation"], r["member_id"]) == 25  # UNKNOWN_MEMBER_ID
    conn.close()


def test_offsets_log_is_compacted(broker_factory):
    """Many commits of few partitions: the log is snapshotted and cut, and a
    restart replays only the snapshot and what came after it."""
    # Compaction runs on the retention-check timer; keep it off while the
    # commits go in, or it could fire between two of them and leave a
    # timing-dependent tail after the snapshot.
    broker = broker_factory(props=dict(GROUP_PROPS, **{"offsets.retention.check.interval.ms": "600000"}))
    create_topic(broker.bootstrap, "t", 3)
    conn = kwire.Conn(broker.bootstrap)
    for i in range(1100):
        assert kwire.offset_commit_v2(conn, "g-compact", "t", {i % 2: i}, metadata="m%d" % i) == {i % 2: 0}
    conn.close()
    assert "offsets log compacted" not in broker.read_log()
    broker.props["offsets.retention.check.interval.ms"] = "200"
    broker.restart()
    wait_for(lambda: "offsets log compacted" in broker.read_log(), 10, "the offsets log to be compacted")
    conn = kwire.Conn(broker.bootstrap)
    assert kwire.offset_commit_v2(conn, "g-compact", "t", {2: 7}) == {2: 0}
    conn.close()
    broker.restart()
    loaded = [line for line in broker.read_log().splitlines() if "offsets loaded" in line][-1]
    assert "records=3 " in loaded, loaded     # the two-record snapshot and the last commit
    conn = kwire.Conn(broker.bootstrap)
    got = kwire.offset_fetch_v8(conn, {"g-compact": {"t": [0, 1, 2]}})["g-compact"][0]["t"]
    conn.close()
    assert {p: (o, md) for p, (o, _ep, md, _e) in got.items()} == {0: (1098, "m1098"), 1: (1099, "m1099"),
                                                                   2: (7, "")}

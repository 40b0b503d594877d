"""The reference shop on Sluice (examples/shop): orders flow through
inventory, payments and shipping to shipped; a declined card releases the
reservation and cancels the order exactly once (scenario 6); a poison event
lands in payments-dlt with Spring Kafka's headers without holding up its
partition, and replaying it fixed is processed once (scenario 2)."""
import struct

from confluent_kafka import Producer
from prometheus_client.parser import text_string_to_metric_families

from shop_harness import (DECLINED_CARD, Shop, http, avro_long, avro_string, confluent_frame, read_all, schema_id,
                          steady_latency, wait_for)


def families_of(shop, key):
    """A service's /metrics, parsed by Prometheus' own parser."""
    return {f.name: f for f in text_string_to_metric_families(http("GET", shop.url(key) + "/metrics")[1])}


def test_declined_card_releases_and_cancels_once(broker, tmp_path):
    shop = Shop(tmp_path, broker.bootstrap, broker.schema_url).start_all()
    try:
        ok = [shop.place() for _ in range(6)]
        declined = [shop.place(card=DECLINED_CARD) for _ in range(3)]
        assert all(s == 201 for s, _ in ok + declined)
        shipped = shop.wait_final([i for _, i in ok], "shipped")
        cancelled = shop.wait_final([i for _, i in declined], "cancelled")
        for v in cancelled:
            assert v["statuses"] == {"placed": 1, "reserved": 1, "declined": 1, "cancelled": 1}, v
        for v in shipped:
            assert v["statuses"] == {"placed": 1, "reserved": 1, "paid": 1, "shipped": 1}, v
        wait_for("3 cancellation notices", lambda: shop.metric(
            "notifications", "shop_notifications_total", 'status="cancelled"') == 3)
        assert shop.metric("inventory", "shop_reservations_total", 'outcome="released"') == 3
        assert shop.metric("inventory", "shop_reservations_total", 'outcome="reserved"') == 9
        ledger = shop.ledger()
        assert (ledger["charged"], ledger["keys"], ledger["declines"]) == (6, 6, 3), ledger
        assert ledger["keys_charged_twice"] == 0 and ledger["duplicate_calls"] == 0, ledger
        for key in ("orders", "payments", "inventory", "shipping", "notifications", "gateway"):
            assert families_of(shop, key), key
        assert {s.labels["outcome"]: s.value for s in families_of(shop, "payments")["shop_events"].samples} == \
            {"done": 9, "retried": 0, "dead_lettered": 0, "duplicate": 0}
        print("end-to-end latency on Sluice (placed -> shipped, 40 orders at 10/s): p50 %d ms, p99 %d ms"
              % steady_latency(shop))
    finally:
        codes = shop.stop_all()
    assert set(codes.values()) == {0}, codes   # SIGTERM: a clean shutdown


def test_poison_goes_to_dlt_and_replays_once(broker, tmp_path):
    # One partition: the poison event and the orders after it share it.
    shop = Shop(tmp_path, broker.bootstrap, broker.schema_url, env={"SHOP_PARTITIONS": "1"}).start_all()
    try:
        first = shop.place()[1]
        shop.wait_final([first], "shipped")
        sid = schema_id(broker.schema_url, "payments-value")
        headers = [("ce_specversion", b"1.0"), ("ce_id", b"poison-event-1"), ("ce_source", b"/test"),
                   ("ce_type", b"shop.payment.requested"), ("content-type", b"application/avro")]
        p = Producer({"bootstrap.servers": broker.bootstrap, "acks": "all"})
        # Framed with a registered id, so validation at produce lets it by,
        # but the body is not a PaymentRequested.
        p.produce("payments", key=b"poison-order", value=confluent_frame(sid, b"\xff\xff\xff"), headers=headers)
        assert p.flush(30) == 0
        after = [shop.place()[1] for _ in range(5)]
        shop.wait_final(after, "shipped")   # the partition kept flowing

        [dead] = read_all(broker.bootstrap, "payments-dlt", 1)
        h = dict(dead.headers())
        assert h["kafka_dlt-original-topic"] == b"payments"
        assert struct.unpack(">i", h["kafka_dlt-original-partition"])[0] == 0
        assert len(h["kafka_dlt-original-offset"]) == 8 and len(h["kafka_dlt-original-timestamp"]) == 8
        assert h["kafka_dlt-exception-fqcn"] == b"shop.PoisonEvent"
        assert b"Avro" in h["kafka_dlt-exception-message"] or b"bytes" in h["kafka_dlt-exception-message"]
        assert h["ce_id"] == b"poison-event-1" and dead.key() == b"poison-order"

        # The fix: the same event (same id) with a well-formed payload, sent
        # back to its original topic twice; it is charged once.
        body = (avro_string("poison-order") + avro_string("mug") + avro_long(1) + avro_long(700) +
                avro_string("4242424242424242") + avro_long(0))
        fixed = [(k, v) for k, v in dead.headers() if not k.startswith(("kafka_dlt-", "retry_topic-"))]
        for _ in range(2):
            p.produce(h["kafka_dlt-original-topic"].decode(), key=dead.key(), value=confluent_frame(sid, body),
                      headers=fixed)
        assert p.flush(30) == 0
        wait_for("the replayed event handled and its copy skipped",
                 lambda: shop.metric("payments", "shop_events_total", 'outcome="duplicate"') == 1)
        ledger = shop.ledger()
        assert ledger["charged"] == 7 and ledger["keys"] == 7 and ledger["duplicate_calls"] == 0, ledger
        assert shop.metric("payments", "shop_events_total", 'outcome="dead_lettered"') == 1
    finally:
        shop.stop_all()

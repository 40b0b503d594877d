"""The same shop, unchanged, on a 3-node Apache Kafka 4.4 cluster with
replication factor 3 (scenario 7): only the bootstrap servers differ (and
validation at produce, a Confluent Server setting Apache Kafka does not
have, is left off). Steady latency first, then scenario 1 with one Kafka
broker stopped in the middle of the gateway's outage. The schemas stay in
Sluice's registry."""
import os
import signal
import time

from kafka_reference import ReferenceKafka
from shop_harness import Shop, steady_latency, wait_for
from test_shop_gateway import RETRY_ENV, Traffic, check_paid_once

# The 30 s outage, as on Sluice (SHOP_OUTAGE_S shortens it).
OUTAGE_S = float(os.environ.get("SHOP_OUTAGE_S", "30"))


def test_gateway_outage_on_three_node_kafka(broker, tmp_path):
    t0 = time.monotonic()
    kafka = ReferenceKafka(tmp_path / "kafka-state.json", nodes=3).start()
    phases = {"kafka started": time.monotonic() - t0}
    shop = Shop(tmp_path, kafka.bootstrap, broker.schema_url,
                env=dict(RETRY_ENV, SHOP_REPLICATION="3", SHOP_SCHEMA_VALIDATION="0"))
    traffic = Traffic(shop)
    try:
        shop.start_all()
        phases["shop started"] = time.monotonic() - t0
        p50, p99 = steady_latency(shop, n=20)
        phases["latency measured"] = time.monotonic() - t0
        print("end-to-end latency on 3-node Kafka (placed -> shipped, 20 orders at 10/s): p50 %d ms, p99 %d ms"
              % (p50, p99))
        before = shop.ledger()["charged"]
        traffic.start()
        shop.gateway("down")
        wait_for("payments failing", lambda: shop.ledger()["refused"] >= 3)
        time.sleep(OUTAGE_S / 2)   # the outage's first half
        os.kill(kafka.pids()[-1], signal.SIGTERM)   # one of three brokers goes away
        time.sleep(OUTAGE_S / 2)
        shop.gateway("up")
        wait_for("orders shipping again", lambda: shop.ledger()["charged"] > before)
        answers = traffic.stop()
        ledger = check_paid_once(shop, answers, before)
        assert ledger["duplicate_calls"] == 0, ledger
        phases["scenario done"] = time.monotonic() - t0
        print("scenario 7 (outage %ss, a broker stopped): %d orders placed, %d charged in all, %d refusals; "
              "seconds since the start: %s" % (OUTAGE_S, len(answers), ledger["charged"], ledger["refused"],
                                              {k: round(v, 1) for k, v in phases.items()}))
    finally:
        traffic.halt.set()
        shop.stop_all()
        kafka.stop()

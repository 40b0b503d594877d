"""Dead letters replayed (examples/shop, shop-replay): payments that
failed every attempt while the gateway was down land in payments-dlt;
once it is up, each is sent back to `payments` by shop-replay and charged
once, and a second replay of the same dead letter is skipped."""
import os
import subprocess

from shop_harness import SHOP_BIN, Shop, read_all, wait_for


def test_dead_letters_replayed_once(broker, tmp_path):
    # Two attempts: one retry half a second later, then the dead-letter topic.
    shop = Shop(tmp_path, broker.bootstrap, broker.schema_url, env={"SHOP_RETRY_ATTEMPTS": "2"}).start_all()
    try:
        shop.gateway("down")
        ids = [shop.place()[1] for _ in range(3)]
        dead = read_all(broker.bootstrap, "payments-dlt", 3)
        assert all(dict(m.headers())["kafka_dlt-exception-fqcn"] == b"shop.HandlerFailed" for m in dead)
        assert all(b"503" in dict(m.headers())["kafka_dlt-exception-message"] for m in dead)
        assert [shop.order(i)["state"] for i in ids] == ["reserved"] * 3
        shop.gateway("up")
        env = dict(os.environ, SHOP_BOOTSTRAP=broker.bootstrap)
        for m in dead + dead[:1]:   # the first one twice
            r = subprocess.run([os.path.join(SHOP_BIN, "shop-replay"), "payments-dlt", str(m.partition()),
                                str(m.offset())], env=env, capture_output=True, text=True, timeout=60)
            assert r.returncode == 0 and "to payments" in r.stdout, r.stderr
        shop.wait_final(ids, "shipped")
        wait_for("the second replay skipped",
                 lambda: shop.metric("payments", "shop_events_total", 'outcome="duplicate"') == 1)
        ledger = shop.ledger()
        assert (ledger["charged"], ledger["keys"], ledger["duplicate_calls"]) == (3, 3, 0), ledger
        assert shop.metric("payments", "shop_events_total", 'outcome="dead_lettered"') == 3
    finally:
        shop.stop_all()

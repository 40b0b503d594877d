"""The console's shop page (console/shop.html) in a real browser against
the running shop: the stages and the groups' lag render, the gateway is
switched down and up with its buttons, and a payment that failed every
attempt meanwhile is replayed from the dead-letter table and ships. The
page fetches nothing but the broker and the shop's own services."""
import json
import os
import shutil
import subprocess

from shop_harness import Shop
from test_console import png_ink

HERE = os.path.dirname(os.path.abspath(__file__))


def test_shop_page_in_a_real_browser(broker, tmp_path):
    assert os.path.isdir(os.path.join(HERE, "js", "node_modules", "playwright-core")), \
        "playwright-core is missing: scripts/install-deps test"
    shop = Shop(tmp_path, broker.bootstrap, broker.schema_url, env={"SHOP_RETRY_ATTEMPTS": "2"}).start_all()
    try:
        shop.wait_final([shop.place()[1]], "shipped")   # one order through before the page opens
        shot = str(tmp_path / "shop.png")
        url = "%s/console/shop.html?orders=%s&gateway=%s" % (broker.http_url, shop.url("orders"), shop.url("gateway"))
        p = subprocess.run(["node", os.path.join(HERE, "js", "shop_page.js"), url, shot, shop.url("orders")],
                           capture_output=True, text=True, timeout=240)
        assert p.returncode == 0 and p.stdout.strip(), p.stderr[-3000:]
        result = json.loads(p.stdout.strip().splitlines()[-1])
        assert result["ok"] and not result["errors"], result["errors"]
        assert result["seen"]["replayed"] == "replayed to payments"
        assert result["seen"]["nav_active"] == "shop" and result["seen"]["back_to"] == "/console/shop.html"
        assert {"inventory", "payments", "shipping", "notifications"} <= set(result["seen"]["groups"])
        allowed = (broker.http_url, shop.url("orders"), shop.url("gateway"))
        assert all(r.startswith(allowed) for r in result["requests"]), \
            [r for r in result["requests"] if not r.startswith(allowed)][:5]
        ink, colors = png_ink(shot)
        assert ink > 0.02 and colors > 8, (ink, colors)   # not blank
        if os.environ.get("CONSOLE_SCREENSHOT_DIR"):   # docs/shop-flow.png is made so
            shutil.copy(shot, os.path.join(os.environ["CONSOLE_SCREENSHOT_DIR"], "shop-flow.png"))
        ledger = shop.ledger()
        assert ledger["keys_charged_twice"] == 0 and ledger["charged"] == shop.summary()["states"]["shipped"]
    finally:
        shop.stop_all()

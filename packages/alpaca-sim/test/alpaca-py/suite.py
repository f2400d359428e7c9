"""alpaca-py against the simulator: every TradingClient and StockHistoricalDataClient call, the TradingStream, and
bad input (a 4xx with {code, message}, never a 500).

It starts nothing: the simulator's URL comes from ALPACA_SIM_URL (e.g. http://127.0.0.1:8900). Plain Python, no
pytest: one line per call (`ok name` / `FAIL name: why`), then `N passed, M failed`; exit 1 on any failure.
Run it with PYTHONPATH=tools/alpaca-py (scripts/install-alpaca-py.sh); test/integration/alpaca-py.test.ts does.
"""
import json
import os
import sys
import threading
import time
import traceback
import uuid
import warnings
from datetime import datetime, timedelta, timezone

from alpaca.common.exceptions import APIError
from alpaca.data.enums import Adjustment, DataFeed
from alpaca.data.historical import StockHistoricalDataClient
from alpaca.data.requests import (
    StockBarsRequest, StockLatestBarRequest, StockLatestQuoteRequest, StockLatestTradeRequest, StockQuotesRequest,
    StockSnapshotRequest, StockTradesRequest,
)
from alpaca.data.timeframe import TimeFrame, TimeFrameUnit
from alpaca.trading.client import TradingClient
from alpaca.trading.enums import (
    AssetClass, AssetExchange, AssetStatus, CorporateActionType, OrderClass, OrderSide, OrderStatus, QueryOrderStatus, TimeInForce,
)
from alpaca.trading.models import AccountConfiguration
from alpaca.trading.requests import (
    ClosePositionRequest, CreateWatchlistRequest, GetAssetsRequest, GetCalendarRequest,
    GetCorporateAnnouncementsRequest, GetOptionContractsRequest, GetOrderByIdRequest, GetOrdersRequest,
    GetPortfolioHistoryRequest, LimitOrderRequest, MarketOrderRequest, ReplaceOrderRequest, StopLimitOrderRequest,
    StopLossRequest, StopOrderRequest, TakeProfitRequest, TrailingStopOrderRequest, UpdateWatchlistRequest,
)
from alpaca.trading.stream import TradingStream

warnings.simplefilter("ignore", DeprecationWarning)

URL = os.environ.get("ALPACA_SIM_URL", "").rstrip("/")
if not URL:
    print("ALPACA_SIM_URL is not set (the simulator's base URL, e.g. http://127.0.0.1:8900)", file=sys.stderr)
    sys.exit(2)
KEY = os.environ.get("ALPACA_SIM_KEY", "alpaca-py-" + uuid.uuid4().hex[:8])
SECRET = "alpaca-py-secret"

trading = TradingClient(KEY, SECRET, paper=True, url_override=URL)
data = StockHistoricalDataClient(KEY, SECRET, url_override=URL)
results = {"passed": 0, "failed": 0}


def check(name, fn):
    """Runs one call; a falsy/None result from an assertion-style fn is fine, an exception is a failure."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - every failure is reported, not raised
        results["failed"] += 1
        why = f"{type(exc).__name__}: {exc}".replace("\n", " ")[:400]
        print(f"FAIL {name}: {why}", flush=True)
        if os.environ.get("ALPACA_SUITE_TRACE"):
            traceback.print_exc()
        return
    results["passed"] += 1
    print(f"ok {name}", flush=True)


def expect(cond, why):
    if not cond:
        raise AssertionError(why)


def wait_for(fn, why, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out: {why}")


def expect_4xx(fn, status=None):
    """The call must fail with a 4xx (never a 5xx) whose body is {code, message}."""
    try:
        fn()
    except APIError as err:
        code = err.status_code
        expect(code is not None and 400 <= code < 500, f"status {code}, want 4xx")
        if status is not None:
            expect(code == status, f"status {code}, want {status}")
        body = json.loads(str(err))
        expect(isinstance(body.get("code"), int) and isinstance(body.get("message"), str), f"body {body}")
        return
    raise AssertionError("no error raised")


now = datetime.now(timezone.utc)
state = {}

# ---------------------------------------------------------------- stream (started first, so it sees the fills)
events = []
stream = TradingStream(KEY, SECRET, paper=True, url_override=URL.replace("http", "ws", 1) + "/stream")


async def on_update(update):
    events.append((update.event, str(update.order.id)))


stream.subscribe_trade_updates(on_update)
stream_thread = threading.Thread(target=stream.run, daemon=True)
stream_thread.start()
time.sleep(1.0)

# ---------------------------------------------------------------- account
check("get_account", lambda: expect(trading.get_account().status is not None, "no status"))
check("get_account_configurations", lambda: expect(trading.get_account_configurations().dtbp_check is not None, "no dtbp_check"))


def set_config():
    conf = trading.get_account_configurations()
    conf.suspend_trade = False
    out = trading.set_account_configurations(conf)
    expect(isinstance(out, AccountConfiguration), "not an AccountConfiguration")


check("set_account_configurations", set_config)

# ---------------------------------------------------------------- clock, calendar, assets
check("get_clock", lambda: expect(trading.get_clock().next_open is not None, "no next_open"))
check("get_calendar", lambda: expect(len(trading.get_calendar(GetCalendarRequest(start=(now - timedelta(days=30)).date(), end=now.date()))) > 10, "few days"))
check("get_calendar over ten years", lambda: expect(len(trading.get_calendar(GetCalendarRequest(start=datetime(2005, 1, 1).date(), end=datetime(2025, 12, 31).date()))) > 5000, "few days"))
check("get_all_assets", lambda: expect(len(trading.get_all_assets()) > 400, "few assets"))
check("get_all_assets filtered", lambda: expect(all(a.exchange == AssetExchange.NASDAQ for a in trading.get_all_assets(GetAssetsRequest(status=AssetStatus.ACTIVE, asset_class=AssetClass.US_EQUITY, exchange=AssetExchange.NASDAQ))), "wrong exchange"))


def assets_attributes():
    found = trading.get_all_assets(GetAssetsRequest(attributes="fractional_eh_enabled"))
    expect(len(found) > 0 and all("fractional_eh_enabled" in (a.attributes or []) for a in found), "attribute filter ignored")
    expect(trading.get_all_assets(GetAssetsRequest(attributes="ipo")) == [], "ipo assets in an S&P 500 universe")


check("get_all_assets attributes", assets_attributes)
check("get_asset", lambda: expect(trading.get_asset("AAPL").symbol == "AAPL", "wrong symbol"))

# ---------------------------------------------------------------- orders
def submit(name, req, key):
    def run():
        order = trading.submit_order(req)
        expect(order.id is not None and order.symbol == req.symbol, "bad order")
        state[key] = order
    check(name, run)


price = data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols="AAPL"))["AAPL"].price
cid = "alpaca-py-" + uuid.uuid4().hex[:12]
submit("submit_order market", MarketOrderRequest(symbol="AAPL", qty=3, side=OrderSide.BUY, time_in_force=TimeInForce.DAY, client_order_id=cid), "market")
submit("submit_order limit", LimitOrderRequest(symbol="MSFT", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=1.00), "limit")
submit("submit_order stop", StopOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, stop_price=round(price * 1.5, 2)), "stop")
submit("submit_order stop_limit", StopLimitOrderRequest(symbol="AAPL", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, stop_price=round(price * 1.5, 2), limit_price=round(price * 1.55, 2)), "stop_limit")
submit("submit_order trailing_stop", TrailingStopOrderRequest(symbol="AAPL", qty=1, side=OrderSide.SELL, time_in_force=TimeInForce.GTC, trail_percent=5), "trailing")
submit("submit_order bracket", MarketOrderRequest(symbol="JPM", qty=2, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, order_class=OrderClass.BRACKET, take_profit=TakeProfitRequest(limit_price=100000), stop_loss=StopLossRequest(stop_price=1.00)), "bracket")
submit("submit_order market (for close)", MarketOrderRequest(symbol="KO", qty=4, side=OrderSide.BUY, time_in_force=TimeInForce.DAY), "ko")

check("trade_updates new and fill", lambda: wait_for(
    lambda: {e for e, oid in events if oid == str(state["market"].id)} >= {"new", "fill"}, f"events seen: {events[:10]}"))
check("get_order_by_id", lambda: expect(trading.get_order_by_id(state["market"].id).client_order_id == cid, "wrong order"))
check("get_order_by_id nested", lambda: expect(len(trading.get_order_by_id(state["bracket"].id, GetOrderByIdRequest(nested=True)).legs or []) == 2, "no legs"))
check("get_order_by_client_id", lambda: expect(str(trading.get_order_by_client_id(cid).id) == str(state["market"].id), "wrong order"))
check("get_orders", lambda: expect(len(trading.get_orders()) >= 1, "no open orders"))
check("get_orders filtered", lambda: expect(all(o.symbol == "AAPL" and o.side == OrderSide.BUY for o in trading.get_orders(GetOrdersRequest(status=QueryOrderStatus.ALL, symbols=["AAPL"], side=OrderSide.BUY, limit=100, after=now - timedelta(hours=1), direction="asc", nested=True))), "filter ignored"))


def replace():
    new = trading.replace_order_by_id(state["limit"].id, ReplaceOrderRequest(qty=2, limit_price=1.5))
    expect(str(new.id) != str(state["limit"].id) and float(new.qty) == 2, "not replaced")
    state["limit_old"] = str(state["limit"].id)
    state["limit"] = new


def events_of(order_id, wanted=None):
    return [str(e.value if hasattr(e, "value") else e) for e, oid in events if oid == str(order_id) and (wanted is None or e in wanted)]


def replaced_and_linked():
    old = trading.get_order_by_id(state["limit_old"])
    return old.status == OrderStatus.REPLACED and str(old.replaced_by) == str(state["limit"].id)


check("replace_order_by_id", replace)
# The replace of a working order is pending_replace until the simulator's next step; then replaced, linked.
check("replace: the old order ends replaced with replaced_by", lambda: wait_for(replaced_and_linked, "old order not replaced"))
check("cancel_order_by_id", lambda: trading.cancel_order_by_id(state["limit"].id))
check("cancel: the order ends canceled", lambda: wait_for(lambda: trading.get_order_by_id(state["limit"].id).status == OrderStatus.CANCELED, "not canceled"))
check("trade_updates pending_replace then replaced", lambda: wait_for(
    lambda: events_of(state["limit_old"]) == ["new", "pending_replace", "replaced"], f"events: {events_of(state['limit_old'])}"))
check("trade_updates pending_cancel then canceled", lambda: wait_for(
    lambda: events_of(state["limit"].id, ("pending_cancel", "canceled")) == ["pending_cancel", "canceled"], f"events: {events_of(state['limit'].id)}"))


def replace_twice_and_cancel_old():
    """The old order of a replace is pending_replace (or already replaced): replacing or canceling it again is a 422."""
    order = trading.submit_order(LimitOrderRequest(symbol="MSFT", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.GTC, limit_price=1.00))
    wait_for(lambda: trading.get_order_by_id(order.id).status == OrderStatus.NEW, "limit not new")
    new = trading.replace_order_by_id(order.id, ReplaceOrderRequest(limit_price=1.01))
    expect(new.status in (OrderStatus.PENDING_NEW, OrderStatus.NEW), f"replacement is {new.status}")
    expect_4xx(lambda: trading.replace_order_by_id(order.id, ReplaceOrderRequest(limit_price=1.02)), 422)
    expect_4xx(lambda: trading.cancel_order_by_id(order.id), 422)
    trading.cancel_order_by_id(new.id)
    wait_for(lambda: trading.get_order_by_id(new.id).status == OrderStatus.CANCELED, "replacement not canceled")
    wait_for(lambda: trading.get_order_by_id(order.id).status == OrderStatus.REPLACED, "old order not replaced")


check("bad: replace or cancel an order being replaced (422)", replace_twice_and_cancel_old)
check("bad: cancel a filled order (422)", lambda: expect_4xx(lambda: trading.cancel_order_by_id(state["market"].id), 422))


def cancel_all():
    out = trading.cancel_orders()
    expect(isinstance(out, list), "not a list")


# cancel_orders cancels every open order: the KO market buy must have filled first, or it is cancelled with them.
wait_for(lambda: trading.get_order_by_id(state["ko"].id).status == OrderStatus.FILLED, "KO market buy filled", timeout=10)
check("cancel_orders", cancel_all)

# ---------------------------------------------------------------- positions
wait_for(lambda: any(p.symbol == "KO" for p in trading.get_all_positions()), "KO position", timeout=10)
check("get_all_positions", lambda: expect({"AAPL", "KO"} <= {p.symbol for p in trading.get_all_positions()}, "positions missing"))
check("get_open_position", lambda: expect(trading.get_open_position("AAPL").symbol == "AAPL", "wrong position"))
check("close_position qty", lambda: expect(trading.close_position("KO", ClosePositionRequest(qty="1")).side == OrderSide.SELL, "not a sell"))
check("close_position percentage", lambda: expect(trading.close_position("AAPL", ClosePositionRequest(percentage="50")) is not None, "no order"))
check("close_all_positions(cancel_orders=True)", lambda: expect(isinstance(trading.close_all_positions(cancel_orders=True), list), "not a list"))

# ---------------------------------------------------------------- account history
check("get_portfolio_history", lambda: expect(trading.get_portfolio_history(GetPortfolioHistoryRequest(period="1M", timeframe="1D")).equity is not None, "no equity"))
check("get_account_activities", lambda: expect(isinstance(trading.get("/account/activities"), list), "not a list"))

# ---------------------------------------------------------------- watchlists
def wl_create():
    state["wl"] = trading.create_watchlist(CreateWatchlistRequest(name="wl-" + uuid.uuid4().hex[:6], symbols=["AAPL", "MSFT"]))
    expect([a.symbol for a in state["wl"].assets] == ["AAPL", "MSFT"], "assets")


check("create_watchlist", wl_create)
check("get_watchlists", lambda: expect(any(w.id == state["wl"].id for w in trading.get_watchlists()), "missing"))
check("get_watchlist_by_id", lambda: expect(trading.get_watchlist_by_id(state["wl"].id).name == state["wl"].name, "wrong name"))
check("update_watchlist_by_id", lambda: expect(trading.update_watchlist_by_id(state["wl"].id, UpdateWatchlistRequest(name=state["wl"].name + "-2", symbols=["KO"])).name.endswith("-2"), "not renamed"))
check("add_asset_to_watchlist_by_id", lambda: expect([a.symbol for a in trading.add_asset_to_watchlist_by_id(state["wl"].id, "JPM").assets] == ["KO", "JPM"], "not added"))
check("remove_asset_from_watchlist_by_id", lambda: expect([a.symbol for a in trading.remove_asset_from_watchlist_by_id(state["wl"].id, "KO").assets] == ["JPM"], "not removed"))


def wl_delete():
    trading.delete_watchlist_by_id(state["wl"].id)
    expect_4xx(lambda: trading.get_watchlist_by_id(state["wl"].id), 404)


check("delete_watchlist_by_id", wl_delete)

# ---------------------------------------------------------------- options and corporate actions (empty)
check("get_option_contracts", lambda: expect(trading.get_option_contracts(GetOptionContractsRequest(underlying_symbols=["AAPL"])).option_contracts == [], "not empty"))
check("get_option_contract (404)", lambda: expect_4xx(lambda: trading.get_option_contract("AAPL250620C00100000"), 404))
check("get_corporate_announcements", lambda: expect(trading.get_corporate_announcements(GetCorporateAnnouncementsRequest(ca_types=[CorporateActionType.DIVIDEND], since=(now - timedelta(days=30)).date(), until=now.date())) == [], "not empty"))
check("get_corporate_announcement_by_id (404)", lambda: expect_4xx(lambda: trading.get_corporate_announcement_by_id(str(uuid.uuid4())), 404))

# ---------------------------------------------------------------- market data
def bars(tf, days, want_min=1):
    def run():
        out = data.get_stock_bars(StockBarsRequest(symbol_or_symbols=["AAPL", "MSFT"], timeframe=tf, start=now - timedelta(days=days), end=now, adjustment=Adjustment.RAW, feed=DataFeed.IEX))
        for s in ("AAPL", "MSFT"):
            expect(len(out.data.get(s, [])) >= want_min, f"{s}: {len(out.data.get(s, []))} bars")
    return run


check("get_stock_bars 1Min", bars(TimeFrame.Minute, 1))
check("get_stock_bars 1Hour", bars(TimeFrame.Hour, 3))
check("get_stock_bars 1Day", bars(TimeFrame.Day, 30, 10))
check("get_stock_bars 1Week", bars(TimeFrame.Week, 120, 10))
check("get_stock_bars 1Month", bars(TimeFrame.Month, 400, 10))
check("get_stock_bars 3Month", bars(TimeFrame(3, TimeFrameUnit.Month), 800, 5))
check("get_stock_bars paged (limit over pages)", lambda: expect(len(data.get_stock_bars(StockBarsRequest(symbol_or_symbols=["AAPL", "MSFT"], timeframe=TimeFrame.Day, start=now - timedelta(days=3000), limit=4000)).data["AAPL"]) > 1900, "pages lost"))
check("get_stock_bars currency=USD", lambda: expect(len(data.get_stock_bars(StockBarsRequest(symbol_or_symbols="AAPL", timeframe=TimeFrame.Day, start=now - timedelta(days=30), currency="USD")).data["AAPL"]) > 10, "no bars"))
check("get_stock_quotes", lambda: expect(len(data.get_stock_quotes(StockQuotesRequest(symbol_or_symbols=["AAPL", "MSFT"], start=now - timedelta(days=5), limit=50)).data["AAPL"]) > 0, "no quotes"))
check("get_stock_trades", lambda: expect(len(data.get_stock_trades(StockTradesRequest(symbol_or_symbols="AAPL", start=now - timedelta(days=5), limit=50)).data["AAPL"]) == 50, "not 50 trades"))
check("get_stock_latest_trade", lambda: expect(data.get_stock_latest_trade(StockLatestTradeRequest(symbol_or_symbols=["AAPL", "MSFT"]))["MSFT"].price > 0, "no price"))
check("get_stock_latest_quote", lambda: expect(data.get_stock_latest_quote(StockLatestQuoteRequest(symbol_or_symbols="AAPL"))["AAPL"].ask_price > 0, "no ask"))
check("get_stock_latest_bar", lambda: expect(data.get_stock_latest_bar(StockLatestBarRequest(symbol_or_symbols="AAPL"))["AAPL"].close > 0, "no close"))
check("get_stock_snapshot", lambda: expect(data.get_stock_snapshot(StockSnapshotRequest(symbol_or_symbols=["AAPL", "MSFT"]))["AAPL"].daily_bar is not None, "no daily bar"))

# ---------------------------------------------------------------- bad input: 4xx with {code, message}, never 500
check("bad: unknown symbol order", lambda: expect_4xx(lambda: trading.submit_order(MarketOrderRequest(symbol="NOSUCHSYM", qty=1, side=OrderSide.BUY, time_in_force=TimeInForce.DAY))))
check("bad: zero qty", lambda: expect_4xx(lambda: trading.post("/orders", {"symbol": "AAPL", "qty": "0", "side": "buy", "type": "market", "time_in_force": "day"})))
check("bad: non-numeric qty", lambda: expect_4xx(lambda: trading.post("/orders", {"symbol": "AAPL", "qty": "lots", "side": "buy", "type": "market", "time_in_force": "day"})))
check("bad: unknown order id", lambda: expect_4xx(lambda: trading.get_order_by_id(str(uuid.uuid4())), 404))
check("bad: cancel unknown order", lambda: expect_4xx(lambda: trading.cancel_order_by_id(str(uuid.uuid4()))))
check("bad: unknown asset", lambda: expect_4xx(lambda: trading.get_asset("NOSUCHSYM"), 404))
check("bad: no position", lambda: expect_4xx(lambda: trading.get_open_position("NVDA"), 404))
check("bad: unknown watchlist", lambda: expect_4xx(lambda: trading.get_watchlist_by_id(str(uuid.uuid4())), 404))
check("bad: unknown asset attribute", lambda: expect_4xx(lambda: trading.get("/assets", {"attributes": "nonsense"}), 422))
check("bad: currency EUR", lambda: expect_4xx(lambda: data.get_stock_bars(StockBarsRequest(symbol_or_symbols="AAPL", timeframe=TimeFrame.Day, currency="EUR")), 422))
check("bad: unknown data symbol", lambda: expect_4xx(lambda: data.get("/stocks/NOSUCHSYM/trades/latest")))
check("bad: bool query", lambda: expect_4xx(lambda: trading.delete("/positions", {"cancel_orders": "maybe"}), 422))

try:
    stream.stop()
except Exception:  # noqa: BLE001
    pass

print(f"{results['passed']} passed, {results['failed']} failed", flush=True)
sys.exit(1 if results["failed"] else 0)

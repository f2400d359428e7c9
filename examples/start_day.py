#!/usr/bin/env python3
"""Start tradeflow's trading day from a Python signal job, with the official Temporal Python SDK.

    pip install temporalio
    python3 examples/start_day.py --account main --signals signals.json --wait

The signal file is JSON, either {"AAPL": 0.8, "MSFT": -0.6} or [{"symbol": "AAPL", "strength": 0.8}, ...]; it is
passed to the workflow as it is, and the workflow checks it (and the rest of its input) before any broker call.

Exit codes: 0 started (with --wait: the day ended and its report is printed on stdout as JSON), 2 invalid arguments
or signal file, 3 a run for this account and date already exists, 1 anything else (the day failed, no server, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import sys
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowFailureError
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

# The names tradeflow's worker and search attributes use (src/names.ts).
WORKFLOW_TYPE = "dailyTrading"
TRADING_DATE = SearchAttributeKey.for_keyword("TradingDate")
TRADING_ACCOUNT = SearchAttributeKey.for_keyword("TradingAccount")
TRADING_MODE = SearchAttributeKey.for_keyword("TradingMode")
RUN_STATE = SearchAttributeKey.for_keyword("RunState")

EXIT_FAILURE, EXIT_INVALID, EXIT_ALREADY_STARTED = 1, 2, 3


class InvalidArgs(Exception):
    """An argument or the signal file is unusable: exit 2, nothing started."""


def today_in_new_york() -> str:
    """The trading day is defined in New York."""
    return datetime.datetime.now(ZoneInfo("America/New_York")).date().isoformat()


def trading_date(text: str) -> str:
    try:
        if len(text) == 10 and datetime.date.fromisoformat(text).isoformat() == text:
            return text
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f'"{text}" is not a date in the form YYYY-MM-DD')


def read_signals(path: str) -> Any:
    """The file's signals as they are: the workflow validates every entry and names the bad ones."""
    try:
        with open(path, encoding="utf-8") as file:
            signals = json.load(file)
    except OSError as error:
        raise InvalidArgs(f"--signals: cannot read {path}: {error.strerror}") from None
    except ValueError as error:
        raise InvalidArgs(f"--signals: {path} is not valid JSON: {error}") from None
    if not isinstance(signals, (dict, list)) or not signals:
        raise InvalidArgs(f'--signals: {path} must hold {{"SYMBOL": strength, ...}} or [{{"symbol", "strength"}}, ...]')
    return signals


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Start tradeflow's daily trading run for an account and date.")
    parser.add_argument("--address", default=os.environ.get("TEMPORAL_ADDRESS") or "127.0.0.1:7233")
    parser.add_argument("--namespace", default=os.environ.get("TEMPORAL_NAMESPACE") or "default")
    parser.add_argument("--task-queue", default=os.environ.get("TRADEFLOW_TASK_QUEUE") or "tradeflow")
    parser.add_argument("--account", required=True, help="the account the worker trades")
    parser.add_argument("--date", type=trading_date, help="trading date YYYY-MM-DD (default: today in New York)")
    parser.add_argument("--signals", required=True, metavar="FILE", help="signal file (JSON)")
    parser.add_argument("--source", default="start_day.py", help="who made the signals (kept in the input)")
    parser.add_argument("--wait", action="store_true", help="wait for the day to end and print its report as JSON")
    return parser.parse_args()  # exits 2 on bad arguments


async def start_day(args: argparse.Namespace) -> int:
    signals = read_signals(args.signals)
    date = args.date or today_in_new_york()
    workflow_id = f"trading-{args.account}-{date}"

    client = await Client.connect(args.address, namespace=args.namespace)
    try:
        handle = await client.start_workflow(
            WORKFLOW_TYPE,
            {"account": args.account, "tradingDate": date, "signals": signals, "source": args.source},
            id=workflow_id,
            task_queue=args.task_queue,
            # A day trades once: a second start fails fast (only a failed run may be started again).
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=TypedSearchAttributes([
                SearchAttributePair(TRADING_DATE, date),
                SearchAttributePair(TRADING_ACCOUNT, args.account),
                SearchAttributePair(TRADING_MODE, "paper"),
                SearchAttributePair(RUN_STATE, "starting"),
            ]),
        )
    except WorkflowAlreadyStartedError:
        print(f"a run for account {args.account} on {date} already exists: {workflow_id} (nothing started)", file=sys.stderr)
        return EXIT_ALREADY_STARTED

    if not args.wait:
        print(f"started {workflow_id} (run {handle.result_run_id})")
        return 0
    print(f"started {workflow_id}, waiting for the day to finish...", file=sys.stderr)
    try:
        report = await handle.result()
    except WorkflowFailureError as error:
        print(f"{workflow_id} failed: {error.cause}", file=sys.stderr)
        return EXIT_FAILURE
    print(json.dumps(report))
    return 0


def main() -> int:
    args = parse_args()
    try:
        return asyncio.run(start_day(args))
    except InvalidArgs as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as error:  # no server, wrong namespace, ...: one line, no stack trace
        print(f"error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    code = main()
    # The SDK's native (Rust) threads can abort the interpreter's shutdown at random ("Fatal Python error:
    # PyGILState_Release", exit 134; temporalio/sdk-python#300): flush the output and exit without finalizing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

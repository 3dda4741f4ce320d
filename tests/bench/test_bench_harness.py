"""The benchmark harness's pure parts: reading wrk and writing docs/benchmarks.md.
No timing here: benchmarks never fail a build on a figure."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench import report, wrk

WRK_OK = """\
Running 10s test @ http://127.0.0.1:41234/bench/hello
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.02ms    3.10ms  61.40ms   80.12%
    Req/Sec     1.78k   150.20     2.10k    70.00%
  Latency Distribution
     50%  850.00us
     75%   10.01ms
     90%   12.50ms
     99%    1.02s
  35612 requests in 10.01s, 27.53MB read
Requests/sec:   3557.64
Transfer/sec:      2.75MB
"""

WRK_ERRORS = """\
Running 1s test @ http://127.0.0.1:18777/nonexistent
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.83ms    1.96ms  17.90ms   85.83%
    Req/Sec     1.29k   217.47     1.52k    81.82%
  Latency Distribution
     50%    0.99ms
     75%    2.27ms
     90%    4.48ms
     99%    8.92ms
  1407 requests in 1.10s, 714.49KB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 1407
Requests/sec:   1279.51
Transfer/sec:    649.75KB
"""


def test_wrk_output_is_read_with_units() -> None:
    result = wrk.parse(WRK_OK)

    assert result.requests == 35612
    assert result.duration_s == pytest.approx(10.01)
    assert result.rps == pytest.approx(3557.64)
    assert result.p50_ms == pytest.approx(0.85)
    assert result.p90_ms == pytest.approx(12.5)
    assert result.p99_ms == pytest.approx(1020.0)
    assert result.bytes_read == round(27.53 * 1024**2)
    assert result.errors == 0


def test_wrk_errors_are_counted() -> None:
    result = wrk.parse(WRK_ERRORS)

    assert result.non_2xx == 1407
    assert result.socket_errors == 5
    assert result.errors == 1412
    assert result.bytes_per_response == pytest.approx(714.49 * 1024 / 1407)


def test_wrk_output_without_latency_distribution_is_refused() -> None:
    without = "\n".join(line for line in WRK_OK.splitlines() if "%" not in line)
    with pytest.raises(wrk.WrkError, match="--latency"):
        wrk.parse(without)


def test_wrk_garbage_is_refused() -> None:
    with pytest.raises(wrk.WrkError):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_load_goes_only_to_loopback() -> None:
    with pytest.raises(wrk.WrkError, match="loopback"):
        wrk.run("http://example.org/", duration_s=1, load=wrk.LoadSettings())


def _result(rps: float) -> wrk.LoadResult:
    return wrk.LoadResult(
        requests=int(rps * 10), duration_s=10, rps=rps, p50_ms=1, p90_ms=2, p99_ms=3,
        bytes_read=int(rps * 10) * 100,
    )  # fmt: skip


def test_ratio_is_the_median_of_same_round_ratios() -> None:
    hello = report.Row("hello", "baseline", [_result(1000), _result(2000), _result(1500)])
    home = report.Row("home", "page", [_result(500), _result(600), _result(900)])

    ratio = report.Ratio(home, hello, target=0.4)

    # rounds: 0.5, 0.3, 0.6 -> median 0.5, not 666/1500
    assert ratio.per_round == pytest.approx([0.5, 0.3, 0.6])
    assert ratio.value == pytest.approx(0.5)
    assert ratio.status == "pass"
    assert report.Ratio(home, hello, target=0.55).status == "**miss**"
    assert report.Ratio(home, hello).status == "—"


def test_an_unmeasured_row_makes_its_ratios_unmeasured() -> None:
    hello = report.Row("hello", "baseline", [_result(1000)])
    home = report.Row("home", "page", problem="`GET /` answered 500")

    ratio = report.Ratio(home, hello, target=0.4)

    assert math.isnan(ratio.value)
    assert ratio.status == "not measured"


def _section(suite: str, figure: int) -> str:
    rows = [
        report.Row("hello", "baseline", [_result(figure)]),
        report.Row("home", "page", problem="500"),
    ]
    suite_report = report.SuiteReport(
        suite=suite, title=f"Suite {suite}", summary="Why.", setup=["**Server**: x"],
        rows=rows, ratios=[report.Ratio(rows[1], rows[0], target=0.4)], notes=["a note"],
    )  # fmt: skip
    return report.render(suite_report, run_line="today", machine_line="this machine")


def test_section_is_rendered_between_its_markers() -> None:
    section = _section("foundation", 3557)

    assert section.startswith("<!-- bench:foundation:start -->\n## Suite foundation")
    assert section.endswith("<!-- bench:foundation:end -->")
    assert "| hello | baseline | 3,557 |" in section
    assert "| home | page | not measured: 500 |" in section
    assert "| home / hello | — | — | ≥ 40% | not measured |" in section
    assert "- a note" in section


def test_a_run_replaces_only_its_own_section() -> None:
    document = report.update_document(None, "foundation", _section("foundation", 1000))
    document = report.update_document(document, "exchange", _section("exchange", 2000))

    document = report.update_document(document, "foundation", _section("foundation", 3000))

    assert document.startswith(report.HEADER)
    assert list(report.sections(document)) == ["foundation", "exchange"]
    assert "3,000" in report.sections(document)["foundation"]
    assert "1,000" not in document
    assert report.sections(document)["exchange"] == _section("exchange", 2000)


def test_a_stale_header_is_replaced() -> None:
    old = "# Old header\n\nhand-written\n\n" + _section("exchange", 2000) + "\n"

    document = report.update_document(old, "foundation", _section("foundation", 1000))

    assert "hand-written" not in document
    assert list(report.sections(document)) == ["exchange", "foundation"]


def test_a_section_without_its_markers_is_refused() -> None:
    with pytest.raises(ValueError, match="markers"):
        report.update_document(None, "foundation", _section("exchange", 1))


def test_further_tables_follow_the_ratios() -> None:
    table = report.Table("Caption.", ["endpoint", "CPU"], [["hello", "400 µs"]])
    rows = [report.Row("hello", "baseline", [_result(1000)])]
    suite_report = report.SuiteReport(
        suite="s", title="S", summary="Why.", setup=[], rows=rows, tables=[table]
    )

    section = report.render(suite_report, run_line="today", machine_line="here")

    assert "Caption.\n\n| endpoint | CPU |\n|---|--:|\n| hello | 400 µs |" in section


def test_a_section_is_written_into_the_document_file(tmp_path: Path) -> None:
    document = tmp_path / "docs" / "benchmarks.md"

    report.write_section(document, "exchange", _section("exchange", 2000))
    report.write_section(document, "foundation", _section("foundation", 1000))
    report.write_section(document, "exchange", _section("exchange", 3000))

    text = document.read_text()
    assert text.startswith(report.HEADER)
    assert list(report.sections(text)) == ["exchange", "foundation"]
    assert "3,000" in text
    assert "2,000" not in text

#include "meshca/composite/report/report_style.h"

namespace meshca {
namespace {

// Colours are CSS variables, so the SVG charts (classes only) follow light and dark alike.
constexpr std::string_view kPageStyle = R"(
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --line: #d0d7de;
  --card: #f6f8fa; --track: #eaeef2; --grid: #d0d7de; --hatch: rgba(0, 0, 0, .45);
  --good: #1a7f37; --warn: #9a6700; --bad: #cf222e;
  --good-bg: #dafbe1; --warn-bg: #fff8c5; --bad-bg: #ffebe9;
  --c0: #0072b2; --c1: #e69f00; --c2: #009e73; --c3: #cc79a7; --c4: #56b4e9; --c5: #d55e00;
  --c6: #f0e442; --c7: #999999; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9198a1; --line: #3d444d; --card: #161b22;
    --track: #21262d; --grid: #3d444d; --good: #3fb950; --warn: #d29922; --bad: #f85149;
    --good-bg: #12361f; --warn-bg: #3b2e08; --bad-bg: #4c1418;
    --c0: #4ba3e3; --c4: #8ccdf2; --c7: #b0b0b0; } }
body { margin: 0 auto; max-width: 1100px; padding: 1rem 1.5rem 3rem; color: var(--fg);
  background: var(--bg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto,
  "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.7rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.35rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem;
  margin-top: 2.5rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
code { font: .88em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  overflow-wrap: anywhere; }
p.muted, .muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .92em; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left;
  vertical-align: top; overflow-wrap: break-word; }
.long { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; }
.card caption { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
thead th { background: var(--card); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }
tr, figure, .card { break-inside: avoid; }
thead { display: table-header-group; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr));
  gap: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 6px;
  padding: 0 .8rem; }
.card table { background: var(--bg); }
.status { font-weight: 600; padding: 0 .3em; border-radius: 3px; white-space: nowrap; }
.status.good { color: var(--good); background: var(--good-bg); }
.status.warn { color: var(--warn); background: var(--warn-bg); }
.status.bad { color: var(--bad); background: var(--bad-bg); }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); font-size: .9em; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { fill: var(--fg); font: 12px system-ui, sans-serif; }
svg.chart text.note, svg.chart text.tick { fill: var(--muted); }
svg.chart text.header, svg.chart text.glyph, svg.chart text.status-text { font-weight: 700; }
svg.chart text.glyph { font-size: 14px; }
svg.chart text.small { font-size: 11px; }
svg.chart text.in-bar { paint-order: stroke; stroke: var(--bg); stroke-width: 3px;
  font-weight: 600; }
.s0 { fill: var(--c0); } .s1 { fill: var(--c1); } .s2 { fill: var(--c2); }
.s3 { fill: var(--c3); } .s4 { fill: var(--c4); } .s5 { fill: var(--c5); }
.s6 { fill: var(--c6); } .s7 { fill: var(--c7); }
.overlay { pointer-events: none; }
.hatch { fill: none; stroke: var(--hatch); stroke-width: 1.5; stroke-linecap: round; }
.track { fill: var(--track); }
.cell-ok { fill: var(--good-bg); stroke: var(--good); }
.cell-warn { fill: var(--warn-bg); stroke: var(--warn); }
.cell-bad { fill: var(--bad-bg); stroke: var(--bad); }
.bar-ok { fill: var(--good); } .bar-warn { fill: var(--warn); } .bar-bad { fill: var(--bad); }
.grid { stroke: var(--grid); stroke-dasharray: 2 3; }
.axis-line { stroke: var(--muted); }
.today { stroke: var(--fg); stroke-width: 2; }
.threshold { stroke: var(--warn); stroke-width: 2; stroke-dasharray: 6 3; }
svg.chart text.today-label, svg.chart text.threshold-label { font-weight: 700; }
@page { size: A4; margin: 15mm; }
@media print { body { max-width: none; padding: 0; font-size: 10pt; }
  .table-wrap { overflow: visible; }
  section + section { break-before: page; } h2 { margin-top: 0; } }
)";

} // namespace

std::string_view report_page_style() {
  return kPageStyle;
}

} // namespace meshca

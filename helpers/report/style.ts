// The reports' one stylesheet, inlined into every page (no external URL: a page opens the same from
// a CI artifact or a mail attachment).
export const STYLE = `
:root { color-scheme: light; --pass: #17693a; --fail: #b3261e; --skip: #6b6b6b; --wait: #c98a00; --line: #d0d4da; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0 auto; padding: 24px; max-width: 1180px; color: #1d1f23; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.25em; margin: 32px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.sub { margin: 0 0 16px; color: #4a4f57; }
.verdict { border-radius: 6px; padding: 12px 16px; margin: 16px 0; border: 1px solid; }
.verdict.passed { background: #eaf6ee; border-color: var(--pass); } .verdict.failed { background: #fcecea; border-color: var(--fail); }
.verdict strong { font-size: 1.1em; }
.verdict ul { margin: 6px 0 0; padding-left: 20px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: #f1f3f5; position: sticky; top: 0; }
tbody th { background: #f7f8f9; font-weight: 600; width: 16em; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.id { white-space: nowrap; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
tr.failed > td { background: #fdf3f2; } tr.skipped > td { color: #555; }
.status { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 4px; padding: 0 6px; font-weight: 600; color: #fff; font-size: 0.9em; }
.status.passed { background: var(--pass); } .status.failed { background: var(--fail); } .status.skipped { background: var(--skip); }
.status.flaky { background: var(--wait); color: #1d1f23; } .status.failing { background: var(--fail); } .status.stable { background: var(--pass); } .status.not-run { background: var(--skip); }
details.failure { border-left: 4px solid var(--fail); padding: 6px 10px; margin: 2px 0 6px; background: #fff; }
details.failure summary { font-weight: 600; cursor: pointer; }
dl { margin: 6px 0; display: grid; grid-template-columns: 7em 1fr; gap: 4px 10px; } dt { font-weight: 600; } dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #4a4f57; overflow-wrap: anywhere; }
.track { position: relative; height: 16px; background: #f4f5f7; border-radius: 3px; min-width: 240px; }
.bar { position: absolute; top: 2px; height: 12px; border-radius: 2px; overflow: hidden; background: var(--pass); }
.bar.failed { background: var(--fail); } .bar.phase { background: #9aa3ad; }
.bar .wait, .legend span.wait { background: repeating-linear-gradient(135deg, rgba(255, 255, 255, 0.6) 0 3px, transparent 3px 6px); }
.bar .wait { position: absolute; left: 0; top: 0; bottom: 0; }
.legend span.wait { background-color: var(--pass); }
.mark { position: absolute; top: 0; width: 3px; height: 16px; background: var(--pass); } .mark.bad { background: var(--fail); }
.legend span { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: -1px; margin: 0 4px 0 12px; }
footer { margin-top: 32px; color: #4a4f57; font-size: 0.9em; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.95em; }
`;

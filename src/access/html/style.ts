/**
 * The access report page's stylesheet, inlined into the page. The script's virtual scrolling reads the
 * row and column sizes from `--row` and `--col`.
 */
export const accessReportStyle = `
:root {
  --row: 30px; --col: 130px; --head: 46px; --rowhead: 300px;
  --granted: #1a7f37; --granted-bg: #dafbe1;
  --pending: #0550ae; --pending-bg: #ddf4ff;
  --unexplained: #a40e26; --unexplained-bg: #ffebe9;
  --unmanaged: #7d4e00; --unmanaged-bg: #fff8c5;
  --line: #d0d7de; --muted: #57606a; --bg: #ffffff; --panel: #f6f8fa;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 14px; color: #1f2328;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
header { padding: 12px 20px 4px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 14px 0 6px; }
h2 small, .count, .meta { color: var(--muted); font-weight: normal; }
.meta, .legend { margin: 4px 0; }
code { font-size: 12px; background: var(--panel); padding: 1px 4px; border-radius: 4px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; padding: 10px 20px;
  border-bottom: 1px solid var(--line); background: var(--panel); position: sticky; top: 0; z-index: 5; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
.filters input, .filters select { font: inherit; padding: 4px 6px; min-width: 200px; max-width: 320px; }
.filters button { font: inherit; padding: 4px 12px; }
main { display: flex; gap: 16px; padding: 0 20px 20px; align-items: flex-start; }
.left { flex: 1 1 auto; min-width: 0; }
.details { flex: 0 0 480px; position: sticky; top: 64px; max-height: calc(100vh - 80px); overflow: auto;
  border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin-top: 14px; background: var(--bg); }
.details h3 { font-size: 15px; margin: 0 0 6px; word-break: break-all; }
.details table { border-collapse: collapse; width: 100%; font-size: 12px; }
.details td, .details th { border-top: 1px solid var(--line); padding: 4px; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
.details h4 { margin: 12px 0 4px; }
.details table { table-layout: fixed; }
.details th:first-child { width: 30%; }
.row .t-pending { color: var(--pending); }
.row .t-unexplained { color: var(--unexplained); font-weight: 600; }
.details .why { color: var(--muted); font-size: 12px; }
.hint, .empty { color: var(--muted); }
.chip { display: inline-block; padding: 1px 6px; border-radius: 10px; font-size: 12px; line-height: 18px;
  border: 1px solid transparent; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%; }
.s-granted { color: var(--granted); background: var(--granted-bg); border-color: #aceebb; }
.s-pending { color: var(--pending); background: var(--pending-bg); border-color: #b6e3ff; border-style: dashed; }
.s-unexplained { color: var(--unexplained); background: var(--unexplained-bg); border-color: #ffcecb; font-weight: 600; }
.s-unmanaged { color: var(--unmanaged); background: var(--unmanaged-bg); border-color: #f5e0a0; }
.matrix { display: grid; grid-template-columns: var(--rowhead) 1fr; grid-template-rows: var(--head) auto;
  border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.corner { grid-area: 1 / 1; padding: 6px; font-size: 11px; color: var(--muted); border-right: 1px solid var(--line);
  border-bottom: 1px solid var(--line); background: var(--panel); }
.colhead { grid-area: 1 / 2; overflow: hidden; position: relative; border-bottom: 1px solid var(--line); background: var(--panel); }
.rowhead { grid-area: 2 / 1; overflow: hidden; position: relative; border-right: 1px solid var(--line); background: var(--panel); }
.body { grid-area: 2 / 2; overflow: auto; position: relative; max-height: 55vh; }
.colhead-inner, .rowhead-inner, .body-inner { position: relative; }
.body-inner { background-image: linear-gradient(to right, var(--line) 1px, transparent 1px),
  linear-gradient(to bottom, #eaeef2 1px, transparent 1px); background-size: var(--col) var(--row); }
.col { position: absolute; top: 0; width: var(--col); height: var(--head); padding: 4px 6px; font-size: 12px;
  overflow: hidden; border-left: 1px solid var(--line); }
.col b { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.col span { color: var(--muted); font-size: 11px; }
.row { position: absolute; left: 0; width: var(--rowhead); height: var(--row); padding: 5px 8px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; cursor: pointer; border-top: 1px solid #eaeef2; }
.row:hover, .person:hover { background: #eef1f4; }
.row small, .person small { color: var(--muted); }
.tag { font-size: 10px; text-transform: uppercase; color: var(--unmanaged); margin-left: 4px; }
.cell { position: absolute; width: var(--col); height: var(--row); padding: 4px 4px; display: flex; gap: 3px;
  overflow: hidden; cursor: pointer; }
.cell:hover { outline: 2px solid #8c959f; outline-offset: -2px; }
.cell .flag { font-size: 11px; font-weight: 600; align-self: center; padding: 0 3px; border-radius: 8px; border: 1px solid currentColor; }
.flag.t-pending { color: var(--pending); } .flag.t-unexplained { color: var(--unexplained); } .flag.t-unmanaged { color: var(--unmanaged); }
.cell .more { font-size: 11px; color: var(--muted); align-self: center; }
.people { position: relative; height: 360px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.people-inner { position: relative; }
.person { position: absolute; left: 0; right: 0; height: var(--row); padding: 5px 8px; display: flex; gap: 10px;
  white-space: nowrap; cursor: pointer; border-top: 1px solid #eaeef2; }
.person .name { flex: 0 0 300px; overflow: hidden; text-overflow: ellipsis; }
.person .standing { flex: 0 0 120px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; }
.person .reach { flex: 1 1 auto; overflow: hidden; display: flex; gap: 4px; }
.selected { background: #ddf4ff !important; }
`;

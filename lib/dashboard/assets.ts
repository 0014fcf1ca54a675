/**
 * The dashboard's only stylesheet and script, served from its own prefix (its Content-Security-Policy allows no
 * inline style or script). The pages work without the script; with it, the live page updates itself from a stream.
 */
export const STYLESHEET = `
:root { color-scheme: light dark; --line: #8884; --muted: #888; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; }
header { display: flex; gap: 1.5em; align-items: baseline; padding: .8em 1.5em; border-bottom: 1px solid var(--line); }
header strong { font-size: 1.1em; }
main { padding: 1em 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.t { white-space: nowrap; font-variant-numeric: tabular-nums; }
pre { background: #8881; padding: 1em; overflow: auto; max-height: 60vh; }
form.filters { display: flex; flex-wrap: wrap; gap: .6em; align-items: end; margin-bottom: 1em; }
form.filters label { display: flex; flex-direction: column; font-size: .85em; color: var(--muted); }
.status { padding: .1em .5em; border-radius: 1em; font-size: .85em; background: #8882; }
.status-done { background: #2a72; } .status-failed { background: #d332; } .status-invalid { background: #e922; }
.status-processing { background: #39f2; }
.why { padding: .8em 1em; border-left: 4px solid var(--line); background: #8881; }
.muted { color: var(--muted); }
.notice { padding: .6em 1em; background: #2a72; }
nav.pages { margin-top: 1em; display: flex; gap: 1em; }
button { cursor: pointer; }
`

export const LIVE_SCRIPT = `'use strict'
const rows = document.querySelector('[data-stream]')
if (rows !== null && 'EventSource' in window) {
  const stream = new EventSource(rows.dataset.stream)
  stream.onmessage = message => {
    rows.innerHTML = JSON.parse(message.data)
    document.body.dataset.updated = String(Date.now())
  }
  stream.onopen = () => { document.body.dataset.streaming = 'true' }
}
`

"""The folded findings of the audit report (passes, not applicable) as compact inline JSON.

A 10,000-object estate has about 100,000 passing or not-applicable findings. Written as
markup they were three quarters of a 28 MB page and most of its DOM, which the browser had to
parse before showing anything. Here they are data: one ``<script type="application/json">``
block (parsed only on the first click) holding each distinct string once, and per target a
flat list of ``status, rule, message`` indexes. A small inline script renders a target's list
with ``textContent`` when its ``<details>`` opens, so a declared name is text, never markup.

Escaping: the JSON is written with ``<``, ``>`` and ``&`` as ``\\u003c``… so that no value can
end the script element (``</script>``) or open a comment, and control characters are shown
as visible ``\\xNN`` escapes, as everywhere else in the report.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence

from hdsguard.audit.model import TargetView
from hdsguard.findings import STATUS_ORDER
from hdsguard.formatters.escape import document_text

# Renders target i's folded findings under <details data-p="i"> on its first opening. The
# `toggle` event does not bubble: a capturing listener on the document sees every one.
SCRIPT = (
    "document.addEventListener('toggle',function(e){"
    "var d=e.target,i=d.getAttribute&&d.getAttribute('data-p');"
    "if(i===null||!d.open||d.querySelector('ul'))return;"
    "var P=window.hdsFolded||(window.hdsFolded="
    "JSON.parse(document.getElementById('folded-data').textContent));"
    "var a=P.t[+i],u=document.createElement('ul'),k;u.className='folded';"
    "for(k=0;k<a.length;k+=3){"
    "var l=document.createElement('li'),b=document.createElement('b'),"
    "c=document.createElement('code'),m=document.createElement('span'),s=P.s[a[k]];"
    "b.className='badge s-'+s[0];b.textContent=s[1];c.textContent=P.m[a[k+1]];"
    "m.className='msg';m.textContent=P.m[a[k+2]];l.append(b,' ',c,' ',m);u.appendChild(l)}"
    "d.appendChild(u)},true);"
)
# The page's Content-Security-Policy allows this script only (by its hash), no other script,
# and no request to any host: even markup that escaped the template could not run or fetch.
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()

_JSON_UNSAFE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def data(targets: Sequence[TargetView], label: Callable[[str], str]) -> str:
    """The JSON text for the ``folded-data`` block: ``s`` the statuses ([value, label]),
    ``m`` every distinct rule id and message, ``t`` per target (in report order) the flat
    ``[status, rule, message, …]`` indexes of its folded findings."""
    statuses = [s.value for s in STATUS_ORDER]
    status_index = {s: i for i, s in enumerate(statuses)}
    strings: dict[str, int] = {}

    def ref(text: str) -> int:
        return strings.setdefault(document_text(text), len(strings))

    per_target = [
        [n for f in tv.folded for n in (status_index[f.status.value], ref(f.rule), ref(f.message))]
        for tv in targets
    ]
    payload = {
        "s": [[s, label(f"status_{s}")] for s in statuses],
        "m": list(strings),
        "t": per_target,
    }
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return text.translate(_JSON_UNSAFE)

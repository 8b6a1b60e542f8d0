"""Script-injection vectors from the OWASP XSS filter-evasion cheat sheet, in Thaw's own selection.

Each vector, if it ever ran, would set `window.__xss`: the browser tests check that marker stays
untouched; the server-side tests parse every page for anything that could run (script_risks).
"""

MARK = "window.__xss=1"

VECTORS = [
    # Tags and event handlers.
    f"<script>{MARK}</script>",
    f"<img src=x onerror={MARK}>",
    f'<img src="x" onerror="{MARK}">',
    f"<body onload={MARK}>",
    f"<input autofocus onfocus={MARK}>",
    f"<details open ontoggle={MARK}>",
    f"<iframe srcdoc='<script>{MARK}</script>'></iframe>",
    f'<object data="javascript:{MARK}"></object>',
    f'<embed src="javascript:{MARK}">',
    f'<form action="javascript:{MARK}"><button>go</button></form>',
    f'<base href="javascript:{MARK}//">',
    f"<style>@import 'javascript:{MARK}';</style>",
    # Breaking out of attributes and text.
    f'"><script>{MARK}</script>',
    f"'><img src=x onerror={MARK}>",
    f"</textarea><script>{MARK}</script>",
    f"</title><script>{MARK}</script>",
    # javascript: and data: URIs, in HTML and in Markdown, with the usual disguises.
    f'<a href="javascript:{MARK}">x</a>',
    f"[x](javascript:{MARK})",
    f"[x](JaVaScRiPt:{MARK})",
    f"[x](&#106;avascript:{MARK})",
    f"[x](java\tscript:{MARK})",
    f"[x]( javascript:{MARK})",
    f"![x](javascript:{MARK})",
    '[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)',
    '<a href="data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==">x</a>',
    f"[x](vbscript:{MARK})",
    # SVG and MathML.
    f"<svg onload={MARK}>",
    f"<svg><script>{MARK}</script></svg>",
    f'<svg><a xlink:href="javascript:{MARK}"><text x="0" y="20">x</text></a></svg>',
    # Mutation XSS: markup a sanitizer and a browser parse differently.
    f"<math><mtext><table><mglyph><style><img src=x onerror={MARK}>",
    f'<noscript><p title="</noscript><img src=x onerror={MARK}>">',
    f"<scr<script>ipt>{MARK}</scr</script>ipt>",
    f"<<img src=x onerror={MARK}>",
    f'<a href="&#x6A;avascript:{MARK}">x</a>',
    # Zero-width and right-to-left tricks.
    f"<scr\u200bipt>{MARK}</scr\u200bipt>",
    f"\u202e<img src=x onerror={MARK}>",
    f"<img src=x on\u200berror={MARK}>",
    # Template syntax must stay text too.
    "{{ request.user.email }} {% debug %}",
]

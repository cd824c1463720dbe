"""The XSS corpus: payloads that try to run script, load attacker URLs or change the page, for every way in.

Each payload carries the token XSSID, replaced by its number, so an execution names the payload that got
through. Payloads call `__xss(ID)`, `alert`/`confirm`/`prompt`/`print`, or make the browser request a path
containing `/__xss/` (htmx attributes, `<base>`, `<meta refresh>`, CSS); the browser test counts all three.
Template payloads carry `7*7` so that an evaluating template would show 49.
"""

from __future__ import annotations

from dataclasses import dataclass

TOKEN = "XSSID"


@dataclass(frozen=True, slots=True)
class Payload:
    id: int
    kind: str
    text: str


_CORPUS: tuple[tuple[str, str], ...] = (
    # Classic tags and elements that run script or load a document.
    ("classic", "<script>__xss(XSSID)</script>"),
    ("classic", "<SCRIPT SRC=/__xss/XSSID.js></SCRIPT>"),
    ("classic", "<img src=x onerror=__xss(XSSID)>"),
    ("classic", '<img src="x" onerror="alert(XSSID)">'),
    ("classic", "<IMG SRC=x OnErRoR=confirm(XSSID)>"),
    ("classic", "<body onload=__xss(XSSID)>"),
    ("classic", "<svg onload=__xss(XSSID)>"),
    ("classic", "<svg/onload=prompt(XSSID)>"),
    ("classic", '<iframe src="javascript:__xss(XSSID)"></iframe>'),
    ("classic", '<iframe srcdoc="&lt;script&gt;parent.__xss(XSSID)&lt;/script&gt;"></iframe>'),
    ("classic", '<object data="javascript:__xss(XSSID)"></object>'),
    ("classic", '<embed src="javascript:__xss(XSSID)">'),
    ("classic", "<scr<script>ipt>__xss(XSSID)</scr</script>ipt>"),
    ("classic", "<<script>script>__xss(XSSID)//<</script>/script>"),
    # Event handlers on many elements, some of which fire without any interaction.
    ("handler", "<p onmouseover=__xss(XSSID)>hover</p>"),
    ("handler", "<a href=# onclick=__xss(XSSID)>click</a>"),
    ("handler", "<div onpointerenter=__xss(XSSID)>enter</div>"),
    ("handler", "<input autofocus onfocus=__xss(XSSID)>"),
    ("handler", "<details open ontoggle=__xss(XSSID)>details</details>"),
    ("handler", "<video><source onerror=__xss(XSSID)></video>"),
    ("handler", "<audio src=x onerror=__xss(XSSID)>"),
    ("handler", "<marquee onstart=__xss(XSSID)>marquee</marquee>"),
    ("handler", "<select autofocus onfocus=__xss(XSSID)></select>"),
    ("handler", "<textarea autofocus onfocus=__xss(XSSID)>t</textarea>"),
    ("handler", "<table><tr><td onmouseover=__xss(XSSID)>cell</td></tr></table>"),
    ("handler", "<span tabindex=0 autofocus onfocusin=__xss(XSSID)>span</span>"),
    ("handler", "<time contenteditable autofocus onfocus=__xss(XSSID)>time</time>"),
    ("handler", "<blockquote onanimationstart=__xss(XSSID) style=animation-name:reader-spin>q</blockquote>"),
    ("handler", "<h2 onclick=__xss(XSSID) ONMOUSEOVER=__xss(XSSID)>heading</h2>"),
    ("handler", "<video src=x onerror=print()>XSSID</video><img src=x onerror=window.__xss(XSSID)>"),
    # URL schemes, with entities, whitespace, tabs, newlines, control characters and mixed case.
    ("url", '<a href="javascript:__xss(XSSID)">j1</a>'),
    ("url", '<a href="JaVaScRiPt:__xss(XSSID)">j2</a>'),
    ("url", '<a href="jav&#x09;ascript:__xss(XSSID)">j3</a>'),
    ("url", '<a href="jav&#x0A;ascript:__xss(XSSID)">j4</a>'),
    ("url", '<a href="jav&#13;ascript:__xss(XSSID)">j5</a>'),
    ("url", '<a href="&#106;avascript:__xss(XSSID)">j6</a>'),
    ("url", '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;__xss(XSSID)">j7</a>'),
    ("url", '<a href=" javascript:__xss(XSSID)">j8</a>'),
    (
        "url",
        '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116'
        '&#0000058__xss(XSSID)">j9</a>',
    ),
    ("url", '<a href="javascript&colon;__xss&lpar;XSSID&rpar;">j10</a>'),
    ("url", '<a href="\tjava\nscript:__xss(XSSID)">j11</a>'),
    ("url", '<a href="&#x01;javascript:__xss(XSSID)">j12</a>'),
    ("url", '<a href="vbscript:msgbox(XSSID)">vb</a>'),
    ("url", '<a href="data:text/html,&lt;script&gt;opener.__xss(XSSID)&lt;/script&gt;">data</a>'),
    ("url", '<img src="javascript:__xss(XSSID)" alt="j">'),
    ("url", '<img src="data:image/svg+xml,&lt;svg onload=__xss(XSSID)&gt;" alt="d">'),
    ("url", '<img src="x" srcset="/__xss/XSSID 1x" alt="s">'),
    ("url", '<blockquote cite="javascript:__xss(XSSID)">quoted</blockquote>'),
    ("url", '<q cite="data:text/html,__xss(XSSID)">q</q><del cite="VBScript:__xss(XSSID)">d</del>'),
    ("url", '<form action="javascript:__xss(XSSID)"><button>go</button></form>'),
    ("url", '<button formaction="javascript:__xss(XSSID)">go</button>'),
    ("url", "[md link](javascript:__xss(XSSID)) ![md image](javascript:__xss(XSSID))"),
    ("url", "[md tab](<jav&#x09;ascript:__xss(XSSID)>) <javascript:__xss(XSSID)>"),
    ("url", "[ref link][r]\n\n[r]: JAVASCRIPT:__xss(XSSID)"),
    ("url", '<svg><a xlink:href="javascript:__xss(XSSID)"><text x="20" y="20">svg link</text></a></svg>'),
    ("url", '<math><maction actiontype="statusline" xlink:href="javascript:__xss(XSSID)">m</maction></math>'),
    # Mutation XSS through SVG, MathML, noscript, iframe, textarea and other raw-text parsing modes.
    ("mutation", "<svg><style><img src=x onerror=__xss(XSSID)></style></svg>"),
    ("mutation", "<math><mtext><table><mglyph><style><img src=x onerror=__xss(XSSID)>"),
    ("mutation", '<noscript><p title="</noscript><img src=x onerror=__xss(XSSID)>">'),
    ("mutation", "<iframe><textarea></iframe><img src=x onerror=__xss(XSSID)></textarea>"),
    ("mutation", '<textarea><img title="</textarea><img src=x onerror=__xss(XSSID)>">'),
    ("mutation", '<svg></p><style><a id="</style><img src=1 onerror=__xss(XSSID)>">'),
    (
        "mutation",
        '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style>'
        '<img src onerror=__xss(XSSID)>"></style></h1>',
    ),
    ("mutation", "<form><math><mtext></form><form><mglyph><style></math><img src onerror=__xss(XSSID)>"),
    ("mutation", '<noembed><img title="</noembed><img src=x onerror=__xss(XSSID)>">'),
    ("mutation", '<xmp><img title="</xmp><img src=x onerror=__xss(XSSID)>">'),
    ("mutation", '<title><img title="</title><img src=x onerror=__xss(XSSID)>">'),
    ("mutation", "<!--><img src=x onerror=__xss(XSSID)>-->"),
    ("mutation", "<![CDATA[><img src=x onerror=__xss(XSSID)>]]>"),
    ("mutation", "<template><img src=x onerror=__xss(XSSID)></template>"),
    ("mutation", "<svg><animate onbegin=__xss(XSSID) attributeName=x dur=1s>"),
    # Attribute and element breakouts, for values that land inside attributes, textareas or titles.
    ("breakout", '"><script>__xss(XSSID)</script>'),
    ("breakout", "'><img src=x onerror=__xss(XSSID)>"),
    ("breakout", "' onmouseover='__xss(XSSID)"),
    ("breakout", '" autofocus onfocus="__xss(XSSID)" x="'),
    ("breakout", "</textarea><script>__xss(XSSID)</script>"),
    ("breakout", "</title><script>__xss(XSSID)</script>"),
    ("breakout", "</script><script>__xss(XSSID)</script>"),
    ("breakout", '<p title="&quot;&gt;&lt;img src=x onerror=__xss(XSSID)&gt;">entity title</p>'),
    ("breakout", 'javascript:__xss(XSSID)//" onmouseover="__xss(XSSID)'),
    ("breakout", "--></style></script><svg onload=__xss(XSSID)>"),
    # Template syntax: nothing may evaluate it, on the server (Jinja) or in a client framework.
    ("template", "{{7*7}}{{constructor.constructor('__xss(XSSID)')()}}"),
    ("template", "{% raw %}<script>__xss(XSSID)</script>{% endraw %}{{7*7}}"),
    ("template", "${7*7}${__xss(XSSID)}"),
    ("template", "#{7*7}#{__xss(XSSID)}"),
    ("template", "<%= 7*7 %><%= __xss(XSSID) %>"),
    ("template", "{{ '<img src=x onerror=__xss(XSSID)>' | safe }}{{7*7}}"),
    ("template", "{{ self.__init__.__globals__ }}{{ cycler.__init__.__globals__.os }} 7*7 XSSID"),
    # htmx attribute injection: reader runs htmx 2, which would act on any hx-* attribute it is given.
    ("htmx", '<div hx-get="/__xss/XSSID" hx-trigger="load">htmx get</div>'),
    ("htmx", '<div data-hx-get="/__xss/XSSID" data-hx-trigger="load">data-hx get</div>'),
    ("htmx", '<button hx-on:click="__xss(XSSID)">hx-on</button>'),
    ("htmx", '<p hx-on::load="__xss(XSSID)" hx-on:htmx:load="__xss(XSSID)">hx-on load</p>'),
    ("htmx", '<img src=x hx-post="/__xss/XSSID" hx-trigger="load" alt="h">'),
    ("htmx", '<div hx-swap-oob="true" id="reader-status"><img src=x onerror=__xss(XSSID)>oob</div>'),
    ("htmx", '<span hx-vals=\'js:{a:__xss(XSSID)}\' hx-get="/__xss/XSSID" hx-trigger="load">vals</span>'),
    ("htmx", '<p data-hx-on:click="__xss(XSSID)" data-hx-on-click="__xss(XSSID)">data-hx-on</p>'),
    ("htmx", '<div hx-boost="true" hx-trigger="load" hx-get="/__xss/XSSID"><a href="/">boost</a></div>'),
    ("htmx", '<form hx-post="/__xss/XSSID" hx-trigger="load"><input name="x"></form>'),
    # Loading and layout: base, meta refresh, stylesheets, style attributes that overlay the page.
    ("other", '<meta http-equiv="refresh" content="0;url=/__xss/XSSID">'),
    ("other", '<base href="/__xss/XSSID/"><img src="relative.png" alt="b">'),
    ("other", "<link rel=stylesheet href=/__xss/XSSID.css>"),
    ("other", "<style>@import '/__xss/XSSID.css';</style>"),
    ("other", '<p style="background:url(/__xss/XSSID)">styled</p>'),
    ("other", '<a href="https://attacker.example/" style="position:fixed;inset:0;z-index:9">overlay XSSID</a>'),
    ("other", '<a id="reader-title" name="htmx" class="reader-panel">clobber XSSID</a>'),
    ("other", '<isindex action="javascript:__xss(XSSID)" type="image">'),
    ("other", '<object data="data:text/html,&lt;script&gt;parent.__xss(XSSID)&lt;/script&gt;"></object>'),
    ("other", '<a href="\u2028javascript:__xss(XSSID)">line separator</a>'),
)

PAYLOADS: tuple[Payload, ...] = tuple(
    Payload(id=number, kind=kind, text=text.replace(TOKEN, str(number)))
    for number, (kind, text) in enumerate(_CORPUS, start=1)
)

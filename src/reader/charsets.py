"""Which encoding an imported HTML file is in, as browsers tell (the WHATWG Encoding and HTML standards,
simplified): a byte order mark wins; else a file that is valid UTF-8 is UTF-8; else the encoding its first
1024 bytes declare (`<meta charset>`, or `<meta http-equiv="Content-Type" content="…; charset=…">`), by the
WHATWG's labels. Old Vietnamese sites wrote windows-1258, old Western ones windows-1252 (which "iso-8859-1"
and "ascii" mean in a browser). reader.importer decodes with what this module names and says what failed.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple


class Encoding(NamedTuple):
    """An encoding by its WHATWG name (for messages) and the Python codec that decodes it."""

    name: str
    codec: str


UTF_8: Final = Encoding("UTF-8", "utf-8")
UTF_16LE: Final = Encoding("UTF-16LE", "utf-16-le")
UTF_16BE: Final = Encoding("UTF-16BE", "utf-16-be")
# (byte order mark, the encoding it marks)
BYTE_ORDER_MARKS: Final = ((b"\xef\xbb\xbf", UTF_8), (b"\xff\xfe", UTF_16LE), (b"\xfe\xff", UTF_16BE))
# How far into a file a declaration counts: browsers look no further before they start decoding.
PRESCAN_BYTES: Final = 1024

# The WHATWG encodings and their labels (https://encoding.spec.whatwg.org/#names-and-labels), each with
# the Python codec closest to its decoder: GBK is decoded as gb18030, Big5 with HKSCS, Shift_JIS as
# Windows' code page 932 and EUC-KR as its 949, as the standard's own tables are. UTF-16 declared in a
# <meta> means UTF-8 (a file in UTF-16 could not have declared it in ASCII), and x-user-defined
# windows-1252, as in the standard's prescan. The "replacement" encodings (ISO-2022-KR, HZ…) have no
# decoder: a file that declares one is refused.
_LABELS: Final = {
    UTF_8: "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8 "
    "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le unicodefffe utf-16be",
    Encoding("IBM866", "cp866"): "866 cp866 csibm866 ibm866",
    Encoding("ISO-8859-2", "iso8859_2"): "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 "
    "iso_8859-2:1987 l2 latin2",
    Encoding("ISO-8859-3", "iso8859_3"): "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 "
    "iso_8859-3:1988 l3 latin3",
    Encoding("ISO-8859-4", "iso8859_4"): "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 "
    "iso_8859-4:1988 l4 latin4",
    Encoding("ISO-8859-5", "iso8859_5"): "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 "
    "iso_8859-5 iso_8859-5:1988",
    Encoding("ISO-8859-6", "iso8859_6"): "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 "
    "iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987",
    Encoding("ISO-8859-7", "iso8859_7"): "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 "
    "iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    Encoding("ISO-8859-8", "iso8859_8"): "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 "
    "iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual",
    Encoding("ISO-8859-8-I", "iso8859_8"): "csiso88598i iso-8859-8-i logical",
    Encoding("ISO-8859-10", "iso8859_10"): "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    Encoding("ISO-8859-13", "iso8859_13"): "iso-8859-13 iso8859-13 iso885913",
    Encoding("ISO-8859-14", "iso8859_14"): "iso-8859-14 iso8859-14 iso885914",
    Encoding("ISO-8859-15", "iso8859_15"): "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    Encoding("ISO-8859-16", "iso8859_16"): "iso-8859-16",
    Encoding("KOI8-R", "koi8_r"): "cskoi8r koi koi8 koi8-r koi8_r",
    Encoding("KOI8-U", "koi8_u"): "koi8-ru koi8-u",
    Encoding("macintosh", "mac_roman"): "csmacintosh mac macintosh x-mac-roman",
    Encoding("windows-874", "cp874"): "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    Encoding("windows-1250", "cp1250"): "cp1250 windows-1250 x-cp1250",
    Encoding("windows-1251", "cp1251"): "cp1251 windows-1251 x-cp1251",
    Encoding("windows-1252", "cp1252"): "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 "
    "iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252 "
    "x-user-defined",
    Encoding("windows-1253", "cp1253"): "cp1253 windows-1253 x-cp1253",
    Encoding("windows-1254", "cp1254"): "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
    "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    Encoding("windows-1255", "cp1255"): "cp1255 windows-1255 x-cp1255",
    Encoding("windows-1256", "cp1256"): "cp1256 windows-1256 x-cp1256",
    Encoding("windows-1257", "cp1257"): "cp1257 windows-1257 x-cp1257",
    Encoding("windows-1258", "cp1258"): "cp1258 windows-1258 x-cp1258",
    Encoding("x-mac-cyrillic", "mac_cyrillic"): "x-mac-cyrillic x-mac-ukrainian",
    Encoding("GBK", "gb18030"): "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 x-gbk",
    Encoding("gb18030", "gb18030"): "gb18030",
    Encoding("Big5", "big5hkscs"): "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    Encoding("EUC-JP", "euc_jp"): "cseucpkdfmtjapanese euc-jp x-euc-jp",
    Encoding("ISO-2022-JP", "iso2022_jp"): "csiso2022jp iso-2022-jp",
    Encoding("Shift_JIS", "cp932"): "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    Encoding("EUC-KR", "cp949"): "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
    "ksc5601 ksc_5601 windows-949",
}
ENCODINGS: Final = {label: encoding for encoding, labels in _LABELS.items() for label in labels.split()}

_SPACE: Final = b"\t\n\f\r "
# "charset=" in a content attribute (https://html.spec.whatwg.org/#algorithm-for-extracting-a-character-encoding-from-a-meta-element).
_CONTENT_CHARSET = re.compile(
    rb"""charset[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r ;"']+))""", re.IGNORECASE
)
# Where the prescan stands at a "<": a <meta> start tag, another tag (start or end), or markup it skips to
# the next ">" (<!…>, </…> that is no end tag, <?…>).
_META_TAG = re.compile(rb"<meta[\t\n\f\r /]", re.IGNORECASE)
_TAG_NAME = re.compile(rb"</?[A-Za-z][^\t\n\f\r >]*")
_MARKUP = re.compile(rb"<[!/?][^>]*")
_ATTRIBUTE_NAME = re.compile(rb"[^\t\n\f\r /=>]*")


def byte_order_mark(data: bytes) -> tuple[Encoding, int] | None:
    """The encoding a byte order mark at the start of `data` says, and the mark's length."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return encoding, len(mark)
    return None


def declared_labels(data: bytes) -> list[str]:
    """The encoding labels the <meta> elements within the first PRESCAN_BYTES declare, in order, as written
    (ASCII white space stripped, lower-cased). A browser takes the first it knows (encoding_for).

    Read as the WHATWG's prescan reads them (https://html.spec.whatwg.org/#prescan-a-byte-stream-to-determine-its-encoding),
    a tag at a time, not by patterns over the bytes: a comment ends at the first "-->", whose dashes may be
    those of its "<!--" ("<!-->" is a whole comment), and other tags' attributes are read through, so a
    <meta> written inside one's quoted value is no declaration."""
    data = data[:PRESCAN_BYTES]
    labels = []
    at = 0
    while at < len(data):
        if data.startswith(b"<!--", at):
            end = data.find(b"-->", at + 2)
            at = len(data) if end < 0 else end + 3
        elif meta := _META_TAG.match(data, at):
            at, label = _meta(data, meta.end())
            if label is not None:
                labels.append(label.decode("latin-1").strip("\t\n\f\r ").lower())
        elif tag := _TAG_NAME.match(data, at):
            at = tag.end()
            while (attribute := _attribute(data, at)) is not None:
                at = attribute[0]
        elif markup := _MARKUP.match(data, at):
            at = markup.end() + 1
        else:
            at += 1
    return labels


def _meta(data: bytes, at: int) -> tuple[int, bytes | None]:
    """A <meta> tag's attributes from `at`: where it ends, and the label it declares (None: none that counts)."""
    seen: set[bytes] = set()
    pragma = False
    need_pragma: bool | None = None
    label: bytes | None = None
    while (attribute := _attribute(data, at)) is not None:
        at, name, value = attribute
        if name in seen:  # only the first of a name counts
            continue
        seen.add(name)
        if name == b"http-equiv" and value == b"content-type":
            pragma = True
        elif name == b"content" and label is None and (found := _CONTENT_CHARSET.search(value)):
            label, need_pragma = next(group for group in found.groups() if group is not None), True
        elif name == b"charset":
            label, need_pragma = value, False
    # A charset in content counts only beside http-equiv="Content-Type".
    if need_pragma is None or (need_pragma and not pragma):
        return at, None
    return at, label


def _attribute(data: bytes, at: int) -> tuple[int, bytes, bytes] | None:
    """The WHATWG's "get an attribute": the attribute at `at` (where it ends, its name and value, lower-cased),
    or None at the tag's ">" or the end of the bytes."""
    while at < len(data) and data[at] in b"\t\n\f\r /":
        at += 1
    if at >= len(data) or data[at] == ord(">"):
        return None
    # A name's first byte may be "=" ("=" after a name with none before it is part of it).
    name_end = _ATTRIBUTE_NAME.match(data, at + 1)
    assert name_end is not None  # (it matches the empty string)
    name, at = data[at : name_end.end()].lower(), name_end.end()
    while at < len(data) and data[at] in _SPACE:
        at += 1
    if at >= len(data) or data[at] != ord("="):
        return at, name, b""
    at += 1
    while at < len(data) and data[at] in _SPACE:
        at += 1
    if at >= len(data):
        return at, name, b""
    quote = data[at]
    if quote in b"\"'":
        end = data.find(bytes([quote]), at + 1)
        if end < 0:  # the bytes end inside the value: the prescan stops there, with nothing of it
            return len(data), b"", b""
        return end + 1, name, data[at + 1 : end].lower()
    if quote == ord(">"):
        return at, name, b""
    end = at
    while end < len(data) and data[end] not in b"\t\n\f\r >":
        end += 1
    return end, name, data[at:end].lower()


def encoding_for(label: str) -> Encoding | None:
    """The encoding a label names, by the WHATWG's list (None: a label no browser knows, or one of the
    encodings that have no decoder)."""
    return ENCODINGS.get(label)

"""What the voice is given for a sentence (static/js/speech-text.js, docs/read-aloud.md "What the voice is
given"): abbreviations, units, times and dates in words, per language, and every offset of the words spoken
taken back to the page's text. The module's functions are run in the browser, on an article page, as
read-aloud.js runs them; real voices reading such an article: test_read_aloud.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.conftest import SEED_SLUG


def run(page: Page, body: str, cases: Any) -> Any:
    """Run `body` (a function's body: `speech` is speech-text.js, `aloud` read-aloud.js, `cases` the argument)
    with the modules the article page's read-aloud.js imports."""
    return page.evaluate(
        """async (cases) => {
             const tools = document.getElementById('reader-tools');
             const base = new URL(tools.dataset.moduleSpeech, document.baseURI);
             const speech = await import(new URL('speech-text.js', base).href);
             const aloud = await import(base.href);
             BODY
           }""".replace("BODY", body),
        cases,
    )


SAID = "return cases.map(([lang, text]) => speech.forSpeech(text, lang).part(0, text.length).text);"

# [language, as written, as said]. Each is an expectation a reader would have of a news voice.
CASES = [
    # Administrative and press abbreviations; two written together are said together.
    ("vi", "TP.HCM khai trương tuyến metro số 1", "thành phố Hồ Chí Minh khai trương tuyến metro số 1"),
    ("vi", "UBND TP. Hà Nội và HĐND tỉnh", "ủy ban nhân dân thành phố Hà Nội và hội đồng nhân dân tỉnh"),
    ("vi", "TP Huế, TPHCM", "thành phố Huế, thành phố Hồ Chí Minh"),
    (
        "vi",
        "PGS.TS. Nguyễn Văn A, ThS. B, GS. C, BS. D",
        "phó giáo sư tiến sĩ Nguyễn Văn A, thạc sĩ B, giáo sư C, bác sĩ D",
    ),
    (
        "vi",
        "Trường THPT, THCS; Phòng CSGT; Sở GTVT, Sở GD&ĐT",
        "Trường trung học phổ thông, trung học cơ sở; Phòng cảnh sát giao thông;"
        " Sở giao thông vận tải, Sở giáo dục và đào tạo",
    ),
    ("vi", "sách, vở v.v. đều có", "sách, vở vân vân đều có"),
    # Quận and phường before a number or a name written on; a person named by a letter is left alone.
    (
        "vi",
        "Q.1, P.5, Q. 3, P.Bến Nghé, TX. Sơn Tây, TT. Đông Anh",
        "quận 1, phường 5, quận 3, phường Bến Nghé, thị xã Sơn Tây, thị trấn Đông Anh",
    ),
    ("vi", "Anh P. cho biết.", "Anh P. cho biết."),
    ("vi", "Thư gửi abc@TP.vn, trang tp.vn", "Thư gửi abc@TP.vn, trang tp.vn"),
    # Units after a number only; a unit written on to its number is said apart from it.
    (
        "vi",
        "dài 19,7 km, chạy 110 km/h, rộng 3 m, 100 m2 và 5 m²",
        "dài 19,7 ki-lô-mét, chạy 110 ki-lô-mét trên giờ, rộng 3 mét, 100 mét vuông và 5 mét vuông",
    ),
    ("vi", "7 ha, 10 kg, 500 g, 25°C, 35oC, 5%", "7 héc-ta, 10 ki-lô-gam, 500 gam, 25 độ C, 35 độ C, 5%"),
    ("vi", "giá 50.000đ, 5 tỷ USD, 20.000 VNĐ", "giá 50.000 đồng, 5 tỷ đô la Mỹ, 20.000 đồng"),
    ("vi", "đội m, km trống, ha ha", "đội m, km trống, ha ha"),
    # Times: "h" after a number is giờ; 25h70 is no time.
    (
        "vi",
        "mở cửa lúc 5h30, đóng lúc 22h, 48h qua, 07h05, mã 25h70",
        "mở cửa lúc 5 giờ 30, đóng lúc 22 giờ, 48 giờ qua, 7 giờ 05, mã 25h70",
    ),
    # Dates: d/m/yyyy always, "ngày" said once; d/m after "ngày"; m/yyyy after a word of time only.
    # Ranges with "đến" (the dash is said as nothing), without a year only after "ngày" or a word of time.
    (
        "vi",
        "từ 1-3/3/2024, ngày 20-25/12, Ngày 30/4-1/5, từ 1/2024-3/2024, tỷ số 2-1/3",
        "từ ngày 1 đến 3 tháng 3 năm 2024, ngày 20 đến 25 tháng 12, Ngày 30 tháng 4 đến ngày 1 tháng 5,"
        " từ tháng 1 năm 2024 đến tháng 3 năm 2024, tỷ số 2-1/3",
    ),
    ("vi", "Ngày 12/3/2024, họp lúc 31/03/2021", "Ngày 12 tháng 3 năm 2024, họp lúc ngày 31 tháng 3 năm 2021"),
    (
        "vi",
        "Nghị quyết số 10-NQ/TU ngày 26/4/2016 của Tỉnh ủy",
        "Nghị quyết số 10-NQ/TU ngày 26 tháng 4 năm 2016 của Tỉnh ủy",
    ),
    ("vi", "từ 3/2024 đến tháng 5/2025, ngày 12/3", "từ tháng 3 năm 2024 đến tháng 5 năm 2025, ngày 12 tháng 3"),
    ("vi", "1/3/2024-5/3/2024", "ngày 1 tháng 3 năm 2024 đến ngày 5 tháng 3 năm 2024"),
    (
        "vi",
        "tỷ lệ 1/2000, văn bản số 3/2024, tỉ số 1/2, 32/13/2024",
        "tỷ lệ 1/2000, văn bản số 3/2024, tỉ số 1/2, 32/13/2024",
    ),
    ("vi", "Quyết định 123/QĐ-UBND", "Quyết định 123/QĐ-UBND"),
    # Roman numerals after a word that numbers; "thứ 1" and "thứ 4".
    ("vi", "Quý II, Quý I, khóa XV, thế kỷ XXI, lần thứ IV", "Quý 2, Quý 1, khóa 15, thế kỷ 21, lần thứ tư"),
    ("vi", "hạng thứ 1, thứ 4 tuần sau, thứ 2", "hạng thứ nhất, thứ tư tuần sau, thứ 2"),
    ("vi", "Vitamin C, chữ I, IIII", "Vitamin C, chữ I, IIII"),
    # English: units (dates are left: their order is the writer's country's).
    (
        "en",
        "At 5 km/h for 1 km and 3 km, 10 kg, 5 m², 100 kWh",
        "At 5 kilometres per hour for 1 kilometre and 3 kilometres, 10 kilograms, 5 square metres, 100 kilowatt hours",
    ),
    ("en", "On 12/3/2024 at 3:30 pm, 25°C", "On 12/3/2024 at 3:30 pm, 25°C"),
    ("en-GB", "UBND TP.HCM 5h30", "UBND TP.HCM 5h30"),
    # A language without a list: as written.
    ("fr", "TP.HCM 5 km", "TP.HCM 5 km"),
]


@pytest.fixture
def article(page: Page, live_server: str) -> Page:
    page.goto(f"{live_server}/articles/{SEED_SLUG}")
    return page


def test_abbreviations_units_times_and_dates_are_said_in_words(article: Page) -> None:
    said = run(article, SAID, [[lang, written] for lang, written, _ in CASES])
    wrong = {written: got for (_, written, expected), got in zip(CASES, said, strict=True) if got != expected}
    assert wrong == {}


# Every word of what is said, as a voice reports it (charIndex, charLength; some voices send no length), and
# the text of the page it is taken back to.
WORDS = """
return cases.map(([lang, text]) => {
  const said = speech.forSpeech(text, lang).part(0, text.length);
  return [...said.text.matchAll(/\\S+/g)].map((m) => {
    const [at, length] = said.source(m.index, m[0].length);
    const [bare, bareLength] = said.source(m.index, 0);
    return [m[0], text.slice(at, at + length), text.slice(bare, bare + bareLength)];
  });
});
"""


def test_each_word_said_highlights_what_is_written_for_it(article: Page) -> None:
    """A word of an expansion is its abbreviation, time or date as a whole; words kept as written are
    themselves (with no length: nothing, read-aloud.js then takes the page's word up to the next space)."""
    text = "Ngày 12/3/2024, UBND TP.HCM cho biết tàu chạy 110 km/h từ 5h30."
    words = run(article, WORDS, [["vi", text]])[0]
    assert words == [
        ["Ngày", "Ngày", ""],
        ["12", "12/3/2024", "12/3/2024"], ["tháng", "12/3/2024", "12/3/2024"], ["3", "12/3/2024", "12/3/2024"],
        ["năm", "12/3/2024", "12/3/2024"], ["2024,", "12/3/2024,", "12/3/2024"],
        ["ủy", "UBND", "UBND"], ["ban", "UBND", "UBND"], ["nhân", "UBND", "UBND"], ["dân", "UBND", "UBND"],
        ["thành", "TP.HCM", "TP.HCM"], ["phố", "TP.HCM", "TP.HCM"], ["Hồ", "TP.HCM", "TP.HCM"],
        ["Chí", "TP.HCM", "TP.HCM"], ["Minh", "TP.HCM", "TP.HCM"],
        ["cho", "cho", ""], ["biết", "biết", ""], ["tàu", "tàu", ""], ["chạy", "chạy", ""], ["110", "110", ""],
        ["ki-lô-mét", "km/h", "km/h"], ["trên", "km/h", "km/h"], ["giờ", "km/h", "km/h"],
        ["từ", "từ", ""], ["5", "5h30", "5h30"], ["giờ", "5h30", "5h30"], ["30.", "5h30.", "5h30"],
    ]  # fmt: skip


# A long sentence cut into parts as read-aloud.js cuts it (its own utteranceParts at 1×): each part said on
# its own says what the whole says, no expansion is split between two, and each part's words are taken back
# into that part.
PARTS = """
const [lang, text] = cases;
const spoken = speech.forSpeech(text, lang);
return aloud.utteranceParts(text, 200).map((part) => {
  const said = spoken.part(part.start, part.text.length);
  const back = [...said.text.matchAll(/\\S+/g)].map((m) => {
    const [at, length] = said.source(m.index, m[0].length);
    return part.text.slice(at, at + length);
  });
  return {written: part.text, said: said.text, back};
});
"""


def test_a_long_sentence_is_said_part_by_part_as_it_is_whole(article: Page) -> None:
    text = (
        "Theo UBND TP.HCM, từ ngày 12/3/2024 tuyến metro số 1 dài 19,7 km chạy với vận tốc 110 km/h, mở cửa "
        "lúc 5h30 và đóng lúc 22h mỗi ngày, nhiệt độ trong toa là 25°C; PGS.TS. Nguyễn Văn A, Sở GTVT TP.HCM, "
        "cho biết từ 3/2024 đến Quý II năm 2025 sẽ có thêm 7 ha đất cho ga Bến Thành."
    )
    parts = run(article, PARTS, ["vi", text])
    whole = run(article, SAID, [["vi", text]])[0]
    assert len(parts) > 1
    assert " ".join(part["said"] for part in parts) == whole
    assert "ủy ban nhân dân thành phố Hồ Chí Minh" in whole and "ngày 12 tháng 3 năm 2024" in whole
    for part in parts:
        assert all(word and word in part["written"] for word in part["back"]), part

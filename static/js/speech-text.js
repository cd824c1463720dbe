// What the voice is given for a sentence: its text with the abbreviations, units, times and dates a voice
// would read letter by letter written out in words ("TP.HCM" → "thành phố Hồ Chí Minh", "5h30" → "5 giờ 30",
// "12/3/2024" → "ngày 12 tháng 3 năm 2024"), and a map from every offset of that text back to the page's.
// Only the utterance changes, never the page. docs/read-aloud.md ("What the voice is given") has the lists and
// why: espeak-ng (the voices of Linux's speech-dispatcher, and of the tests) says "tê pê chấm hát xê em" for
// "TP.HCM" and "năm hát ba mươi" for "5h30"; Microsoft's and Google's neural voices do much of this
// themselves, and are given the same words.
//
// Each rule rewrites one token (a range of dates may hold spaces: "30/4 - 1/5"): the whole token is one
// piece, said whole by the part of a long sentence it starts in and skipped by the next, where a cut falls
// inside it (forSpeech's part); any word the voice reports inside its words is that token on the page ("tháng" in "ngày 12 tháng 3 năm 2024" highlights
// "12/3/2024"). A token is rewritten only where its meaning is clear from the token and the word before it
// (a unit only after a number, a month/year only after a word of time, Q. and P. only before a number or a
// name); anything else is left as written.

const L = "\\p{L}\\p{N}"; // letters and digits: what a token must not run into
const NUMBER = "\\d(?:[\\d.,]*\\d)?";

// Administrative and press abbreviations (case as written). Titles and places with their full stop.
const VI_DOTTED = {
  "TP.": "thành phố", "Tp.": "thành phố", "TX.": "thị xã", "TT.": "thị trấn",
  "GS.": "giáo sư", "PGS.": "phó giáo sư", "TS.": "tiến sĩ", "TSKH.": "tiến sĩ khoa học",
  "ThS.": "thạc sĩ", "Th.S.": "thạc sĩ", "BS.": "bác sĩ", "KS.": "kỹ sư", "KTS.": "kiến trúc sư",
  "LS.": "luật sư", "NCS.": "nghiên cứu sinh", "v.v.": "vân vân", "v.v": "vân vân",
};
// Written as one capitalised word, without a full stop (edges: not beside a letter, digit, "-", "/" or "&",
// so a document number such as "123/QĐ-UBND" is read as written).
const VI_ACRONYMS = {
  TPHCM: "thành phố Hồ Chí Minh", HCM: "Hồ Chí Minh", UBND: "ủy ban nhân dân", HĐND: "hội đồng nhân dân",
  MTTQ: "mặt trận tổ quốc", TW: "trung ương", ĐBQH: "đại biểu quốc hội", BCH: "ban chấp hành",
  BCĐ: "ban chỉ đạo", TAND: "tòa án nhân dân", VKSND: "viện kiểm sát nhân dân", CAND: "công an nhân dân",
  QĐND: "quân đội nhân dân", CSGT: "cảnh sát giao thông", GTVT: "giao thông vận tải", THPT: "trung học phổ thông",
  THCS: "trung học cơ sở", ĐHQG: "đại học quốc gia", BHXH: "bảo hiểm xã hội", BHYT: "bảo hiểm y tế",
  CNTT: "công nghệ thông tin", HTX: "hợp tác xã", KCN: "khu công nghiệp", ĐBSCL: "đồng bằng sông Cửu Long",
  "GD&ĐT": "giáo dục và đào tạo", "GD-ĐT": "giáo dục và đào tạo", "KH&CN": "khoa học và công nghệ",
  "TN&MT": "tài nguyên và môi trường", "NN&PTNT": "nông nghiệp và phát triển nông thôn",
  TTXVN: "thông tấn xã Việt Nam", NXB: "nhà xuất bản", NSND: "nghệ sĩ nhân dân", NSƯT: "nghệ sĩ ưu tú",
  HLV: "huấn luyện viên", SĐT: "số điện thoại", USD: "đô la Mỹ", VNĐ: "đồng", VND: "đồng",
};
// After a number ("110 km/h", "25°C", "50.000đ"). "m" is metres here (Vietnamese writes millions "triệu").
const VI_UNITS = {
  "km/h": "ki-lô-mét trên giờ", "km²": "ki-lô-mét vuông", km2: "ki-lô-mét vuông", km: "ki-lô-mét",
  "m²": "mét vuông", m2: "mét vuông", "m³": "mét khối", m3: "mét khối", m: "mét", cm: "xen-ti-mét",
  mm: "mi-li-mét", ha: "héc-ta", kg: "ki-lô-gam", g: "gam", mg: "mi-li-gam", ml: "mi-li-lít",
  kWh: "ki-lô-oát giờ", kW: "ki-lô-oát", MW: "mê-ga-oát", "°C": "độ C", "ºC": "độ C", oC: "độ C", "°": "độ",
  đ: "đồng",
};
// English voices say "five K E slash H", "ten K G", "M two": units only. Dates are left: 12/3/2024 is
// 12 March in en-GB and December 3 in en-US.
const EN_UNITS = {
  "km/h": "kilometres per hour", "km²": "square kilometres", km: "kilometres", "m²": "square metres",
  cm: "centimetres", mm: "millimetres", kg: "kilograms", kWh: "kilowatt hours", kW: "kilowatts",
  MW: "megawatts",
};
const EN_ONE = { km: "kilometre", cm: "centimetre", mm: "millimetre", kg: "kilogram", kW: "kilowatt", MW: "megawatt" };

// The words a month/year ("3/2024") needs before it to be a date: a scale "1/2000" or a number "số 3/2024" is
// not one.
const WHEN = /(?:^|[^\p{L}])(?:tháng|từ|đến|tới|vào|đầu|cuối|giữa|hồi|trước|sau|trong)\s+$/iu;
// Before a date without its year ("20-25/12"): "ngày", or a word of time.
const DATE_BEFORE = new RegExp(`(?:(?:^|[^\\p{L}])ngày\\s+$)|${WHEN.source}`, "iu");
const ROMAN_AFTER = /(?:^|[^\p{L}])(?:quý|khóa|khoá|thế kỷ|thế kỉ|lần thứ|đại hội|phần|chương|kỳ|kì)\s+$/iu;

const escape = (word) => word.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const alternatives = (words) =>
  Object.keys(words)
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join("|");

// Each rule: a pattern (global, unicode) and what its match is said as (null: left as written). `before` is
// the text before the match.
function vietnameseRules() {
  return [
    // Ranges, said with "đến" (a voice says nothing for the dash, so "30/4-1/5" came out as four numbers):
    // of dates ("30/4-1/5", "1/3/2024-5/3/2024"), of days in one month ("1-3/3/2024", "ngày 20-25/12"), of
    // months ("từ 1/2024-3/2024"). Without a year only after "ngày" or a word of time, as below.
    [
      new RegExp(
        `(?<![${L}/.,-])(\\d{1,2})/(\\d{1,2})(?:/(\\d{4}))?\\s?[-–]\\s?(\\d{1,2})/(\\d{1,2})(?:/(\\d{4}))?(?![${L}/]|[.,]\\d)`,
        "gu",
      ),
      (m, before) => {
        const year = (y) => (y ? ` năm ${y}` : "");
        if (!date(+m[1], +m[2]) || !date(+m[4], +m[5]) || (!m[3] && !m[6] && !DATE_BEFORE.test(before))) return null;
        const day = /ngày\s+$/iu.test(before) ? "" : "ngày ";
        return `${day}${+m[1]} tháng ${+m[2]}${year(m[3])} đến ngày ${+m[4]} tháng ${+m[5]}${year(m[6])}`;
      },
    ],
    [
      new RegExp(`(?<![${L}/.,-])(\\d{1,2})[-–](\\d{1,2})/(\\d{1,2})(?:/(\\d{4}))?(?![${L}/]|[.,]\\d)`, "gu"),
      (m, before) => {
        if (!date(+m[1], +m[3]) || !date(+m[2], +m[3]) || +m[1] >= +m[2]) return null;
        if (!m[4] && !DATE_BEFORE.test(before)) return null;
        const day = /ngày\s+$/iu.test(before) ? "" : "ngày ";
        return `${day}${+m[1]} đến ${+m[2]} tháng ${+m[3]}${m[4] ? ` năm ${m[4]}` : ""}`;
      },
    ],
    [
      new RegExp(`(?<![${L}/.,-])(\\d{1,2})/(\\d{4})\\s?[-–]\\s?(\\d{1,2})/(\\d{4})(?![${L}/]|[.,]\\d)`, "gu"),
      (m, before) => {
        if (!WHEN.test(before) || +m[1] < 1 || +m[1] > 12 || +m[3] < 1 || +m[3] > 12) return null;
        const month = /tháng\s+$/iu.test(before) ? "" : "tháng ";
        return `${month}${+m[1]} năm ${m[2]} đến tháng ${+m[3]} năm ${m[4]}`;
      },
    ],
    // d/m/yyyy: a date wherever it is, the second of a range too ("1/3/2024-5/3/2024"); "ngày" said once
    // ("ngày 26/4/2016" is usual).
    [
      new RegExp(`(?<![${L}/.,])(?<!(?<!\\d{4})-)(\\d{1,2})/(\\d{1,2})/(\\d{4})(?![${L}/]|[.,]\\d)`, "gu"),
      (m, before) =>
        date(+m[1], +m[2]) && `${/ngày\s+$/iu.test(before) ? "" : "ngày "}${+m[1]} tháng ${+m[2]} năm ${m[3]}`,
    ],
    // d/m after "ngày", m/yyyy after a word of time.
    [
      new RegExp(`(?<![${L}/.,-])(\\d{1,2})/(\\d{1,2}|\\d{4})(?![${L}/]|[.,]\\d)`, "gu"),
      (m, before) => {
        if (m[2].length === 4) {
          const month = +m[1];
          if (month < 1 || month > 12 || !WHEN.test(before)) return null;
          return `${/tháng\s+$/iu.test(before) ? "" : "tháng "}${month} năm ${m[2]}`;
        }
        return /ngày\s+$/iu.test(before) && date(+m[1], +m[2]) ? `${+m[1]} tháng ${+m[2]}` : null;
      },
    ],
    // 5h30, 17h, 24h (hours): "giờ".
    [
      new RegExp(`(?<![${L}])(\\d{1,2})h(\\d{2})?(?![${L}])`, "gu"),
      (m) => (m[2] && (+m[1] > 24 || +m[2] > 59) ? null : `${+m[1]} giờ${m[2] ? ` ${m[2]}` : ""}`),
    ],
    unitRule(VI_UNITS, {}),
    // Not inside an address ("abc@TP.vn", "tp.vn"): never after "@" or "/", never before a small letter.
    [new RegExp(`(?<![${L}@/])(?:${alternatives(VI_DOTTED)})(?!\\p{Ll})`, "gu"), (m) => VI_DOTTED[m[0]]],
    // TP without its full stop before a name: "TP Hồ Chí Minh", "TP Huế".
    [/(?<![\p{L}\p{N}])TP(?= \p{Lu})/gu, () => "thành phố"],
    // Q. and P. (quận, phường) only before a number or a name written on: "Q.1", "P.Bến Nghé", "Q. 3" —
    // "anh P. cho biết" is a person.
    [/(?<![\p{L}\p{N}])([QP])\.(?=\d| \d|\p{Lu})/gu, (m) => (m[1] === "Q" ? "quận" : "phường")],
    [new RegExp(`(?<![${L}&/-])(?:${alternatives(VI_ACRONYMS)})(?![${L}&/-])`, "gu"), (m) => VI_ACRONYMS[m[0]]],
    // Roman numerals after a word that numbers ("Quý II", "khóa XV", "thế kỷ XXI"): the number; "lần thứ IV"
    // as an ordinal.
    [
      /(?<![\p{L}\p{N}])[IVX]+(?![\p{L}\p{N}])/gu,
      (m, before) => {
        const n = roman(m[0]);
        if (!n || !ROMAN_AFTER.test(before)) return null;
        return /thứ\s+$/iu.test(before) ? ordinal(n) : String(n);
      },
    ],
    // "thứ 1", "thứ 4": "thứ nhất", "thứ tư" (voices say "thứ một", "thứ bốn").
    [/(?<=(?:^|[^\p{L}])thứ\s+)[14](?![\p{L}\p{N}])/giu, (m) => ordinal(+m[0])],
  ];
}

function englishRules() {
  return [unitRule(EN_UNITS, EN_ONE)];
}

// A unit after a number: written apart ("110 km/h") the unit alone is the piece; written on ("50.000đ") the
// number and the unit, said apart.
function unitRule(units, one) {
  const pattern = new RegExp(`(?<![${L}.,])(${NUMBER})(\\s?)(${alternatives(units)})(?![${L}/])`, "gu");
  return [
    pattern,
    (m) => {
      const word = (m[1] === "1" && one[m[3]]) || units[m[3]];
      return m[2] ? { at: m[1].length + m[2].length, say: word } : `${m[1]} ${word}`;
    },
  ];
}

function date(day, month) {
  return day >= 1 && day <= 31 && month >= 1 && month <= 12;
}

function ordinal(n) {
  return n === 1 ? "nhất" : n === 4 ? "tư" : String(n);
}

// A Roman numeral's value (I to XXXIX: quarters, terms, centuries), or 0 when the letters are not one
// written the usual way.
function roman(letters) {
  const values = { I: 1, V: 5, X: 10 };
  let total = 0;
  for (let i = 0; i < letters.length; i++) {
    const value = values[letters[i]];
    total += value < (values[letters[i + 1]] || 0) ? -value : value;
  }
  return total > 0 && toRoman(total) === letters ? total : 0;
}

function toRoman(n) {
  let out = "";
  for (const [value, letters] of [[10, "X"], [9, "IX"], [5, "V"], [4, "IV"], [1, "I"]]) {
    for (; n >= value; n -= value) out += letters;
  }
  return out;
}

const RULES = { vi: vietnameseRules(), en: englishRules() };

// The pieces of `text` said otherwise, in order, never overlapping: [{from, to, say}] (offsets in `text`).
// Earlier rules win where two would take the same characters.
export function piecesOf(text, lang) {
  const rules = RULES[String(lang || "").toLowerCase().split("-")[0]] || [];
  const pieces = [];
  for (const [pattern, said] of rules) {
    for (const m of text.matchAll(pattern)) {
      let result = said(m, text.slice(0, m.index));
      if (!result) continue;
      let from = m.index;
      if (typeof result === "object") [from, result] = [m.index + result.at, result.say];
      const to = m.index + m[0].length;
      if (pieces.some((piece) => from < piece.to && to > piece.from)) continue;
      pieces.push({ from, to, say: result });
    }
  }
  // Pieces written together are one ("TP.HCM", "PGS.TS."): the page's word is highlighted whole.
  const joined = [];
  for (const piece of pieces.sort((a, b) => a.from - b.from)) {
    const last = joined[joined.length - 1];
    if (last?.to === piece.from) [last.to, last.say] = [piece.to, `${last.say} ${piece.say}`];
    else joined.push({ ...piece });
  }
  return joined;
}

// What is said for `text` (a sentence, with a table cell's headers before it) in `lang`: `part(start,
// length)` gives, for the part of `text` from `start` of `length` characters (read-aloud.js cuts long
// sentences into parts), the text to speak and `source(index, length)`, which takes a voice's boundary (an
// offset and a length in that text; the length may be 0) back to the part's own text: [index, length].
export function forSpeech(text, lang) {
  const pieces = piecesOf(text, lang);
  return {
    part(start, length) {
      const end = start + length;
      let said = "";
      const runs = []; // [said from, said to, source from, source to, a piece?], in order
      const keep = (from, to) => {
        if (to > from) runs.push([said.length, said.length + to - from, from, to, false]);
        said += text.slice(from, to);
      };
      let at = start;
      for (const piece of pieces) {
        if (piece.to <= start || piece.from >= end) continue;
        if (piece.from < start) {
          at = piece.to; // begun in the part before, which said it whole
          continue;
        }
        keep(at, piece.from);
        // Words never run into the words around them: "TP.HCM" is "thành phố Hồ Chí Minh".
        const words =
          (/[\p{L}\p{N}]/u.test(said.slice(-1)) ? " " : "") +
          piece.say +
          (/[\p{L}\p{N}]/u.test(text[piece.to] || "") ? " " : "");
        runs.push([said.length, said.length + words.length, piece.from, piece.to, true]);
        said += words;
        at = piece.to;
      }
      keep(at, Math.max(at, end));
      const runAt = (index) => runs.find((run) => index < run[1]) || runs[runs.length - 1];
      return {
        text: said,
        source(index, length) {
          if (!runs.length) return [index, length];
          const first = runAt(index);
          const begin = first[4] ? first[2] : first[2] + Math.max(0, index - first[0]);
          if (length <= 0 && !first[4]) return [begin - start, 0];
          const last = length > 0 ? runAt(index + length - 1) : first;
          const finish = last[4] ? last[3] : Math.min(last[3], last[2] + index + length - last[0]);
          return [begin - start, Math.max(finish - begin, 1)];
        },
      };
    },
  };
}

// The encodings of the election record (docs/spec/election-record-v2.md §1) in the browser:
// the strict JSON a record or receipt must be, canonical JSON, base64url, timestamps.
// Shared by the record verifier and the ballot page; plain ES2020 so that Chromium 80 and
// Safari 14.1 parse it.
//
// Parsed values: objects have no prototype (a key "__proto__" is a key like any other), lists
// are arrays, integers within ±2^53 are numbers and integers beyond are BigInts, so that every
// integer keeps its exact value and a check can refuse the ones beyond by their type.

const MAX_INT = 9007199254740992; // 2^53
const MAX_DEPTH = 64;

export class NotRecordJSON extends Error {}

const encoder = new TextEncoder();

// The byte arrays one after another, as one.
export function concat(...parts) {
  const result = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

export function utf8(text) {
  return encoder.encode(text);
}

// --- strict JSON ------------------------------------------------------------------------------

// UTF-8 bytes (a leading byte-order mark skipped) or a string: the value of a JSON text with no
// float, NaN or Infinity, no duplicate key, no lone surrogate and at most 64 levels; otherwise
// NotRecordJSON saying why.
export function parseJSON(input) {
  let text = input;
  if (typeof input !== "string") {
    let bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    try {
      // fatal: invalid sequences, overlong forms and encoded surrogates are refused, not replaced
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (error) {
      throw new NotRecordJSON("not UTF-8");
    }
  }
  return new Parser(text).document();
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Parser {
  constructor(text) {
    this.text = text;
    this.at = 0;
  }

  fail(what) {
    throw new NotRecordJSON(what + " at character " + this.at);
  }

  document() {
    this.space();
    const value = this.value(1);
    this.space();
    if (this.at !== this.text.length) this.fail("text after the JSON value");
    return value;
  }

  space() {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) at++;
      else break;
    }
    this.at = at;
  }

  value(depth) {
    const c = this.text[this.at];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.list(depth);
    if (c === '"') return this.string();
    if (c === "t") return this.word("true", true);
    if (c === "f") return this.word("false", false);
    if (c === "n") return this.word("null", null);
    return this.number();
  }

  word(word, value) {
    if (this.text.startsWith(word, this.at)) {
      this.at += word.length;
      return value;
    }
    return this.fail("not a JSON value");
  }

  number() {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail("not a JSON value");
    if (match[1] !== undefined || match[2] !== undefined) return this.fail("a floating-point number");
    this.at = NUMBER.lastIndex;
    const digits = match[0];
    if (digits.length < 16) return Number(digits) || 0; // || 0: -0 is 0
    const big = BigInt(digits);
    // Beyond ±2^53 a number would round: keep the exact value, which no check accepts.
    return big <= BigInt(MAX_INT) && big >= -BigInt(MAX_INT) ? Number(big) : big;
  }

  string() {
    const text = this.text;
    let at = this.at + 1;
    let result = "";
    for (;;) {
      PLAIN_RUN.lastIndex = at;
      PLAIN_RUN.exec(text);
      result += text.slice(at, PLAIN_RUN.lastIndex);
      at = PLAIN_RUN.lastIndex;
      const c = text[at];
      if (c === '"') break;
      if (c !== "\\") {
        this.at = at;
        return this.fail(c === undefined ? "unterminated string" : "a control character in a string");
      }
      const escape = text[at + 1];
      if (escape === "u") {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.at = at;
          return this.fail("a bad \\u escape");
        }
        result += String.fromCharCode(parseInt(hex, 16));
        at += 6;
      } else if (escape !== undefined && Object.prototype.hasOwnProperty.call(ESCAPES, escape)) {
        result += ESCAPES[escape];
        at += 2;
      } else {
        this.at = at;
        return this.fail("a bad escape");
      }
    }
    this.at = at + 1;
    // Only escapes can write a lone surrogate: decoded UTF-8 holds none.
    if (hasLoneSurrogate(result)) return this.fail("a string holding a lone surrogate");
    return result;
  }

  list(depth) {
    if (depth > MAX_DEPTH) this.fail("objects and lists nested deeper than " + MAX_DEPTH + " levels");
    this.at++;
    const list = [];
    this.space();
    if (this.text[this.at] === "]") {
      this.at++;
      return list;
    }
    for (;;) {
      this.space();
      list.push(this.value(depth + 1));
      this.space();
      const c = this.text[this.at++];
      if (c === "]") return list;
      if (c !== ",") {
        this.at--;
        this.fail("expected , or ]");
      }
    }
  }

  object(depth) {
    if (depth > MAX_DEPTH) this.fail("objects and lists nested deeper than " + MAX_DEPTH + " levels");
    this.at++;
    const object = Object.create(null);
    this.space();
    if (this.text[this.at] === "}") {
      this.at++;
      return object;
    }
    for (;;) {
      this.space();
      if (this.text[this.at] !== '"') this.fail("expected a key");
      const key = this.string();
      if (key in object) this.fail("duplicate key " + JSON.stringify(key));
      this.space();
      if (this.text[this.at] !== ":") this.fail("expected :");
      this.at++;
      this.space();
      object[key] = this.value(depth + 1);
      this.space();
      const c = this.text[this.at++];
      if (c === "}") return object;
      if (c !== ",") {
        this.at--;
        this.fail("expected , or }");
      }
    }
  }
}

function hasLoneSurrogate(text) {
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit > 0xdbff) return true; // a low surrogate with no high one before it
    const next = text.charCodeAt(index + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
    index++;
  }
  return false;
}

// --- types of parsed values -------------------------------------------------------------------

export function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function has(object, key) {
  return Object.prototype.hasOwnProperty.call(object, key);
}

// A JSON integer within ±2^53 (the parser gives larger ones as BigInt, and no floats).
export function isInt(value) {
  return typeof value === "number";
}

// Where in a parsed value an integer beyond ±2^53 is, or null.
export function integerBeyondLimit(value) {
  const stack = [value];
  while (stack.length) {
    const item = stack.pop();
    if (typeof item === "bigint") return item;
    if (Array.isArray(item)) stack.push(...item);
    else if (item !== null && typeof item === "object") stack.push(...Object.values(item));
  }
  return null;
}

export function withoutExt(value) {
  if (Array.isArray(value)) return value.map(withoutExt);
  if (isObject(value)) {
    const copy = Object.create(null);
    for (const key of Object.keys(value)) if (key !== "ext") copy[key] = withoutExt(value[key]);
    return copy;
  }
  return value;
}

// --- canonical JSON ---------------------------------------------------------------------------

// Code point order, which differs from JavaScript's UTF-16 order only between a surrogate pair
// (U+10000 and above) and U+E000–U+FFFF.
export function compareCodePoints(a, b) {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    let x = a.charCodeAt(index);
    let y = b.charCodeAt(index);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

// canon(x) as a string: keys in code-point order, no whitespace, the shortest escapes (JSON.stringify
// writes strings exactly so once lone surrogates are excluded: lower-case \u00XX below U+0020,
// nothing else escaped but " and \).
export function canon(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value === null || value === true || value === false) return String(value);
  if (Array.isArray(value)) return "[" + value.map(canon).join(",") + "]";
  const keys = Object.keys(value).sort(compareCodePoints);
  return "{" + keys.map((key) => JSON.stringify(key) + ":" + canon(value[key])).join(",") + "}";
}

// The bytes a signature covers (spec v2 §1): "gongzhi/2/" + purpose, a 0x00 byte, then the
// signed text as UTF-8 — canon(body) for a record's bodies, the server's challenge for a phone's
// proof of possession.
export function signedText(purpose, text) {
  return utf8("gongzhi/2/" + purpose + "\u0000" + text);
}

export function signedMessage(purpose, body) {
  return signedText(purpose, canon(body));
}

// --- base64 -----------------------------------------------------------------------------------

const URL_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const STD_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_VALUES = digitValues(URL_DIGITS);
const STD_VALUES = digitValues(STD_DIGITS);
const STRAY_BITS = [0, 0, 0b1111, 0b11]; // of the last character, by length % 4

function digitValues(digits) {
  const values = new Int16Array(128).fill(-1);
  for (let index = 0; index < digits.length; index++) values[digits.charCodeAt(index)] = index;
  return values;
}

function encode(bytes, digits, padded) {
  let out = "";
  let index = 0;
  for (; index + 2 < bytes.length; index += 3) {
    const n = (bytes[index] << 16) | (bytes[index + 1] << 8) | bytes[index + 2];
    out += digits[n >> 18] + digits[(n >> 12) & 63] + digits[(n >> 6) & 63] + digits[n & 63];
  }
  const rest = bytes.length - index;
  if (rest === 1) {
    const n = bytes[index] << 16;
    out += digits[n >> 18] + digits[(n >> 12) & 63] + (padded ? "==" : "");
  } else if (rest === 2) {
    const n = (bytes[index] << 16) | (bytes[index + 1] << 8);
    out += digits[n >> 18] + digits[(n >> 12) & 63] + digits[(n >> 6) & 63] + (padded ? "=" : "");
  }
  return out;
}

function decodeDigits(text, values) {
  const remainder = text.length % 4;
  const out = new Uint8Array(Math.floor(text.length / 4) * 3 + (remainder ? remainder - 1 : 0));
  let bits = 0;
  let count = 0;
  let at = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const value = code < 128 ? values[code] : -1;
    if (value < 0) return null;
    bits = (bits << 6) | value;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[at++] = (bits >> count) & 0xff;
      bits &= (1 << count) - 1;
    }
  }
  return out;
}

// b64: base64url without padding.
export function b64e(bytes) {
  return encode(bytes, URL_DIGITS, false);
}

// Strict b64 decoding: the url-safe alphabet only, no padding, no stray bits; null where the text
// is no b64 (or no string), so that every byte string has exactly one spelling.
export function b64d(text) {
  if (typeof text !== "string" || text.length % 4 === 1) return null;
  const remainder = text.length % 4;
  if (remainder) {
    const last = text.charCodeAt(text.length - 1);
    if (last < 128 && URL_VALUES[last] >= 0 && URL_VALUES[last] & STRAY_BITS[remainder]) return null;
  }
  return decodeDigits(text, URL_VALUES);
}

// std64: standard base64 with padding, as signed notes write it.
export function std64e(bytes) {
  return encode(bytes, STD_DIGITS, true);
}

// std64 as a signature line of a held checkpoint is read: the standard alphabet, padding
// required, unused bits not checked (as Go's base64.StdEncoding); null where it is not.
export function std64d(text) {
  if (text.length % 4) return null;
  const body = text.replace(/={1,2}$/, "");
  if (body.length % 4 === 1) return null;
  return decodeDigits(body, STD_VALUES);
}

// --- timestamps -------------------------------------------------------------------------------

const TIMESTAMP = new RegExp("^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
  + "(?:\\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$");
const MICROS_PER_SECOND = 1000000n;

// Days since 1970-01-01 of a date of the proleptic Gregorian calendar.
function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524)
    - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function daysInMonth(year, month) {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// A timestamp (§1) as microseconds since the epoch (a BigInt: years 1–9999 are beyond 2^53 µs),
// or null where the text is not one.
export function instant(text) {
  const match = typeof text === "string" ? TIMESTAMP.exec(text) : null;
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const fraction = match[7] || "";
  if (/[1-9]/.test(fraction.slice(6))) return null; // finer than a microsecond
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (match[8] === undefined) {
    const offsetHours = Number(match[10]);
    const offsetMinutes = Number(match[11]);
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    offset = (match[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60;
  }
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return BigInt(seconds) * MICROS_PER_SECOND + BigInt((fraction.slice(0, 6) + "000000").slice(0, 6));
}

const BEIJING_OFFSET = 8n * 3600n * MICROS_PER_SECOND;
export const BEIJING_EARLIEST = instant("0001-01-01T00:00:00+08:00");
export const BEIJING_LATEST = instant("9999-12-31T23:59:59.999999+08:00");

function pad(number, width) {
  return String(number).padStart(width, "0");
}

// An instant written in Beijing time as Python's datetime.isoformat writes it:
// YYYY-MM-DDTHH:MM:SS[.ffffff]+08:00, the fraction only where it is not zero.
export function beijingTime(microseconds) {
  const local = microseconds + BEIJING_OFFSET;
  let seconds = local / MICROS_PER_SECOND;
  let micro = local % MICROS_PER_SECOND;
  if (micro < 0n) {
    micro += MICROS_PER_SECOND;
    seconds -= 1n;
  }
  const secondsOfDay = Number(((seconds % 86400n) + 86400n) % 86400n);
  const days = Number((seconds - BigInt(secondsOfDay)) / 86400n);
  const [year, month, day] = civilFromDays(days);
  return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + "T" + pad(Math.floor(secondsOfDay / 3600), 2)
    + ":" + pad(Math.floor(secondsOfDay / 60) % 60, 2) + ":" + pad(secondsOfDay % 60, 2)
    + (micro ? "." + pad(micro, 6) : "") + "+08:00";
}

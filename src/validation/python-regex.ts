// Translates a Python `re` pattern (llm_call's regex engine) into RE2 syntax, for the linear-time
// engine, and into JavaScript syntax, for the backtracking fallback that only lookaheads and
// backreferences need. Python's meanings are kept where the engines differ: `$` also matches
// before a final newline, `\Z` is the end, `\d \w \s` are Unicode unless re.ASCII, `{,n}` is
// `{0,n}`, `(?P=name)` is a backreference, verbose mode drops whitespace and comments.

/** Python `re` flag bits (re.I, re.L, re.M, re.S, re.U, re.X, re.A, re.DEBUG). */
export const PyFlag = {
  IGNORECASE: 2,
  LOCALE: 4,
  MULTILINE: 8,
  DOTALL: 16,
  UNICODE: 32,
  VERBOSE: 64,
  DEBUG: 128,
  ASCII: 256,
} as const;
const KNOWN_BITS = Object.values(PyFlag).reduce((all, bit) => all | bit, 0);
const LETTER_BITS: Record<string, number> = {
  a: PyFlag.ASCII,
  i: PyFlag.IGNORECASE,
  L: PyFlag.LOCALE,
  m: PyFlag.MULTILINE,
  s: PyFlag.DOTALL,
  u: PyFlag.UNICODE,
  x: PyFlag.VERBOSE,
};

export type TranslatedPattern = {
  /** RE2 syntax, or undefined when the pattern needs backtracking (lookahead, backreference). */
  re2: string | undefined;
  /** JavaScript syntax for the `u` flag (plus `i` when `ignoreCase`), or undefined when it cannot be written so. */
  js: string | undefined;
  /** Global flags after the leading inline group: re.I, re.M, re.S. */
  ignoreCase: boolean;
  multiline: boolean;
  dotAll: boolean;
  /** The pattern holds a lookbehind (RE2 needs its lookbehind mode). */
  lookbehind: boolean;
};

export class PatternError extends Error {}

/** Maps Python flag letters (a, i, L, m, s, u, x) to bits; JavaScript's `g` is accepted and ignored. */
export function flagLetters(letters: string): number {
  let bits = 0;
  for (const letter of letters) {
    if (letter === "g") continue;
    const bit = LETTER_BITS[letter];
    if (bit === undefined) {
      throw new PatternError(
        `unknown flag "${letter}"; use letters from a, i, m, s, u, x or a Python re flags number (re.I = 2)`,
      );
    }
    bits |= bit;
  }
  return bits;
}

/** Checks Python flag bits as `re.compile` does for a str pattern. */
export function checkFlagBits(bits: number): void {
  const unknown = bits & ~KNOWN_BITS;
  if (unknown !== 0) throw new PatternError(`unknown Python re flag bits ${unknown}`);
  if (bits & PyFlag.LOCALE) throw new PatternError("cannot use LOCALE flag with a str pattern");
  if (bits & PyFlag.ASCII && bits & PyFlag.UNICODE)
    throw new PatternError("ASCII and UNICODE flags are incompatible");
}

const hexRe2 = (cp: number) => `\\x{${cp.toString(16)}}`;
const hexJs = (cp: number) => `\\u{${cp.toString(16)}}`;

// Python's classes: ASCII forms under re.ASCII, Unicode forms otherwise (as `str.isalnum()` and
// `str.isspace()` read them). Inside a character class a negated Unicode form cannot be written, so
// \W and \S there stay ASCII.
const CLASSES = {
  d: { ascii: "0-9", unicode: "\\p{Nd}" },
  w: { ascii: "0-9A-Za-z_", unicode: "\\p{L}\\p{N}_" },
  s: { ascii: "\\t\\n\\v\\f\\r ", unicode: "\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\p{Z}" },
} as const;

type Scope = { multiline: boolean; dotAll: boolean; ignoreCase: boolean };

/** Translates one Python pattern; throws PatternError with Python's kind of message when it is not valid. */
export function translatePythonPattern(pattern: string, flagBits: number): TranslatedPattern {
  checkFlagBits(flagBits);
  let bits = flagBits;
  let i = 0;
  const global = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (global?.[1] !== undefined) {
    bits |= flagLetters(global[1]);
    checkFlagBits(bits);
    i = global[0].length;
  }
  const ascii = (bits & PyFlag.ASCII) !== 0;
  const verbose = (bits & PyFlag.VERBOSE) !== 0;
  const base: Scope = {
    multiline: (bits & PyFlag.MULTILINE) !== 0,
    dotAll: (bits & PyFlag.DOTALL) !== 0,
    ignoreCase: (bits & PyFlag.IGNORECASE) !== 0,
  };
  const scopes: Scope[] = [base];
  const scope = () => scopes[scopes.length - 1] ?? base;
  let re2 = "";
  let js = "";
  let backtracking = false;
  let jsBroken = false;
  let lookbehind = false;
  const emit = (r: string, j: string = r) => {
    re2 += r;
    js += j;
  };
  const fail = (what: string, at: number): never => {
    throw new PatternError(`${what} at position ${at}`);
  };

  /** One escape at pattern[at] === "\\"; answers how many characters it used. */
  const readEscape = (at: number, inClass: boolean): number => {
    const c = pattern[at + 1];
    if (c === undefined) return fail("bad escape (end of pattern)", at);
    const cls = CLASSES[c.toLowerCase() as keyof typeof CLASSES];
    if (cls !== undefined) {
      const negated = c !== c.toLowerCase();
      const body = ascii ? cls.ascii : cls.unicode;
      if (!inClass) {
        emit(`[${negated ? "^" : ""}${body}]`);
      } else if (!negated) {
        emit(body);
      } else if (c === "D" && !ascii) {
        emit("\\P{Nd}");
      } else {
        emit(`\\${c}`);
      }
      return 2;
    }
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    if (simple[c] !== undefined) {
      emit(hexRe2(simple[c]), hexJs(simple[c]));
      return 2;
    }
    if (c === "x" || c === "u" || c === "U") {
      const width = { x: 2, u: 4, U: 8 }[c];
      const hex = pattern.slice(at + 2, at + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return fail(`incomplete escape \\${c}${hex}`, at);
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) return fail(`bad escape \\${c}${hex}`, at);
      emit(hexRe2(cp), hexJs(cp));
      return 2 + width;
    }
    if (/[0-9]/.test(c)) {
      const octal = /^[0-7]{1,3}/.exec(pattern.slice(at + 1))?.[0] ?? "";
      // As sre_parse reads it: \0 and three octal digits are a character (inside a class any
      // octal digits are); otherwise one or two digits name a group.
      if (c === "0" || octal.length === 3 || inClass) {
        if (octal.length === 0) return fail(`bad escape \\${c}`, at);
        const cp = Number.parseInt(octal, 8);
        if (cp > 0o377) return fail(`octal escape value \\${octal} outside of range 0-0o377`, at);
        emit(hexRe2(cp), hexJs(cp));
        return 1 + octal.length;
      }
      const group = /^[0-9]{1,2}/.exec(pattern.slice(at + 1))?.[0] ?? c;
      backtracking = true;
      emit("", `\\${group}`);
      return 1 + group.length;
    }
    if (c === "A" && !inClass) {
      emit("\\A", "(?<![\\s\\S])");
      return 2;
    }
    if (c === "Z" && !inClass) {
      emit("\\z", "(?![\\s\\S])");
      return 2;
    }
    if ((c === "b" || c === "B") && !inClass) {
      emit(`\\${c}`);
      return 2;
    }
    if (c === "b" && inClass) {
      emit(hexRe2(8), hexJs(8));
      return 2;
    }
    if (c === "N") return fail("named character escapes \\N{…} are not supported", at);
    if (/[A-Za-z]/.test(c)) return fail(`bad escape \\${c}`, at);
    const cp = c.codePointAt(0) ?? 0;
    emit(hexRe2(cp), hexJs(cp));
    return 1 + (cp > 0xffff ? 2 : 1);
  };

  /** A character class starting at pattern[at] === "["; answers where it ends (after "]"). */
  const charClass = (at: number): number => {
    let j = at + 1;
    emit("[");
    if (pattern[j] === "^") {
      emit("^");
      j++;
    }
    let first = true;
    while (j < pattern.length) {
      const c = pattern[j] ?? "";
      if (c === "]" && !first) {
        emit("]");
        return j + 1;
      }
      first = false;
      if (c === "\\") {
        j += readEscape(j, true);
        continue;
      }
      if (c === "-") {
        emit("-");
        j++;
        continue;
      }
      const cp = c.codePointAt(0) ?? 0;
      const size = cp > 0xffff ? 2 : 1;
      // Brackets and other syntax characters are written as escapes: RE2 would read `[:` as a POSIX
      // class and JavaScript's `u` mode refuses a bare `]` or `[`.
      if (/[[\]{}()|^$.*+?/]/.test(c)) emit(hexRe2(cp), hexJs(cp));
      else emit(pattern.slice(j, j + size));
      j += size;
    }
    return fail("unterminated character set", at);
  };

  /** A group opener at pattern[at] === "("; answers how many characters it used. */
  const group = (at: number): number => {
    const rest = pattern.slice(at);
    const push = (s: Scope = scope()) => scopes.push(s);
    if (!rest.startsWith("(?")) {
      push();
      emit("(");
      return 1;
    }
    const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (named?.[1] !== undefined) {
      push();
      emit(`(?P<${named[1]}>`, `(?<${named[1]}>`);
      return named[0].length;
    }
    const backref = /^\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
    if (backref?.[1] !== undefined) {
      backtracking = true;
      emit("", `\\k<${backref[1]}>`);
      return backref[0].length;
    }
    if (rest.startsWith("(?=") || rest.startsWith("(?!")) {
      backtracking = true;
      push();
      emit("", rest.slice(0, 3));
      return 3;
    }
    if (rest.startsWith("(?<=") || rest.startsWith("(?<!")) {
      lookbehind = true;
      push();
      emit(rest.slice(0, 4));
      return 4;
    }
    if (rest.startsWith("(?:")) {
      push();
      emit("(?:");
      return 3;
    }
    if (rest.startsWith("(?#")) {
      const end = pattern.indexOf(")", at);
      if (end < 0) return fail("missing ), unterminated comment", at);
      return end - at + 1;
    }
    if (rest.startsWith("(?>")) return fail("atomic groups (?>…) are not supported", at);
    if (rest.startsWith("(?(")) return fail("conditional groups (?(…)…) are not supported", at);
    const scoped = /^\(\?([aimsux]*)(?:-([imsx]*))?:/.exec(rest);
    if (scoped !== null && (scoped[1] !== "" || (scoped[2] ?? "") !== "")) {
      const on = scoped[1] ?? "";
      const off = scoped[2] ?? "";
      if (on.includes("x") || off.includes("x"))
        return fail("scoped verbose flag (?x:…) is not supported", at);
      const s = { ...scope() };
      for (const [letters, value] of [
        [on, true],
        [off, false],
      ] as const) {
        if (letters.includes("m")) s.multiline = value;
        if (letters.includes("s")) s.dotAll = value;
        if (letters.includes("i")) s.ignoreCase = value;
      }
      // JavaScript (Node 20) has no scoped case flag; `.`, `^` and `$` are written out instead.
      if (s.ignoreCase !== scope().ignoreCase) jsBroken = true;
      push(s);
      // RE2 keeps its own scoped flags; a and u (ASCII, Unicode classes) have no RE2 letter.
      const re2On = on.replace(/[au]/g, "");
      emit(re2On || off ? `(?${re2On}${off ? `-${off}` : ""}:` : "(?:", "(?:");
      return scoped[0].length;
    }
    if (/^\(\?[aiLmsux-]+\)/.test(rest)) return fail("global flags not at the start of the expression", at);
    return fail("unknown extension (?", at);
  };

  while (i < pattern.length) {
    const c = pattern[i] ?? "";
    if (verbose) {
      if (/[ \t\n\r\v\f]/.test(c)) {
        i++;
        continue;
      }
      if (c === "#") {
        const nl = pattern.indexOf("\n", i);
        i = nl < 0 ? pattern.length : nl + 1;
        continue;
      }
    }
    switch (c) {
      case "\\":
        i += readEscape(i, false);
        break;
      case "[":
        i = charClass(i);
        break;
      case "(":
        i += group(i);
        break;
      case ")":
        if (scopes.length <= 1) fail("unbalanced parenthesis", i);
        scopes.pop();
        emit(")");
        i++;
        break;
      case ".":
        emit(".", scope().dotAll ? "[\\s\\S]" : "[^\\n]");
        i++;
        break;
      case "^":
        emit("^", scope().multiline ? "(?<![^\\n])" : "(?<![\\s\\S])");
        i++;
        break;
      case "$":
        // Python's `$` also matches just before a newline that ends the string.
        emit(
          scope().multiline ? "$" : "(?:\\n?\\z)",
          scope().multiline ? "(?![^\\n])" : "(?=\\n?(?![\\s\\S]))",
        );
        i++;
        break;
      case "{": {
        const q = /^\{(\d*)(?:(,)(\d*))?\}/.exec(pattern.slice(i));
        // `{,n}` is `{0,n}` and `{,}` is `{0,}` in Python; a brace that starts no quantifier is literal.
        if (q !== null && (q[1] !== "" || q[2] !== undefined)) {
          const lo = q[1] === "" ? "0" : q[1];
          const text = q[2] === undefined ? `{${lo}}` : `{${lo},${q[3] ?? ""}}`;
          emit(text);
          i += q[0].length;
          if (pattern[i] === "+") fail("possessive quantifiers are not supported", i);
        } else {
          emit("\\{");
          i++;
        }
        break;
      }
      case "}":
      case "]":
        emit(`\\${c}`);
        i++;
        break;
      case "*":
      case "+":
      case "?":
        emit(c);
        i++;
        if (pattern[i] === "+") fail("possessive quantifiers are not supported", i);
        break;
      default: {
        const cp = c.codePointAt(0) ?? 0;
        const size = cp > 0xffff ? 2 : 1;
        emit(pattern.slice(i, i + size));
        i += size;
      }
    }
  }
  if (scopes.length > 1) fail("missing ), unterminated subpattern", pattern.length);
  return {
    re2: backtracking ? undefined : re2,
    js: jsBroken ? undefined : js,
    ignoreCase: base.ignoreCase,
    multiline: base.multiline,
    dotAll: base.dotAll,
    lookbehind,
  };
}

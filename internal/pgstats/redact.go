package pgstats

import "strings"

// RedactedLiteral replaces every string constant in a query text that
// RedactQueryText returns.
const RedactedLiteral = "'<redacted>'"

// RedactQueryText returns text with every string constant replaced by
// RedactedLiteral, and the value of the SET clause of a SET, ALTER
// ROLE|USER|DATABASE|SYSTEM|FUNCTION|PROCEDURE|ROUTINE or CREATE [OR REPLACE]
// FUNCTION|PROCEDURE statement too, so that
// secrets written as literals, or as the unquoted words, numbers and quoted
// identifiers PostgreSQL also takes as a SET value (SET app.api_key = sk123,
// ALTER ROLE r SET app.pin TO 4242), do not leave the server. pg_stat_statements normalises the constants of DML to $n
// placeholders, but before PostgreSQL 16 it keeps utility statements
// verbatim: ALTER ROLE ... PASSWORD '...', CREATE USER MAPPING ... OPTIONS
// (password '...') and the like would otherwise be reported as written.
//
// It is a small SQL tokenizer, not a parser. Replaced are '...' constants
// (a doubled quote inside is a quote), E'...' constants (backslash escapes
// too; the E stays), the quoted parts of B'...', X'...', N'...' and U&'...'
// constants, and dollar-quoted $$...$$ and $tag$...$tag$ strings. Kept as
// written are double-quoted identifiers, -- and (nested) /* */ comments, $n
// parameters, identifiers containing $ and everything else. A constant left
// unterminated (a truncated text) is replaced up to the end of the text.
//
// A plain '...' constant whose end depends on standard_conforming_strings (a
// backslash before a quote: with the setting off, the backslash escapes it)
// is ambiguous, as the session that ran it is unknown; everything from its
// start to the end of the text is replaced then, so that neither reading can
// leave part of a constant in plain text.
//
// The tokenizer splits only at ASCII bytes, so multibyte UTF-8 stays intact.
// Redacting a prefix of a text (one truncated by the server) hides at least
// what redacting the whole text would within that prefix.
func RedactQueryText(text string) string {
	return redactSetValues(redactConstants(text))
}

// redactConstants replaces the string constants of text (see RedactQueryText).
func redactConstants(text string) string {
	if !strings.ContainsAny(text, `'$`) {
		return text // nothing to redact: the common case of normalised DML
	}
	var b strings.Builder
	b.Grow(len(text))
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		switch {
		case c == '-' && i+1 < n && text[i+1] == '-':
			// A -- comment ends at a newline or a carriage return (PostgreSQL's scan.l:
			// comment ("--"{non_newline}*), non_newline [^\n\r]).
			end := strings.IndexAny(text[i:], "\n\r")
			if end < 0 {
				end = n - i
			}
			b.WriteString(text[i : i+end])
			i += end
		case c == '/' && i+1 < n && text[i+1] == '*':
			end := blockCommentEnd(text, i)
			b.WriteString(text[i:end])
			i = end
		case c == '"':
			end, _ := quotedEnd(text, i+1, '"', false)
			b.WriteString(text[i:end])
			i = end
		case c == '\'':
			end, ok := plainLiteralEnd(text, i+1)
			b.WriteString(RedactedLiteral)
			if !ok {
				return b.String()
			}
			i = end
		case c == '$':
			if i+1 < n && isDigit(text[i+1]) { // a $n parameter
				j := i + 1
				for j < n && isDigit(text[j]) {
					j++
				}
				b.WriteString(text[i:j])
				i = j
				continue
			}
			tag, ok := dollarTag(text, i)
			if !ok {
				b.WriteByte(c)
				i++
				continue
			}
			b.WriteString(RedactedLiteral)
			end := strings.Index(text[i+len(tag):], tag)
			if end < 0 {
				return b.String() // unterminated: hide the rest
			}
			i += len(tag) + end + len(tag)
		case isIdentStart(c):
			j := i + 1
			for j < n && isIdentCont(text[j]) {
				j++
			}
			word := text[i:j]
			b.WriteString(word)
			i = j
			if (word == "E" || word == "e") && i < n && text[i] == '\'' {
				// E'...': backslash escapes, whatever standard_conforming_strings says.
				end, closed := quotedEnd(text, i+1, '\'', true)
				b.WriteString(RedactedLiteral)
				if !closed {
					return b.String()
				}
				i = end
			}
		case isDigit(c):
			// A number (1e5, 0x1F, 1_000): its letters are not a word, so a
			// following quote is never taken for E'.
			j := i + 1
			for j < n && ((isIdentCont(text[j]) && text[j] != '$') || text[j] == '.') {
				j++
			}
			b.WriteString(text[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// plainLiteralEnd returns the index after the closing quote of a '...'
// constant whose body starts at start, read with standard_conforming_strings
// on (a doubled quote is a quote, a backslash is a character). ok is false when the
// constant is unterminated, or when reading backslashes as escapes (the
// setting off) would end it elsewhere: the caller then hides the rest.
func plainLiteralEnd(text string, start int) (end int, ok bool) {
	std, closed := quotedEnd(text, start, '\'', false)
	if !closed {
		return len(text), false
	}
	if strings.IndexByte(text[start:std], '\\') < 0 {
		return std, true // no backslash: both readings agree
	}
	if esc, closed := quotedEnd(text, start, '\'', true); !closed || esc != std {
		return len(text), false
	}
	return std, true
}

// quotedEnd scans a quoted token whose body starts at start and returns the
// index just after its closing quote q, closed false (and len(text)) when it
// is unterminated. A doubled q is part of the body; with backslash, so is
// the byte after a backslash.
func quotedEnd(text string, start int, q byte, backslash bool) (end int, closed bool) {
	for i := start; i < len(text); i++ {
		switch text[i] {
		case '\\':
			if backslash {
				i++
			}
		case q:
			if i+1 < len(text) && text[i+1] == q {
				i++
				continue
			}
			return i + 1, true
		}
	}
	return len(text), false
}

// blockCommentEnd returns the index after the /* */ comment starting at
// start, honouring nesting as PostgreSQL does, or len(text) when it is
// unterminated.
func blockCommentEnd(text string, start int) int {
	depth := 0
	for i := start; i+1 < len(text); i++ {
		switch {
		case text[i] == '/' && text[i+1] == '*':
			depth++
			i++
		case text[i] == '*' && text[i+1] == '/':
			depth--
			i++
			if depth == 0 {
				return i + 1
			}
		}
	}
	return len(text)
}

// dollarTag returns the opening delimiter ($$ or $tag$) of a dollar-quoted
// string starting at text[i] == '$', or ok false when none starts there.
func dollarTag(text string, i int) (tag string, ok bool) {
	j := i + 1
	if j < len(text) && isIdentStart(text[j]) {
		j++
		for j < len(text) && isIdentCont(text[j]) && text[j] != '$' {
			j++
		}
	}
	if j < len(text) && text[j] == '$' {
		return text[i : j+1], true
	}
	return "", false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isIdentStart reports whether c can start an unquoted identifier or key
// word: a letter, an underscore or any byte of a multibyte character.
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// isIdentCont reports whether c can continue an unquoted identifier
// (PostgreSQL allows $ after the first character).
func isIdentCont(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

// truncateRunes returns s cut to at most n characters.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// setValueStatements are the second words of the ALTER statements whose SET clause takes a
// configuration parameter's value (ALTER ROLE r [IN DATABASE d] SET name {= | TO} value, ...).
var setValueStatements = map[string]bool{"ROLE": true, "USER": true, "DATABASE": true, "SYSTEM": true,
	"FUNCTION": true, "PROCEDURE": true, "ROUTINE": true}

// redactSetValues replaces, in each statement of text (split at semicolons outside quotes and
// comments) that is a SET, an ALTER ROLE|USER|DATABASE|SYSTEM|FUNCTION|PROCEDURE|ROUTINE or a
// CREATE [OR REPLACE] FUNCTION|PROCEDURE, the value of its first SET clause (everything after "=" or TO to the statement's end) by
// RedactedLiteral: such a value may be an unquoted word, a number or a quoted identifier, which
// redactConstants keeps. Other statements (UPDATE ... SET col = $1 included) are kept as they are.
func redactSetValues(text string) string {
	var b strings.Builder
	for start := 0; start < len(text); {
		toks, end := statementTokens(text, start)
		b.WriteString(redactSetClause(text[start:end], toks, start))
		if end < len(text) { // the semicolon
			b.WriteByte(';')
			end++
		}
		start = end
	}
	return b.String()
}

// sqlToken is a word, a quoted identifier, a string constant or a punctuation byte of a statement,
// by its byte offsets in the text.
type sqlToken struct {
	start, end int
	word       bool // an unquoted word (keyword or identifier)
}

// statementTokens returns the tokens of the statement starting at start, skipping white space and
// comments, and the offset of its end (the semicolon ending it, or the text's end).
func statementTokens(text string, start int) (toks []sqlToken, end int) {
	n := len(text)
	for i := start; i < n; {
		c := text[i]
		switch {
		case c == ';':
			return toks, i
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '-' && i+1 < n && text[i+1] == '-':
			if e := strings.IndexAny(text[i:], "\n\r"); e >= 0 {
				i += e
			} else {
				i = n
			}
		case c == '/' && i+1 < n && text[i+1] == '*':
			i = blockCommentEnd(text, i)
		case c == '"' || c == '\'':
			e, _ := quotedEnd(text, i+1, c, false)
			toks = append(toks, sqlToken{start: i, end: e})
			i = e
		case isIdentStart(c):
			j := i + 1
			for j < n && isIdentCont(text[j]) {
				j++
			}
			toks = append(toks, sqlToken{start: i, end: j, word: true})
			i = j
		default:
			toks = append(toks, sqlToken{start: i, end: i + 1})
			i++
		}
	}
	return toks, n
}

// redactSetClause redacts the values of stmt's SET clauses (see redactSetValues); toks are its
// tokens, with offsets in the whole text, which starts base bytes before stmt. It does not parse
// the parameter's name (session.x, U&"x" and the like are names too): everything after the first
// "=" or TO that follows a SET word is the value of a clause, or of later clauses (ALTER
// FUNCTION ... SET search_path FROM CURRENT SET app.k = v), and is replaced. In CREATE FUNCTION
// and PROCEDURE only a SET outside parentheses counts, and the search stops at a BEGIN ATOMIC
// body, whose UPDATE ... SET is no clause (a RETURN expr body holds no SET outside parentheses;
// begin and return may also be names, so nothing else is taken for a body). An object named set makes the redaction start early: it hides more,
// never less.
func redactSetClause(stmt string, toks []sqlToken, base int) string {
	word := func(k int) string {
		if k < 0 || k >= len(toks) || !toks[k].word {
			return ""
		}
		return strings.ToUpper(stmt[toks[k].start-base : toks[k].end-base])
	}
	create := false
	switch {
	case word(0) == "SET", word(0) == "ALTER" && setValueStatements[word(1)]:
	case word(0) == "CREATE" && (word(1) == "FUNCTION" || word(1) == "PROCEDURE" ||
		word(1) == "OR" && word(2) == "REPLACE" && (word(3) == "FUNCTION" || word(3) == "PROCEDURE")):
		create = true
	default:
		return stmt
	}
	afterSet, depth := false, 0
	for k := range toks {
		w, tok := word(k), stmt[toks[k].start-base:toks[k].end-base]
		switch tok {
		case "(":
			depth++
		case ")":
			depth--
		}
		switch {
		case create && depth == 0 && w == "BEGIN" && word(k+1) == "ATOMIC":
			return stmt // the SQL-standard body, whose UPDATE ... SET is no clause
		case w == "SET" && (!create || depth == 0):
			afterSet = true
		case afterSet && (w == "TO" || tok == "="):
			return stmt[:toks[k].end-base] + " " + RedactedLiteral
		}
	}
	return stmt // SET ROLE r, SET name FROM CURRENT, ALTER TABLE ... SET (...): no value
}

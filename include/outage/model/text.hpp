#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace outage {

// Longest single-line value (title, owner, service, key) and longest note, in bytes.
inline constexpr size_t max_line_bytes = 1000;
inline constexpr size_t max_note_bytes = 100'000;

// What a value may hold besides printable text (docs/decisions.md, "Bad bytes").
enum class TextKind {
    line, // a title, service, name, key or CSV cell: no control character at all, no bidi mark
    note, // a note or body: may also hold line feeds, carriage returns, tabs and bidi marks
};

// The first character outage refuses in a value, or the first byte that is not UTF-8.
struct RefusedCharacter {
    size_t position = 0;       // 1-based, counted in characters, not bytes
    size_t offset = 0;         // where it starts, in bytes
    char32_t code_point = 0;   // the character, when the text is UTF-8 up to here
    bool invalid_utf8 = false; // then `byte` is the first byte that does not decode
    unsigned char byte = 0;
};

// Finds the first character a value of `kind` may not hold: invalid UTF-8; C0 controls (a
// note keeps tab, LF and CR) and DEL; C1 controls; bidi embeddings, overrides and isolates
// (U+202A..U+202E, U+2066..U+2069) and, in a line, the marks U+061C, U+200E, U+200F;
// zero-width and invisible characters (U+180E, U+200B, U+200C, U+2060..U+2064, U+FEFF, and
// U+200D except between two emoji, where it joins them into one); U+2028, U+2029.
std::optional<RefusedCharacter> find_refused_character(std::string_view text, TextKind kind);

// "character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 7", "byte 0xff at position 3".
std::string describe(const RefusedCharacter& refused);

// The refusal naming the field: "--title: character U+202E (RIGHT-TO-LEFT OVERRIDE) at
// position 7 is not allowed", "--title is not valid UTF-8 (byte 0xe9 at position 4)".
std::string refusal_message(std::string_view what, const RefusedCharacter& refused, TextKind kind);

// Checks an operator-given value before it reaches the log: not blank, within the size
// limit, and no character find_refused_character refuses for its kind.
// Throws Error(usage) naming `what` (the option, e.g. "--title").
void check_line(std::string_view what, std::string_view value);
void check_note(std::string_view what, std::string_view value);

// The text with every character a one-line value may not hold written as an escape (\n, \r,
// \t, \xNN for other controls and for bytes that are not UTF-8, \uNNNN for C1 controls, bidi
// and zero-width characters), so a value quoted in a message or shown on a terminal can
// never break the line, move the cursor, ring the bell or reorder what is shown.
std::string escape_controls(std::string_view text);

// True for a language code as template files are named: two or three lowercase letters, and
// optionally a hyphen and two capitals ("en", "nl", "pt-BR").
bool is_language_code(std::string_view code);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

} // namespace outage

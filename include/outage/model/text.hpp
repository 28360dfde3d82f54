#pragma once

#include <string>
#include <string_view>

namespace outage {

// Longest single-line value (title, owner, service, key) and longest note, in bytes.
inline constexpr size_t max_line_bytes = 1000;
inline constexpr size_t max_note_bytes = 100'000;

// Checks an operator-given value before it reaches the log: valid UTF-8, no control
// characters (a note may hold line breaks and tabs), not blank, within the size limit.
// Throws Error(usage) naming `what` (the option, e.g. "--title").
void check_line(std::string_view what, std::string_view value);
void check_note(std::string_view what, std::string_view value);

// The text with control characters written as escapes (\n, \r, \t, \xNN), so a value
// quoted in a message can never break the message's line.
std::string escape_controls(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

} // namespace outage

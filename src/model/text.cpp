#include "outage/model/text.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace outage {
namespace {

constexpr char32_t zero_width_joiner = 0x200d;

// One character decoded from UTF-8; `length` 0 when the bytes at that point are not UTF-8.
struct Decoded {
    char32_t code = 0;
    size_t length = 0;
};

Decoded decode_at(std::string_view text, size_t i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80)
        return {c, 1};
    size_t extra = 0;
    char32_t code = 0;
    if ((c & 0xe0) == 0xc0) {
        extra = 1;
        code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        extra = 2;
        code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        extra = 3;
        code = c & 0x07;
    } else {
        return {};
    }
    if (i + extra >= text.size())
        return {};
    for (size_t k = 1; k <= extra; ++k) {
        auto next = static_cast<unsigned char>(text[i + k]);
        if ((next & 0xc0) != 0x80)
            return {};
        code = (code << 6) | (next & 0x3f);
    }
    constexpr char32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    if (code < smallest[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        return {};
    return {code, extra + 1};
}

// Pictographs, symbols and what may follow one inside an emoji sequence (the emoji
// presentation selector, skin tones): the characters a ZERO WIDTH JOINER may stand between.
// Wider than Unicode's Extended_Pictographic, which is fine: a joiner between two symbols
// hides nothing.
bool is_emoji_part(char32_t c) {
    return (c >= 0x1f000 && c <= 0x1faff) || (c >= 0x2600 && c <= 0x27bf) ||
           (c >= 0x2300 && c <= 0x23ff) || (c >= 0x2b00 && c <= 0x2bff) || c == 0xfe0f;
}

bool is_bidi_mark(char32_t c) {
    return c == 0x061c || c == 0x200e || c == 0x200f;
}

// Characters refused in every kind of value, apart from the joiner (decided by its
// neighbours) and the C0 controls (by kind).
bool always_refused(char32_t c) {
    return c == 0x7f || (c >= 0x80 && c <= 0x9f) ||       // DEL, C1 controls
           (c >= 0x202a && c <= 0x202e) ||                // bidi embeddings and overrides
           (c >= 0x2066 && c <= 0x2069) ||                // bidi isolates
           c == 0x180e || c == 0x200b || c == 0x200c ||   // invisible separators
           (c >= 0x2060 && c <= 0x2064) || c == 0xfeff || // word joiner, invisible operators
           c == 0x2028 || c == 0x2029;                    // Unicode line and paragraph breaks
}

bool refused(char32_t c, TextKind kind) {
    if (c < 0x20)
        return kind == TextKind::line || !(c == '\n' || c == '\r' || c == '\t');
    if (is_bidi_mark(c))
        return kind == TextKind::line;
    return always_refused(c);
}

constexpr std::array<const char*, 32> c0_names = {
    "NULL",
    "START OF HEADING",
    "START OF TEXT",
    "END OF TEXT",
    "END OF TRANSMISSION",
    "ENQUIRY",
    "ACKNOWLEDGE",
    "BELL",
    "BACKSPACE",
    "CHARACTER TABULATION",
    "LINE FEED",
    "LINE TABULATION",
    "FORM FEED",
    "CARRIAGE RETURN",
    "SHIFT OUT",
    "SHIFT IN",
    "DATA LINK ESCAPE",
    "DEVICE CONTROL ONE",
    "DEVICE CONTROL TWO",
    "DEVICE CONTROL THREE",
    "DEVICE CONTROL FOUR",
    "NEGATIVE ACKNOWLEDGE",
    "SYNCHRONOUS IDLE",
    "END OF TRANSMISSION BLOCK",
    "CANCEL",
    "END OF MEDIUM",
    "SUBSTITUTE",
    "ESCAPE",
    "INFORMATION SEPARATOR FOUR",
    "INFORMATION SEPARATOR THREE",
    "INFORMATION SEPARATOR TWO",
    "INFORMATION SEPARATOR ONE",
};

constexpr std::pair<char32_t, const char*> other_names[] = {
    {0x7f, "DELETE"},
    {0x85, "NEXT LINE"},
    {0x90, "DEVICE CONTROL STRING"},
    {0x9b, "CONTROL SEQUENCE INTRODUCER"},
    {0x9d, "OPERATING SYSTEM COMMAND"},
    {0x061c, "ARABIC LETTER MARK"},
    {0x180e, "MONGOLIAN VOWEL SEPARATOR"},
    {0x200b, "ZERO WIDTH SPACE"},
    {0x200c, "ZERO WIDTH NON-JOINER"},
    {0x200d, "ZERO WIDTH JOINER"},
    {0x200e, "LEFT-TO-RIGHT MARK"},
    {0x200f, "RIGHT-TO-LEFT MARK"},
    {0x2028, "LINE SEPARATOR"},
    {0x2029, "PARAGRAPH SEPARATOR"},
    {0x202a, "LEFT-TO-RIGHT EMBEDDING"},
    {0x202b, "RIGHT-TO-LEFT EMBEDDING"},
    {0x202c, "POP DIRECTIONAL FORMATTING"},
    {0x202d, "LEFT-TO-RIGHT OVERRIDE"},
    {0x202e, "RIGHT-TO-LEFT OVERRIDE"},
    {0x2060, "WORD JOINER"},
    {0x2061, "FUNCTION APPLICATION"},
    {0x2062, "INVISIBLE TIMES"},
    {0x2063, "INVISIBLE SEPARATOR"},
    {0x2064, "INVISIBLE PLUS"},
    {0x2066, "LEFT-TO-RIGHT ISOLATE"},
    {0x2067, "RIGHT-TO-LEFT ISOLATE"},
    {0x2068, "FIRST STRONG ISOLATE"},
    {0x2069, "POP DIRECTIONAL ISOLATE"},
    {0xfeff, "ZERO WIDTH NO-BREAK SPACE"},
};

std::string character_name(char32_t c) {
    if (c < c0_names.size())
        return c0_names[c];
    for (const auto& [code, name] : other_names)
        if (code == c)
            return name;
    if (c >= 0x80 && c <= 0x9f)
        return "C1 CONTROL";
    return "";
}

void check_text(std::string_view what, std::string_view value, TextKind kind, size_t limit) {
    if (value.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw Error(Exit::usage, fmt::format("{} is empty", what));
    if (value.size() > limit)
        throw Error(Exit::usage,
                    fmt::format("{} is {} bytes long; the limit is {}", what, value.size(), limit));
    if (auto bad = find_refused_character(value, kind))
        throw Error(Exit::usage, refusal_message(what, *bad, kind));
}

} // namespace

std::optional<RefusedCharacter> find_refused_character(std::string_view text, TextKind kind) {
    size_t position = 0;
    char32_t previous = 0;
    for (size_t i = 0; i < text.size();) {
        ++position;
        Decoded here = decode_at(text, i);
        if (here.length == 0)
            return RefusedCharacter{.position = position,
                                    .offset = i,
                                    .invalid_utf8 = true,
                                    .byte = static_cast<unsigned char>(text[i])};
        bool bad = refused(here.code, kind);
        if (here.code == zero_width_joiner) {
            // Allowed only inside an emoji sequence (firefighter, rainbow flag): anywhere else it
            // is invisible and makes two equal-looking values differ.
            size_t next_at = i + here.length;
            Decoded next = next_at < text.size() ? decode_at(text, next_at) : Decoded{};
            bad = !(is_emoji_part(previous) && next.length > 0 && is_emoji_part(next.code));
        }
        if (bad)
            return RefusedCharacter{.position = position, .offset = i, .code_point = here.code};
        previous = here.code;
        i += here.length;
    }
    return std::nullopt;
}

std::string describe(const RefusedCharacter& refused) {
    if (refused.invalid_utf8)
        return fmt::format("byte 0x{:02x} at position {}", refused.byte, refused.position);
    std::string name = character_name(refused.code_point);
    return fmt::format("character U+{:04X}{} at position {}",
                       static_cast<uint32_t>(refused.code_point),
                       name.empty() ? "" : fmt::format(" ({})", name), refused.position);
}

std::string refusal_message(std::string_view what, const RefusedCharacter& refused, TextKind kind) {
    if (refused.invalid_utf8)
        return fmt::format("{} is not valid UTF-8 ({})", what, describe(refused));
    bool line_break = refused.code_point == '\n' || refused.code_point == '\r';
    return fmt::format("{}: {} is not allowed{}", what, describe(refused),
                       kind == TextKind::line && line_break ? "; it must be one line" : "");
}

void check_line(std::string_view what, std::string_view value) {
    check_text(what, value, TextKind::line, max_line_bytes);
}

void check_note(std::string_view what, std::string_view value) {
    check_text(what, value, TextKind::note, max_note_bytes);
}

std::string escape_controls(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        auto rest = text.substr(i);
        auto bad = find_refused_character(rest, TextKind::line);
        // Everything before the first refused character goes through as it is.
        out += rest.substr(0, bad ? bad->offset : rest.size());
        if (!bad)
            break;
        i += bad->offset;
        if (bad->invalid_utf8) {
            out += fmt::format("\\x{:02x}", bad->byte);
            ++i;
            continue;
        }
        char32_t c = bad->code_point;
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x80)
            out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
        else
            out += fmt::format("\\u{:04x}", static_cast<uint32_t>(c));
        i += decode_at(text, i).length;
    }
    return out;
}

bool is_language_code(std::string_view code) {
    auto letters = [](std::string_view part, char first, char last) {
        return std::all_of(part.begin(), part.end(),
                           [&](char c) { return c >= first && c <= last; });
    };
    std::string_view language = code.substr(0, code.find('-'));
    if (language.size() < 2 || language.size() > 3 || !letters(language, 'a', 'z'))
        return false;
    if (language.size() == code.size())
        return true;
    std::string_view region = code.substr(language.size() + 1);
    return region.size() == 2 && letters(region, 'A', 'Z');
}

bool is_valid_utf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        size_t length = decode_at(text, i).length;
        if (length == 0)
            return false;
        i += length;
    }
    return true;
}

} // namespace outage

#include "outage/model/text.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

namespace outage {
namespace {

void check_text(std::string_view what, std::string_view value, bool multiline, size_t limit) {
    if (value.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw Error(Exit::usage, fmt::format("{} is empty", what));
    if (value.size() > limit)
        throw Error(Exit::usage,
                    fmt::format("{} is {} bytes long; the limit is {}", what, value.size(), limit));
    if (!is_valid_utf8(value))
        throw Error(Exit::usage, fmt::format("{} is not valid UTF-8", what));
    for (unsigned char c : value) {
        bool allowed_break = multiline && (c == '\n' || c == '\r' || c == '\t');
        if ((c < 0x20 || c == 0x7f) && !allowed_break)
            throw Error(Exit::usage,
                        fmt::format("{} contains a control character (0x{:02x}){}", what, c,
                                    multiline ? "" : "; it must be one line"));
    }
}

} // namespace

void check_line(std::string_view what, std::string_view value) {
    check_text(what, value, false, max_line_bytes);
}

void check_note(std::string_view what, std::string_view value) {
    check_text(what, value, true, max_note_bytes);
}

std::string escape_controls(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else if (c == '\t')
            out += "\\t";
        else if (c < 0x20 || c == 0x7f)
            out += fmt::format("\\x{:02x}", c);
        else
            out += static_cast<char>(c);
    }
    return out;
}

bool is_valid_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        size_t extra = 0;
        char32_t code = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            code = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            code = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            code = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= text.size())
            return false;
        for (size_t k = 1; k <= extra; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xc0) != 0x80)
                return false;
            code = (code << 6) | (next & 0x3f);
        }
        constexpr char32_t smallest[] = {0, 0x80, 0x800, 0x10000};
        if (code < smallest[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
            return false;
        i += extra + 1;
    }
    return true;
}

} // namespace outage

#include "outage/deliver/email.hpp"

#include "outage/io/digest.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <ctime>
#include <optional>

namespace outage {
namespace {

void refuse_injection(std::string_view header, std::string_view value) {
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
        throw Error(Exit::usage, fmt::format("the {} header would contain a line break; refused "
                                             "(header injection)",
                                             header));
}

bool needs_encoding(std::string_view text) {
    for (unsigned char c : text)
        if (c >= 0x80 || c < 0x20)
            return true;
    return text.find("=?") != std::string_view::npos;
}

} // namespace

std::string rfc5322_date(Timestamp t) {
    std::time_t raw = t.time_since_epoch().count();
    std::tm tm{};
    gmtime_r(&raw, &tm);
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", days[tm.tm_wday], tm.tm_mday,
                       months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

namespace {

// RFC 5322 2.1.1: a line is at most 998 characters and should be at most 78.
constexpr size_t max_line = 998;
constexpr size_t short_line = 78;

std::string encoded_words(std::string_view text) {
    // Encoded-words stay within 75 characters: 45 bytes of UTF-8 become 60 of base64.
    std::string out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = std::min(start + 45, text.size());
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80)
            --end; // never split a character
        if (!out.empty())
            out += "\r\n ";
        out += fmt::format("=?UTF-8?B?{}?=", base64(text.substr(start, end - start)));
        start = end;
    }
    return out;
}

// `text` folded (RFC 5322 2.2.3) before white space so that, after `used` characters of the
// header's name, lines stay within 78 characters where the words allow; a line is never only
// white space. Nothing when a line would still exceed 998 characters.
std::optional<std::string> fold_words(size_t used, std::string_view text) {
    std::string out;
    size_t line = used;
    for (size_t i = 0; i < text.size();) {
        size_t word = std::min(text.find_first_not_of(" \t", i), text.size());
        size_t next = std::min(text.find_first_of(" \t", word), text.size());
        std::string_view piece = text.substr(i, next - i);
        if (i > 0 && word < next && line + piece.size() > short_line) {
            out += "\r\n";
            line = 0;
        }
        if (line + piece.size() > max_line)
            return std::nullopt;
        out += piece;
        line += piece.size();
        i = next;
    }
    return out;
}

} // namespace

std::string encode_header_text(std::string_view text) {
    return needs_encoding(text) ? encoded_words(text) : std::string(text);
}

std::string header_field(std::string_view name, std::string_view text) {
    std::string start = fmt::format("{}: ", name);
    if (!needs_encoding(text))
        if (auto folded = fold_words(start.size(), text))
            return start + *folded;
    return start + encoded_words(text);
}

std::string quoted_printable(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    size_t line_length = 0;
    auto emit = [&](std::string_view piece) {
        if (line_length + piece.size() > 75) {
            out += "=\r\n";
            line_length = 0;
        }
        out += piece;
        line_length += piece.size();
    };
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
            continue; // CRLF arrives as its LF
        bool line_end = i + 1 == text.size() || text[i + 1] == '\n' ||
                        (text[i + 1] == '\r' && i + 2 < text.size() && text[i + 2] == '\n');
        if (c == '\n') {
            out += "\r\n";
            line_length = 0;
        } else if (((c == ' ' || c == '\t') && !line_end) || (c >= 33 && c <= 126 && c != '=')) {
            emit(text.substr(i, 1));
        } else {
            const char encoded[] = {'=', hex[c >> 4], hex[c & 0xf]};
            emit({encoded, 3}); // also a space or tab at a line end
        }
    }
    return out;
}

std::string bare_address(std::string_view from) {
    auto open = from.rfind('<');
    auto close = from.rfind('>');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open)
        return std::string(from.substr(open + 1, close - open - 1));
    return std::string(from);
}

std::string format_email(const Email& email) {
    refuse_injection("From", email.from);
    refuse_injection("To", email.to);
    refuse_injection("Subject", email.subject);
    refuse_injection("Message-ID", email.message_id);
    std::string message;
    message += fmt::format("From: {}\r\n", email.from);
    message += fmt::format("To: {}\r\n", email.to);
    message += header_field("Subject", email.subject) + "\r\n";
    message += fmt::format("Date: {}\r\n", rfc5322_date(email.date));
    message += fmt::format("Message-ID: <{}>\r\n", email.message_id);
    message += "MIME-Version: 1.0\r\n";
    message += "Content-Type: text/plain; charset=UTF-8\r\n";
    message += "Content-Transfer-Encoding: quoted-printable\r\n";
    message += "Auto-Submitted: auto-generated\r\n";
    message += "\r\n";
    message += quoted_printable(email.body);
    if (!message.ends_with("\r\n"))
        message += "\r\n";
    return message;
}

} // namespace outage

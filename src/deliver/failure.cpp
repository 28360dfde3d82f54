// Telling a failed delivery's kind and reason from how its transfer ended
// (docs/notify.md#failures).
#include "outage/deliver/failure.hpp"

#include <fmt/format.h>

#include <cstdint>

namespace outage {
namespace {

// How long the part of a server's answer quoted in a reason may be, in bytes.
constexpr std::size_t max_smtp_text = 300;
constexpr std::size_t max_http_body = 200;

// The code point starting at text[i] and its length in bytes; U+FFFD and 1 for a byte that
// does not start a well-formed sequence.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text, std::size_t i) {
    constexpr std::pair<char32_t, std::size_t> invalid{U'\uFFFD', 1};
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    if (lead < 0x80)
        return {lead, 1};
    std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (length == 0 || lead > 0xf4 || i + length > text.size())
        return invalid;
    char32_t cp = lead & (0x7f >> length);
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80)
            return invalid;
        cp = (cp << 6) | (byte(i + k) & 0x3f);
    }
    static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[length] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return invalid;
    return {cp, length};
}

// Characters that would change how the rest of a terminal line looks: C0 and C1 controls,
// bidi overrides and isolates, zero-width characters.
bool is_hidden_control(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// An SMTP reply ("550-5.1.1 first\r\n550 5.1.1 second\r\n") as its code and its lines'
// text joined: {550, "5.1.1 first 5.1.1 second"}. {0, ""} when it is not a reply.
std::pair<long, std::string> parse_reply(std::string_view answer) {
    long code = 0;
    std::string text;
    while (!answer.empty()) {
        std::size_t end = answer.find('\n');
        std::string_view line = answer.substr(0, end);
        answer = end == std::string_view::npos ? std::string_view() : answer.substr(end + 1);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
            line[2] < '0' || line[2] > '9')
            continue;
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
        std::string_view rest = line.size() > 4 ? line.substr(4) : std::string_view();
        if (!rest.empty()) {
            if (!text.empty())
                text += ' ';
            text += rest;
        }
    }
    return {code, text};
}

// Whether a 5xx reply at `stage` refuses this message, or the sender: a refused login,
// greeting or sender address is the config's fault and refuses every message alike, so it is
// tried again once the config is fixed (docs/decisions.md). A message too large for the
// server is refused at MAIL FROM with 552 (RFC 1870).
bool refuses_message(std::string_view stage, long code) {
    for (std::string_view sender : {"the greeting", "EHLO", "HELO", "STARTTLS", "AUTH"})
        if (stage == sender)
            return false;
    return stage != "MAIL FROM" || code == 552;
}

std::string at(const TransferEnd& end) {
    return end.stage.empty() ? std::string() : fmt::format(" (at {})", end.stage);
}

} // namespace

std::string one_line_excerpt(std::string_view text, std::size_t limit) {
    std::string out;
    bool space = false;
    for (std::size_t i = 0; i < text.size();) {
        auto [cp, length] = decode_utf8(text, i);
        i += length;
        if (cp == ' ' || is_hidden_control(cp)) {
            space = !out.empty();
            continue;
        }
        std::string piece = space ? " " : "";
        append_utf8(piece, cp);
        if (out.size() + piece.size() > limit) {
            out += "...";
            return out;
        }
        out += piece;
        space = false;
    }
    return out;
}

std::optional<DeliveryFailure> smtp_failure(std::string_view server, const TransferEnd& end) {
    if (end.ending == TransferEnd::Ending::done)
        return std::nullopt;
    if (end.ending == TransferEnd::Ending::timed_out) {
        if (end.stage.empty())
            return DeliveryFailure(
                FailureKind::timeout,
                fmt::format("SMTP {}: no connection within {} s", server, end.timeout_seconds));
        return DeliveryFailure(
            FailureKind::timeout,
            fmt::format("SMTP {}: no answer within {} s{}", server, end.timeout_seconds, at(end)));
    }
    auto [code, text] = parse_reply(end.answer);
    if (code == 0)
        code = end.code;
    std::string said = one_line_excerpt(text, max_smtp_text);
    std::string reply = said.empty() ? std::to_string(code) : fmt::format("{} {}", code, said);
    if (code >= 400 && code <= 599)
        return DeliveryFailure(code >= 500 && refuses_message(end.stage, code)
                                   ? FailureKind::permanent
                                   : FailureKind::transient,
                               fmt::format("SMTP {}: {}{}", server, reply, at(end)));
    std::string error = one_line_excerpt(end.error, max_smtp_text);
    if (code == 0)
        return DeliveryFailure(FailureKind::transient,
                               fmt::format("SMTP {}: {}{}", server, error, at(end)));
    return DeliveryFailure(FailureKind::transient, fmt::format("SMTP {}: {}; the server said {}{}",
                                                               server, error, reply, at(end)));
}

std::optional<DeliveryFailure> webhook_failure(std::string_view name, const TransferEnd& end) {
    if (end.ending == TransferEnd::Ending::timed_out)
        return DeliveryFailure(
            FailureKind::timeout,
            fmt::format("webhook {}: no answer within {} s", name, end.timeout_seconds));
    if (end.ending == TransferEnd::Ending::failed)
        return DeliveryFailure(
            FailureKind::transient,
            fmt::format("webhook {}: {}", name, one_line_excerpt(end.error, max_smtp_text)));
    long status = end.code;
    if (status >= 200 && status <= 299)
        return std::nullopt;
    // 408 and 429 ask to come back later; 401 and 407 refuse the config's credentials, not
    // the message, and are tried again once the token is fixed.
    bool refused = status >= 400 && status <= 499 && status != 408 && status != 429 &&
                   status != 401 && status != 407;
    std::string body = one_line_excerpt(end.answer, max_http_body);
    return DeliveryFailure(refused ? FailureKind::permanent : FailureKind::transient,
                           fmt::format("webhook {}: the server answered HTTP {}{}{}", name, status,
                                       body.empty() ? "" : ": ", body));
}

} // namespace outage

#pragma once

#include "outage/model/time.hpp"

#include <string>
#include <string_view>

namespace outage {

// One e-mail as it goes on the wire or into an .eml file.
struct Email {
    std::string from;    // "Ops <ops@example.com>" or a bare address
    std::string to;      // a bare address
    std::string subject; // UTF-8
    std::string body;    // UTF-8 text, LF or CRLF line ends
    Timestamp date;
    std::string message_id; // without angle brackets: "outage.1.2@example.com"
};

// The RFC 5322 message: CRLF line ends; From, To, Subject (folded; RFC 2047 encoded-words
// when not ASCII), Date, Message-ID, MIME headers; a quoted-printable UTF-8 body. Throws
// Error(usage) naming the header when a header value holds CR, LF or NUL (header injection).
std::string format_email(const Email& email);

// "Sun, 22 Nov 2026 14:31:00 +0000"
std::string rfc5322_date(Timestamp t);

// The subject as RFC 2047 encoded-words, folded; ASCII text without "=?" stays as it is.
std::string encode_header_text(std::string_view text);

// "Name: text" as an RFC 5322 header field without its final CRLF: folded before white space
// so that lines stay within 78 characters where the words allow, and never exceed 998
// (text that cannot be folded so, or is not plain ASCII, goes as encoded-words). Unfolding
// (removing each CRLF before white space) and decoding give back `text`.
std::string header_field(std::string_view name, std::string_view text);

// Quoted-printable (RFC 2045) with CRLF line ends and lines of at most 76 characters.
std::string quoted_printable(std::string_view text);

// The address inside "Name <addr>", or the text itself.
std::string bare_address(std::string_view from);

} // namespace outage

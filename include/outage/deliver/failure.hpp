#pragma once

#include "outage/deliver/channel.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace outage {

// How one transfer ended, as far as telling a delivery's failure needs it: what libcurl
// said, and what the server answered. The channels fill it; failure_of() judges it, so the
// rules can be tested without a server.
struct TransferEnd {
    enum class Ending { done, timed_out, failed };
    Ending ending = Ending::done;
    long code = 0;      // the server's last SMTP reply code or HTTP status; 0 when none
    std::string answer; // SMTP: the last reply's lines as received; HTTP: the start of the body
    std::string stage;  // SMTP: what the last reply answered ("RCPT TO", "the end of DATA")
    std::string error;  // libcurl's message when the transfer failed
    int timeout_seconds = 0;
};

// The failure of an SMTP transfer to `server` ("host:port"), or nothing when the message
// went: a 5xx refusing the message (at RCPT TO, DATA, the end of DATA; 552 at MAIL FROM)
// permanent; 4xx, a 5xx refusing the sender (greeting, EHLO, AUTH, MAIL FROM) and connection
// failures transient; no answer in time a timeout. The reason names the reply's code and
// text and the stage it answered.
std::optional<DeliveryFailure> smtp_failure(std::string_view server, const TransferEnd& end);

// The failure of a POST to webhook `name`, or nothing for a 2xx answer: HTTP 4xx other than
// 408, 429 (come back later), 401 and 407 (credentials) permanent; those, other statuses and
// connection failures transient; no answer in time a timeout. The reason has the status and
// the start of the body.
std::optional<DeliveryFailure> webhook_failure(std::string_view name, const TransferEnd& end);

// At most `limit` bytes of `text` for a one-line message: runs of control characters and
// other white space become one space, invalid UTF-8 becomes U+FFFD, a cut never splits a
// character, and "..." marks one.
std::string one_line_excerpt(std::string_view text, std::size_t limit);

} // namespace outage

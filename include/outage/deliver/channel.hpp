#pragma once

#include "outage/model/channel_settings.hpp"
#include "outage/model/error.hpp"
#include "outage/model/time.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// One message of a notice to one recipient, rendered and ready to go.
struct Outgoing {
    std::string recipient; // an e-mail address, a webhook name, or empty (stdout, .txt file)
    std::string subject;
    std::string body;
    std::string message_id; // stable across resumes: the same delivery keeps its id
    std::string file_stem;  // stable file name for the file channel
    // Stable per delivery, the same in every attempt: a webhook request carries it as its
    // Idempotency-Key header (and the notice JSON as "idempotency_key"), so a receiver can
    // recognise a request sent again after a crash.
    std::string idempotency_key;
    Timestamp date;
    nlohmann::json notice; // the notice and delivery as JSON, for webhook format "notice"
};

// How a message failed (docs/notify.md#failures). A transient failure is tried again by a
// later send, after a backoff; a permanent one (the server refused the message: SMTP 5xx,
// HTTP 4xx other than 408 and 429) only when asked. A timeout is transient and also counts
// towards the send's stall budget.
enum class FailureKind { transient, permanent, timeout };

// What a channel throws when a message did not go: the reason, with the server's code and
// text when it answered ("SMTP mail.example.com:25: 550 5.1.1 no such user").
class DeliveryFailure : public Error {
  public:
    DeliveryFailure(FailureKind kind, const std::string& reason)
        : Error(Exit::runtime, reason), m_kind(kind) {}
    FailureKind kind() const { return m_kind; }

  private:
    FailureKind m_kind;
};

// Where messages go (docs/architecture.md#the-send-path-notify-in-parts). Each send either
// delivers or throws: DeliveryFailure, or another Error(runtime) taken as transient.
class Channel {
  public:
    virtual ~Channel() = default;
    virtual void send(const Outgoing& message) = 0;

    // Called on the thread that called send_all as each message ends: nothing when it went.
    // Returning false starts no further message; those already under way are still reported.
    using Done =
        std::function<bool(std::size_t index, const std::optional<DeliveryFailure>& failure)>;
    // Sends every message, reporting each through `done`. The default sends them one after
    // the other with `send`; a channel with several connections sends them side by side.
    virtual void send_all(std::span<const Outgoing> messages, const Done& done);
};

// A channel that writes each message in two steps: durably where nothing picks it up, then
// into place. A sender that takes over a dead sender's claim on a staged message moves it
// instead of writing it again, so no message is written twice (docs/notify.md#claims).
class StagedChannel : public Channel {
  public:
    // Writes the message out of sight; it is durable once sync_staged returns.
    virtual void stage(const Outgoing& message) = 0;
    virtual void sync_staged() = 0;
    // Moves a staged message into place; false when it is staged no longer (moved before).
    virtual bool publish(const Outgoing& message) = 0;
    // Makes the moves so far durable.
    virtual void sync_published() = 0;

    void send(const Outgoing& message) override {
        stage(message);
        sync_staged();
        publish(message);
        sync_published();
    }
};

// "stdout", "file", "email", "webhook"; nothing for another name.
inline std::optional<ChannelKind> parse_channel(std::string_view name) {
    return channel_kind_names.parse(name);
}
inline std::string_view to_string(ChannelKind kind) {
    return channel_kind_names.name(kind);
}

// Builds a channel from the config file's settings. Stdout writes to `out`; the file channel writes
// to `outbox`. Throws Error(runtime) when the config lacks what the channel needs (no email
// section, a password variable that is not set).
std::unique_ptr<Channel> make_channel(ChannelKind kind, const ChannelSettings& settings,
                                      const std::filesystem::path& outbox, std::ostream& out);

} // namespace outage

#pragma once

#include "outage/model/channel_settings.hpp"
#include "outage/model/time.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <ostream>
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
    Timestamp date;
    nlohmann::json notice; // the notice and delivery as JSON, for webhook format "notice"
};

// Where messages go (docs/architecture.md#the-send-path-notify-in-parts). Each send either
// delivers or throws Error(runtime) with the reason, which is recorded on the delivery.
class Channel {
  public:
    virtual ~Channel() = default;
    virtual void send(const Outgoing& message) = 0;
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

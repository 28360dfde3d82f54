#pragma once

#include "outage/model/names.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace outage {

// Where messages go: also what a runbook's plan names, so the model holds the names.
enum class ChannelKind { stdout_channel, file, email, webhook };
inline constexpr NameTable channel_kind_names{
    std::pair{ChannelKind::stdout_channel, "stdout"}, std::pair{ChannelKind::file, "file"},
    std::pair{ChannelKind::email, "email"}, std::pair{ChannelKind::webhook, "webhook"}};

// How outage reaches an SMTP server and a webhook: read from the config file (config/) and
// used by the channels (deliver/), which therefore share these plain values and nothing else.
enum class SmtpSecurity { none, starttls, tls };
inline constexpr NameTable smtp_security_names{std::pair{SmtpSecurity::none, "none"},
                                               std::pair{SmtpSecurity::starttls, "starttls"},
                                               std::pair{SmtpSecurity::tls, "tls"}};

struct EmailConfig {
    std::string host;
    int port = 587;
    SmtpSecurity security = SmtpSecurity::starttls;
    std::string from; // "Ops <ops@example.com>"
    std::optional<std::string> username;
    std::optional<std::string> password_env; // the variable holding the password
    int timeout_seconds = 30;
    int connections = 4; // SMTP connections a bulk send uses side by side (1 to 16)
    // A login over a connection without TLS to a server other than this machine: refused by
    // the config unless this says the operator means it (docs/decisions.md).
    bool allow_plaintext_auth = false;
};

enum class WebhookFormat { text, notice };
inline constexpr NameTable webhook_format_names{std::pair{WebhookFormat::text, "text"},
                                                std::pair{WebhookFormat::notice, "notice"}};

struct WebhookConfig {
    std::string name;
    std::string url;
    WebhookFormat format = WebhookFormat::text;
    std::optional<std::string> token_env; // sent as "Authorization: Bearer <token>"
};

// What the channels need from the config file.
struct ChannelSettings {
    std::optional<EmailConfig> email;
    std::map<std::string, WebhookConfig> webhooks;
    std::filesystem::path config_file; // for messages; empty when no config file exists
};

} // namespace outage

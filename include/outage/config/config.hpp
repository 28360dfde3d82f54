#pragma once

#include "outage/runbook/load.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace outage {

enum class SmtpSecurity { none, starttls, tls };

struct EmailConfig {
    std::string host;
    int port = 587;
    SmtpSecurity security = SmtpSecurity::starttls;
    std::string from; // "Ops <ops@example.com>"
    std::optional<std::string> username;
    std::optional<std::string> password_env; // the variable holding the password
    int timeout_seconds = 30;
};

enum class WebhookFormat { text, notice };

struct WebhookConfig {
    std::string name;
    std::string url;
    WebhookFormat format = WebhookFormat::text;
    std::optional<std::string> token_env; // sent as "Authorization: Bearer <token>"
};

// The status page's title and public address (docs/status-page.md); empty means unset.
struct StatusPageConfig {
    std::string name;
    std::string url;
};

// The config file (docs/notify.md): channels and the sender's details.
struct Config {
    std::optional<std::filesystem::path> outbox;
    std::optional<EmailConfig> email;
    std::map<std::string, WebhookConfig> webhooks;
    std::string organisation;
    std::string contact;
    std::string default_lang = "en";
    StatusPageConfig status_page;
    std::filesystem::path file; // empty when no config file exists
};

// Loads the config file; a missing file gives the defaults. Throws Error(invalid_content)
// with every problem's `file:line:column: message` joined, the first first.
Config load_config(const std::filesystem::path& file);

} // namespace outage

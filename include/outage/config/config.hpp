#pragma once

#include "outage/model/channel_settings.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// The status page's title and public address (docs/status-page.md); empty means unset.
struct StatusPageConfig {
    std::string name;
    std::string url;
};

// The config file (docs/notify.md): channels and the sender's details.
struct Config {
    std::optional<std::filesystem::path> outbox;
    ChannelSettings channels; // email and webhooks
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

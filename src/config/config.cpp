#include "outage/config/config.hpp"

#include "outage/io/yaml_reader.hpp"
#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cctype>

namespace outage {
namespace {

// More connections than this would look like an attack to most mail servers.
constexpr long long max_smtp_connections = 16;

// The host names of this machine: a password sent to them does not cross a network.
bool is_loopback(const std::string& host) {
    std::string name = host;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "localhost" || name == "::1" || name == "[::1]")
        return true;
    in_addr address{};
    return ::inet_pton(AF_INET, host.c_str(), &address) == 1 &&
           (ntohl(address.s_addr) >> 24) == 127;
}

} // namespace

Config load_config(const std::filesystem::path& file) {
    Config config;
    std::error_code ec;
    if (file.empty() || !std::filesystem::exists(file, ec))
        return config;
    config.file = file;
    config.channels.config_file = file;
    std::vector<Problem> problems;
    auto root = load_yaml(file, problems);
    YamlReader r(file, problems);
    if (root && !root->IsNull() &&
        r.mapping(
            *root, "the config file",
            {"outbox", "email", "webhooks", "organisation", "contact", "lang", "status_page"})) {
        if (auto outbox = r.string(*root, "outbox"))
            config.outbox = *outbox;
        config.organisation = r.string(*root, "organisation").value_or("");
        config.contact = r.string(*root, "contact").value_or("");
        config.default_lang = r.string(*root, "lang").value_or("en");
        // Whether a template is written in it is checked where a notice is planned: the
        // config does not know the templates (docs/decisions.md, "Bad bytes").
        if (!is_language_code(config.default_lang))
            r.problem((*root)["lang"].Mark(),
                      fmt::format("'lang' must be a language code such as en or pt-BR, not '{}'",
                                  escape_controls(config.default_lang)));
        if (const YAML::Node email = (*root)["email"]) {
            if (r.mapping(email, "email",
                          {"host", "port", "security", "from", "username", "password_env",
                           "timeout", "connections", "allow_plaintext_auth"},
                          {"host", "from"})) {
                EmailConfig smtp;
                smtp.host = r.string(email, "host").value_or("");
                smtp.port = static_cast<int>(r.integer(email, "port", 1).value_or(587));
                if (smtp.port > 65535)
                    r.problem(email["port"].Mark(), "'port' must be at most 65535");
                if (auto security = r.one_of(email, "security", smtp_security_names))
                    smtp.security = *security;
                smtp.from = r.string(email, "from").value_or("");
                smtp.username = r.string(email, "username");
                smtp.password_env = r.string(email, "password_env");
                if (auto timeout = r.duration(email, "timeout"))
                    smtp.timeout_seconds = static_cast<int>(timeout->count());
                if (auto connections = r.integer(email, "connections", 1)) {
                    if (*connections > max_smtp_connections)
                        r.problem(
                            email["connections"].Mark(),
                            fmt::format("'connections' must be at most {}", max_smtp_connections));
                    else
                        smtp.connections = static_cast<int>(*connections);
                }
                smtp.allow_plaintext_auth =
                    r.boolean(email, "allow_plaintext_auth").value_or(false);
                // Refused here, before any command records anything: a send would record its
                // notice and then hand the password to whoever listens on the way.
                if (smtp.security == SmtpSecurity::none && smtp.username &&
                    !smtp.allow_plaintext_auth && !is_loopback(smtp.host))
                    r.problem(email["security"].Mark(),
                              fmt::format("security: none would send the SMTP password of '{}' "
                                          "unencrypted to {}; use starttls or tls, or add "
                                          "allow_plaintext_auth: true to the email section",
                                          *smtp.username, smtp.host));
                config.channels.email = smtp;
            }
        }
        if (const YAML::Node page = (*root)["status_page"]) {
            if (r.mapping(page, "status_page", {"name", "url"})) {
                config.status_page.name = r.string(page, "name").value_or("");
                config.status_page.url = r.string(page, "url").value_or("");
                if (!config.status_page.url.empty() &&
                    !config.status_page.url.starts_with("http://") &&
                    !config.status_page.url.starts_with("https://"))
                    r.problem(page["url"].Mark(),
                              "the status page url starts with http:// or https://");
            }
        }
        if (const YAML::Node hooks = (*root)["webhooks"]) {
            if (!hooks.IsMap())
                r.problem(hooks.Mark(), "'webhooks' maps a name to {url, format}");
            for (auto it = hooks.begin(); hooks.IsMap() && it != hooks.end(); ++it) {
                const YAML::Node hook = it->second;
                if (!r.mapping(hook, "a webhook", {"url", "format", "token_env"}, {"url"}))
                    continue;
                WebhookConfig webhook;
                webhook.name = it->first.Scalar();
                webhook.url = r.string(hook, "url").value_or("");
                if (!webhook.url.starts_with("http://") && !webhook.url.starts_with("https://"))
                    r.problem(hook["url"].Mark(), "a webhook url starts with http:// or https://");
                if (auto format = r.one_of(hook, "format", webhook_format_names))
                    webhook.format = *format;
                webhook.token_env = r.string(hook, "token_env");
                config.channels.webhooks[webhook.name] = webhook;
            }
        }
    }
    if (!problems.empty())
        throw Error(Exit::invalid_content, to_string(problems.front()));
    return config;
}

} // namespace outage

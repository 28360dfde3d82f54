#include "outage/config/config.hpp"

#include "outage/io/yaml_reader.hpp"
#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <fmt/format.h>

namespace outage {

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
            if (r.mapping(
                    email, "email",
                    {"host", "port", "security", "from", "username", "password_env", "timeout"},
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

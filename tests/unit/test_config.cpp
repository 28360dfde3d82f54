#include "outage/config/config.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace outage;

namespace {

// Writes `text` to config.yaml in `dir` and loads it; the error message when it fails.
std::string load_error(const TempDir& dir, const std::string& text) {
    std::ofstream(dir.file("config.yaml")) << text;
    std::string message;
    CHECK(exit_of([&] { load_config(dir.file("config.yaml")); }, message) == Exit::invalid_content);
    return message;
}

} // namespace

TEST_CASE("config::load_config without a file gives the defaults") {
    TempDir dir;
    for (const std::filesystem::path& file :
         {std::filesystem::path(dir.file("missing.yaml")), std::filesystem::path()}) {
        Config config = load_config(file);
        CHECK_FALSE(config.outbox);
        CHECK_FALSE(config.channels.email);
        CHECK(config.channels.webhooks.empty());
        CHECK(config.channels.config_file.empty());
        CHECK(config.organisation.empty());
        CHECK(config.contact.empty());
        CHECK(config.default_lang == "en");
        CHECK(config.status_page.url.empty());
        CHECK(config.file.empty());
    }
    // An empty file is a config without settings, and is named in messages.
    std::ofstream(dir.file("empty.yaml")) << "";
    Config empty = load_config(dir.file("empty.yaml"));
    CHECK(empty.file == dir.file("empty.yaml"));
    CHECK(empty.channels.config_file == dir.file("empty.yaml"));
    CHECK(empty.default_lang == "en");
}

TEST_CASE("config::load_config reads every setting") {
    TempDir dir;
    std::ofstream(dir.file("config.yaml")) << R"(outbox: /var/lib/outage/outbox
organisation: Example Ltd
contact: "+44 113 496 0000"
lang: nl
status_page: {name: Example status, url: "https://status.example.com"}
email:
  host: smtp.example.com
  port: 465
  security: tls
  from: "Ops <ops@example.com>"
  username: ops
  password_env: OUTAGE_SMTP_PASSWORD
  timeout: 2m
  connections: 8
webhooks:
  chat: {url: "https://chat.example.com/hooks/abc"}
  feed: {url: "http://feed.example.com", format: notice, token_env: FEED_TOKEN}
)";
    Config config = load_config(dir.file("config.yaml"));
    CHECK(config.outbox == std::filesystem::path("/var/lib/outage/outbox"));
    CHECK(config.organisation == "Example Ltd");
    CHECK(config.contact == "+44 113 496 0000");
    CHECK(config.default_lang == "nl");
    CHECK(config.status_page.name == "Example status");
    CHECK(config.status_page.url == "https://status.example.com");
    REQUIRE(config.channels.email);
    const EmailConfig& email = *config.channels.email;
    CHECK(email.host == "smtp.example.com");
    CHECK(email.port == 465);
    CHECK(email.security == SmtpSecurity::tls);
    CHECK(email.from == "Ops <ops@example.com>");
    CHECK(email.username == "ops");
    CHECK(email.password_env == "OUTAGE_SMTP_PASSWORD");
    CHECK(email.timeout_seconds == 120);
    CHECK(email.connections == 8);
    CHECK_FALSE(email.allow_plaintext_auth);
    REQUIRE(config.channels.webhooks.size() == 2);
    const WebhookConfig& chat = config.channels.webhooks.at("chat");
    CHECK(chat.name == "chat");
    CHECK(chat.format == WebhookFormat::text);
    CHECK_FALSE(chat.token_env);
    const WebhookConfig& feed = config.channels.webhooks.at("feed");
    CHECK(feed.url == "http://feed.example.com");
    CHECK(feed.format == WebhookFormat::notice);
    CHECK(feed.token_env == "FEED_TOKEN");
    CHECK(config.channels.config_file == dir.file("config.yaml"));

    // Defaults inside a section: port 587, STARTTLS, 30 s, no login.
    std::ofstream(dir.file("config.yaml")) << "email: {host: mail, from: ops@example.com}\n";
    Config minimal = load_config(dir.file("config.yaml"));
    REQUIRE(minimal.channels.email);
    CHECK(minimal.channels.email->port == 587);
    CHECK(minimal.channels.email->security == SmtpSecurity::starttls);
    CHECK(minimal.channels.email->timeout_seconds == 30);
    CHECK(minimal.channels.email->connections == 4);
    CHECK_FALSE(minimal.channels.email->allow_plaintext_auth);
    CHECK_FALSE(minimal.channels.email->username);
    CHECK_FALSE(minimal.channels.email->password_env);
}

TEST_CASE("config::load_config says where a bad config is wrong") {
    TempDir dir;
    // Each config text and the message it gets after "<file>:".
    const std::pair<const char*, const char*> cases[] = {
        {"outbx: /var/outbox\n",
         "1:1: unknown key 'outbx' in the config file (did you mean 'outbox'?)"},
        {"email:\n  host: mail\n  port: 70000\n  from: ops@example.com\n",
         "3:9: 'port' must be at most 65535"},
        {"email:\n  host: mail\n  port: 0\n  from: ops@example.com\n",
         "3:9: 'port' must be a whole number of at least 1"},
        {"email:\n  host: mail\n  security: ssl\n  from: ops@example.com\n",
         "3:13: security is none, starttls or tls, not 'ssl'"},
        {"lang: en\nemail:\n  host: mail\n", "3:3: missing required key 'from' in email"},
        {"email:\n  host: mail\n  from: ops@example.com\n  connections: 0\n",
         "4:16: 'connections' must be a whole number of at least 1"},
        {"email:\n  host: mail\n  from: ops@example.com\n  connections: 17\n",
         "4:16: 'connections' must be at most 16"},
        {"email:\n  host: mail\n  from: ops@example.com\n  connections: four\n",
         "4:16: 'connections' must be a whole number of at least 1"},
        {"email:\n  host: mail\n  from: ops@example.com\n  allow_plaintext_auth: maybe\n",
         "4:25: 'allow_plaintext_auth' must be true or false"},
        {"email:\n  host: smtp.example.com\n  security: none\n  from: ops@example.com\n"
         "  username: ops\n  password_env: SMTP_PASSWORD\n",
         "3:13: security: none would send the SMTP password of 'ops' unencrypted to "
         "smtp.example.com; use starttls or tls, or add allow_plaintext_auth: true to the email "
         "section"},
        {"email:\n  host: 10.0.0.127\n  security: none\n  from: ops@example.com\n"
         "  username: ops\n  allow_plaintext_auth: false\n",
         "3:13: security: none would send the SMTP password of 'ops' unencrypted to "
         "10.0.0.127; use starttls or tls, or add allow_plaintext_auth: true to the email "
         "section"},
        {"webhooks:\n  chat: {url: \"ftp://x\"}\n",
         "2:15: a webhook url starts with http:// or https://"},
        {"webhooks:\n  chat: {url: \"http://x\", format: html}\n",
         "2:35: format is text or notice, not 'html'"},
        {"webhooks: [chat]\n", "1:11: 'webhooks' maps a name to {url, format}"},
        {"status_page: {url: status.example.com}\n",
         "1:20: the status page url starts with http:// or https://"},
        {"- outbox\n", "1:1: the config file must be a mapping of keys to values, not a list"},
        // Of several problems, the first is the one said.
        {"organisation: [a]\ncontact: [b]\n", "1:15: 'organisation' must be text, not a list"},
    };
    for (const auto& [text, message] : cases) {
        INFO(text);
        CHECK(load_error(dir, text) == dir.file("config.yaml") + ":" + message);
    }
}

TEST_CASE("config::load_config lets a login without TLS go only where it cannot be overheard") {
    TempDir dir;
    auto email_to = [&](const std::string& host, const std::string& extra = "") {
        std::ofstream(dir.file("config.yaml"))
            << "email:\n  host: \"" << host
            << "\"\n  security: none\n  from: ops@example.com\n  username: ops\n"
            << extra;
        Config config = load_config(dir.file("config.yaml"));
        REQUIRE(config.channels.email);
        return *config.channels.email;
    };
    for (const char* loopback : {"127.0.0.1", "127.45.6.7", "localhost", "LocalHost", "::1"})
        CHECK(email_to(loopback).host == loopback);
    CHECK(email_to("smtp.example.com", "  allow_plaintext_auth: true\n").allow_plaintext_auth);
    // No login, nothing to overhear; with TLS, nothing in clear.
    std::ofstream(dir.file("config.yaml"))
        << "email: {host: smtp.example.com, security: none, from: ops@example.com}\n";
    CHECK(load_config(dir.file("config.yaml")).channels.email);
    std::ofstream(dir.file("config.yaml"))
        << "email: {host: smtp.example.com, security: tls, from: ops@example.com, username: ops}\n";
    CHECK(load_config(dir.file("config.yaml")).channels.email);
    for (const char* remote : {"127.0.0.1.example.com", "128.0.0.1", "localhost.example.com"}) {
        std::ofstream(dir.file("config.yaml"))
            << "email:\n  host: \"" << remote
            << "\"\n  security: none\n  from: ops@example.com\n  username: ops\n";
        std::string message;
        CHECK(exit_of([&] { load_config(dir.file("config.yaml")); }, message) ==
              Exit::invalid_content);
        CHECK(message.find(dir.file("config.yaml") + ":3:13: security: none would send") == 0);
    }
}

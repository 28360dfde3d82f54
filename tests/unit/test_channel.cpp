#include "outage/deliver/channel.hpp"
#include "outage/deliver/email.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace outage;
namespace fs = std::filesystem;

namespace {

const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

Outgoing message(const std::string& recipient, const std::string& body = "Pumps arrived.\n") {
    return {.recipient = recipient,
            .subject = "Flood in lab 2",
            .body = body,
            .message_id = "outage.1.2.3@example.com",
            .file_stem = "incident-1-notice-2-3",
            .idempotency_key = "outage.1.2.3@example.com",
            .date = t0};
}

std::string read(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

size_t entries(const fs::path& dir) {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

std::string make_error(ChannelKind kind, const ChannelSettings& settings) {
    std::ostringstream out;
    std::string message;
    CHECK(exit_of([&] { make_channel(kind, settings, "/nonexistent/outbox", out); }, message) ==
          Exit::runtime);
    return message;
}

} // namespace

TEST_CASE("channel::parse_channel and to_string name the four channels") {
    for (auto kind :
         {ChannelKind::stdout_channel, ChannelKind::file, ChannelKind::email, ChannelKind::webhook})
        CHECK(parse_channel(to_string(kind)) == kind);
    CHECK(to_string(ChannelKind::stdout_channel) == "stdout");
    CHECK(to_string(ChannelKind::webhook) == "webhook");
    CHECK(parse_channel("sms") == std::nullopt);
    CHECK(parse_channel("Email") == std::nullopt);
    CHECK(parse_channel("") == std::nullopt);
}

TEST_CASE("channel::stdout prints each message with a separator") {
    std::ostringstream out;
    auto channel = make_channel(ChannelKind::stdout_channel, {}, "/nonexistent/outbox", out);
    channel->send(message("ann@example.com"));
    channel->send(message("", "No newline at the end"));
    CHECK(out.str() == "To: ann@example.com\nSubject: Flood in lab 2\n\nPumps arrived.\n----\n"
                       "Subject: Flood in lab 2\n\nNo newline at the end\n----\n");
}

TEST_CASE("channel::file writes each message atomically into the outbox") {
    TempDir dir;
    fs::path outbox = dir.path / "spool" / "outbox";
    std::ostringstream out;
    ChannelSettings settings;

    SECTION("an .eml per recipient, a .txt without one, owner-only") {
        auto channel = make_channel(ChannelKind::file, settings, outbox, out);
        CHECK(mode_of(outbox) == 0700);
        channel->send(message("ann@example.com"));
        channel->send(message(""));
        fs::path eml = outbox / "incident-1-notice-2-3.eml";
        CHECK(read(eml) ==
              format_email({"outage <outage@localhost>", "ann@example.com", "Flood in lab 2",
                            "Pumps arrived.\n", t0, "outage.1.2.3@example.com"}));
        CHECK(mode_of(eml) == 0600);
        CHECK(read(outbox / "incident-1-notice-2-3.txt") == "Flood in lab 2\n\nPumps arrived.\n");
        CHECK(entries(outbox) == 3); // the two messages and .partial
        CHECK(entries(outbox / ".partial") == 0);
        CHECK(out.str().empty());
    }
    SECTION("the sender is the config's, and a resent message replaces its file") {
        settings.email = EmailConfig{};
        settings.email->from = "Ops <ops@example.com>";
        auto channel = make_channel(ChannelKind::file, settings, outbox, out);
        channel->send(message("ann@example.com", "first\n"));
        channel->send(message("ann@example.com", "second\n"));
        CHECK(entries(outbox) == 2);
        CHECK(read(outbox / "incident-1-notice-2-3.eml") ==
              format_email({"Ops <ops@example.com>", "ann@example.com", "Flood in lab 2",
                            "second\n", t0, "outage.1.2.3@example.com"}));
    }
    SECTION("what a killed send left half-written is removed by the next") {
        fs::create_directories(outbox / ".partial");
        pid_t gone = ::fork();
        if (gone == 0)
            ::_exit(0);
        ::waitpid(gone, nullptr, 0);
        std::string half = ".incident-1-notice-2-3.eml.tmp" + std::to_string(gone);
        std::ofstream(outbox / ".partial" / half) << "From: half";
        make_channel(ChannelKind::file, settings, outbox, out);
        CHECK_FALSE(fs::exists(outbox / ".partial" / half));
    }
    SECTION("an outbox that cannot be made") {
        std::ofstream(dir.path / "spool") << "a file, not a folder";
        std::string message;
        CHECK(exit_of([&] { make_channel(ChannelKind::file, settings, outbox, out); }, message) ==
              Exit::runtime);
        CHECK(message.starts_with("cannot create the outbox " + outbox.string() + ": "));
    }
}

TEST_CASE("channel::make_channel refuses what the config does not provide") {
    ChannelSettings settings;
    CHECK(make_error(ChannelKind::email, settings) ==
          "the email channel needs an email section in the config file (none found)");
    settings.config_file = "/etc/outage/config.yaml";
    CHECK(make_error(ChannelKind::email, settings) ==
          "the email channel needs an email section in the config file /etc/outage/config.yaml");
    CHECK(make_error(ChannelKind::webhook, settings) ==
          "the webhook channel needs webhooks in the config file");

    // Unset variables stop the send before any connection is tried.
    ::unsetenv("OUTAGE_TEST_UNSET_SECRET");
    settings.email = EmailConfig{"127.0.0.1",
                                 1,
                                 SmtpSecurity::none,
                                 "ops@example.com",
                                 "ops",
                                 "OUTAGE_TEST_UNSET_SECRET",
                                 1};
    CHECK(make_error(ChannelKind::email, settings) ==
          "the SMTP password variable OUTAGE_TEST_UNSET_SECRET is not set (the config names it "
          "in email.password_env)");
    settings.webhooks["chat"] = WebhookConfig{"chat", "http://127.0.0.1:1/hook",
                                              WebhookFormat::text, "OUTAGE_TEST_UNSET_SECRET"};
    CHECK(make_error(ChannelKind::webhook, settings) ==
          "the token variable OUTAGE_TEST_UNSET_SECRET of webhook chat is not set");
}

#include "outage/deliver/channel.hpp"
#include "outage/deliver/email.hpp"
#include "outage/deliver/failure.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <signal.h>
#include <spawn.h>
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
        CHECK(message.starts_with("cannot create " + outbox.string() + ": "));
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
    settings.email = EmailConfig{.host = "127.0.0.1",
                                 .port = 1,
                                 .security = SmtpSecurity::none,
                                 .from = "ops@example.com",
                                 .username = "ops",
                                 .password_env = "OUTAGE_TEST_UNSET_SECRET",
                                 .timeout_seconds = 1};
    CHECK(make_error(ChannelKind::email, settings) ==
          "the SMTP password variable OUTAGE_TEST_UNSET_SECRET is not set (the config names it "
          "in email.password_env)");
    settings.webhooks["chat"] = WebhookConfig{.name = "chat",
                                              .url = "http://127.0.0.1:1/hook",
                                              .format = WebhookFormat::text,
                                              .token_env = "OUTAGE_TEST_UNSET_SECRET"};
    CHECK(make_error(ChannelKind::webhook, settings) ==
          "the token variable OUTAGE_TEST_UNSET_SECRET of webhook chat is not set");
}

TEST_CASE("channel::smtp_failure tells permanent, transient and timeout apart") {
    using Ending = TransferEnd::Ending;
    auto failure = [](const TransferEnd& end) {
        auto result = smtp_failure("127.0.0.1:2525", end);
        REQUIRE(result);
        return std::pair{result->kind(), std::string(result->what())};
    };
    CHECK_FALSE(smtp_failure("127.0.0.1:2525", {.ending = Ending::done, .code = 250}));

    SECTION("a 5xx reply is permanent, with its code, text and stage") {
        CHECK(failure({.ending = Ending::failed,
                       .code = 550,
                       .answer = "550 5.1.1 <bob@example.com>: no such user\r\n",
                       .stage = "RCPT TO",
                       .error = "RCPT failed: 550"}) ==
              std::pair{FailureKind::permanent, std::string("SMTP 127.0.0.1:2525: 550 5.1.1 "
                                                            "<bob@example.com>: no such user (at "
                                                            "RCPT TO)")});
        // libcurl calls a refusal at the end of DATA a "Weird server reply"; the reply says more.
        CHECK(failure({.ending = Ending::failed,
                       .code = 554,
                       .answer = "554-5.7.1 Message refused:\r\n554 5.7.1 spam detected\r\n",
                       .stage = "the end of DATA",
                       .error = "Weird server reply"}) ==
              std::pair{FailureKind::permanent,
                        std::string("SMTP 127.0.0.1:2525: 554 5.7.1 Message refused: 5.7.1 spam "
                                    "detected (at the end of DATA)")});
        // Only the code, when the reply was not seen.
        CHECK(failure({.ending = Ending::failed, .code = 552, .error = "Weird server reply"}) ==
              std::pair{FailureKind::permanent, std::string("SMTP 127.0.0.1:2525: 552")});
    }
    SECTION("a 5xx refusing the sender, not the message, is transient") {
        for (const char* stage : {"the greeting", "EHLO", "AUTH", "MAIL FROM"}) {
            auto [kind, reason] = failure(
                {.ending = Ending::failed, .answer = "550 5.7.1 go away\r\n", .stage = stage});
            CHECK(kind == FailureKind::transient);
            CHECK(reason == fmt::format("SMTP 127.0.0.1:2525: 550 5.7.1 go away (at {})", stage));
        }
        CHECK(failure({.ending = Ending::failed,
                       .answer = "535 5.7.8 Authentication credentials invalid\r\n",
                       .stage = "AUTH",
                       .error = "Login denied"})
                  .first == FailureKind::transient);
        // A message too large for the server is refused when MAIL FROM gives its size.
        CHECK(failure({.ending = Ending::failed,
                       .answer = "552 5.3.4 Message size exceeds fixed limit\r\n",
                       .stage = "MAIL FROM"})
                  .first == FailureKind::permanent);
        CHECK(failure({.ending = Ending::failed, .answer = "554 5.6.0 no\r\n", .stage = "DATA"})
                  .first == FailureKind::permanent);
    }
    SECTION("a 4xx reply and a failed connection are transient") {
        CHECK(failure({.ending = Ending::failed,
                       .code = 451,
                       .answer = "451 4.3.0 try again later\r\n",
                       .stage = "the end of DATA",
                       .error = "Weird server reply"}) ==
              std::pair{FailureKind::transient, std::string("SMTP 127.0.0.1:2525: 451 4.3.0 try "
                                                            "again later (at the end of DATA)")});
        CHECK(failure({.ending = Ending::failed,
                       .error = "Failed to connect to 127.0.0.1 port 2525: Connection refused"}) ==
              std::pair{FailureKind::transient,
                        std::string("SMTP 127.0.0.1:2525: Failed to connect to 127.0.0.1 port "
                                    "2525: Connection refused")});
        // A reply that is no refusal, with a failure all the same.
        CHECK(failure({.ending = Ending::failed,
                       .code = 250,
                       .answer = "250 OK\r\n",
                       .stage = "MAIL FROM",
                       .error = "Weird server reply"}) ==
              std::pair{FailureKind::transient, std::string("SMTP 127.0.0.1:2525: Weird server "
                                                            "reply; the server said 250 OK (at "
                                                            "MAIL FROM)")});
    }
    SECTION("no answer in time is a timeout, naming the stage") {
        CHECK(failure({.ending = Ending::timed_out,
                       .stage = "the greeting",
                       .error = "Operation timed out after 2001 milliseconds",
                       .timeout_seconds = 2}) ==
              std::pair{FailureKind::timeout, std::string("SMTP 127.0.0.1:2525: no answer within "
                                                          "2 s (at the greeting)")});
        CHECK(failure({.ending = Ending::timed_out, .timeout_seconds = 30}) ==
              std::pair{FailureKind::timeout,
                        std::string("SMTP 127.0.0.1:2525: no connection within 30 s")});
    }
    SECTION("what the server said cannot break the line") {
        auto [kind, reason] = failure({.ending = Ending::failed,
                                       .answer = "550 no\x1b[31m such\tuser\x07 \xe2\x80\xae"
                                                 "evil\xff\r\n",
                                       .stage = "RCPT TO"});
        CHECK(kind == FailureKind::permanent);
        CHECK(reason == "SMTP 127.0.0.1:2525: 550 no [31m such user evil\xef\xbf\xbd (at RCPT TO)");
    }
}

TEST_CASE("channel::webhook_failure tells permanent, transient and timeout apart") {
    using Ending = TransferEnd::Ending;
    auto failure = [](long status, std::string body = "") {
        auto result = webhook_failure(
            "chat", {.ending = Ending::done, .code = status, .answer = std::move(body)});
        REQUIRE(result);
        return std::pair{result->kind(), std::string(result->what())};
    };
    for (long status : {200L, 201L, 204L, 299L})
        CHECK_FALSE(webhook_failure("chat", {.ending = Ending::done, .code = status}));
    CHECK(failure(400, "{\"error\": \"bad\npayload\"}\n") ==
          std::pair{FailureKind::permanent,
                    std::string("webhook chat: the server answered HTTP 400: {\"error\": \"bad "
                                "payload\"}")});
    CHECK(failure(404).first == FailureKind::permanent);
    CHECK(failure(404).second == "webhook chat: the server answered HTTP 404");
    for (long status : {408L, 429L, 401L, 407L, 500L, 502L, 503L, 301L})
        CHECK(failure(status).first == FailureKind::transient);
    for (long status : {400L, 403L, 404L, 410L, 413L, 422L})
        CHECK(failure(status).first == FailureKind::permanent);
    // The body is cut at about 200 bytes, white space runs made one space, never inside a
    // character.
    auto [kind, reason] =
        failure(422, "x" + std::string(150, 'y') + std::string(100, ' ') + std::string(100, 'z'));
    CHECK(kind == FailureKind::permanent);
    CHECK(reason == "webhook chat: the server answered HTTP 422: x" + std::string(150, 'y') + " " +
                        std::string(48, 'z') + "...");
    CHECK(one_line_excerpt("\xc3\xa9\xc3\xa9\xc3\xa9", 5) == "\xc3\xa9\xc3\xa9...");

    auto timed_out = webhook_failure(
        "chat", {.ending = Ending::timed_out, .error = "timed out", .timeout_seconds = 30});
    REQUIRE(timed_out);
    CHECK(timed_out->kind() == FailureKind::timeout);
    CHECK(std::string(timed_out->what()) == "webhook chat: no answer within 30 s");
    auto refused = webhook_failure(
        "chat", {.ending = Ending::failed, .error = "Failed to connect to 127.0.0.1 port 1"});
    REQUIRE(refused);
    CHECK(refused->kind() == FailureKind::transient);
    CHECK(std::string(refused->what()) == "webhook chat: Failed to connect to 127.0.0.1 port 1");
}

namespace {

// tests/unit/smtp_sink.py as a child process: an aiosmtpd server on 127.0.0.1.
class SmtpSink {
  public:
    // `hold`: replies to DATA wait until that many connections are open; `refused`: addresses
    // answered 550 at RCPT.
    explicit SmtpSink(int hold, const std::vector<std::string>& refused = {}) {
        int to_child[2];
        int from_child[2];
        REQUIRE(::pipe(to_child) == 0);
        REQUIRE(::pipe(from_child) == 0);
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
        ::posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
        for (int fd : {to_child[0], to_child[1], from_child[0], from_child[1]})
            ::posix_spawn_file_actions_addclose(&actions, fd);
        std::vector<std::string> args = {"/usr/bin/python3", OUTAGE_TEST_UNIT_DIR "/smtp_sink.py",
                                         std::to_string(hold)};
        args.insert(args.end(), refused.begin(), refused.end());
        std::vector<char*> argv;
        for (auto& arg : args)
            argv.push_back(arg.data());
        argv.push_back(nullptr);
        int spawned = ::posix_spawn(&m_pid, argv[0], &actions, nullptr, argv.data(), environ);
        ::posix_spawn_file_actions_destroy(&actions);
        ::close(to_child[0]);
        ::close(from_child[1]);
        m_stdin = to_child[1];
        m_stdout = ::fdopen(from_child[0], "r");
        REQUIRE(spawned == 0);
        REQUIRE(m_stdout);
        char line[64] = "";
        REQUIRE(std::fgets(line, sizeof line, m_stdout)); // the port, once it listens
        port = std::atoi(line);
        REQUIRE(port > 0);
    }
    ~SmtpSink() {
        if (m_stdin >= 0)
            ::close(m_stdin);
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        if (m_stdout)
            std::fclose(m_stdout);
    }
    SmtpSink(const SmtpSink&) = delete;
    SmtpSink& operator=(const SmtpSink&) = delete;

    // Stops the server; each accepted recipient with the number of its connection.
    std::vector<std::pair<int, std::string>> stop() {
        ::close(m_stdin);
        m_stdin = -1;
        std::vector<std::pair<int, std::string>> accepted;
        char line[512];
        while (std::fgets(line, sizeof line, m_stdout)) {
            std::istringstream in(line);
            int connection = -1;
            std::string recipient;
            in >> connection >> recipient;
            accepted.emplace_back(connection, recipient);
        }
        int status = 0;
        ::waitpid(m_pid, &status, 0);
        m_pid = -1;
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
        return accepted;
    }

    int port = 0;

  private:
    pid_t m_pid = -1;
    int m_stdin = -1;
    FILE* m_stdout = nullptr;
};

ChannelSettings smtp_settings(int port, int connections) {
    return {.email = EmailConfig{.host = "127.0.0.1",
                                 .port = port,
                                 .security = SmtpSecurity::none,
                                 .from = "Ops <ops@example.com>",
                                 .timeout_seconds = 20,
                                 .connections = connections}};
}

std::vector<Outgoing> numbered_messages(size_t count) {
    std::vector<Outgoing> messages;
    for (size_t i = 0; i < count; ++i) {
        Outgoing m = message(fmt::format("user{}@example.com", i));
        m.message_id = fmt::format("outage.1.2.{}@example.com", i);
        messages.push_back(std::move(m));
    }
    return messages;
}

} // namespace

TEST_CASE("channel::email send_all sends over several connections, each message once") {
    SmtpSink sink(4);
    std::ostringstream out;
    auto channel = make_channel(ChannelKind::email, smtp_settings(sink.port, 4), "", out);
    auto messages = numbered_messages(12);
    std::vector<size_t> reported;
    channel->send_all(messages, [&](size_t index, const std::optional<DeliveryFailure>& failure) {
        CHECK_FALSE(failure);
        reported.push_back(index);
        return true;
    });
    auto accepted = sink.stop();
    CHECK(std::set(reported.begin(), reported.end()).size() == 12);
    CHECK(reported.size() == 12);
    std::map<std::string, int> copies;
    std::set<int> connections;
    for (const auto& [connection, recipient] : accepted) {
        ++copies[recipient];
        connections.insert(connection);
    }
    REQUIRE(copies.size() == 12);
    for (const auto& m : messages)
        CHECK(copies[m.recipient] == 1);
    // Four connections, each reused for the messages after its first.
    CHECK(connections == std::set{0, 1, 2, 3});
}

TEST_CASE("channel::email send_all reports a refusal and goes on; false stops it") {
    auto messages = numbered_messages(40);
    SECTION("one refused recipient does not stop the other connections") {
        SmtpSink sink(2, {"user3@example.com"});
        std::ostringstream out;
        auto channel = make_channel(ChannelKind::email, smtp_settings(sink.port, 2), "", out);
        std::map<size_t, std::string> failures;
        size_t calls = 0;
        channel->send_all(messages,
                          [&](size_t index, const std::optional<DeliveryFailure>& failure) {
                              ++calls;
                              if (failure) {
                                  CHECK(failure->kind() == FailureKind::permanent);
                                  failures[index] = failure->what();
                              }
                              return true;
                          });
        auto accepted = sink.stop();
        CHECK(calls == 40);
        CHECK(accepted.size() == 39);
        REQUIRE(failures.size() == 1);
        CHECK(failures[3] == fmt::format("SMTP 127.0.0.1:{}: 550 5.1.1 <user3@example.com>: no "
                                         "such user (at RCPT TO)",
                                         sink.port));
    }
    SECTION("after done says false, the messages under way are reported and no more start") {
        SmtpSink sink(3);
        std::ostringstream out;
        auto channel = make_channel(ChannelKind::email, smtp_settings(sink.port, 3), "", out);
        std::vector<size_t> reported;
        channel->send_all(messages,
                          [&](size_t index, const std::optional<DeliveryFailure>& failure) {
                              CHECK_FALSE(failure);
                              reported.push_back(index);
                              return false;
                          });
        auto accepted = sink.stop();
        // Each of the three connections had a message under way when the first ended.
        CHECK(reported.size() >= 3);
        CHECK(reported.size() < messages.size());
        std::set<std::string> sent;
        for (size_t index : reported)
            sent.insert(messages[index].recipient);
        std::set<std::string> received;
        for (const auto& [connection, recipient] : accepted)
            received.insert(recipient);
        CHECK(received == sent);
        CHECK(accepted.size() == reported.size());
    }
}

TEST_CASE("channel::email send of one message over one connection, with the SMTP reply") {
    SmtpSink sink(1, {"bob@example.com"});
    std::ostringstream out;
    auto channel = make_channel(ChannelKind::email, smtp_settings(sink.port, 4), "", out);
    channel->send(message("ann@example.com"));
    std::string reason;
    FailureKind kind = FailureKind::transient;
    try {
        channel->send(message("bob@example.com"));
    } catch (const DeliveryFailure& e) {
        reason = e.what();
        kind = e.kind();
    }
    CHECK(kind == FailureKind::permanent);
    CHECK(reason == fmt::format("SMTP 127.0.0.1:{}: 550 5.1.1 <bob@example.com>: no such user "
                                "(at RCPT TO)",
                                sink.port));
    CHECK(sink.stop() == std::vector<std::pair<int, std::string>>{{0, "ann@example.com"}});
}

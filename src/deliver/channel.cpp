#include "outage/deliver/channel.hpp"

#include "outage/deliver/email.hpp"
#include "outage/deliver/failure.hpp"
#include "outage/deliver/file_channel.hpp"
#include "outage/model/error.hpp"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <sys/stat.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

namespace outage {
namespace {

namespace fs = std::filesystem;

class StdoutChannel final : public Channel {
  public:
    explicit StdoutChannel(std::ostream& out) : m_out(out) {}
    void send(const Outgoing& message) override {
        if (!message.recipient.empty())
            m_out << "To: " << message.recipient << '\n';
        m_out << "Subject: " << message.subject << "\n\n" << message.body;
        if (!message.body.ends_with('\n'))
            m_out << '\n';
        m_out << "----\n";
        m_out.flush();
    }

  private:
    std::ostream& m_out;
};

// libcurl and the thirty-odd libraries it pulls in cost every run of outage about 10 ms at
// start-up (bench/cli_latency.py); only e-mail and webhook sends need it, so it is loaded
// when the first of those starts.
struct CurlApi {
    decltype(&::curl_global_init) global_init;
    decltype(&::curl_global_cleanup) global_cleanup;
    decltype(&::curl_easy_init) easy_init;
    decltype(&::curl_easy_cleanup) easy_cleanup;
    decltype(&::curl_easy_reset) easy_reset;
    decltype(&::curl_easy_setopt) easy_setopt;
    decltype(&::curl_easy_perform) easy_perform;
    decltype(&::curl_easy_getinfo) easy_getinfo;
    decltype(&::curl_easy_strerror) easy_strerror;
    decltype(&::curl_slist_append) slist_append;
    decltype(&::curl_slist_free_all) slist_free_all;
};

CurlApi load_curl() {
    void* library = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!library)
        throw Error(Exit::runtime, fmt::format("cannot load libcurl for e-mail and webhooks: {} "
                                               "(install the libcurl4 package)",
                                               ::dlerror()));
    auto find = [library](auto& function, const char* name) {
        void* symbol = ::dlsym(library, name);
        if (!symbol)
            throw Error(Exit::runtime, fmt::format("libcurl.so.4 lacks {}", name));
        function = reinterpret_cast<std::remove_reference_t<decltype(function)>>(symbol);
    };
    CurlApi api{};
    find(api.global_init, "curl_global_init");
    find(api.global_cleanup, "curl_global_cleanup");
    find(api.easy_init, "curl_easy_init");
    find(api.easy_cleanup, "curl_easy_cleanup");
    find(api.easy_reset, "curl_easy_reset");
    find(api.easy_setopt, "curl_easy_setopt");
    find(api.easy_perform, "curl_easy_perform");
    find(api.easy_getinfo, "curl_easy_getinfo");
    find(api.easy_strerror, "curl_easy_strerror");
    find(api.slist_append, "curl_slist_append");
    find(api.slist_free_all, "curl_slist_free_all");
    return api;
}

struct CurlLibrary {
    CurlApi api = load_curl();
    CurlLibrary() { api.global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlLibrary() { api.global_cleanup(); }
};

const CurlApi& libcurl() {
    static CurlLibrary library;
    return library.api;
}

struct CurlHandle {
    CURL* handle = nullptr;
    CurlHandle() {
        handle = libcurl().easy_init();
        if (!handle)
            throw Error(Exit::runtime, "libcurl could not start");
    }
    ~CurlHandle() { libcurl().easy_cleanup(handle); }
    CurlHandle(const CurlHandle&) = delete;
    CurlHandle& operator=(const CurlHandle&) = delete;
};

struct UploadSource {
    const std::string* data;
    size_t offset = 0;
};

size_t read_upload(char* buffer, size_t size, size_t count, void* user) {
    auto* source = static_cast<UploadSource*>(user);
    size_t room = size * count;
    size_t left = source->data->size() - source->offset;
    size_t n = std::min(room, left);
    std::memcpy(buffer, source->data->data() + source->offset, n);
    source->offset += n;
    return n;
}

// Keeps the start of a response body, for the reason of a refused webhook request.
size_t keep_start(char* data, size_t size, size_t count, void* user) {
    constexpr size_t kept = 4096;
    auto* body = static_cast<std::string*>(user);
    size_t n = size * count;
    if (body->size() < kept)
        body->append(data, std::min(n, kept - body->size()));
    return n;
}

TransferEnd::Ending ending_of(CURLcode result) {
    if (result == CURLE_OK)
        return TransferEnd::Ending::done;
    return result == CURLE_OPERATION_TIMEDOUT ? TransferEnd::Ending::timed_out
                                              : TransferEnd::Ending::failed;
}

// True when `answer` ends with a reply's last line: one with a space, not '-', after its code.
bool reply_ended(std::string_view answer) {
    while (answer.ends_with('\n') || answer.ends_with('\r'))
        answer.remove_suffix(1);
    if (answer.empty())
        return false;
    size_t start = answer.rfind('\n');
    std::string_view last = answer.substr(start == std::string_view::npos ? 0 : start + 1);
    return last.size() < 4 || last[3] != '-';
}

// Follows an SMTP conversation through libcurl's debug callback: the last command sent and
// the reply to it. Only a command's verb is kept, never its arguments (AUTH carries the
// password).
struct SmtpTrace {
    TransferEnd end;
    bool quitting = false; // libcurl said QUIT after a failure: the reply to it tells nothing
};

int follow_smtp(CURL*, curl_infotype type, char* data, size_t size, void* user) {
    auto* trace = static_cast<SmtpTrace*>(user);
    TransferEnd* end = &trace->end;
    std::string_view line(data, size);
    if (trace->quitting)
        return 0;
    if (type == CURLINFO_HEADER_OUT && line.starts_with("QUIT")) {
        trace->quitting = true;
    } else if (type == CURLINFO_HEADER_OUT) {
        static constexpr std::pair<std::string_view, std::string_view> verbs[] = {
            {"EHLO", "EHLO"}, {"HELO", "HELO"},      {"STARTTLS", "STARTTLS"},
            {"AUTH", "AUTH"}, {"MAIL", "MAIL FROM"}, {"RCPT", "RCPT TO"},
            {"DATA", "DATA"}, {"RSET", "RSET"},      {"NOOP", "NOOP"}};
        std::string_view verb = line.substr(0, line.find_first_of(" :\r\n"));
        for (const auto& [sent, stage] : verbs)
            if (verb == sent)
                end->stage = stage; // anything else continues the command before (AUTH)
        end->answer.clear();
    } else if (type == CURLINFO_HEADER_IN) {
        if (reply_ended(end->answer))
            end->answer.clear(); // a new reply
        end->answer.append(line);
        if (end->stage.empty())
            end->stage = "the greeting";
        if (line.starts_with("354"))
            end->stage = "the end of DATA"; // what comes next answers the message itself
    }
    return 0;
}

// "smtp.example.com:587", or "[::1]:25" for an IPv6 address.
std::string server_name(const EmailConfig& config) {
    if (config.host.find(':') != std::string::npos)
        return fmt::format("[{}]:{}", config.host, config.port);
    return fmt::format("{}:{}", config.host, config.port);
}

std::string smtp_password(const EmailConfig& config) {
    if (!config.password_env)
        return {};
    const char* password = std::getenv(config.password_env->c_str());
    if (!password || !*password)
        throw Error(Exit::runtime, fmt::format("the SMTP password variable {} is not set (the "
                                               "config names it in email.password_env)",
                                               *config.password_env));
    return password;
}

// What send_all's workers share: which message goes next, which have ended, and whether to
// start more. Workers take and finish; the calling thread reports.
class SendQueue {
  public:
    explicit SendQueue(size_t total) : m_total(total) { m_ended.reserve(total); }

    // The next message to send, or nothing when all are taken or the send stops. Waits until
    // every message ended so far has been reported: a message the server accepted can be sent
    // again by a sender taking over after a kill until `done` has marked it, so at most one a
    // connection is ever in that state (docs/notify.md#claims).
    std::optional<size_t> take() {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_stopped || m_ended.size() == m_reported; });
        if (m_stopped || m_taken == m_total)
            return std::nullopt;
        return m_taken++;
    }
    // Never allocates (room for every message was reserved), so a worker cannot throw here.
    void finish(size_t index, std::optional<DeliveryFailure> failure) {
        {
            std::lock_guard lock(m_mutex);
            m_ended.emplace_back(index, std::move(failure));
        }
        m_changed.notify_all();
    }
    void stop() {
        {
            std::lock_guard lock(m_mutex);
            m_stopped = true;
        }
        m_changed.notify_all();
    }
    // Calls `done` for each message as it ends, on this thread, until every message taken
    // has been reported and no more will be taken.
    void report(const Channel::Done& done) {
        std::unique_lock lock(m_mutex);
        for (;;) {
            m_changed.wait(lock, [&] {
                return m_ended.size() > m_reported ||
                       (m_reported == m_taken && (m_stopped || m_taken == m_total));
            });
            if (m_ended.size() == m_reported)
                return;
            auto [index, failure] = std::move(m_ended[m_reported]);
            lock.unlock();
            bool more = done(index, failure);
            lock.lock();
            ++m_reported;
            if (!more)
                m_stopped = true;
            m_changed.notify_all();
        }
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    size_t m_total;
    size_t m_taken = 0;
    size_t m_reported = 0;
    bool m_stopped = false;
    std::vector<std::pair<size_t, std::optional<DeliveryFailure>>> m_ended;
};

// One libcurl handle per connection, each reused from message to message; send uses the
// first, send_all up to email.connections of them side by side.
class SmtpChannel final : public Channel {
  public:
    // The password variable is checked before libcurl is loaded: a send that cannot log in
    // costs nothing.
    explicit SmtpChannel(EmailConfig config)
        : m_config(std::move(config)), m_password(smtp_password(m_config)),
          m_url(fmt::format("{}://{}:{}", m_config.security == SmtpSecurity::tls ? "smtps" : "smtp",
                            m_config.host, m_config.port)),
          m_server(server_name(m_config)) {}

    void send(const Outgoing& message) override {
        open_connections(1);
        transfer(m_connections.front()->handle, message);
    }

    void send_all(std::span<const Outgoing> messages, const Done& done) override {
        size_t wanted = std::min(messages.size(), static_cast<size_t>(m_config.connections));
        if (wanted <= 1) {
            Channel::send_all(messages, done);
            return;
        }
        // Every handle is made here, so libcurl is loaded and initialised before any thread
        // starts (curl_global_init is not thread-safe).
        open_connections(wanted);
        SendQueue queue(messages.size());
        std::vector<std::jthread> workers;
        // Declared after the workers, so it runs first: a `done` that throws stops the send,
        // and the workers finish the messages under way before they are joined.
        struct StopOnExit {
            SendQueue& queue;
            ~StopOnExit() { queue.stop(); }
        } stop_on_exit{queue};
        workers.reserve(wanted);
        for (size_t k = 0; k < wanted; ++k)
            workers.emplace_back([this, &queue, messages, curl = m_connections[k]->handle] {
                while (auto index = queue.take()) {
                    std::optional<DeliveryFailure> failure;
                    try {
                        transfer(curl, messages[*index]);
                    } catch (const DeliveryFailure& e) {
                        failure = e;
                    } catch (const std::exception& e) {
                        failure = DeliveryFailure(FailureKind::transient, e.what());
                    }
                    queue.finish(*index, std::move(failure));
                }
            });
        queue.report(done);
    }

  private:
    void open_connections(size_t count) {
        while (m_connections.size() < count)
            m_connections.push_back(std::make_unique<CurlHandle>());
    }

    // Sends one message on `curl`; throws DeliveryFailure. Safe to call from several threads
    // at once, each with its own handle: it only reads the channel.
    void transfer(CURL* curl, const Outgoing& message) const {
        Email email{.from = m_config.from,
                    .to = message.recipient,
                    .subject = message.subject,
                    .body = message.body,
                    .date = message.date,
                    .message_id = message.message_id};
        std::string text = format_email(email);
        UploadSource source{&text};
        const CurlApi& curl_api = libcurl();
        curl_api.easy_reset(curl);
        curl_api.easy_setopt(curl, CURLOPT_URL, m_url.c_str());
        std::string mail_from = fmt::format("<{}>", bare_address(m_config.from));
        curl_api.easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from.c_str());
        curl_slist* recipients =
            curl_api.slist_append(nullptr, fmt::format("<{}>", message.recipient).c_str());
        curl_api.easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
        curl_api.easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
        curl_api.easy_setopt(curl, CURLOPT_READDATA, &source);
        curl_api.easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_api.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_api.easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(m_config.timeout_seconds));
        if (m_config.security == SmtpSecurity::starttls)
            curl_api.easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        if (m_config.username) {
            curl_api.easy_setopt(curl, CURLOPT_USERNAME, m_config.username->c_str());
            curl_api.easy_setopt(curl, CURLOPT_PASSWORD, m_password.c_str());
        }
        SmtpTrace trace{.end = {.timeout_seconds = m_config.timeout_seconds}};
        TransferEnd& end = trace.end;
        curl_api.easy_setopt(curl, CURLOPT_DEBUGFUNCTION, follow_smtp);
        curl_api.easy_setopt(curl, CURLOPT_DEBUGDATA, &trace);
        curl_api.easy_setopt(curl, CURLOPT_VERBOSE, 1L);
        char error[CURL_ERROR_SIZE] = "";
        curl_api.easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        CURLcode result = curl_api.easy_perform(curl);
        curl_api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &end.code);
        curl_off_t connected = 0;
        curl_api.easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected);
        // The options point into this frame; the QUIT libcurl sends when the connection is
        // closed later must not reach them.
        curl_api.easy_reset(curl);
        curl_api.slist_free_all(recipients);
        end.ending = ending_of(result);
        end.error = *error ? error : curl_api.easy_strerror(result);
        if (end.ending == TransferEnd::Ending::timed_out && end.stage.empty() && connected > 0)
            end.stage = "the greeting";
        if (auto failure = smtp_failure(m_server, end))
            throw *failure;
    }

    EmailConfig m_config;
    std::string m_password;
    std::string m_url;
    std::string m_server;
    std::vector<std::unique_ptr<CurlHandle>> m_connections;
};

// How long a webhook request may take, connecting included.
constexpr int webhook_timeout_seconds = 30;

class WebhookChannel final : public Channel {
  public:
    explicit WebhookChannel(std::map<std::string, WebhookConfig> hooks)
        : m_hooks(std::move(hooks)) {
        for (const auto& [name, hook] : m_hooks)
            if (hook.token_env) {
                const char* token = std::getenv(hook.token_env->c_str());
                if (!token || !*token)
                    throw Error(Exit::runtime,
                                fmt::format("the token variable {} of webhook {} is not set",
                                            *hook.token_env, name));
                m_tokens[name] = token;
            }
    }
    void send(const Outgoing& message) override {
        auto hook = m_hooks.find(message.recipient);
        if (hook == m_hooks.end())
            throw DeliveryFailure(
                FailureKind::transient, // until the config names it
                fmt::format("no webhook named '{}' in the config", message.recipient));
        if (message.idempotency_key.find_first_of(std::string_view("\r\n\0", 3)) !=
            std::string::npos)
            throw DeliveryFailure(FailureKind::permanent,
                                  "the idempotency key would contain a line break; refused "
                                  "(header injection)");
        nlohmann::json payload =
            hook->second.format == WebhookFormat::text
                ? nlohmann::json{{"text", fmt::format("*{}*\n\n{}", message.subject, message.body)}}
                : message.notice;
        std::string body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (!m_curl)
            m_curl = std::make_unique<CurlHandle>();
        CURL* curl = m_curl->handle;
        const CurlApi& curl_api = libcurl();
        curl_api.easy_reset(curl);
        curl_slist* headers = curl_api.slist_append(nullptr, "Content-Type: application/json");
        // The same in every attempt of this delivery: a receiver that saw it drops the repeat.
        if (!message.idempotency_key.empty())
            headers = curl_api.slist_append(
                headers, fmt::format("Idempotency-Key: {}", message.idempotency_key).c_str());
        if (auto token = m_tokens.find(hook->first); token != m_tokens.end())
            headers = curl_api.slist_append(
                headers, fmt::format("Authorization: Bearer {}", token->second).c_str());
        curl_api.easy_setopt(curl, CURLOPT_URL, hook->second.url.c_str());
        curl_api.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        curl_api.easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
        curl_api.easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        std::string answer;
        curl_api.easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_start);
        curl_api.easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
        curl_api.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_api.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_api.easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(webhook_timeout_seconds));
        curl_api.easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        char error[CURL_ERROR_SIZE] = "";
        curl_api.easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        CURLcode result = curl_api.easy_perform(curl);
        TransferEnd end{.ending = ending_of(result),
                        .answer = std::move(answer),
                        .error = *error ? error : curl_api.easy_strerror(result),
                        .timeout_seconds = webhook_timeout_seconds};
        curl_api.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &end.code);
        curl_api.easy_reset(curl); // the options point into this frame
        curl_api.slist_free_all(headers);
        if (auto failure = webhook_failure(hook->first, end))
            throw *failure;
    }

  private:
    std::map<std::string, WebhookConfig> m_hooks;
    std::map<std::string, std::string> m_tokens;
    std::unique_ptr<CurlHandle> m_curl; // made at the first request, after the checks above
};

} // namespace

void Channel::send_all(std::span<const Outgoing> messages, const Done& done) {
    for (std::size_t i = 0; i < messages.size(); ++i) {
        std::optional<DeliveryFailure> failure;
        try {
            send(messages[i]);
        } catch (const DeliveryFailure& e) {
            failure = e;
        } catch (const Error& e) {
            failure = DeliveryFailure(FailureKind::transient, e.what());
        }
        if (!done(i, failure))
            return;
    }
}

std::unique_ptr<Channel> make_channel(ChannelKind kind, const ChannelSettings& settings,
                                      const fs::path& outbox, std::ostream& out) {
    switch (kind) {
    case ChannelKind::stdout_channel:
        return std::make_unique<StdoutChannel>(out);
    case ChannelKind::file:
        return make_file_channel(outbox, settings.email ? settings.email->from
                                                        : std::string("outage <outage@localhost>"));
    case ChannelKind::email:
        if (!settings.email)
            throw Error(Exit::runtime,
                        fmt::format("the email channel needs an email section in the config file "
                                    "{}",
                                    settings.config_file.empty() ? "(none found)"
                                                                 : settings.config_file.string()));
        return std::make_unique<SmtpChannel>(*settings.email);
    case ChannelKind::webhook:
        if (settings.webhooks.empty())
            throw Error(Exit::runtime, "the webhook channel needs webhooks in the config file");
        return std::make_unique<WebhookChannel>(settings.webhooks);
    }
    throw Error(Exit::usage, "unknown channel");
}

} // namespace outage

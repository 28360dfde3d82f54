#include "outage/deliver/channel.hpp"

#include "outage/deliver/email.hpp"
#include "outage/deliver/file_channel.hpp"
#include "outage/model/error.hpp"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
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

size_t discard(char*, size_t size, size_t count, void*) {
    return size * count;
}

// One libcurl handle for the whole send: the SMTP connection is reused between messages.
class SmtpChannel final : public Channel {
  public:
    explicit SmtpChannel(EmailConfig config) : m_config(std::move(config)) {
        if (m_config.password_env) {
            const char* password = std::getenv(m_config.password_env->c_str());
            if (!password || !*password)
                throw Error(Exit::runtime,
                            fmt::format("the SMTP password variable {} is not set (the config "
                                        "names it in email.password_env)",
                                        *m_config.password_env));
            m_password = password;
        }
        const char* scheme = m_config.security == SmtpSecurity::tls ? "smtps" : "smtp";
        m_url = fmt::format("{}://{}:{}", scheme, m_config.host, m_config.port);
    }
    void send(const Outgoing& message) override {
        Email email{m_config.from, message.recipient, message.subject,
                    message.body,  message.date,      message.message_id};
        std::string text = format_email(email);
        UploadSource source{&text};
        CURL* curl = m_curl.handle;
        libcurl().easy_reset(curl);
        libcurl().easy_setopt(curl, CURLOPT_URL, m_url.c_str());
        libcurl().easy_setopt(curl, CURLOPT_MAIL_FROM,
                              fmt::format("<{}>", bare_address(m_config.from)).c_str());
        curl_slist* recipients =
            libcurl().slist_append(nullptr, fmt::format("<{}>", message.recipient).c_str());
        libcurl().easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
        libcurl().easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
        libcurl().easy_setopt(curl, CURLOPT_READDATA, &source);
        libcurl().easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        libcurl().easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        libcurl().easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
        libcurl().easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(m_config.timeout_seconds));
        if (m_config.security == SmtpSecurity::starttls)
            libcurl().easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
        if (m_config.username) {
            libcurl().easy_setopt(curl, CURLOPT_USERNAME, m_config.username->c_str());
            libcurl().easy_setopt(curl, CURLOPT_PASSWORD, m_password.c_str());
        }
        char error[CURL_ERROR_SIZE] = "";
        libcurl().easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        CURLcode result = libcurl().easy_perform(curl);
        libcurl().slist_free_all(recipients);
        if (result != CURLE_OK)
            throw Error(Exit::runtime,
                        fmt::format("SMTP {}:{}: {}", m_config.host, m_config.port,
                                    *error ? error : libcurl().easy_strerror(result)));
    }

  private:
    EmailConfig m_config;
    std::string m_password;
    std::string m_url;
    CurlHandle m_curl;
};

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
            throw Error(Exit::runtime,
                        fmt::format("no webhook named '{}' in the config", message.recipient));
        nlohmann::json payload =
            hook->second.format == WebhookFormat::text
                ? nlohmann::json{{"text", fmt::format("*{}*\n\n{}", message.subject, message.body)}}
                : message.notice;
        std::string body = payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        CURL* curl = m_curl.handle;
        libcurl().easy_reset(curl);
        curl_slist* headers = libcurl().slist_append(nullptr, "Content-Type: application/json");
        if (auto token = m_tokens.find(hook->first); token != m_tokens.end())
            headers = libcurl().slist_append(
                headers, fmt::format("Authorization: Bearer {}", token->second).c_str());
        libcurl().easy_setopt(curl, CURLOPT_URL, hook->second.url.c_str());
        libcurl().easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
        libcurl().easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
        libcurl().easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        libcurl().easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
        libcurl().easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        libcurl().easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
        libcurl().easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
        libcurl().easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
        char error[CURL_ERROR_SIZE] = "";
        libcurl().easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
        CURLcode result = libcurl().easy_perform(curl);
        long status = 0;
        libcurl().easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        libcurl().slist_free_all(headers);
        if (result != CURLE_OK)
            throw Error(Exit::runtime,
                        fmt::format("webhook {}: {}", hook->first,
                                    *error ? error : libcurl().easy_strerror(result)));
        if (status < 200 || status > 299)
            throw Error(Exit::runtime, fmt::format("webhook {}: the server answered HTTP {}",
                                                   hook->first, status));
    }

  private:
    std::map<std::string, WebhookConfig> m_hooks;
    std::map<std::string, std::string> m_tokens;
    CurlHandle m_curl;
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

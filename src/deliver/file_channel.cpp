// The file channel: one file per message in the outbox folder, for a pickup job or a person.
#include "outage/deliver/file_channel.hpp"

#include "outage/deliver/email.hpp"
#include "outage/io/atomic_file.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <sys/stat.h>

namespace outage {
namespace {

namespace fs = std::filesystem;

class FileChannel final : public Channel {
  public:
    FileChannel(fs::path outbox, std::string from)
        : m_outbox(std::move(outbox)), m_partial(m_outbox / ".partial"), m_from(std::move(from)) {
        std::error_code ec;
        if (!fs::exists(m_outbox, ec)) {
            fs::create_directories(m_outbox, ec);
            if (ec)
                throw Error(Exit::runtime, fmt::format("cannot create the outbox {}: {}",
                                                       m_outbox.string(), ec.message()));
            ::chmod(m_outbox.c_str(), 0700);
        }
        // Half-written messages live in a hidden folder of their own, so whatever picks up
        // the outbox never sees them, and those a killed send left behind are found without
        // reading the whole outbox.
        fs::create_directory(m_partial, ec);
        if (ec)
            throw Error(Exit::runtime,
                        fmt::format("cannot create {}: {}", m_partial.string(), ec.message()));
        remove_abandoned_temp_files(m_partial);
    }
    void send(const Outgoing& message) override {
        if (message.recipient.empty()) {
            write_file_atomically(m_outbox / (message.file_stem + ".txt"),
                                  message.subject + "\n\n" + message.body, 0600, m_partial);
            return;
        }
        Email email{m_from,       message.recipient, message.subject,
                    message.body, message.date,      message.message_id};
        write_file_atomically(m_outbox / (message.file_stem + ".eml"), format_email(email), 0600,
                              m_partial);
    }

  private:
    fs::path m_outbox;
    fs::path m_partial;
    std::string m_from;
};

} // namespace

std::unique_ptr<Channel> make_file_channel(const fs::path& outbox, const std::string& from) {
    return std::make_unique<FileChannel>(outbox, from);
}

} // namespace outage

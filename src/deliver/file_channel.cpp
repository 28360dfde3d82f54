// The file channel: one file per message in the outbox folder, for a pickup job or a person.
#include "outage/deliver/file_channel.hpp"

#include "outage/deliver/email.hpp"
#include "outage/io/atomic_file.hpp"
#include "outage/io/folders.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace outage {
namespace {

namespace fs = std::filesystem;

// Messages are staged in the hidden folder ".partial" of the outbox under their final name:
// a pickup job never looks there, the move into the outbox is one rename on the same file
// system, and what a killed send staged is found by name (docs/notify.md#claims).
class FileChannel final : public StagedChannel {
  public:
    FileChannel(fs::path outbox, std::string from)
        : m_outbox(std::move(outbox)), m_partial(m_outbox / ".partial"), m_from(std::move(from)) {
        // What is in the outbox is sent on by a pickup job: nobody else may put files there.
        refuse_if_others_may_write(m_outbox, "the outbox");
        ensure_folder(m_outbox, 0700);
        ensure_folder(m_partial, 0700);
        remove_abandoned_temp_files(m_partial);
    }

    void stage(const Outgoing& message) override {
        std::string content;
        if (message.recipient.empty())
            content = message.subject + "\n\n" + message.body;
        else
            content = format_email({.from = m_from,
                                    .to = message.recipient,
                                    .subject = message.subject,
                                    .body = message.body,
                                    .date = message.date,
                                    .message_id = message.message_id});
        fs::path staged = m_partial / name(message);
        rename_into_place(write_temp_file(staged, content, 0600, m_partial, Sync::none), staged);
    }

    // One sync of the file system for the whole batch, instead of one per file.
    void sync_staged() override { sync_file_system(m_partial); }

    bool publish(const Outgoing& message) override {
        std::string file = name(message);
        if (::rename((m_partial / file).c_str(), (m_outbox / file).c_str()) == 0)
            return true;
        if (errno == ENOENT)
            return false;
        throw Error(Exit::runtime, fmt::format("cannot move {} into the outbox {}: {}", file,
                                               m_outbox.string(), std::strerror(errno)));
    }

    void sync_published() override {
        sync_folder(m_outbox);
        sync_folder(m_partial);
    }

  private:
    static std::string name(const Outgoing& message) {
        return message.file_stem + (message.recipient.empty() ? ".txt" : ".eml");
    }

    fs::path m_outbox;
    fs::path m_partial;
    std::string m_from;
};

} // namespace

std::unique_ptr<Channel> make_file_channel(const fs::path& outbox, const std::string& from) {
    return std::make_unique<FileChannel>(outbox, from);
}

} // namespace outage

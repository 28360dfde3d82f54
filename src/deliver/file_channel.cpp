// The file channel: one file per message in the outbox folder, for a pickup job or a person.
#include "outage/deliver/file_channel.hpp"

#include "outage/deliver/email.hpp"
#include "outage/io/atomic_file.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
    throw Error(Exit::runtime,
                fmt::format("cannot {} {}: {}", what, path.string(), std::strerror(errno)));
}

// An open file descriptor, closed when it goes.
struct Descriptor {
    int fd = -1;
    Descriptor(const fs::path& path, int flags, mode_t mode = 0) {
        fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
        if (fd < 0)
            fail("open", path);
    }
    ~Descriptor() { ::close(fd); }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
};

// Messages are staged in the hidden folder ".partial" of the outbox under their final name:
// a pickup job never looks there, the move into the outbox is one rename on the same file
// system, and what a killed send staged is found by name (docs/notify.md#claims).
class FileChannel final : public StagedChannel {
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
        if (::mkdir(m_partial.c_str(), 0700) != 0 && errno != EEXIST)
            fail("create", m_partial);
        ::chmod(m_partial.c_str(), 0700);
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
        // The folder is outage's own (0700), and a staged file is not visible until it is
        // moved, so it is written in place; one left by a killed send is written over.
        fs::path staged = m_partial / name(message);
        Descriptor file(staged, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
        if (::fchmod(file.fd, 0600) != 0)
            fail("set the mode of", staged);
        const char* data = content.data();
        size_t left = content.size();
        while (left > 0) {
            ssize_t n = ::write(file.fd, data, left);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                fail("write", staged);
            data += n;
            left -= static_cast<size_t>(n);
        }
    }

    // One sync of the file system for the whole batch, instead of one per file.
    void sync_staged() override {
        Descriptor folder(m_partial, O_RDONLY | O_DIRECTORY);
        if (::syncfs(folder.fd) != 0)
            fail("sync", m_partial);
    }

    bool publish(const Outgoing& message) override {
        std::string file = name(message);
        if (::rename((m_partial / file).c_str(), (m_outbox / file).c_str()) == 0)
            return true;
        if (errno == ENOENT)
            return false;
        fail("move the message into", m_outbox);
    }

    void sync_published() override {
        for (const fs::path& folder : {m_outbox, m_partial}) {
            Descriptor descriptor(folder, O_RDONLY | O_DIRECTORY);
            if (::fsync(descriptor.fd) != 0)
                fail("sync", folder);
        }
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

#include "outage/io/atomic_file.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {
namespace {

constexpr std::string_view temp_marker = ".tmp";

[[noreturn]] void fail(const std::filesystem::path& path, int error) {
    throw Error(Exit::runtime,
                fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
}

// The pid in a name made by write_file_atomically (".name.tmp1234"), if it is one.
std::optional<pid_t> writer_of(const std::string& name) {
    auto marker = name.rfind(temp_marker);
    if (!name.starts_with('.') || marker == std::string::npos)
        return std::nullopt;
    const char* first = name.data() + marker + temp_marker.size();
    const char* last = name.data() + name.size();
    pid_t pid = 0;
    auto [end, error] = std::from_chars(first, last, pid);
    if (error != std::errc() || end != last || first == last || pid <= 0)
        return std::nullopt;
    return pid;
}

} // namespace

void write_file_atomically(const std::filesystem::path& file, std::string_view content,
                           mode_t mode) {
    write_file_atomically(file, content, mode, file.parent_path());
}

void write_file_atomically(const std::filesystem::path& file, std::string_view content, mode_t mode,
                           const std::filesystem::path& temp_dir) {
    // A bulk send writes a million files: one system call fewer for each. outage never forks.
    static const pid_t this_process = ::getpid();
    std::filesystem::path temp =
        temp_dir / fmt::format(".{}{}{}", file.filename().string(), temp_marker, this_process);
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        fail(temp, errno);
    auto give_up = [&](int error) {
        ::close(fd);
        ::unlink(temp.c_str());
        fail(temp, error);
    };
    // The umask may have taken bits the caller asked for (a page others must read).
    if ((mode & 077) != 0 && ::fchmod(fd, mode) != 0)
        give_up(errno);
    size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            give_up(errno);
        }
        written += static_cast<size_t>(n);
    }
    if (::close(fd) != 0 || ::rename(temp.c_str(), file.c_str()) != 0) {
        int saved = errno;
        ::unlink(temp.c_str());
        fail(file, saved);
    }
}

void remove_abandoned_temp_files(const std::filesystem::path& dir) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        auto pid = writer_of(entry.path().filename().string());
        // A writer that still runs is mid-write; only a vanished one abandoned its file.
        if (pid && ::kill(*pid, 0) != 0 && errno == ESRCH)
            std::filesystem::remove(entry.path(), ec);
    }
}

} // namespace outage

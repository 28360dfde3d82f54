#include "outage/io/atomic_file.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view temp_suffix = ".tmp";
// The part of the target's name kept in a temporary name: with the pid and the random part
// it stays under NAME_MAX (255) for any target name.
constexpr size_t kept_name_bytes = 200;
constexpr size_t random_hex_digits = 16;

[[noreturn]] void fail(const fs::path& path, int error) {
    throw Error(Exit::runtime,
                fmt::format("cannot write {}: {}", path.string(), std::strerror(error)));
}

std::string random_hex() {
    std::array<unsigned char, random_hex_digits / 2> bytes{};
    size_t got = 0;
    while (got < bytes.size()) {
        ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw Error(Exit::runtime,
                        fmt::format("cannot get random bytes: {}", std::strerror(errno)));
        }
        got += static_cast<size_t>(n);
    }
    std::string hex;
    for (unsigned char byte : bytes)
        hex += fmt::format("{:02x}", byte);
    return hex;
}

std::optional<pid_t> parse_pid(std::string_view digits) {
    pid_t pid = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() || pid <= 0)
        return std::nullopt;
    return pid;
}

// The pid in a name made by write_temp_file (".name.1234.0123456789abcdef.tmp") or by an
// earlier outage (".name.tmp1234"), if it is one.
std::optional<pid_t> writer_of(std::string_view name) {
    if (!name.starts_with('.'))
        return std::nullopt;
    if (name.ends_with(temp_suffix)) {
        std::string_view rest = name.substr(0, name.size() - temp_suffix.size());
        size_t dot = rest.rfind('.');
        if (dot == std::string_view::npos || rest.size() - dot - 1 != random_hex_digits ||
            rest.find_first_not_of("0123456789abcdef", dot + 1) != std::string_view::npos)
            return std::nullopt;
        rest = rest.substr(0, dot);
        dot = rest.rfind('.');
        if (dot == 0 || dot == std::string_view::npos)
            return std::nullopt;
        return parse_pid(rest.substr(dot + 1));
    }
    size_t marker = name.rfind(temp_suffix);
    if (marker == std::string_view::npos)
        return std::nullopt;
    return parse_pid(name.substr(marker + temp_suffix.size()));
}

// Writes all of `content` to `fd`; false with errno set when it cannot.
bool write_all(int fd, std::string_view content) {
    size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        written += static_cast<size_t>(n);
    }
    return true;
}

// Opens `path` (the current folder when empty) read-only with `flags` and hands it to
// `sync` (fsync, syncfs).
void sync_path(const fs::path& path, int flags, int (*sync)(int)) {
    fs::path at = path.empty() ? fs::path(".") : path;
    int fd = ::open(at.c_str(), O_RDONLY | O_CLOEXEC | flags);
    if (fd < 0)
        fail(at, errno);
    if (sync(fd) != 0) {
        int saved = errno;
        ::close(fd);
        fail(at, saved);
    }
    ::close(fd);
}

} // namespace

fs::path write_temp_file(const fs::path& target, std::string_view content, mode_t mode,
                         const fs::path& temp_dir, Sync sync) {
    // A bulk send writes a million files: one system call fewer for each. outage never forks.
    static const pid_t this_process = ::getpid();
    std::string name = target.filename().string().substr(0, kept_name_bytes);
    fs::path dir = temp_dir.empty() ? target.parent_path() : temp_dir;
    fs::path temp;
    int fd = -1;
    // O_EXCL and 64 random bits: a name someone else made first (a planted symlink, a file)
    // is never opened, and guessing the next one is hopeless; another try covers the
    // 1-in-2^64 clash.
    for (int attempt = 0; fd < 0 && attempt < 4; ++attempt) {
        temp = dir / fmt::format(".{}.{}.{}{}", name, this_process, random_hex(), temp_suffix);
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            fail(target, errno);
    }
    if (fd < 0)
        fail(target, EEXIST);
    // Errors name the file the user knows of, not the temporary one.
    auto give_up = [&](int error) {
        ::close(fd);
        ::unlink(temp.c_str());
        fail(target, error);
    };
    // The umask took bits away (a page others must read) or left some the mode does not
    // give: the mode asked for is the mode the file gets.
    if (::fchmod(fd, mode) != 0)
        give_up(errno);
    if (!write_all(fd, content))
        give_up(errno);
    if (sync == Sync::durable && ::fsync(fd) != 0)
        give_up(errno);
    if (::close(fd) != 0) {
        int saved = errno;
        ::unlink(temp.c_str());
        fail(target, saved);
    }
    return temp;
}

void rename_into_place(const fs::path& temp, const fs::path& target) {
    // rename(2) replaces the directory entry: a symlink at `target` is replaced by the file,
    // and whatever it pointed to is left alone.
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        int saved = errno;
        ::unlink(temp.c_str());
        fail(target, saved);
    }
}

void sync_folder(const fs::path& folder) {
    sync_path(folder, O_DIRECTORY, ::fsync);
}

void sync_file_system(const fs::path& path) {
    sync_path(path, 0, ::syncfs);
}

void write_file_atomically(const fs::path& file, std::string_view content, mode_t mode,
                           const fs::path& temp_dir, Sync sync) {
    fs::path temp = write_temp_file(file, content, mode, temp_dir, sync);
    rename_into_place(temp, file);
    if (sync == Sync::durable)
        sync_folder(file.parent_path());
}

void remove_abandoned_temp_files(const fs::path& dir) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        auto pid = writer_of(entry.path().filename().string());
        // A writer that still runs is mid-write; only a vanished one abandoned its file.
        if (pid && ::kill(*pid, 0) != 0 && errno == ESRCH)
            fs::remove(entry.path(), ec);
    }
}

} // namespace outage

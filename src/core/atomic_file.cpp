#include "outage/core/atomic_file.hpp"

#include "outage/core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {

void write_file_atomically(const std::filesystem::path& file, std::string_view content,
                           mode_t mode) {
    std::filesystem::path temp = file;
    temp += fmt::format(".tmp{}", ::getpid());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        throw Error(Exit::runtime,
                    fmt::format("cannot write {}: {}", temp.string(), std::strerror(errno)));
    // The umask may have taken bits the caller asked for (a page others must read).
    if (::fchmod(fd, mode) != 0) {
        int saved = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        throw Error(Exit::runtime,
                    fmt::format("cannot write {}: {}", temp.string(), std::strerror(saved)));
    }
    size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            throw Error(Exit::runtime,
                        fmt::format("cannot write {}: {}", temp.string(), std::strerror(saved)));
        }
        written += static_cast<size_t>(n);
    }
    if (::close(fd) != 0 || ::rename(temp.c_str(), file.c_str()) != 0) {
        int saved = errno;
        ::unlink(temp.c_str());
        throw Error(Exit::runtime,
                    fmt::format("cannot write {}: {}", file.string(), std::strerror(saved)));
    }
}

} // namespace outage

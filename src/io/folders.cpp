#include "outage/io/folders.hpp"

#include "outage/io/trust.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void cannot_create(const fs::path& folder, int error) {
    throw Error(Exit::runtime,
                fmt::format("cannot create {}: {}", folder.string(), std::strerror(error)));
}

} // namespace

void ensure_folder(const fs::path& folder, mode_t mode) {
    if (folder.empty())
        return;
    struct stat info {};
    if (::stat(folder.c_str(), &info) == 0) {
        if (!S_ISDIR(info.st_mode))
            throw Error(Exit::runtime, fmt::format("{} is not a folder", folder.string()));
        return;
    }
    if (errno != ENOENT)
        cannot_create(folder, errno);
    fs::path parent = folder.parent_path();
    if (parent != folder)
        ensure_folder(parent, mode);
    if (::mkdir(folder.c_str(), mode) != 0) {
        // Another process made it in between: as good as made here.
        if (errno == EEXIST && ::stat(folder.c_str(), &info) == 0 && S_ISDIR(info.st_mode))
            return;
        cannot_create(folder, errno);
    }
    // mkdir took the umask's bits away; the mode asked for is the mode wanted. The folder is
    // new and ours, and no one else may write its parent (refuse_if_others_may_write), so
    // the path cannot have been swapped since mkdir.
    if (::chmod(folder.c_str(), mode) != 0)
        cannot_create(folder, errno);
}

void refuse_if_others_may_write(const fs::path& folder, std::string_view what,
                                StickyFolder sticky) {
    if (trust_checks_relaxed())
        return;
    std::optional<uid_t> below;
    if (sticky == StickyFolder::accepted)
        below = ::geteuid(); // the file outage creates there is its own
    fs::path at = folder.empty() ? fs::path(".") : folder;
    EntryRole role = EntryRole::folder;
    // A folder still to be made (ensure_folder) will be ours; what decides is the folder
    // that will hold it, checked before anything is made in it.
    std::error_code ec;
    while (!fs::exists(at, ec) && at.has_relative_path() && at.parent_path() != at) {
        at = at.parent_path().empty() ? fs::path(".") : at.parent_path();
        role = EntryRole::above;
        below = ::geteuid();
    }
    auto found = distrust_path(at, role, below);
    if (!found)
        return;
    throw Error(Exit::runtime,
                fmt::format("cannot use {} as {}: {}, so someone else on this machine could "
                            "add, replace or remove files there: {}",
                            folder.empty() ? "." : folder.string(), what, found->reason,
                            found->fix));
}

} // namespace outage

#include "outage/io/trust.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {
namespace {

namespace fs = std::filesystem;

bool is_user_or_root(uid_t owner, uid_t user) {
    return owner == user || owner == 0;
}

std::string subject(const EntryFacts& entry, EntryRole role) {
    switch (role) {
    case EntryRole::file:
        return "the file";
    case EntryRole::folder:
        return fmt::format("the folder {}", entry.path.string());
    case EntryRole::above:
        break;
    }
    return fmt::format("the folder {} above it", entry.path.string());
}

// The path with every symlink resolved; nothing when it does not exist.
std::optional<fs::path> resolved(const fs::path& path) {
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    if (!real)
        return std::nullopt;
    return fs::path(real.get());
}

} // namespace

std::optional<Distrust> distrust(const EntryFacts& entry, EntryRole role, uid_t user,
                                 std::optional<uid_t> below_owner) {
    if (!is_user_or_root(entry.owner, user))
        return Distrust{.reason = fmt::format("{} is owned by uid {}, not by you (uid {}) or root",
                                              subject(entry, role), entry.owner, user),
                        .fix = fmt::format("keep it in a folder you own, or have root own {}",
                                           entry.path.string())};
    mode_t writable = entry.mode & (S_IWGRP | S_IWOTH);
    if (writable == 0)
        return std::nullopt;
    // In a sticky folder (/tmp) others may add entries of their own but neither rename nor
    // remove ours, so the path through it still leads where it did.
    bool sticky_folder = S_ISDIR(entry.mode) && (entry.mode & S_ISVTX) != 0;
    if (sticky_folder && below_owner && is_user_or_root(*below_owner, user))
        return std::nullopt;
    std::string_view who = writable == (S_IWGRP | S_IWOTH) ? "its group and others"
                           : writable == S_IWGRP           ? "its group"
                                                           : "others";
    return Distrust{.reason = fmt::format("{} is writable by {} (mode {:04o})",
                                          subject(entry, role), who, entry.mode & 07777),
                    .fix = fmt::format("chmod go-w {}", entry.path.string())};
}

std::optional<Distrust> distrust_path(const fs::path& path, EntryRole role,
                                      std::optional<uid_t> below_owner) {
    auto real = resolved(path);
    if (!real)
        return std::nullopt;
    const uid_t user = ::geteuid();
    fs::path at = *real;
    while (true) {
        struct stat info {};
        if (::lstat(at.c_str(), &info) != 0)
            return std::nullopt;
        EntryFacts facts{.path = at, .owner = info.st_uid, .mode = info.st_mode};
        if (auto found = distrust(facts, role, user, below_owner))
            return found;
        if (at == at.root_path() || !at.has_relative_path())
            return std::nullopt;
        below_owner = info.st_uid;
        role = EntryRole::above;
        at = at.parent_path();
    }
}

std::optional<std::string> untrusted_input(const fs::path& file) {
    if (trust_checks_relaxed())
        return std::nullopt;
    auto found = distrust_path(file, EntryRole::file);
    if (!found)
        return std::nullopt;
    return fmt::format("{}, so someone else on this machine could change what outage does or "
                       "says: {}",
                       found->reason, found->fix);
}

bool trust_checks_relaxed() {
    const char* value = std::getenv("OUTAGE_TRUST");
    if (!value || !*value)
        return false;
    if (std::string_view(value) == "any")
        return true;
    throw Error(Exit::usage,
                fmt::format("OUTAGE_TRUST is 'any' or unset, not '{}' (docs/security.md)", value));
}

} // namespace outage

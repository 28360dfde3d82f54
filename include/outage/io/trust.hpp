#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace outage {

// What stat says about one entry on a path: who owns it and its st_mode (type and permission
// bits, sticky included).
struct EntryFacts {
    std::filesystem::path path;
    uid_t owner = 0;
    mode_t mode = 0;
};

// Where an entry sits on the path being checked, for the message.
enum class EntryRole {
    file,   // the input file itself
    folder, // a folder that is itself the thing checked (an outbox, an output folder)
    above,  // a folder above the thing checked
};

// What lets others change an entry, and the command that stops it.
struct Distrust {
    std::string reason; // "the folder /srv/runbooks is writable by others (mode 0777)"
    std::string fix;    // "chmod go-w /srv/runbooks"
};

// Why someone other than `user` and root could change what lies at or below `entry`; nothing
// when no one can (docs/security.md#files-others-could-change). The entry must be owned by
// `user` or root and not writable by its group or others; a folder writable by others is
// fine when it is sticky and `below_owner`, the owner of the next entry down the path, is
// `user` or root, since others may then neither rename nor remove that entry. Pure: the
// unit tests feed it facts no test can make without root.
std::optional<Distrust> distrust(const EntryFacts& entry, EntryRole role, uid_t user,
                                 std::optional<uid_t> below_owner);

// distrust() for `path`, symlinks resolved, and every folder above it up to /: the first
// finding from the bottom up, for this process's user. `role` says what `path` is and
// `below_owner` is as for distrust(). Nothing when the path does not exist. Checks even when
// OUTAGE_TRUST=any (the callers below honour it).
std::optional<Distrust> distrust_path(const std::filesystem::path& path, EntryRole role,
                                      std::optional<uid_t> below_owner = std::nullopt);

// Why `file` (a runbook, template, config file, recipients CSV...) must not be read: it or a
// folder above it, symlinks resolved, up to /, fails distrust() for this process's user.
// Nothing when it is fine, when it does not exist (the reader says so), or when OUTAGE_TRUST
// is `any`. The reason names the entry and ends with the command that fixes it.
std::optional<std::string> untrusted_input(const std::filesystem::path& file);

// True when OUTAGE_TRUST=any turns the ownership and mode checks off: the one way to relax
// them (docs/security.md). Throws Error(usage) for any other non-empty value.
bool trust_checks_relaxed();

} // namespace outage

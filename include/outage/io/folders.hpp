#pragma once

#include <filesystem>
#include <string_view>
#include <sys/types.h>

namespace outage {

// Makes `folder` and each missing folder above it with exactly `mode` (0700 private, 0755
// the public status page), whatever the umask; an existing folder is left as it is but must
// be a folder (a symlink to one is fine). Throws Error(runtime) naming the folder.
void ensure_folder(const std::filesystem::path& folder, mode_t mode);

// Whether a sticky folder writable by others is acceptable as the folder checked: yes for a
// folder outage writes one file of its own into (`-o /tmp/report.html`: others can neither
// replace nor remove it there), no for a folder whose whole content is trusted (the outbox,
// the status page).
enum class StickyFolder { refused, accepted };

// Throws Error(runtime), "cannot use FOLDER as WHAT: REASON ...: FIX" in one line, when someone
// other than the user and root could add, replace or remove files in `folder` (symlinks resolved):
// it is writable by its group or others, or owned by another user; so is any folder above it that
// lets others swap it (docs/security.md). A folder still to be made is judged by the folder
// that will hold it. Nothing is checked when OUTAGE_TRUST=any.
void refuse_if_others_may_write(const std::filesystem::path& folder, std::string_view what,
                                StickyFolder sticky = StickyFolder::refused);

} // namespace outage

#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// Where runbooks are looked up, first match by id wins: the user's folder, then the bundled set.
struct RunbookPath {
    std::vector<std::filesystem::path> dirs;
};

// The user folder (--runbooks / OUTAGE_RUNBOOKS, else $XDG_CONFIG_HOME/outage/runbooks) ahead
// of the bundled set.
RunbookPath runbook_path(const std::filesystem::path& user_dir);

// What every runbook says about itself.
struct RunbookSummary {
    std::string id;
    std::string title;
    std::string description;
    std::filesystem::path file;
};

// The ids of every runbook on the path (file names without .yaml), sorted, each once.
std::vector<std::string> runbook_ids(const RunbookPath& path);

// Loads runbook `id`. Throws Error(not_found) naming the known ids when there is none, and
// Error(invalid_content) as `file:line:column: message` when the file is not a valid runbook.
RunbookSummary load_runbook_summary(const RunbookPath& path, const std::string& id);

} // namespace outage

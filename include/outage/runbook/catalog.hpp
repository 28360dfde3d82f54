#pragma once

#include "outage/model/runbook.hpp"
#include "outage/runbook/load.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace outage {

// Where runbooks are looked up, first match by id wins: the user's folder, then the bundled set.
struct RunbookPath {
    std::vector<std::filesystem::path> dirs;
    // Where parsed runbooks are kept between runs (runbook/cache.hpp); empty: nowhere.
    std::filesystem::path cache;
};

// The user folder (--runbooks / OUTAGE_RUNBOOKS, else $XDG_CONFIG_HOME/outage/runbooks) ahead
// of the bundled set.
RunbookPath runbook_path(const std::filesystem::path& user_dir);

// The ids of every runbook on the path (file names without .yaml), sorted, each once.
std::vector<std::string> runbook_ids(const RunbookPath& path);

// The file that defines runbook `id`; Error(not_found) naming the known ids when none does.
std::filesystem::path runbook_file(const RunbookPath& path, const std::string& id);

// Loads and validates runbook `id`, from the path's cache when the file's bytes are there.
// Throws Error(not_found) for an unknown id and Error(invalid_content) with the first
// problem as `file:line:column: message`.
Runbook load_runbook(const RunbookPath& path, const std::string& id,
                     const TemplateExists& template_exists = {});

// Loads severity.yaml from the first folder on the path that has one.
SeverityScale load_severity_scale(const RunbookPath& path);

// Checks files and folders (a folder: every .yaml in it; severity.yaml as the levels file),
// or, with no targets, every runbook in effect on the path and its severity.yaml. Returns
// every problem, in file order.
std::vector<Problem> lint_runbooks(const RunbookPath& path,
                                   const std::vector<std::filesystem::path>& targets,
                                   const TemplateExists& template_exists = {});

} // namespace outage

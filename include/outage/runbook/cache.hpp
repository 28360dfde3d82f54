#pragma once

#include "outage/model/runbook.hpp"

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace outage {

// Parsed runbooks kept between runs. yaml-cpp takes about 2 ms to parse a 9 KB runbook,
// most of what `outage open` does beyond the SQLite shell (docs/performance.md). An entry is
// the validated runbook as JSON, named after the SHA-256 of the file's exact bytes and of
// this build's runbook model, so an edited file or a new outage never meets an old entry.
// Entries are owner-only; one that is not, or that does not read back whole, is ignored and
// the file is parsed as if there were no cache.

// The entry name for a runbook file holding `text`.
std::string runbook_cache_key(std::string_view text);

// The runbook stored under `key` in `dir`, if there is a sound entry; its `file` is empty.
std::optional<Runbook> read_cached_runbook(const std::filesystem::path& dir,
                                           const std::string& key);

// Stores `runbook` under `key`, creating `dir` owner-only. Failing to is not an error: the
// next run parses the file again.
void write_cached_runbook(const std::filesystem::path& dir, const std::string& key,
                          const Runbook& runbook);

// The runbook as the cache stores it, and back; runbook_from_json throws
// nlohmann::json::exception or Error on anything it cannot take whole.
nlohmann::json runbook_to_json(const Runbook& runbook);
Runbook runbook_from_json(const nlohmann::json& json);

} // namespace outage

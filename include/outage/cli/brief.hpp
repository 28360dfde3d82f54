#pragma once

#include "outage/cli/context.hpp"
#include "outage/render/template.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/brief.hpp"

#include <nlohmann/json.hpp>

namespace outage::cli {

// The brief for whoever takes over, read from the log (`brief`, and `handoff` after the
// handover). A runbook that cannot be read leaves the pending steps out, with a warning.
Brief load_brief(Store& store, const RunbookPath& runbooks, const TemplatePath& templates,
                 IncidentId id);

// The brief on one screen: severity and why, owners, done, pending, last messages.
void print_brief(const Brief& brief, const Output& out, Timestamp now);

// The brief as `brief --json` prints it (docs/cli.md).
nlohmann::json brief_json(const Brief& brief, Timestamp now);

} // namespace outage::cli

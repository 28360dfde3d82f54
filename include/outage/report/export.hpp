#pragma once

#include "outage/model/names.hpp"
#include "outage/store/store.hpp"

#include <cstdint>
#include <functional>
#include <string_view>

namespace outage {

enum class ExportFormat { json, csv };
inline constexpr NameTable export_format_names{std::pair{ExportFormat::json, "json"},
                                               std::pair{ExportFormat::csv, "csv"}};

// How much an export held.
struct ExportCounts {
    std::int64_t incidents = 0;
    std::int64_t events = 0;
};

// Receives an export piece by piece: a log of 100,000 incidents is never one string.
using ExportWriter = std::function<void(std::string_view text)>;

// The incidents `filter` matches, in id order, as a JSON array of incident objects (with
// `events`, each with its timeline) or as CSV with a header row: one row per incident, or with
// `events` one per event (docs/cli.md).
ExportCounts export_incidents(Store& store, const IncidentFilter& filter, ExportFormat format,
                              bool events, const ExportWriter& write);

} // namespace outage

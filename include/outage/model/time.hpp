#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace outage {

// All instants are whole seconds since the epoch, UTC.
using Timestamp = std::chrono::sys_seconds;

// Which way a bare duration such as "2h" points: an ETA lies ahead, a --since lies behind.
enum class Direction { ahead, behind };

// Parses what an operator types for a time: ISO 8601 with or without a zone (no zone means
// local time; a date alone means local midnight), "HH:MM" (today, local) or a duration
// "90m", "2h", "1d", "1h30m" counted from now in the given direction. Throws Error(usage)
// quoting the value when it is none of these.
Timestamp parse_when(std::string_view text, Timestamp now, Direction direction);

// Parses a duration: one or more <number><unit> with units s, m, h, d, w ("90m", "1h30m").
// Returns nothing when the text is not one, or longer than a century.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Parses ISO 8601 where a missing zone means UTC (OUTAGE_NOW, stored values).
// Returns nothing when the text is not a valid ISO 8601 time.
std::optional<Timestamp> parse_iso_utc(std::string_view text);

// "2026-11-22T13:31:28Z": how the log stores times and JSON shows them.
std::string format_iso_utc(Timestamp t);

// "2026-11-22 14:31 CET": how human output shows times, in the local zone (TZ).
std::string format_local(Timestamp t);

// "1h 20m", "3d 2h", "45s": a span for humans, largest two units.
std::string format_span(std::chrono::seconds span);

// The clock: OUTAGE_NOW when set (tests, replay), else the system clock.
// Throws Error(usage) when OUTAGE_NOW is set but not ISO 8601.
Timestamp clock_now(const char* outage_now_env);

} // namespace outage

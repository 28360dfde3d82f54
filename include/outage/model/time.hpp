#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace outage {

// All instants are whole seconds since the epoch, UTC.
using Timestamp = std::chrono::sys_seconds;

// The times outage accepts from an operator: 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z,
// both included. Every time given (an option, OUTAGE_NOW) is refused outside it, so every time
// computed from one (now plus an update interval, a deadline) still has a four-digit year and
// reads back. A log written before the check may hold a time outside it: it still reads
// (parse_iso_utc) and shows as stored (format_local).
inline constexpr Timestamp earliest_time = std::chrono::sys_days{std::chrono::year{2000} / 1 / 1};
inline constexpr Timestamp latest_time = std::chrono::sys_days{std::chrono::year{2100} / 1 / 1};
bool in_time_range(Timestamp t);
// "2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z", for messages.
std::string time_range_text();
// Whether a due time has passed by `now`. One outside the accepted range has: a promise whose
// time cannot be real is shown as overdue rather than left to wait for year 10000.
bool has_passed(Timestamp due, Timestamp now);

// Which way a time points: an ETA lies ahead, a --since lies behind. A bare duration such as
// "2h" counts from now that way, and an "HH:MM" is the nearest such time that way.
enum class Direction { ahead, behind };

// A time an operator gave, and whether an "HH:MM" moved a day to lie in its direction: ahead,
// a time already past today is tomorrow's; behind, one still to come today is yesterday's.
struct When {
    Timestamp at;
    bool other_day = false;
};

// Parses what an operator types for a time: ISO 8601 with or without a zone (no zone means
// local time; a date alone means local midnight), "HH:MM" (local, see When) or a duration
// "90m", "2h", "1d", "1h30m" counted from now in the given direction. Throws Error(usage)
// quoting the value when it is none of these, or when the time is outside the accepted range.
When parse_when(std::string_view text, Timestamp now, Direction direction);

// Parses a duration: one or more <number><unit> with units s, m, h, d, w ("90m", "1h30m").
// Returns nothing when the text is not one, or longer than a century.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Parses ISO 8601 where a missing zone means UTC (OUTAGE_NOW, stored values). Any year from
// 0000 to 32767 reads, so that a log holding a time outside the accepted range still lists;
// what an operator gives is checked by clock_now and parse_when. Returns nothing when the text
// is not a valid ISO 8601 time.
std::optional<Timestamp> parse_iso_utc(std::string_view text);

// "2026-11-22T13:31:28Z": how the log stores times and JSON shows them.
std::string format_iso_utc(Timestamp t);

// "2026-11-22 14:31 CET": how human output shows times, in the local zone (TZ). A time outside
// the accepted range shows as the log stores it ("10000-01-01T00:59:00Z"): a zone's rules say
// nothing of such a year, and the stored text is what someone fixing the log looks for.
std::string format_local(Timestamp t);

// "1h 20m", "3d 2h", "45s": a span for humans, largest two units.
std::string format_span(std::chrono::seconds span);

// The clock: OUTAGE_NOW when set (tests, replay), else the system clock.
// Throws Error(usage) when OUTAGE_NOW is set but not ISO 8601, or outside the accepted range.
Timestamp clock_now(const char* outage_now_env);

} // namespace outage

#include "outage/model/time.hpp"

#include "outage/model/error.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <cctype>
#include <ctime>
#include <limits>

namespace outage {
namespace {

using namespace std::chrono;

// Reads exactly `width` digits at `pos`, advancing it.
std::optional<int> read_digits(std::string_view text, size_t& pos, size_t width) {
    if (pos + width > text.size())
        return std::nullopt;
    int value = 0;
    for (size_t i = 0; i < width; ++i) {
        char c = text[pos + i];
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return std::nullopt;
        value = value * 10 + (c - '0');
    }
    pos += width;
    return value;
}

bool accept(std::string_view text, size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

struct CivilTime {
    year_month_day date;
    int hour = 0, minute = 0, second = 0;
    std::optional<minutes> offset; // set when the text names a zone
};

std::optional<CivilTime> parse_civil(std::string_view text) {
    size_t pos = 0;
    // Four digits, or five: a log written before times were checked may hold year 10000.
    auto y = read_digits(text, pos, 4);
    if (y && pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
        y = *y * 10 + (text[pos++] - '0');
    if (!y || !accept(text, pos, '-'))
        return std::nullopt;
    auto mo = read_digits(text, pos, 2);
    if (!mo || !accept(text, pos, '-'))
        return std::nullopt;
    auto d = read_digits(text, pos, 2);
    if (!d)
        return std::nullopt;
    CivilTime civil;
    civil.date = year{*y} / month{static_cast<unsigned>(*mo)} / day{static_cast<unsigned>(*d)};
    if (!civil.date.ok())
        return std::nullopt;
    if (pos == text.size())
        return civil;
    if (!accept(text, pos, 'T') && !accept(text, pos, 't') && !accept(text, pos, ' '))
        return std::nullopt;
    auto h = read_digits(text, pos, 2);
    if (!h || !accept(text, pos, ':'))
        return std::nullopt;
    auto mi = read_digits(text, pos, 2);
    if (!mi)
        return std::nullopt;
    civil.hour = *h;
    civil.minute = *mi;
    if (accept(text, pos, ':')) {
        auto s = read_digits(text, pos, 2);
        if (!s)
            return std::nullopt;
        civil.second = *s;
        // Fractions of a second are accepted and dropped: the log keeps whole seconds.
        if (accept(text, pos, '.') || accept(text, pos, ',')) {
            size_t start = pos;
            while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])))
                ++pos;
            if (pos == start)
                return std::nullopt;
        }
    }
    if (civil.hour > 23 || civil.minute > 59 || civil.second > 59)
        return std::nullopt;
    if (pos == text.size())
        return civil;
    if (accept(text, pos, 'Z') || accept(text, pos, 'z')) {
        civil.offset = minutes{0};
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        auto oh = read_digits(text, pos, 2);
        if (!oh)
            return std::nullopt;
        int om = 0;
        if (pos < text.size()) {
            accept(text, pos, ':');
            auto m = read_digits(text, pos, 2);
            if (!m)
                return std::nullopt;
            om = *m;
        }
        if (*oh > 23 || om > 59)
            return std::nullopt;
        civil.offset = minutes{sign * (*oh * 60 + om)};
    }
    if (pos != text.size())
        return std::nullopt;
    return civil;
}

Timestamp from_utc(const CivilTime& civil) {
    return sys_days{civil.date} + hours{civil.hour} + minutes{civil.minute} + seconds{civil.second};
}

Timestamp from_local(const CivilTime& civil) {
    std::tm tm{};
    tm.tm_year = static_cast<int>(civil.date.year()) - 1900;
    tm.tm_mon = static_cast<int>(static_cast<unsigned>(civil.date.month())) - 1;
    tm.tm_mday = static_cast<int>(static_cast<unsigned>(civil.date.day()));
    tm.tm_hour = civil.hour;
    tm.tm_min = civil.minute;
    tm.tm_sec = civil.second;
    tm.tm_isdst = -1; // let the zone rules decide
    return Timestamp{seconds{std::mktime(&tm)}};
}

std::tm local_tm(Timestamp t) {
    std::time_t raw = t.time_since_epoch().count();
    std::tm tm{};
    localtime_r(&raw, &tm);
    return tm;
}

// "HH:MM" today, local; or the next day's (ahead) or the day before's (behind) when today's
// lies the other way from now.
std::optional<When> parse_clock_time(std::string_view text, Timestamp now, Direction direction) {
    size_t pos = 0;
    auto h = read_digits(text, pos, text.size() == 4 ? 1 : 2);
    if (!h || !accept(text, pos, ':'))
        return std::nullopt;
    auto m = read_digits(text, pos, 2);
    if (!m || pos != text.size() || *h > 23 || *m > 59)
        return std::nullopt;
    std::tm today = local_tm(now);
    auto on_day = [&](int shift) {
        std::tm tm = today;
        tm.tm_mday += shift; // mktime carries it into the month and year
        tm.tm_hour = *h;
        tm.tm_min = *m;
        tm.tm_sec = 0;
        tm.tm_isdst = -1;
        return Timestamp{seconds{std::mktime(&tm)}};
    };
    Timestamp at = on_day(0);
    if (direction == Direction::ahead && at < now)
        return When{on_day(1), true};
    if (direction == Direction::behind && at > now)
        return When{on_day(-1), true};
    return When{at};
}

// The stored form of a time is readable from year 0 to 32767 (year_month_day's range).
constexpr Timestamp first_readable = sys_days{year{0} / 1 / 1};
constexpr Timestamp last_readable = sys_days{year{32767} / 12 / 31} + days{1} - seconds{1};

When in_range_or_refused(When when, std::string_view text) {
    if (!in_time_range(when.at))
        throw Error(Exit::usage, fmt::format("'{}' is outside the times outage accepts, {}", text,
                                             time_range_text()));
    return when;
}

} // namespace

std::optional<seconds> parse_duration(std::string_view text) {
    if (text.empty())
        return std::nullopt;
    constexpr long long limit = 100LL * 366 * 24 * 3600; // a century is plenty for an outage
    long long total = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        long long number = 0;
        size_t start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
            number = number * 10 + (text[pos] - '0');
            if (number > limit)
                return std::nullopt;
            ++pos;
        }
        if (pos == start || pos == text.size())
            return std::nullopt;
        long long unit = 0;
        switch (text[pos]) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        case 'w':
            unit = 7 * 86400;
            break;
        default:
            return std::nullopt;
        }
        ++pos;
        total += number * unit;
        if (total > limit)
            return std::nullopt;
    }
    return seconds{total};
}

bool in_time_range(Timestamp t) {
    return t >= earliest_time && t <= latest_time;
}

bool has_passed(Timestamp due, Timestamp now) {
    return due < now || !in_time_range(due);
}

std::string time_range_text() {
    return fmt::format("{} to {}", format_iso_utc(earliest_time), format_iso_utc(latest_time));
}

When parse_when(std::string_view text, Timestamp now, Direction direction) {
    if (auto civil = parse_civil(text))
        return in_range_or_refused(
            When{civil->offset ? from_utc(*civil) - *civil->offset : from_local(*civil)}, text);
    if (auto clock = parse_clock_time(text, now, direction))
        return in_range_or_refused(*clock, text);
    if (auto span = parse_duration(text))
        return in_range_or_refused(When{direction == Direction::ahead ? now + *span : now - *span},
                                   text);
    throw Error(Exit::usage,
                fmt::format("invalid time '{}': expected ISO 8601 (2026-11-22T14:30, with Z or "
                            "+01:00 for a zone), HH:MM today, or a duration such as 90m, 2h, 1d",
                            text));
}

std::optional<Timestamp> parse_iso_utc(std::string_view text) {
    auto civil = parse_civil(text);
    if (!civil)
        return std::nullopt;
    Timestamp at = from_utc(*civil) - civil->offset.value_or(minutes{0});
    // An offset can carry year 0 or 32767 past the edge of what formats back.
    if (at < first_readable || at > last_readable)
        return std::nullopt;
    return at;
}

std::string format_iso_utc(Timestamp t) {
    auto day_point = floor<days>(t);
    year_month_day ymd{day_point};
    hh_mm_ss hms{t - day_point};
    // Compiled once: `list --json` formats five times for each of 100,000 incidents.
    return fmt::format(FMT_COMPILE("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z"),
                       static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()), hms.hours().count(), hms.minutes().count(),
                       hms.seconds().count());
}

std::string format_local(Timestamp t) {
    if (!in_time_range(t))
        return format_iso_utc(t);
    std::tm tm = local_tm(t);
    char buffer[64];
    size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M %Z", &tm);
    return std::string(buffer, n);
}

std::string format_span(seconds span) {
    long long total = span.count() < 0 ? -span.count() : span.count();
    long long d = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60, s = total % 60;
    if (d > 0)
        return h > 0 ? fmt::format("{}d {}h", d, h) : fmt::format("{}d", d);
    if (h > 0)
        return m > 0 ? fmt::format("{}h {}m", h, m) : fmt::format("{}h", h);
    if (m > 0)
        return fmt::format("{}m", m);
    return fmt::format("{}s", s);
}

Timestamp clock_now(const char* outage_now_env) {
    if (outage_now_env && *outage_now_env) {
        if (auto t = parse_iso_utc(outage_now_env)) {
            if (!in_time_range(*t))
                throw Error(Exit::usage,
                            fmt::format("OUTAGE_NOW '{}' is outside the times outage accepts, {}",
                                        outage_now_env, time_range_text()));
            return *t;
        }
        throw Error(Exit::usage, fmt::format("invalid OUTAGE_NOW '{}': expected ISO 8601 such as "
                                             "2026-11-22T14:30:00Z",
                                             outage_now_env));
    }
    return floor<seconds>(system_clock::now());
}

} // namespace outage

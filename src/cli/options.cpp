#include "outage/cli/options.hpp"

#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/services/eta.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace outage::cli {

const CLI::Validator whole_number(
    [](std::string& text) -> std::string {
        std::int64_t value = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0)
            return fmt::format("'{}' is not a whole number from 0 to {}", text,
                               std::numeric_limits<std::int64_t>::max());
        return "";
    },
    "N");

void add_incident_id(CLI::App& command, IncidentId& id) {
    command.add_option("id", id, "Incident id (from `outage list`)")
        ->required()
        ->check(whole_number);
}

std::optional<When> parse_when_option(const char* option, const std::optional<std::string>& value,
                                      Direction direction, const Given& given) {
    if (!value)
        return std::nullopt;
    try {
        return parse_when(*value, given.now(), direction);
    } catch (const Error& e) {
        throw Error(e.code(), fmt::format("{}: {}", option, e.what()));
    }
}

std::optional<Timestamp> parse_time_option(const char* option,
                                           const std::optional<std::string>& value,
                                           Direction direction, const Given& given) {
    auto when = parse_when_option(option, value, direction, given);
    return when ? std::optional(when->at) : std::nullopt;
}

std::optional<When> parse_eta_option(const std::optional<std::string>& value, const Given& given) {
    auto eta = parse_when_option("--eta", value, Direction::ahead, given);
    if (eta)
        check_eta(eta->at, given.now());
    return eta;
}

void print_eta_day(const std::optional<std::string>& value, const std::optional<When>& eta) {
    if (value && eta && eta->other_day)
        fmt::print(stderr, "outage: --eta {} taken as tomorrow, {}\n", *value,
                   format_local(eta->at));
}

void print_changed(const Incident& incident, const Output& out, const std::string& headline) {
    if (out.json) {
        print_json(incident_json(incident));
        return;
    }
    fmt::print("{}\n", headline);
    print_incident(incident, out);
}

} // namespace outage::cli

#pragma once

#include "outage/cli/context.hpp"
#include "outage/model/names.hpp"
#include "outage/model/time.hpp"

#include <CLI/CLI.hpp>

#include <initializer_list>
#include <optional>
#include <string>

namespace outage::cli {

// Accepts only a plain decimal whole number from 0 that fits 64 bits: CLI11 alone would clamp
// 99999999999999999999 and read 0x10 as 16.
extern const CLI::Validator whole_number;

// The positional incident id every per-incident command takes.
void add_incident_id(CLI::App& command, IncidentId& id);

// What an option accepts: the names of an enum's table, then any words of the option's own
// ("all").
template <typename Enum, std::size_t N>
CLI::IsMember one_of(const NameTable<Enum, N>& names,
                     std::initializer_list<const char*> extra = {}) {
    std::vector<std::string> accepted = names.names();
    accepted.insert(accepted.end(), extra.begin(), extra.end());
    return CLI::IsMember(accepted);
}

// Parses a time option's value (see parse_when) against the clock the command was given, which
// it reads only when the option was given; the error names the option.
std::optional<When> parse_when_option(const char* option, const std::optional<std::string>& value,
                                      Direction direction, const Given& given);
// The same, the time alone.
std::optional<Timestamp> parse_time_option(const char* option,
                                           const std::optional<std::string>& value,
                                           Direction direction, const Given& given);

// An --eta: a time ahead (an HH:MM already past today is tomorrow's), refused when it has
// already passed (check_eta).
std::optional<When> parse_eta_option(const std::optional<std::string>& value, const Given& given);
// Tells, on stderr, which day an --eta HH:MM was taken as when today's had passed: the
// command's last line, once it has done its work.
void print_eta_day(const std::optional<std::string>& value, const std::optional<When>& eta);

// Prints the changed incident: its JSON object, or a headline and its facts.
void print_changed(const Incident& incident, const Output& out, const std::string& headline);

} // namespace outage::cli

#include "outage/model/incident.hpp"

#include <array>
#include <utility>

namespace outage {
namespace {

template <typename Enum, size_t N>
std::optional<Enum> lookup(const std::array<std::pair<Enum, std::string_view>, N>& names,
                           std::string_view text) {
    for (const auto& [value, name] : names)
        if (name == text)
            return value;
    return std::nullopt;
}

template <typename Enum, size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
    for (const auto& [candidate, name] : names)
        if (candidate == value)
            return name;
    return "?";
}

constexpr std::array<std::pair<Status, std::string_view>, 2> status_names{{
    {Status::open, "open"},
    {Status::closed, "closed"},
}};

constexpr std::array<std::pair<Phase, std::string_view>, 4> phase_names{{
    {Phase::investigating, "investigating"},
    {Phase::identified, "identified"},
    {Phase::monitoring, "monitoring"},
    {Phase::resolved, "resolved"},
}};

constexpr std::array<std::pair<Recurrence, std::string_view>, 3> recurrence_names{{
    {Recurrence::likely, "likely"},
    {Recurrence::unlikely, "unlikely"},
    {Recurrence::unknown, "unknown"},
}};

} // namespace

std::string_view to_string(Status status) {
    return name_of(status_names, status);
}
std::string_view to_string(Phase phase) {
    return name_of(phase_names, phase);
}
std::string_view to_string(Recurrence recurrence) {
    return name_of(recurrence_names, recurrence);
}
std::string_view to_string(DeliveryState state) {
    switch (state) {
    case DeliveryState::pending:
        return "pending";
    case DeliveryState::sent:
        return "sent";
    case DeliveryState::failed:
        return "failed";
    }
    return "?";
}

std::string_view to_string(StepState state) {
    return state == StepState::done ? "done" : "skipped";
}

std::optional<Status> parse_status(std::string_view text) {
    return lookup(status_names, text);
}
std::optional<Phase> parse_phase(std::string_view text) {
    return lookup(phase_names, text);
}
std::optional<Recurrence> parse_recurrence(std::string_view text) {
    return lookup(recurrence_names, text);
}

} // namespace outage

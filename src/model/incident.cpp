#include "outage/model/incident.hpp"

#include "name_table.hpp"

namespace outage {
namespace {

constexpr NameTable<Status, 2> status_names{{
    {Status::open, "open"},
    {Status::closed, "closed"},
}};

constexpr NameTable<Phase, 4> phase_names{{
    {Phase::investigating, "investigating"},
    {Phase::identified, "identified"},
    {Phase::monitoring, "monitoring"},
    {Phase::resolved, "resolved"},
}};

constexpr NameTable<Recurrence, 3> recurrence_names{{
    {Recurrence::likely, "likely"},
    {Recurrence::unlikely, "unlikely"},
    {Recurrence::unknown, "unknown"},
}};

constexpr NameTable<StepState, 2> step_state_names{{
    {StepState::done, "done"},
    {StepState::skipped, "skipped"},
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
    return name_of(step_state_names, state);
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
std::optional<StepState> parse_step_state(std::string_view text) {
    return lookup(step_state_names, text);
}

} // namespace outage

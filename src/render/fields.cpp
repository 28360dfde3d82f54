#include "outage/render/fields.hpp"

namespace outage {

const std::vector<FieldInfo>& field_catalog() {
    static const std::vector<FieldInfo> catalog{
        {"incident_id", FieldClass::public_field, "the incident log"},
        {"reference", FieldClass::public_field, "the incident log"},
        {"title", FieldClass::internal_field, "outage open --title"},
        {"scenario", FieldClass::internal_field, "outage open --scenario"},
        {"scenario_title", FieldClass::internal_field, "the runbook"},
        {"severity", FieldClass::public_field, "outage assess"},
        {"severity_name", FieldClass::public_field, "outage assess"},
        {"severity_meaning", FieldClass::public_field, "outage assess"},
        {"status", FieldClass::public_field, "outage update --status, outage close"},
        {"opened_at", FieldClass::public_field, "outage open"},
        {"services", FieldClass::public_field, "outage open --service"},
        {"services_text", FieldClass::public_field, "outage open --service"},
        {"affected", FieldClass::public_field, "outage update --affected"},
        {"owner", FieldClass::internal_field, "outage open --owner"},
        {"eta", FieldClass::public_field, "pass --eta"},
        {"workaround", FieldClass::public_field, "pass --workaround"},
        {"note", FieldClass::public_field, "pass --note"},
        {"update_number", FieldClass::public_field, "the incident log"},
        {"next_update", FieldClass::public_field, "outage assess"},
        {"contact", FieldClass::public_field, "set contact in the config file"},
        {"organisation", FieldClass::public_field, "set organisation in the config file"},
        {"resolved", FieldClass::public_field, "outage close"},
        {"resolved_at", FieldClass::public_field, "outage close"},
        {"resolution", FieldClass::internal_field, "outage close --resolution"},
        {"root_cause", FieldClass::internal_field, "outage close --root-cause"},
        {"supplier", FieldClass::internal_field, "pass --supplier"},
        {"internal_note", FieldClass::internal_field, "pass --internal-note"},
        {"handover_note", FieldClass::internal_field, "outage handoff --note"},
    };
    return catalog;
}

std::optional<FieldInfo> find_field(std::string_view name) {
    constexpr std::string_view recipient_prefix = "recipient.";
    if (name.substr(0, recipient_prefix.size()) == recipient_prefix &&
        name.size() > recipient_prefix.size())
        return FieldInfo{name, FieldClass::public_field, "a column of --recipients"};
    if (name == ".")
        return FieldInfo{name, FieldClass::public_field, "the list being iterated"};
    for (const auto& field : field_catalog())
        if (field.name == name)
            return field;
    return std::nullopt;
}

} // namespace outage

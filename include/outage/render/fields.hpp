#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace outage {

enum class FieldClass { public_field, internal_field };

// One field a template may name (docs/templates.md keeps the same table for people).
struct FieldInfo {
    std::string_view name;
    FieldClass field_class;
    std::string_view supplied_by; // what to pass when a required field is missing
};

const std::vector<FieldInfo>& field_catalog();

// The field a tag names: a catalog field, or "recipient.<column>" (public). Nothing for an
// unknown name.
std::optional<FieldInfo> find_field(std::string_view name);

} // namespace outage

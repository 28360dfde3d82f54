#pragma once

#include "outage/io/yaml_reader.hpp"
#include "outage/model/runbook.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// Answers whether a template of that name exists; lets the loader check plan references
// without depending on the template module.
using TemplateExists = std::function<bool(std::string_view name)>;

// Parses and validates runbooks/<id>.yaml, adding every problem found to `problems`.
// Returns the runbook only when the file has no problems. `template_exists` may be empty.
std::optional<Runbook> parse_runbook(const std::filesystem::path& file,
                                     const TemplateExists& template_exists,
                                     std::vector<Problem>& problems);

// Parses and validates severity.yaml: exactly SEV1..SEV4, in order.
std::optional<SeverityScale> parse_severity_scale(const std::filesystem::path& file,
                                                  std::vector<Problem>& problems);

// Reads an answers file: a YAML (or JSON) mapping of question id to answer. Returns the pairs
// in file order, values as written. Throws Error(usage) for an unreadable or malformed file.
std::vector<std::pair<std::string, std::string>>
read_answers_file(const std::filesystem::path& file);

} // namespace outage

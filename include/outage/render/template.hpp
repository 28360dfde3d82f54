#pragma once

#include "outage/io/yaml_reader.hpp"
#include "outage/model/error.hpp"
#include "outage/model/names.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

enum class AudienceClass { internal, external };
inline constexpr NameTable audience_class_names{std::pair{AudienceClass::internal, "internal"},
                                                std::pair{AudienceClass::external, "external"}};

// One message template as parsed from templates/<name>.<lang>.mustache.
struct Template {
    std::string name;
    std::string lang;
    AudienceClass audience = AudienceClass::internal;
    std::string subject;
    std::string body;
    std::vector<std::string> requires_fields;
    std::vector<std::string> fields_used; // every field a tag of the subject or body names
    std::string description;
    std::filesystem::path file;
};

// Whether the template's subject or body uses `field`: a message that shows `next_update`
// promises that time (docs/architecture.md#update-clocks).
bool uses_field(const Template& tmpl, std::string_view field);

// Parses and checks a template file: front matter keys, Mustache syntax, every tag a known
// field, no internal field in an external template. Adds every problem to `problems`
// (positions 1-based, in the file) and returns the template only when there is none.
std::optional<Template> parse_template(const std::filesystem::path& file,
                                       std::vector<Problem>& problems);

// Where templates are looked up: the user folder first, then the bundled set.
struct TemplatePath {
    std::vector<std::filesystem::path> dirs;
};

TemplatePath template_path(const std::filesystem::path& user_dir);

// The names of every template on the path, sorted, each once.
std::vector<std::string> template_names(const TemplatePath& path);

// The languages a template exists in, sorted.
std::vector<std::string> template_languages(const TemplatePath& path, const std::string& name);

// Every language some template on the path is written in, sorted: the languages outage
// knows.
std::vector<std::string> known_languages(const TemplatePath& path);

// Throws Error(code) as "{what} 'xx' is not a language outage knows (known: en, es, nl, pl)"
// unless some template on the path is written in `lang`.
void check_language(const TemplatePath& path, std::string_view what, std::string_view lang,
                    Exit code = Exit::usage);

// The file of template `name` in `lang`, falling back to "en" (then `used_fallback` is set).
// Throws Error(not_found) naming the known templates when there is none.
std::filesystem::path template_file(const TemplatePath& path, const std::string& name,
                                    const std::string& lang, bool& used_fallback);

// Loads a template (see template_file); Error(invalid_content) for one with problems.
Template load_template(const TemplatePath& path, const std::string& name, const std::string& lang,
                       bool& used_fallback);

// Checks the given files and folders, or every template on the path; also reports a bundled
// template missing in one of the languages others have.
std::vector<Problem> lint_templates(const TemplatePath& path,
                                    const std::vector<std::filesystem::path>& targets);

} // namespace outage

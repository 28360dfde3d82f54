#include "outage/render/template.hpp"

#include "outage/io/bundled.hpp"
#include "outage/io/yaml_reader.hpp"
#include "outage/model/error.hpp"
#include "outage/model/text.hpp"
#include "outage/render/fields.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <kainjow/mustache.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

namespace outage {
namespace {

namespace fs = std::filesystem;
namespace mustache = kainjow::mustache;

constexpr std::string_view extension = ".mustache";
constexpr const char* fallback_lang = "en";

// "customer-update.nl.mustache" -> {"customer-update", "nl"}
std::optional<std::pair<std::string, std::string>> split_file_name(const fs::path& file) {
    std::string name = file.filename().string();
    if (name.size() <= extension.size() || !name.ends_with(extension))
        return std::nullopt;
    name.resize(name.size() - extension.size());
    auto dot = name.rfind('.');
    if (dot == std::string::npos || dot == 0)
        return std::nullopt;
    return std::pair{name.substr(0, dot), name.substr(dot + 1)};
}

// A place in a template's text: where the text starts in the file, for 1-based positions.
struct TextOrigin {
    int line = 1;
    int column = 1;
};

std::pair<int, int> position_of(const std::string& text, size_t offset, TextOrigin origin) {
    int line = origin.line, column = origin.column;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) {
            ++column; // count characters, not UTF-8 continuation bytes
        }
    }
    return {line, column};
}

// Checks one Mustache text with kainjow's own parser: syntax, then every tag.
constexpr int max_section_depth = 32;

void check_tags(const std::string& text, TextOrigin origin, AudienceClass audience,
                const fs::path& file, std::vector<Problem>& problems,
                std::vector<std::string>& used) {
    auto add = [&](size_t offset, std::string message) {
        auto [line, column] = position_of(text, offset, origin);
        problems.push_back(Problem{file.string(), line, column, std::move(message)});
    };
    // kainjow parses and walks sections recursively: a template nested thousands deep would
    // exhaust the stack, so depth is checked before kainjow sees the text.
    int depth = 0;
    for (size_t at = text.find("{{"); at != std::string::npos; at = text.find("{{", at + 2)) {
        char kind = at + 2 < text.size() ? text[at + 2] : '\0';
        if (kind == '#' || kind == '^') {
            if (++depth > max_section_depth) {
                add(at, fmt::format("sections are nested more than {} deep", max_section_depth));
                return;
            }
        } else if (kind == '/') {
            --depth;
        }
    }
    mustache::data empty;
    mustache::context<std::string> context{&empty};
    mustache::context_internal<std::string> internal{context};
    mustache::component<std::string> root;
    std::string error;
    mustache::parser<std::string> parser{text, internal, root, error};
    if (!error.empty()) {
        // kainjow says "Unclosed tag at 123": a byte offset into the text.
        static const std::regex at_offset("(.*) at ([0-9]+)$");
        std::smatch match;
        if (std::regex_match(error, match, at_offset)) {
            std::string message = match[1].str();
            message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
            add(std::stoul(match[2].str()), message);
        } else {
            add(0, error);
        }
        return;
    }
    using walk = mustache::component<std::string>::walk_control;
    root.walk_children([&](mustache::component<std::string>& component) {
        using mustache::tag_type;
        switch (component.tag.type) {
        case tag_type::text:
        case tag_type::comment:
        case tag_type::section_end:
            return walk::walk;
        case tag_type::partial:
            add(component.position,
                fmt::format("partials are not allowed ('{}')", component.tag.name));
            return walk::walk;
        case tag_type::set_delimiter:
            add(component.position, "set-delimiter tags are not allowed");
            return walk::walk;
        default:
            break;
        }
        const std::string& name = component.tag.name;
        if (std::find(used.begin(), used.end(), name) == used.end())
            used.push_back(name);
        auto field = find_field(name);
        if (!field)
            add(component.position,
                fmt::format("unknown field '{}' (see docs/templates.md for the fields)", name));
        else if (audience == AudienceClass::external &&
                 field->field_class == FieldClass::internal_field)
            add(component.position,
                fmt::format("internal field '{}' in an external template", name));
        return walk::walk;
    });
}

} // namespace

bool uses_field(const Template& tmpl, std::string_view field) {
    return std::find(tmpl.fields_used.begin(), tmpl.fields_used.end(), field) !=
           tmpl.fields_used.end();
}

std::optional<Template> parse_template(const fs::path& file, std::vector<Problem>& problems) {
    size_t before = problems.size();
    YamlReader reader(file, problems, 2);
    auto fail_at_top = [&](std::string message) {
        problems.push_back(Problem{file.string(), 1, 1, std::move(message)});
        return std::nullopt;
    };
    auto parts = split_file_name(file);
    if (!parts || !is_slug(parts->first) || !is_language_code(parts->second))
        return fail_at_top("a template file is named <name>.<lang>.mustache, such as "
                           "customer-update.en.mustache");
    if (auto unfit = unfit_input_file(file))
        return fail_at_top(*unfit);
    auto text = read_file(file);
    if (!text)
        return fail_at_top("cannot read the file");
    if (!is_valid_utf8(*text))
        return fail_at_top("the file is not valid UTF-8");
    if (!text->starts_with("---\n"))
        return fail_at_top("a template starts with a front matter block: a line '---', YAML "
                           "keys, and another '---'");
    size_t close = text->find("\n---\n", 3);
    size_t body_start = close == std::string::npos ? std::string::npos : close + 5;
    if (close == std::string::npos && text->ends_with("\n---")) {
        close = text->size() - 4;
        body_start = text->size();
    }
    if (close == std::string::npos)
        return fail_at_top("the front matter block has no closing '---' line");

    Template tmpl;
    tmpl.file = file;
    tmpl.name = parts->first;
    tmpl.lang = parts->second;
    std::string front = text->substr(4, close - 3);
    tmpl.body = text->substr(body_start);
    int body_line = 1 + static_cast<int>(std::count(
                            text->begin(), text->begin() + static_cast<long>(body_start), '\n'));

    auto root = parse_yaml(front, file, problems, 2);
    if (root && reader.mapping(*root, "the front matter",
                               {"audience", "subject", "requires", "description"},
                               {"audience", "subject"})) {
        if (auto audience = reader.one_of(*root, "audience", audience_class_names))
            tmpl.audience = *audience;
        tmpl.subject = reader.string(*root, "subject").value_or("");
        tmpl.description = reader.string(*root, "description").value_or("");
        if (tmpl.subject.find('\n') != std::string::npos)
            reader.problem((*root)["subject"].Mark(), "the subject must be one line");
        for (const auto& field : reader.strings(*root, "requires")) {
            if (!find_field(field))
                reader.problem((*root)["requires"].Mark(),
                               fmt::format("requires unknown field '{}'", field));
            tmpl.requires_fields.push_back(field);
        }
        if ((*root)["subject"] && !tmpl.subject.empty()) {
            YAML::Mark mark = (*root)["subject"].Mark();
            // A quoted subject's text starts after its quote (escapes inside may shift it).
            size_t at = static_cast<size_t>(std::max(mark.pos, 0));
            bool quoted = at < front.size() && (front[at] == '"' || front[at] == '\'');
            check_tags(tmpl.subject, {mark.line + 2, mark.column + 1 + (quoted ? 1 : 0)},
                       tmpl.audience, file, problems, tmpl.fields_used);
        }
    }
    check_tags(tmpl.body, {body_line, 1}, tmpl.audience, file, problems, tmpl.fields_used);
    sort_problems(problems, before);
    if (problems.size() != before)
        return std::nullopt;
    return tmpl;
}

TemplatePath template_path(const fs::path& user_dir) {
    TemplatePath path;
    if (!user_dir.empty())
        path.dirs.push_back(user_dir);
    path.dirs.push_back(bundled_dir("templates"));
    return path;
}

namespace {

// name -> languages, for the template files directly in `dir`.
std::map<std::string, std::set<std::string>> templates_in(const fs::path& dir) {
    std::map<std::string, std::set<std::string>> found;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (auto parts = split_file_name(entry.path()); parts && entry.is_regular_file())
            found[parts->first].insert(parts->second);
    return found;
}

} // namespace

std::vector<std::string> template_names(const TemplatePath& path) {
    std::set<std::string> names;
    for (const auto& dir : path.dirs)
        for (const auto& [name, langs] : templates_in(dir))
            names.insert(name);
    return {names.begin(), names.end()};
}

std::vector<std::string> template_languages(const TemplatePath& path, const std::string& name) {
    std::set<std::string> langs;
    for (const auto& dir : path.dirs)
        if (auto found = templates_in(dir); found.count(name))
            langs.insert(found[name].begin(), found[name].end());
    return {langs.begin(), langs.end()};
}

std::vector<std::string> known_languages(const TemplatePath& path) {
    std::set<std::string> langs;
    for (const auto& dir : path.dirs)
        for (const auto& [name, found] : templates_in(dir))
            langs.insert(found.begin(), found.end());
    return {langs.begin(), langs.end()};
}

void check_language(const TemplatePath& path, std::string_view what, std::string_view lang,
                    Exit code) {
    auto known = known_languages(path);
    if (std::find(known.begin(), known.end(), lang) == known.end())
        throw Error(code, fmt::format("{} '{}' is not a language outage knows (known: {})", what,
                                      lang, fmt::join(known, ", ")));
}

fs::path template_file(const TemplatePath& path, const std::string& name, const std::string& lang,
                       bool& used_fallback) {
    used_fallback = false;
    if (is_slug(name)) {
        for (const std::string& wanted : {lang, std::string(fallback_lang)}) {
            if (!is_language_code(wanted))
                continue;
            for (const auto& dir : path.dirs) {
                fs::path file = dir / fmt::format("{}.{}{}", name, wanted, extension);
                std::error_code ec;
                if (fs::is_regular_file(file, ec)) {
                    used_fallback = wanted != lang;
                    return file;
                }
            }
        }
    }
    auto names = template_names(path);
    if (std::find(names.begin(), names.end(), name) != names.end())
        throw Error(Exit::not_found,
                    fmt::format("template '{}' has neither a '{}' nor an '{}' version", name, lang,
                                fallback_lang));
    throw Error(Exit::not_found,
                fmt::format("unknown template '{}' (known: {})", name, fmt::join(names, ", ")));
}

Template load_template(const TemplatePath& path, const std::string& name, const std::string& lang,
                       bool& used_fallback) {
    fs::path file = template_file(path, name, lang, used_fallback);
    std::vector<Problem> problems;
    auto tmpl = parse_template(file, problems);
    if (!tmpl) {
        std::string message = to_string(problems.front());
        if (problems.size() > 1)
            message += fmt::format(" (and {} more; run `outage template lint` to see all)",
                                   problems.size() - 1);
        throw Error(Exit::invalid_content, message);
    }
    return *tmpl;
}

std::vector<Problem> lint_templates(const TemplatePath& path,
                                    const std::vector<fs::path>& targets) {
    std::vector<Problem> problems;
    auto lint_dir = [&](const fs::path& dir) {
        auto found = templates_in(dir);
        std::set<std::string> all_langs;
        for (const auto& [name, langs] : found)
            all_langs.insert(langs.begin(), langs.end());
        for (const auto& [name, langs] : found) {
            for (const auto& lang : langs)
                parse_template(dir / fmt::format("{}.{}{}", name, lang, extension), problems);
            for (const auto& lang : all_langs)
                if (!langs.count(lang))
                    problems.push_back(Problem{
                        (dir / fmt::format("{}.{}{}", name, lang, extension)).string(), 1, 1,
                        fmt::format("template '{}' has no '{}' version; the others in this "
                                    "folder have one",
                                    name, lang)});
        }
    };
    if (targets.empty()) {
        for (const auto& dir : path.dirs)
            lint_dir(dir);
        return problems;
    }
    for (const auto& target : targets) {
        std::error_code ec;
        if (fs::is_directory(target, ec))
            lint_dir(target);
        else if (fs::is_regular_file(target, ec))
            parse_template(target, problems);
        else
            throw Error(Exit::not_found,
                        fmt::format("{}: no such file or folder", target.string()));
    }
    return problems;
}

} // namespace outage

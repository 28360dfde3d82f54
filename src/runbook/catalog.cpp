#include "outage/runbook/catalog.hpp"

#include "outage/io/bundled.hpp"
#include "outage/io/yaml_reader.hpp"
#include "outage/model/error.hpp"
#include "outage/runbook/cache.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

namespace outage {
namespace {

namespace fs = std::filesystem;

constexpr const char* severity_file_name = "severity.yaml";

// severity.yaml sits beside the runbooks but defines the levels, not a scenario.
bool is_runbook_file(const fs::path& file) {
    return file.extension() == ".yaml" && file.filename() != severity_file_name;
}

[[noreturn]] void throw_problems(const std::vector<Problem>& problems) {
    std::string message = to_string(problems.front());
    if (problems.size() > 1)
        message += fmt::format(" (and {} more; run `outage runbook lint` to see all)",
                               problems.size() - 1);
    throw Error(Exit::invalid_content, message);
}

fs::path severity_file(const RunbookPath& path) {
    for (const auto& dir : path.dirs) {
        std::error_code ec;
        if (fs::is_regular_file(dir / severity_file_name, ec))
            return dir / severity_file_name;
    }
    std::vector<std::string> searched;
    for (const auto& dir : path.dirs)
        searched.push_back(dir.string());
    throw Error(Exit::not_found,
                fmt::format("no {} in {}", severity_file_name, fmt::join(searched, ", ")));
}

void lint_file(const fs::path& file, const TemplateExists& template_exists,
               std::vector<Problem>& problems) {
    if (file.filename() == severity_file_name)
        parse_severity_scale(file, problems);
    else
        parse_runbook(file, template_exists, problems);
}

std::vector<fs::path> yaml_files_in(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".yaml")
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

} // namespace

RunbookPath runbook_path(const fs::path& user_dir) {
    RunbookPath path;
    if (!user_dir.empty())
        path.dirs.push_back(user_dir);
    path.dirs.push_back(bundled_dir("runbooks"));
    return path;
}

std::vector<std::string> runbook_ids(const RunbookPath& path) {
    std::set<std::string> ids;
    for (const auto& dir : path.dirs)
        for (const auto& file : yaml_files_in(dir))
            if (is_runbook_file(file))
                ids.insert(file.stem().string());
    return {ids.begin(), ids.end()};
}

fs::path runbook_file(const RunbookPath& path, const std::string& id) {
    if (!id.empty() && id.find('/') == std::string::npos && id.front() != '.')
        for (const auto& dir : path.dirs) {
            std::error_code ec;
            fs::path file = dir / (id + ".yaml");
            if (id != "severity" && fs::is_regular_file(file, ec))
                return file;
        }
    throw Error(Exit::not_found, fmt::format("unknown scenario '{}' (known: {})", id,
                                             fmt::join(runbook_ids(path), ", ")));
}

Runbook load_runbook(const RunbookPath& path, const std::string& id,
                     const TemplateExists& template_exists) {
    fs::path file = runbook_file(path, id);
    // An entry holds what the file alone decides; checking the templates looks further, so
    // that load always parses. So does a file the checks refuse: parsing says why.
    std::string key;
    if (!path.cache.empty() && !template_exists && !unfit_input_file(file)) {
        if (auto text = read_file(file)) {
            key = runbook_cache_key(*text);
            if (auto runbook = read_cached_runbook(path.cache, key)) {
                runbook->file = file;
                return *runbook;
            }
        }
    }
    std::vector<Problem> problems;
    auto runbook = parse_runbook(file, template_exists, problems);
    if (!runbook)
        throw_problems(problems);
    if (!key.empty())
        write_cached_runbook(path.cache, key, *runbook);
    return *runbook;
}

SeverityScale load_severity_scale(const RunbookPath& path) {
    std::vector<Problem> problems;
    auto scale = parse_severity_scale(severity_file(path), problems);
    if (!scale)
        throw_problems(problems);
    return *scale;
}

std::vector<Problem> lint_runbooks(const RunbookPath& path, const std::vector<fs::path>& targets,
                                   const TemplateExists& template_exists) {
    std::vector<Problem> problems;
    if (targets.empty()) {
        lint_file(severity_file(path), template_exists, problems);
        for (const auto& id : runbook_ids(path))
            lint_file(runbook_file(path, id), template_exists, problems);
        return problems;
    }
    for (const auto& target : targets) {
        std::error_code ec;
        if (fs::is_directory(target, ec)) {
            for (const auto& file : yaml_files_in(target))
                lint_file(file, template_exists, problems);
        } else if (fs::is_regular_file(target, ec)) {
            lint_file(target, template_exists, problems);
        } else {
            throw Error(Exit::not_found,
                        fmt::format("{}: no such file or folder", target.string()));
        }
    }
    return problems;
}

} // namespace outage

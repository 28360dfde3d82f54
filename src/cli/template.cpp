#include "outage/render/template.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/render/render.hpp"
#include "outage/services/notice_plan.hpp"
#include "outage/services/notify.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <set>

namespace outage::cli {

namespace {
using nlohmann::json;
} // namespace

Command add_template_list(CLI::App& command) {
    command.footer("Example:\n  outage template list --json | jq -r '.[].name'");
    return {.run = [](const Given& given) {
        const TemplatePath& path = given.templates();
        json array = json::array();
        for (const auto& name : template_names(path)) {
            bool fallback = false;
            std::vector<Problem> problems;
            auto tmpl = parse_template(template_file(path, name, "en", fallback), problems);
            array.push_back(
                {{"name", name},
                 {"languages", template_languages(path, name)},
                 {"audience",
                  tmpl ? (tmpl->audience == AudienceClass::external ? "external" : "internal")
                       : "invalid"},
                 {"description", tmpl ? tmpl->description : ""}});
        }
        if (given.out().json) {
            print_json(array);
            return Exit::ok;
        }
        for (const auto& row : array)
            fmt::print("{:<22} {:<9} {:<14} {}\n", row["name"].get<std::string>(),
                       row["audience"].get<std::string>(),
                       fmt::format("{}", fmt::join(row["languages"], ",")),
                       row["description"].get<std::string>());
        return Exit::ok;
    }};
}

Command add_template_show(CLI::App& command) {
    auto name = std::make_shared<std::string>();
    auto lang = std::make_shared<std::string>("en");
    command.add_option("name", *name, "Template name")->required();
    command.add_option("--lang", *lang, "Language")->capture_default_str();
    command.footer("Example:\n  outage template show customer-update --lang nl");
    return {
        .check = [lang](const Given& given) { check_language(given.templates(), "--lang", *lang); },
        .run =
            [name, lang](const Given& given) {
                bool fallback = false;
                Template tmpl = load_template(given.templates(), *name, *lang, fallback);
                if (fallback)
                    fmt::print(stderr, "outage: template {} has no '{}' version; showing English\n",
                               *name, *lang);
                if (given.out().json) {
                    print_json({{"name", tmpl.name},
                                {"lang", tmpl.lang},
                                {"audience", tmpl.audience == AudienceClass::external ? "external"
                                                                                      : "internal"},
                                {"subject", tmpl.subject},
                                {"requires", tmpl.requires_fields},
                                {"description", tmpl.description},
                                {"body", tmpl.body},
                                {"file", tmpl.file.string()}});
                    return Exit::ok;
                }
                fmt::print("# {}\n", tmpl.file.string());
                fmt::print("audience: {}\nsubject: {}\n",
                           tmpl.audience == AudienceClass::external ? "external" : "internal",
                           tmpl.subject);
                if (!tmpl.requires_fields.empty())
                    fmt::print("requires: {}\n", fmt::join(tmpl.requires_fields, ", "));
                fmt::print("\n{}", tmpl.body);
                return Exit::ok;
            }};
}

Command add_template_lint(CLI::App& command) {
    auto targets = std::make_shared<std::vector<std::string>>();
    command.add_option("path", *targets, "Files or folders (default: every template in effect)");
    command.footer("Example (a template repository's CI):\n  outage template lint templates/");
    return {.run = [targets](const Given& given) {
        std::vector<std::filesystem::path> paths(targets->begin(), targets->end());
        return print_problems(lint_templates(given.templates(), paths), given.out());
    }};
}

Command add_template_render(CLI::App& command) {
    struct Options {
        NotifyRequest request;
        std::optional<std::string> eta;
        std::optional<When> eta_taken;
    };
    auto options = std::make_shared<Options>();
    NotifyRequest& r = options->request;
    command.add_option("id", r.id, "Incident id")->required()->check(whole_number);
    command.add_option("--template", r.template_name, "Template name")->required();
    command.add_option("--lang", r.lang, "Language (default: en)");
    command.add_option("--audience", r.audience, "Audience, for the update number");
    command.add_option("--note", r.note, "The update text");
    command.add_option("--eta", options->eta, "Estimated restore time")->type_name("WHEN");
    command.add_option("--workaround", r.workaround, "What people can do meanwhile");
    command.add_option("--supplier", r.supplier, "The supplier involved");
    command.add_option("--internal-note", r.internal_note, "A note for staff only");
    command.footer("Example:\n  outage template render 12 --template customer-update --lang nl "
                   "--note \"Engineers are on site\"");
    return {.check =
                [options](const Given& given) {
                    NotifyRequest& request = options->request;
                    request.lang = notice_language(given.templates(), request.lang, given.config());
                    options->eta_taken = parse_eta_option(options->eta, given);
                    if (options->eta_taken)
                        options->request.eta = options->eta_taken->at;
                },
            .run =
                [options](const Given& given) {
                    NotifyEnvironment env{given.runbooks(), given.templates(), given.config(),
                                          given.outbox(), std::cout};
                    std::vector<std::string> warnings;
                    Message message =
                        render_preview(given.log(), env, options->request, given.now(), warnings);
                    for (const auto& warning : warnings)
                        fmt::print(stderr, "outage: {}\n", shown(warning));
                    if (given.out().json)
                        print_json({{"subject", message.subject}, {"body", message.body}});
                    else
                        fmt::print("Subject: {}\n\n{}", shown(message.subject),
                                   shown(message.body, true));
                    print_eta_day(options->eta, options->eta_taken);
                    return Exit::ok;
                }};
}

Command add_template(CLI::App& command) {
    command.require_subcommand(1);
    command.footer("Example:\n  outage template render 12 --template customer-first-notice "
                   "--lang es --eta 2h");
    return {};
}

} // namespace outage::cli

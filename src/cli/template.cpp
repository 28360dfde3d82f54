#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/services/notify.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <set>

namespace outage::cli {

namespace {

using nlohmann::json;

void add_template_list(CLI::App& parent, Context& ctx) {
    CLI::App* command = parent.add_subcommand("list", "List the templates and their languages");
    command->footer("Example:\n  outage template list --json | jq -r '.[].name'");
    command->callback([&ctx] {
        TemplatePath path = templates(ctx);
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
        if (ctx.options.json) {
            print_json(array);
            return;
        }
        for (const auto& row : array)
            fmt::print("{:<22} {:<9} {:<14} {}\n", row["name"].get<std::string>(),
                       row["audience"].get<std::string>(),
                       fmt::format("{}", fmt::join(row["languages"], ",")),
                       row["description"].get<std::string>());
    });
}

void add_template_show(CLI::App& parent, Context& ctx) {
    CLI::App* command = parent.add_subcommand("show", "Show a template file as it is");
    auto name = std::make_shared<std::string>();
    auto lang = std::make_shared<std::string>("en");
    command->add_option("name", *name, "Template name")->required();
    command->add_option("--lang", *lang, "Language")->capture_default_str();
    command->footer("Example:\n  outage template show customer-update --lang nl");
    command->callback([&ctx, name, lang] {
        bool fallback = false;
        Template tmpl = load_template(templates(ctx), *name, *lang, fallback);
        if (fallback)
            fmt::print(stderr, "outage: template {} has no '{}' version; showing English\n", *name,
                       *lang);
        if (ctx.options.json) {
            print_json(
                {{"name", tmpl.name},
                 {"lang", tmpl.lang},
                 {"audience", tmpl.audience == AudienceClass::external ? "external" : "internal"},
                 {"subject", tmpl.subject},
                 {"requires", tmpl.requires_fields},
                 {"description", tmpl.description},
                 {"body", tmpl.body},
                 {"file", tmpl.file.string()}});
            return;
        }
        fmt::print("# {}\n", tmpl.file.string());
        fmt::print("audience: {}\nsubject: {}\n",
                   tmpl.audience == AudienceClass::external ? "external" : "internal",
                   tmpl.subject);
        if (!tmpl.requires_fields.empty())
            fmt::print("requires: {}\n", fmt::join(tmpl.requires_fields, ", "));
        fmt::print("\n{}", tmpl.body);
    });
}

void add_template_lint(CLI::App& parent, Context& ctx) {
    CLI::App* command =
        parent.add_subcommand("lint", "Check templates; exit 4 listing every problem");
    auto targets = std::make_shared<std::vector<std::string>>();
    command->add_option("path", *targets, "Files or folders (default: every template in effect)");
    command->footer("Example (a template repository's CI):\n  outage template lint templates/");
    command->callback([&ctx, targets] {
        std::vector<std::filesystem::path> paths(targets->begin(), targets->end());
        auto problems = lint_templates(templates(ctx), paths);
        print_problems(problems, ctx);
    });
}

void add_template_render(CLI::App& parent, Context& ctx) {
    CLI::App* command = parent.add_subcommand(
        "render", "Show a template filled in for an incident; sends and records nothing");
    struct Options {
        NotifyRequest request;
        std::optional<std::string> eta;
    };
    auto options = std::make_shared<Options>();
    NotifyRequest& r = options->request;
    command->add_option("id", r.id, "Incident id")->required()->check(whole_number);
    command->add_option("--template", r.template_name, "Template name")->required();
    command->add_option("--lang", r.lang, "Language (default: en)");
    command->add_option("--audience", r.audience, "Audience, for the update number");
    command->add_option("--note", r.note, "The update text");
    command->add_option("--eta", options->eta, "Estimated restore time")->type_name("WHEN");
    command->add_option("--workaround", r.workaround, "What people can do meanwhile");
    command->add_option("--supplier", r.supplier, "The supplier involved");
    command->add_option("--internal-note", r.internal_note, "A note for staff only");
    command->footer("Example:\n  outage template render 12 --template customer-update --lang nl "
                    "--note \"Engineers are on site\"");
    command->callback([&ctx, options] {
        NotifyRequest request = options->request;
        request.eta = parse_time_option("--eta", options->eta, Direction::ahead);
        auto store = open_log(ctx, Access::read_only);
        Config cfg = config(ctx);
        NotifyEnvironment env{runbooks(ctx), templates(ctx), cfg, outbox(cfg), std::cout};
        std::vector<std::string> warnings;
        Message message = render_preview(*store, env, request, warnings);
        for (const auto& warning : warnings)
            fmt::print(stderr, "outage: {}\n", warning);
        if (ctx.options.json) {
            print_json({{"subject", message.subject}, {"body", message.body}});
            return;
        }
        fmt::print("Subject: {}\n\n{}", message.subject, message.body);
    });
}

} // namespace

void add_template(CLI::App& command, Context& ctx) {
    command.require_subcommand(1);
    command.footer("Example:\n  outage template render 12 --template customer-first-notice "
                   "--lang es --eta 2h");
    add_template_list(command, ctx);
    add_template_show(command, ctx);
    add_template_lint(command, ctx);
    add_template_render(command, ctx);
}

} // namespace outage::cli

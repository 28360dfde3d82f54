#include "outage/model/error.hpp"
#include "outage/render/fields.hpp"
#include "outage/render/render.hpp"
#include "outage/render/template.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace outage;
using nlohmann::json;

namespace {

// Writes a template file into a fresh folder and parses it.
struct TemplateFixture {
    TempDir dir;
    std::vector<Problem> problems;

    std::optional<Template> parse(const std::string& file_name, const std::string& text) {
        std::ofstream(dir.file(file_name)) << text;
        problems.clear();
        return parse_template(dir.file(file_name), problems);
    }

    std::vector<std::string> messages() const {
        std::vector<std::string> result;
        for (const auto& p : problems)
            result.push_back(std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
                             p.message);
        return result;
    }
};

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("render::parse_template front matter") {
    TemplateFixture f;
    auto tmpl = f.parse("customer-update.nl.mustache", "---\n"
                                                       "audience: external\n"
                                                       "subject: \"Update {{reference}}\"\n"
                                                       "requires: [eta, note]\n"
                                                       "description: Follow-up\n"
                                                       "---\n"
                                                       "Beste {{recipient.name}},\n{{note}}\n");
    REQUIRE(f.problems.empty());
    REQUIRE(tmpl);
    CHECK(tmpl->name == "customer-update");
    CHECK(tmpl->lang == "nl");
    CHECK(tmpl->audience == AudienceClass::external);
    CHECK(tmpl->subject == "Update {{reference}}");
    CHECK(tmpl->requires_fields == std::vector<std::string>{"eta", "note"});
    CHECK(tmpl->body == "Beste {{recipient.name}},\n{{note}}\n");

    CHECK_FALSE(f.parse("no-front.en.mustache", "Hello\n"));
    CHECK(f.messages() == Lines{"1:1: a template starts with a front matter block: a line "
                                "'---', YAML keys, and another '---'"});
    CHECK_FALSE(f.parse("unclosed.en.mustache", "---\naudience: internal\nsubject: x\nHello\n"));
    CHECK(f.messages() == Lines{"1:1: the front matter block has no closing '---' line"});
    CHECK_FALSE(f.parse("badname.mustache", "---\naudience: internal\nsubject: x\n---\n"));
    CHECK(f.messages() == Lines{"1:1: a template file is named <name>.<lang>.mustache, such as "
                                "customer-update.en.mustache"});
    CHECK_FALSE(f.parse("keys.en.mustache", "---\naudiense: external\nsubject: x\n---\nHi\n"));
    CHECK(f.messages() ==
          Lines{"2:1: unknown key 'audiense' in the front matter (did you mean 'audience'?)",
                "2:1: missing required key 'audience' in the front matter"});
}

TEST_CASE("render::parse_template strictness, with positions") {
    TemplateFixture f;
    SECTION("unknown field in the body, counted in characters") {
        CHECK_FALSE(f.parse("a.en.mustache", "---\naudience: internal\nsubject: x\n---\n"
                                             "Line one\nZażółć {{ownr}}\n"));
        CHECK(f.messages() ==
              Lines{"6:8: unknown field 'ownr' (see docs/templates.md for the fields)"});
    }
    SECTION("internal fields in an external template, even in sections and the subject") {
        CHECK_FALSE(f.parse("b.en.mustache", "---\naudience: external\nsubject: \"{{title}}\"\n"
                                             "---\n{{#owner}}Ask {{owner}}{{/owner}}\n"));
        CHECK(f.messages() == Lines{"3:11: internal field 'title' in an external template",
                                    "5:1: internal field 'owner' in an external template",
                                    "5:15: internal field 'owner' in an external template"});
    }
    SECTION("broken and nested tags") {
        CHECK_FALSE(f.parse("c.en.mustache", "---\naudience: internal\nsubject: x\n---\n"
                                             "ok\n{{#note}}\n{{#eta}}{{/note}}{{/eta}}\n"));
        CHECK(f.messages() == Lines{"6:1: unclosed section \"note\""});
        CHECK_FALSE(f.parse("d.en.mustache", "---\naudience: internal\nsubject: x\n---\n"
                                             "text {{note\n"));
        CHECK(f.messages() == Lines{"5:6: unclosed tag"});
        CHECK_FALSE(f.parse("e.en.mustache", "---\naudience: internal\nsubject: x\n---\n"
                                             "{{> header}} {{=<% %>=}}\n"));
        CHECK(f.messages() == Lines{"5:1: partials are not allowed ('header')",
                                    "5:14: set-delimiter tags are not allowed"});
    }
    SECTION("recipient columns and the iterated item are allowed") {
        CHECK(f.parse("f.en.mustache",
                      "---\naudience: external\nsubject: x\n---\n"
                      "{{recipient.name}} {{#services}}- {{.}}{{/services}} {{recipient.x}}\n"));
    }
}

TEST_CASE("render::fields") {
    CHECK(find_field("owner")->field_class == FieldClass::internal_field);
    CHECK(find_field("eta")->field_class == FieldClass::public_field);
    CHECK(find_field("recipient.organisation")->field_class == FieldClass::public_field);
    CHECK_FALSE(find_field("recipient."));
    CHECK_FALSE(find_field("password"));
    for (const char* internal : {"title", "scenario", "scenario_title", "owner", "resolution",
                                 "root_cause", "supplier", "internal_note", "handover_note"})
        CHECK(find_field(internal)->field_class == FieldClass::internal_field);
}

TEST_CASE("render::render_message") {
    Template tmpl;
    tmpl.name = "customer-update";
    tmpl.subject = "Update {{update_number}}: {{services_text}}";
    tmpl.body = "{{#eta}}Back by {{eta}}.{{/eta}}{{^eta}}No estimate yet.{{/eta}}\n"
                "{{note}} & {{{note}}}\n{{#services}}[{{.}}]{{/services}}\n"
                "Hi {{recipient.name}}\n";
    json fields = {{"update_number", "2"},
                   {"services_text", "phones, e-mail"},
                   {"services", {"phones", "e-mail"}},
                   {"eta", ""},
                   {"note", "<b>{{owner}}</b>"},
                   {"owner", "alice"},
                   {"recipient", {{"name", "Ann"}}}};
    SECTION("plain text: not escaped, never expanded again") {
        Message message = render_message(tmpl, fields, Escaping::plain_text);
        CHECK(message.subject == "Update 2: phones, e-mail");
        CHECK(message.body == "No estimate yet.\n<b>{{owner}}</b> & <b>{{owner}}</b>\n"
                              "[phones][e-mail]\nHi Ann\n");
    }
    SECTION("HTML escapes") {
        Message message = render_message(tmpl, fields, Escaping::html);
        CHECK(message.body.find("&lt;b&gt;{{owner}}&lt;/b&gt; & <b>{{owner}}</b>") !=
              std::string::npos);
    }
    SECTION("required fields name what supplies them") {
        tmpl.requires_fields = {"eta"};
        CHECK_THROWS_WITH(render_message(tmpl, fields, Escaping::plain_text),
                          "template customer-update needs eta: pass --eta");
        fields["eta"] = "2026-11-22 14:00 CET";
        CHECK(render_message(tmpl, fields, Escaping::plain_text)
                  .body.starts_with("Back by 2026-11-22 14:00 CET."));
    }
    SECTION("a subject stays one line") {
        fields["services_text"] = "phones\r\nBcc: evil@example.com";
        CHECK(render_message(tmpl, fields, Escaping::plain_text).subject ==
              "Update 2: phones  Bcc: evil@example.com");
    }
}

TEST_CASE("render::MessageRenderer shares a notice's fields between its recipients") {
    Template tmpl;
    tmpl.name = "customer-update";
    tmpl.subject = "{{reference}} for {{recipient.name}}";
    tmpl.body = "Dear {{#recipient.name}}{{recipient.name}}{{/recipient.name}}"
                "{{^recipient.name}}customer{{/recipient.name}}, {{note}}\n";
    tmpl.requires_fields = {"reference", "recipient.email"};
    json shared = {{"reference", "INC-7"}, {"note", "{{recipient.name}}"}};
    MessageRenderer renderer(tmpl, Escaping::plain_text);
    SECTION("each message gets its own recipient, and the same as a whole render") {
        renderer.share_fields(shared);
        json ann = {{"email", "ann@example.com"}, {"name", "Ann"}};
        Message first = renderer.render_for(ann);
        CHECK(first.subject == "INC-7 for Ann");
        CHECK(first.body == "Dear Ann, {{recipient.name}}\n");
        Message second = renderer.render_for({{"email", "bob@example.com"}});
        CHECK(second.body == "Dear customer, {{recipient.name}}\n");
        json whole = shared;
        whole["recipient"] = ann;
        CHECK(render_message(tmpl, whole, Escaping::plain_text).body == first.body);
    }
    SECTION("a missing shared field fails each message, as a whole render does") {
        renderer.share_fields({{"note", "x"}});
        CHECK_THROWS_WITH(renderer.render_for({{"email", "ann@example.com"}}),
                          "template customer-update needs reference: the incident log");
    }
    SECTION("a missing recipient field fails that message only") {
        renderer.share_fields(shared);
        CHECK_THROWS_WITH(
            renderer.render_for({{"name", "Ann"}}),
            "template customer-update needs recipient.email: a column of --recipients");
        CHECK(renderer.render_for({{"email", "ann@example.com"}}).subject == "INC-7 for ");
    }
}

TEST_CASE("render::render_message standalone section lines leave no trace") {
    Template tmpl;
    tmpl.name = "customer-update";
    tmpl.subject = "x";
    tmpl.body = "Since 11:00:\n"
                "{{#services}}\n"
                "  - {{.}}\n"
                "{{/services}}\n"
                "{{^services}}\n"
                "  - everything\n"
                "{{/services}}\n"
                "\n"
                "  {{#eta}}\n"
                "Back by {{eta}}.\n"
                "  {{/eta}}\r\n"
                "{{! a comment line }}\n"
                "{{^eta}}\n"
                "No estimate yet.\n"
                "{{/eta}}\n"
                "\n"
                "{{#note}}{{note}}{{/note}}\n"
                "End\n";
    json fields = {{"services", {"phones", "chat"}}, {"eta", ""}, {"note", ""}};
    CHECK(render_message(tmpl, fields, Escaping::plain_text).body ==
          "Since 11:00:\n  - phones\n  - chat\n\nNo estimate yet.\n\n\nEnd\n");
    fields = {{"services", json::array()}, {"eta", "14:00"}, {"note", "a\x1e"}};
    CHECK(render_message(tmpl, fields, Escaping::plain_text).body ==
          "Since 11:00:\n  - everything\n\nBack by 14:00.\n\na\nEnd\n");
}

TEST_CASE("render::template_file language fallback") {
    TempDir dir;
    for (const char* name : {"notice.en.mustache", "notice.nl.mustache"})
        std::ofstream(dir.file(name)) << "---\naudience: internal\nsubject: x\n---\nHi\n";
    TemplatePath path{{dir.path}};
    bool fallback = false;
    CHECK(template_file(path, "notice", "nl", fallback).filename() == "notice.nl.mustache");
    CHECK_FALSE(fallback);
    CHECK(template_file(path, "notice", "pl", fallback).filename() == "notice.en.mustache");
    CHECK(fallback);
    std::string message;
    CHECK(exit_of([&] { template_file(path, "notise", "en", fallback); }, message) ==
          Exit::not_found);
    CHECK(message == "unknown template 'notise' (known: notice)");
    CHECK(template_languages(path, "notice") == std::vector<std::string>{"en", "nl"});
    // A missing language among the others is a lint problem.
    std::ofstream(dir.file("other.en.mustache")) << "---\naudience: internal\nsubject: x\n---\n";
    auto problems = lint_templates(path, {dir.path});
    REQUIRE(problems.size() == 1);
    CHECK(problems[0].message ==
          "template 'other' has no 'nl' version; the others in this folder have one");
}

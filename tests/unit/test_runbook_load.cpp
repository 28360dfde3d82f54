#include "outage/model/error.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/runbook/load.hpp"

#include <catch2/catch.hpp>

using namespace outage;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const std::string bad = data + "/runbooks/bad/";

// Every problem of a file, as "line:column: message".
std::vector<std::string> problems_of(const std::string& name,
                                     const TemplateExists& templates = {}) {
    std::vector<Problem> problems;
    auto runbook = parse_runbook(bad + name, templates, problems);
    CHECK_FALSE(runbook);
    std::vector<std::string> result;
    for (const auto& p : problems) {
        CHECK(p.file == bad + name);
        result.push_back(std::to_string(p.line) + ":" + std::to_string(p.column) + ": " +
                         p.message);
    }
    return result;
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("runbook::parse_runbook good") {
    std::vector<Problem> problems;
    auto runbook = parse_runbook(data + "/runbooks/good/lab-flood.yaml", {}, problems);
    REQUIRE(problems.empty());
    REQUIRE(runbook);
    CHECK(runbook->id == "lab-flood");
    REQUIRE(runbook->questions.size() == 5);
    CHECK(runbook->questions[0].type == QuestionType::choice);
    CHECK(runbook->questions[0].choices[2].value == "floor");
    CHECK(runbook->questions[0].help == "Look at the floor, not the ceiling.");
    CHECK(runbook->questions[2].min == 0);
    CHECK(runbook->severity_rules.size() == 4);
    CHECK_FALSE(runbook->severity_rules.back().when);
    CHECK(runbook->update_intervals[0].by_level.at("SEV1") == std::chrono::minutes{15});
    CHECK(runbook->steps[1].min_severity == "SEV2");
    CHECK(runbook->steps[2].optional);
    CHECK(runbook->communications[1].min_recipients == 2);
    CHECK(runbook->communications[1].min_per_organisation == 2);
    CHECK(runbook->communications[1].customer_facing);
    CHECK_FALSE(runbook->communications[0].customer_facing);
    CHECK_FALSE(runbook->communications[2].proactive);
    CHECK(runbook->deadlines[0].within == std::chrono::hours{48});
    CHECK(runbook->deadlines[1].when);
    CHECK_FALSE(runbook->deadlines[1].met_by_audience);
    CHECK(runbook->prevention == std::vector<std::string>{"What would have warned us earlier?"});
}

TEST_CASE("runbook::parse_runbook reports each kind of problem with its position") {
    SECTION("YAML syntax") {
        CHECK(problems_of("bad_syntax.yaml") == Lines{"4:12: end of sequence flow not found"});
    }
    SECTION("unknown key, with a suggestion") {
        CHECK(problems_of("bad_unknown_key.yaml") ==
              Lines{"9:5: unknown key 'hlep' in a question (did you mean 'help'?)"});
    }
    SECTION("missing required keys") {
        CHECK(problems_of("bad_missing_title.yaml") ==
              Lines{"1:1: missing required key 'title' in the runbook",
                    "1:1: missing required key 'questions' in the runbook",
                    "1:1: missing required key 'severity' in the runbook"});
    }
    SECTION("wrong types") {
        CHECK(problems_of("bad_wrong_type.yaml") ==
              Lines{"12:8: 'steps' must be a list, not a scalar",
                    "17:21: 'min-recipients' must be a whole number of at least 1"});
    }
    SECTION("duplicate ids") {
        CHECK(problems_of("bad_duplicate_id.yaml") ==
              Lines{"9:9: duplicate question id 'down' (first at line 6)"});
    }
    SECTION("a rule naming an unknown question") {
        CHECK(problems_of("bad_unknown_question.yaml") ==
              Lines{"12:22: condition names unknown question 'dwon'"});
    }
    SECTION("a choice that does not exist") {
        CHECK(problems_of("bad_unknown_choice.yaml") ==
              Lines{"15:43: choice 'most' does not exist in question 'scope' (choices: one, all)"});
    }
    SECTION("an unknown severity level") {
        CHECK(problems_of("bad_unknown_level.yaml") ==
              Lines{"11:12: unknown severity level 'SEV0' (levels: SEV1, SEV2, SEV3, SEV4)"});
    }
    SECTION("rules without a default") {
        CHECK(problems_of("bad_no_default.yaml") ==
              Lines{"10:5: the last severity rule is the default and has no 'when'; add a final "
                    "rule without one"});
    }
    SECTION("a template that does not exist, and an unknown channel") {
        TemplateExists known = [](std::string_view name) { return name == "staff-alert"; };
        CHECK(problems_of("bad_unknown_template.yaml", known) ==
              Lines{"14:15: template 'staff-alret' does not exist",
                    "15:14: unknown channel 'pigeon' (channels: stdout, file, email, webhook)"});
    }
    SECTION("a deadline met by an audience the plan lacks, or said wrongly") {
        CHECK(problems_of("bad_met_by.yaml") ==
              Lines{"20:24: met-by names audience 'customer', which the communications plan "
                    "does not have (audiences: customers)",
                    "24:13: met-by must be a mapping of keys to values, not a scalar",
                    "28:35: unknown key 'template' in met-by",
                    "32:13: missing required key 'audience' in met-by"});
    }
    SECTION("every problem at once, in file order") {
        CHECK(problems_of("bad_many.yaml") ==
              Lines{"1:1: missing required key 'description' in the runbook",
                    "1:10: runbook format version 2 is not known; this outage reads version 1",
                    "2:5: 'id' must be a lowercase name of letters, digits, '-' and '_' starting "
                    "with a letter, not 'Bad Many'",
                    "7:11: unknown question type 'maybe' (types: choice, yes-no, number, text)",
                    "11:14: 'choices' belongs only to a choice question",
                    "13:5: rule 'first' has no 'when' but is not the last rule: the rules after "
                    "it could never apply",
                    "17:38: 'at-least' needs a number question; 'down' is text",
                    "18:5: the last severity rule is the default and has no 'when'; add a final "
                    "rule without one",
                    "20:37: question 'count' is answered with a number, not 'lots'",
                    "24:13: 'within' must be a duration such as 30m, 4h or 3d, not 'soon'"});
    }
}

TEST_CASE("runbook::parse_severity_scale") {
    std::vector<Problem> problems;
    auto scale = parse_severity_scale(data + "/runbooks/good/severity.yaml", problems);
    REQUIRE(scale);
    CHECK(scale->levels.size() == 4);
    CHECK(scale->level("SEV1").update_interval == std::chrono::minutes{30});
    CHECK(scale->level("SEV2").proactive);
    CHECK_FALSE(scale->level("SEV3").proactive);
    CHECK_THROWS_AS(scale->level("SEV9"), Error);
}

TEST_CASE("runbook::lint_runbooks") {
    RunbookPath path = runbook_path(data + "/runbooks/good");
    CHECK(lint_runbooks(path, {data + "/runbooks/good"}).empty());
    auto problems = lint_runbooks(path, {bad});
    CHECK(problems.size() >= 12);
    CHECK_THROWS_WITH(lint_runbooks(path, {data + "/nowhere"}),
                      data + "/nowhere: no such file or folder");
}

TEST_CASE("runbook::load_runbook names the first problem and how many more") {
    RunbookPath path = runbook_path(bad);
    try {
        load_runbook(path, "bad_many");
        FAIL("loaded a broken runbook");
    } catch (const Error& e) {
        CHECK(e.code() == Exit::invalid_content);
        CHECK(std::string(e.what()) ==
              bad + "bad_many.yaml:1:1: missing required key 'description' in the runbook (and 9 "
                    "more; run `outage runbook lint` to see all)");
    }
}

TEST_CASE("runbook::read_answers_file") {
    auto answers = read_answers_file(data + "/answers/good_answers.yaml");
    CHECK(answers == std::vector<std::pair<std::string, std::string>>{
                         {"scope", "room"}, {"samples_at_risk", "yes"}, {"people", "12"}});
    CHECK_THROWS_WITH(read_answers_file(data + "/answers/bad_answers.yaml"),
                      "--answers-file: " + data +
                          "/answers/bad_answers.yaml:2:1: each answer is `question_id: value`");
}

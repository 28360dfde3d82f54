#include "outage/runbook/cache.hpp"

#include "outage/io/atomic_file.hpp"
#include "outage/io/digest.hpp"
#include "outage/io/folders.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace outage {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Part of every key: a change to the runbook model must never read an entry written by a
// build that knew other fields. Bump the number whenever the model or this file's mapping
// changes; the sizes catch most changes someone forgets to bump it for.
std::string model_fingerprint() {
    return fmt::format("outage-runbook-cache 2 {} {} {} {} {} {} {} {} {} {}", sizeof(Runbook),
                       sizeof(Question), sizeof(Choice), sizeof(Condition), sizeof(SeverityRule),
                       sizeof(IntervalOverride), sizeof(Step), sizeof(PlanEntry),
                       sizeof(Workaround), sizeof(DeadlineRule));
}

template <class T> json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json();
}

template <class T> std::optional<T> optional_from(const json& value) {
    if (value.is_null())
        return std::nullopt;
    return value.get<T>();
}

template <class Enum> Enum enum_from(const json& value, Enum last) {
    int number = value.get<int>();
    if (number < 0 || number > static_cast<int>(last))
        throw Error(Exit::runtime, "runbook cache: value out of range");
    return static_cast<Enum>(number);
}

json condition_json(const Condition& condition) {
    json children = json::array();
    for (const auto& child : condition.children)
        children.push_back(condition_json(child));
    return {{"op", static_cast<int>(condition.op)},
            {"question", condition.question},
            {"values", condition.values},
            {"number", condition.number},
            {"children", std::move(children)}};
}

Condition condition_from(const json& j) {
    Condition condition;
    condition.op = enum_from(j.at("op"), Condition::Op::at_most);
    condition.question = j.at("question").get<std::string>();
    condition.values = j.at("values").get<std::vector<json>>();
    condition.number = j.at("number").get<double>();
    for (const auto& child : j.at("children"))
        condition.children.push_back(condition_from(child));
    return condition;
}

json when_json(const std::optional<Condition>& when) {
    return when ? condition_json(*when) : json();
}

std::optional<Condition> when_from(const json& value) {
    if (value.is_null())
        return std::nullopt;
    return condition_from(value);
}

template <class T, class Convert> json list_json(const std::vector<T>& items, Convert convert) {
    json list = json::array();
    for (const auto& item : items)
        list.push_back(convert(item));
    return list;
}

template <class T, class Convert> std::vector<T> list_from(const json& list, Convert convert) {
    std::vector<T> items;
    for (const auto& item : list)
        items.push_back(convert(item));
    return items;
}

json question_json(const Question& q) {
    return {{"id", q.id},
            {"prompt", q.prompt},
            {"help", q.help},
            {"type", static_cast<int>(q.type)},
            {"choices", list_json(q.choices,
                                  [](const Choice& c) {
                                      return json{{"value", c.value}, {"label", c.label}};
                                  })},
            {"min", optional_json(q.min)},
            {"max", optional_json(q.max)}};
}

Question question_from(const json& j) {
    Question q;
    q.id = j.at("id").get<std::string>();
    q.prompt = j.at("prompt").get<std::string>();
    q.help = j.at("help").get<std::string>();
    q.type = enum_from(j.at("type"), QuestionType::text);
    q.choices = list_from<Choice>(j.at("choices"), [](const json& c) {
        return Choice{c.at("value").get<std::string>(), c.at("label").get<std::string>()};
    });
    q.min = optional_from<double>(j.at("min"));
    q.max = optional_from<double>(j.at("max"));
    return q;
}

json interval_json(const IntervalOverride& o) {
    json by_level = json::object();
    for (const auto& [level, interval] : o.by_level)
        by_level[level] = interval.count();
    return {{"when", when_json(o.when)}, {"by_level", std::move(by_level)}};
}

IntervalOverride interval_from(const json& j) {
    IntervalOverride o;
    o.when = when_from(j.at("when"));
    for (const auto& [level, seconds] : j.at("by_level").items())
        o.by_level[level] = std::chrono::seconds{seconds.get<std::int64_t>()};
    return o;
}

json step_json(const Step& s) {
    return {{"id", s.id},
            {"title", s.title},
            {"detail", s.detail},
            {"role", s.role},
            {"min_severity", optional_json(s.min_severity)},
            {"optional", s.optional}};
}

Step step_from(const json& j) {
    Step s;
    s.id = j.at("id").get<std::string>();
    s.title = j.at("title").get<std::string>();
    s.detail = j.at("detail").get<std::string>();
    s.role = j.at("role").get<std::string>();
    s.min_severity = optional_from<std::string>(j.at("min_severity"));
    s.optional = j.at("optional").get<bool>();
    return s;
}

json plan_json(const PlanEntry& p) {
    return {{"audience", p.audience},
            {"template", p.template_name},
            {"channel", p.channel},
            {"min_severity", p.min_severity},
            {"min_recipients", p.min_recipients},
            {"min_per_organisation", optional_json(p.min_per_organisation)},
            {"proactive", p.proactive},
            {"customer_facing", p.customer_facing},
            {"when", when_json(p.when)},
            {"withhold", p.withhold}};
}

PlanEntry plan_from(const json& j) {
    PlanEntry p;
    p.audience = j.at("audience").get<std::string>();
    p.template_name = j.at("template").get<std::string>();
    p.channel = j.at("channel").get<std::string>();
    p.min_severity = j.at("min_severity").get<std::string>();
    p.min_recipients = j.at("min_recipients").get<int>();
    p.min_per_organisation = optional_from<int>(j.at("min_per_organisation"));
    p.proactive = j.at("proactive").get<bool>();
    p.customer_facing = j.at("customer_facing").get<bool>();
    p.when = when_from(j.at("when"));
    p.withhold = j.at("withhold").get<std::vector<std::string>>();
    return p;
}

// Owner-only, and owned by whoever runs this: anyone else able to write an entry could
// change what a runbook decides.
bool private_to_us(const struct stat& info) {
    return info.st_uid == ::geteuid() && (info.st_mode & 022) == 0;
}

} // namespace

std::string runbook_cache_key(std::string_view text) {
    static const std::string fingerprint = model_fingerprint();
    return sha256_hex(fingerprint + '\n' + std::string(text));
}

json runbook_to_json(const Runbook& r) {
    return {
        {"id", r.id},
        {"title", r.title},
        {"description", r.description},
        {"questions", list_json(r.questions, question_json)},
        {"severity_rules", list_json(r.severity_rules,
                                     [](const SeverityRule& rule) {
                                         return json{{"name", rule.name},
                                                     {"level", rule.level},
                                                     {"when", when_json(rule.when)}};
                                     })},
        {"update_intervals", list_json(r.update_intervals, interval_json)},
        {"steps", list_json(r.steps, step_json)},
        {"communications", list_json(r.communications, plan_json)},
        {"workarounds",
         list_json(
             r.workarounds,
             [](const Workaround& w) {
                 return json{{"title", w.title}, {"detail", w.detail}, {"when", when_json(w.when)}};
             })},
        {"recovery", r.recovery},
        {"prevention", r.prevention},
        {"deadlines", list_json(r.deadlines, [](const DeadlineRule& d) {
             return json{{"id", d.id},
                         {"title", d.title},
                         {"detail", d.detail},
                         {"within", d.within.count()},
                         {"when", when_json(d.when)},
                         {"met_by_audience", optional_json(d.met_by_audience)}};
         })}};
}

Runbook runbook_from_json(const json& j) {
    Runbook r;
    r.id = j.at("id").get<std::string>();
    r.title = j.at("title").get<std::string>();
    r.description = j.at("description").get<std::string>();
    r.questions = list_from<Question>(j.at("questions"), question_from);
    r.severity_rules = list_from<SeverityRule>(j.at("severity_rules"), [](const json& rule) {
        return SeverityRule{rule.at("name").get<std::string>(), rule.at("level").get<std::string>(),
                            when_from(rule.at("when"))};
    });
    r.update_intervals = list_from<IntervalOverride>(j.at("update_intervals"), interval_from);
    r.steps = list_from<Step>(j.at("steps"), step_from);
    r.communications = list_from<PlanEntry>(j.at("communications"), plan_from);
    r.workarounds = list_from<Workaround>(j.at("workarounds"), [](const json& w) {
        return Workaround{w.at("title").get<std::string>(), w.at("detail").get<std::string>(),
                          when_from(w.at("when"))};
    });
    r.recovery = j.at("recovery").get<std::vector<std::string>>();
    r.prevention = j.at("prevention").get<std::vector<std::string>>();
    r.deadlines = list_from<DeadlineRule>(j.at("deadlines"), [](const json& d) {
        return DeadlineRule{d.at("id").get<std::string>(),
                            d.at("title").get<std::string>(),
                            d.at("detail").get<std::string>(),
                            std::chrono::seconds{d.at("within").get<std::int64_t>()},
                            when_from(d.at("when")),
                            optional_from<std::string>(d.at("met_by_audience"))};
    });
    return r;
}

std::optional<Runbook> read_cached_runbook(const fs::path& dir, const std::string& key) {
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || !private_to_us(info))
        return std::nullopt;
    fs::path entry = dir / (key + ".json");
    int fd = ::open(entry.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return std::nullopt;
    std::string text;
    if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode) && private_to_us(info) &&
        info.st_size < (1 << 22)) {
        text.resize(static_cast<size_t>(info.st_size));
        ssize_t n = ::read(fd, text.data(), text.size());
        text.resize(n < 0 ? 0 : static_cast<size_t>(n));
    }
    ::close(fd);
    json document = json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object())
        return std::nullopt;
    // Compared as JSON: a key that is not a string is a mismatch, not a type error.
    if (auto stored = document.find("key"); stored == document.end() || *stored != key)
        return std::nullopt;
    try {
        return runbook_from_json(document.at("runbook"));
    } catch (const json::exception&) {
        return std::nullopt;
    } catch (const Error&) {
        return std::nullopt;
    }
}

void write_cached_runbook(const fs::path& dir, const std::string& key, const Runbook& runbook) {
    try {
        ensure_folder(dir, 0700);
        json document = {{"key", key}, {"runbook", runbook_to_json(runbook)}};
        // An entry cut short by a power cut is not served (read_cached_runbook), so it need
        // not reach the disk before outage goes on.
        write_file_atomically(dir / (key + ".json"), document.dump(), 0600, {}, Sync::none);
    } catch (const Error&) {
        // A full disk or a read-only home: the runbook is parsed again next time.
    } catch (const json::exception&) {
    }
}

} // namespace outage

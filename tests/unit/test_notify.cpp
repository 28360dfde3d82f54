#include "fake_channel.hpp"
#include "fake_store.hpp"
#include "support.hpp"

#include "outage/io/digest.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/notice_plan.hpp"
#include "outage/services/notify.hpp"
#include "outage/services/recipient_source.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <sstream>

using namespace outage;
using namespace std::chrono;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");
const std::string two_contacts = "email,name,organisation,lang\n"
                                 "a@example.com,A,Acme,en\n"
                                 "b@example.com,B,Acme,nl\n";

// Files in memory, counting how often they are opened: each open starts a new read.
struct MemoryFiles {
    std::map<std::string, std::string> files;
    int opens = 0;

    FileOpener opener() {
        return [this](const std::filesystem::path& file) -> std::unique_ptr<std::istream> {
            ++opens;
            auto it = files.find(file.string());
            if (it == files.end())
                return nullptr;
            return std::make_unique<std::istringstream>(it->second);
        };
    }
};

// The e2e tests' incident on a FakeStore: "Flood in lab 2" in lab-flood, assessed SEV1, id 1.
struct Fixture {
    FakeStore store;
    std::ostringstream out;
    NotifyEnvironment env{runbook_path(data + "/runbooks/good"), template_path(data + "/templates"),
                          Config{}, "/nonexistent/outbox", out};
    FakeChannels channels;
    MemoryFiles files;
    IncidentId id = 0;

    Fixture() {
        OpenRequest open;
        open.scenario = "lab-flood";
        open.title = "Flood in lab 2";
        open.services = {"booking"};
        id = open_incident(store, plan_open(env.runbooks, open), {"alice", t0}).incident.id;
        Runbook runbook = load_runbook(env.runbooks, "lab-flood");
        Answers answers{{"scope", "floor"},
                        {"samples_at_risk", "no"},
                        {"people", 20},
                        {"realtime", "no"},
                        {"reporter", "Ann"}};
        assess_incident(store, runbook, load_severity_scale(env.runbooks), id, answers,
                        {"alice", t0});
    }

    NotifyRequest request(const std::string& audience, const std::string& channel) const {
        NotifyRequest r;
        r.id = id;
        r.audience = audience;
        r.channel = channel;
        return r;
    }

    // The customers' e-mail notice to the CSV `contacts`, read from r.csv.
    NotifyRequest customers(const std::string& contacts) {
        files.files["r.csv"] = contacts;
        NotifyRequest r = request("customers", "email");
        r.recipients_csv = "r.csv";
        r.eta = t0 + hours{2};
        return r;
    }

    NotifyResult run(const NotifyRequest& r) {
        return notify(store, env, r, {"alice", t0}, {}, {channels.factory(), files.opener()});
    }

    std::vector<DeliveryRecord> deliveries(std::int64_t notice) {
        return store.deliveries(notice, 0, 1000);
    }
};

std::vector<std::string> addresses(RecipientSource& source, Store& store, MemoryFiles& files,
                                   std::int64_t& count) {
    std::vector<std::string> seen;
    count = source.each(store, files.opener(),
                        [&](const SourceRecipient& r) { seen.push_back(r.address); });
    return seen;
}

} // namespace

TEST_CASE("notify::RecipientSource") {
    Fixture f;
    std::int64_t count = -1;

    SECTION("the --to list, in order") {
        RecipientSource source({"b@example.com", "a@example.com"}, 0, std::nullopt);
        CHECK(addresses(source, f.store, f.files, count) ==
              std::vector<std::string>{"b@example.com", "a@example.com"});
        CHECK(count == 2);
        CHECK_FALSE(source.csv_digest());
        CHECK(f.files.opens == 0);
    }
    SECTION("no recipient at all: one unaddressed message, not counted") {
        RecipientSource source;
        CHECK(addresses(source, f.store, f.files, count) == std::vector<std::string>{""});
        CHECK(count == 0);
    }
    SECTION("a CSV is read once, its columns kept and its bytes digested") {
        f.files.files["r.csv"] = two_contacts;
        RecipientSource source({}, 0, "r.csv");
        std::vector<SourceRecipient> seen;
        count = source.each(f.store, f.files.opener(),
                            [&](const SourceRecipient& r) { seen.push_back(r); });
        CHECK(count == 2);
        CHECK(f.files.opens == 1);
        REQUIRE(seen.size() == 2);
        CHECK(seen[1].address == "b@example.com");
        CHECK(seen[1].lang == "nl");
        CHECK(seen[1].organisation == "Acme");
        CHECK(seen[1].columns ==
              nlohmann::json{{"name", "B"}, {"organisation", "Acme"}, {"lang", "nl"}});
        CHECK(source.csv_digest() == sha256_hex(two_contacts));
    }
    SECTION("the digest covers bytes the CSV reader never needed") {
        std::string text(100'000, '\n'); // blank lines past the 64 KiB chunk
        text = "email\nz@example.com\n" + text;
        f.files.files["r.csv"] = text;
        RecipientSource source({}, 0, "r.csv");
        CHECK(addresses(source, f.store, f.files, count) ==
              std::vector<std::string>{"z@example.com"});
        CHECK(source.csv_digest() == sha256_hex(text));
    }
    SECTION("a bad row stops the walk after the rows before it") {
        f.files.files["r.csv"] = "email,name\na@example.com,A\nb@example,B\n";
        RecipientSource source({}, 0, "r.csv");
        std::vector<std::string> seen;
        std::string message;
        CHECK(exit_of([&] { addresses(source, f.store, f.files, count); }, message) == Exit::usage);
        CHECK(message == "r.csv:3: invalid e-mail address 'b@example'");
        CHECK_FALSE(source.csv_digest());
    }
    SECTION("a file that cannot be opened") {
        RecipientSource source({}, 0, "missing.csv");
        std::string message;
        CHECK(exit_of([&] { addresses(source, f.store, f.files, count); }, message) == Exit::usage);
        CHECK(message == "--recipients missing.csv: cannot read the file");
    }
    SECTION("an earlier notice's recipients, a page at a time, with their columns") {
        std::int64_t notice = write_transaction(f.store, [&] {
            NoticeRecord record;
            record.incident_id = f.id;
            record.identity = "earlier";
            std::int64_t n = f.store.insert_notice(record);
            DeliveryRecord blank; // an unaddressed delivery is nobody to tell again
            blank.notice_id = n;
            f.store.insert_delivery(blank, t0);
            for (int i = 0; i < 1200; ++i) {
                DeliveryRecord d;
                d.notice_id = n;
                d.recipient = fmt::format("c{}@example.com", i);
                d.lang = i == 7 ? "nl" : "";
                d.columns = {{"organisation", fmt::format("Org {}", i / 2)}};
                f.store.insert_delivery(d, t0);
            }
            return n;
        });
        RecipientSource source({"first@example.com"}, notice, std::nullopt);
        std::vector<SourceRecipient> seen;
        count = source.each(f.store, f.files.opener(),
                            [&](const SourceRecipient& r) { seen.push_back(r); });
        CHECK(count == 1201);
        REQUIRE(seen.size() == 1201);
        CHECK(seen[0].address == "first@example.com");
        CHECK(seen[8].address == "c7@example.com");
        CHECK(seen[8].lang == "nl");
        CHECK(seen[8].organisation == "Org 3");
        CHECK(seen[1200].address == "c1199@example.com");
    }
    SECTION("an earlier delivery's column that is not text is an error naming the delivery") {
        NoticeRecord record{.incident_id = f.id};
        DeliveryRecord d{.recipient = "c@example.com", .columns = {{"organisation", 7}}};
        write_transaction(f.store, [&] {
            d.notice_id = f.store.insert_notice(record);
            f.store.insert_delivery(d, t0);
        });
        RecipientSource source({}, d.notice_id, std::nullopt);
        CHECK_THROWS_WITH(source.each(f.store, f.files.opener(), [](const SourceRecipient&) {}),
                          Catch::Contains("delivery 1: field 'organisation' is not text"));
    }
}

// The identities the binary before this structure recorded for these calls: an interrupted
// send it started must resume, not start again.
TEST_CASE("notify::the notice identity is what earlier versions recorded") {
    Fixture f;
    NotifyRequest frontline = f.request("frontline", "file");
    frontline.to = {"desk@example.com", "ops@example.com"};
    frontline.note = "Pumps on their way";
    CHECK(f.run(frontline).notice_id == 1);

    f.files.files["r.csv"] = two_contacts;
    NotifyRequest customers = f.request("customers", "file");
    customers.recipients_csv = "r.csv";
    customers.eta = parse_iso_utc("2026-11-22T16:00:00Z");
    customers.note = "Engineers on site";
    CHECK(f.run(customers).notice_id == 2);

    CHECK(f.run(f.request("frontline", "stdout")).notice_id == 3);

    CHECK(f.store.find_notice(1)->identity ==
          "9bc2a63ddffcbbb7de0fa4ea9ba2b84b62d2e3ebd0a776d3c3db211c93ea5b4a");
    CHECK(f.store.find_notice(2)->identity ==
          "c89fe3e6f0fa6f6a2820c77e7cfe962003a0e8d1ef4e98618c1c023b56b71bb0");
    CHECK(f.store.find_notice(3)->identity ==
          "a5a730b4783a407d8239a87aabbab8f6533ea8a21187d5d4d00bc70ad74c402d");
}

TEST_CASE("notify::notice_identity changes with every value of the call") {
    Fixture f;
    std::vector<std::string> warnings;
    NotifyRequest request = f.request("frontline", "file");
    request.to = {"desk@example.com"};
    NoticePlan plan = plan_notice(f.store, f.env, request, t0, warnings);
    std::string base = notice_identity(request, plan, std::nullopt);
    CHECK(base.size() == 64);
    CHECK(notice_identity(request, plan, std::nullopt) == base);

    NotifyRequest noted = request;
    noted.note = "Pumps arrived";
    CHECK(notice_identity(noted, plan, std::nullopt) != base);
    NoticePlan closed = plan;
    closed.incident.closed_at = t0 + hours{1};
    CHECK(notice_identity(request, closed, std::nullopt) != base);
    NotifyRequest earlier = request;
    earlier.recipients_of = 1;
    CHECK(notice_identity(earlier, plan, std::nullopt) != base);

    // A plan with a CSV has no identity before the CSV has been read.
    NoticePlan with_csv = plan;
    with_csv.recipients = RecipientSource({}, 0, "r.csv");
    CHECK_THROWS_AS(notice_identity(request, with_csv, std::nullopt), std::logic_error);
}

TEST_CASE("notify::records the notice and a delivery per recipient, reading the CSV once") {
    Fixture f;
    NotifyRequest request = f.customers(two_contacts);
    NotifyResult result = f.run(request);

    CHECK(f.files.opens == 1);
    CHECK(f.channels.built == std::vector<ChannelKind>{ChannelKind::email});
    CHECK(result.notice_id == 1);
    CHECK_FALSE(result.resumed);
    CHECK(result.attempted == 2);
    CHECK(result.counts.sent == 2);
    CHECK(result.counts.failed == 0);
    CHECK(result.counts.pending == 0);
    CHECK(result.warnings.empty());

    auto deliveries = f.deliveries(1);
    REQUIRE(deliveries.size() == 2);
    CHECK(deliveries[0].recipient == "a@example.com");
    CHECK(deliveries[1].lang == "nl");
    CHECK(deliveries[1].columns["name"] == "B");
    REQUIRE(f.channels.channel.sent.size() == 2);
    const Outgoing& second = f.channels.channel.sent[1];
    CHECK(second.recipient == "b@example.com");
    CHECK(second.message_id == "outage.1.1.2@outage.invalid");
    CHECK(second.file_stem == "incident-1-notice-1-2");
    CHECK(second.body.find("Beste B,") != std::string::npos);

    auto timeline = f.store.timeline(f.id);
    REQUIRE(timeline.size() >= 2);
    CHECK(timeline[timeline.size() - 2].kind == "notice");
    CHECK(timeline[timeline.size() - 2].payload["recipients"] == 2);
    CHECK(timeline.back().kind == "notice_sent");
    // An external notice moves the next update forward by the SEV1 interval.
    Incident incident = *f.store.find_incident(f.id);
    CHECK(incident.next_update_due == t0 + *incident.update_interval);
}

TEST_CASE("notify::a dry run renders every message and records nothing") {
    Fixture f;
    NotifyRequest request = f.customers(two_contacts);
    request.dry_run = true;
    std::string before = f.store.dump();
    int writes = f.store.writes_begun();
    NotifyResult result = f.run(request);

    CHECK(f.store.dump() == before);
    CHECK(f.store.writes_begun() == writes);
    CHECK(result.notice_id == 0);
    CHECK(result.attempted == 2);
    CHECK(f.channels.built == std::vector<ChannelKind>{ChannelKind::stdout_channel});
    REQUIRE(f.channels.channel.sent.size() == 2);
    CHECK(f.channels.channel.sent[0].recipient == "a@example.com");
    CHECK(f.channels.channel.sent[0].message_id.empty());
    // Checked first, then shown: the file is read once for each.
    CHECK(f.files.opens == 2);
}

TEST_CASE("notify::a refused send is marked failed, and the same call sends only it") {
    Fixture f;
    NotifyRequest request = f.request("frontline", "email");
    request.to = {"a@example.com", "b@example.com", "c@example.com"};
    f.channels.channel.refuse_at = 2;
    NotifyResult first = f.run(request);
    CHECK(first.attempted == 3);
    CHECK(first.counts.sent == 2);
    CHECK(first.counts.failed == 1);
    auto deliveries = f.deliveries(first.notice_id);
    REQUIRE(deliveries.size() == 3);
    CHECK(deliveries[1].state == DeliveryState::failed);
    CHECK(deliveries[1].last_error == "fake channel refused send 2");
    CHECK(deliveries[1].attempts == 1);

    std::string before = f.store.dump();
    NotifyResult again = f.run(request);
    CHECK(again.resumed);
    CHECK(again.notice_id == first.notice_id);
    CHECK(again.attempted == 1);
    CHECK(again.counts.sent == 3);
    CHECK(f.store.notices(f.id).size() == 1);
    REQUIRE(f.channels.channel.sent.size() == 3);
    CHECK(f.channels.channel.sent[2].recipient == "b@example.com");
    CHECK(f.store.dump() != before);

    // Everything is sent: the same call moments later is refused, and --resume sends and
    // records nothing.
    before = f.store.dump();
    std::string message;
    CHECK(exit_of([&] { f.run(request); }, message) == Exit::conflict);
    NotifyResult resumed = resume_notice(f.store, f.env, first.notice_id, {"alice", t0}, {}, {},
                                         {f.channels.factory(), f.files.opener()});
    CHECK(resumed.resumed);
    CHECK(resumed.attempted == 0);
    CHECK(f.store.dump() == before);
    CHECK(f.channels.channel.attempts == 4);
}

TEST_CASE("notify::a refusal after the walk has begun leaves the log as it was") {
    Fixture f;
    NotifyRequest request = f.customers(two_contacts);
    std::string before = f.store.dump();
    std::string message;

    SECTION("a bad row, after good ones") {
        f.files.files["r.csv"] += "c@example,C,Acme,en\n";
        CHECK(exit_of([&] { f.run(request); }, message) == Exit::usage);
        CHECK(message == "r.csv:4: invalid e-mail address 'c@example'");
    }
    SECTION("an organisation below the plan's minimum") {
        f.files.files["r.csv"] += "c@example.com,C,Solo,en\n";
        CHECK(exit_of([&] { f.run(request); }, message) == Exit::usage);
        CHECK(message == "the plan tells each customers organisation through at least 2 "
                         "contacts; 'Solo' has 1");
    }
    SECTION("a channel the config cannot build, asked for after the recipients are checked") {
        NotifyIo io{[](ChannelKind) -> std::unique_ptr<Channel> {
                        throw Error(Exit::runtime, "the SMTP password variable P is not set");
                    },
                    f.files.opener()};
        CHECK(exit_of(
                  [&] {
                      notify(f.store, f.env, request, {"alice", t0}, {}, io);
                  },
                  message) == Exit::runtime);
        CHECK(message == "the SMTP password variable P is not set");
        CHECK(f.files.opens == 1);
    }
    CHECK(f.store.dump() == before);
    CHECK(f.channels.channel.attempts == 0);
}

TEST_CASE("notify::the handover note is the last one given") {
    Fixture f;
    CHECK(f.store.last_handover_note(f.id) == "");
    hand_off(f.store, f.id, {"bob", "Pumps ordered"}, {"alice", t0});
    hand_off(f.store, f.id, {"carol", "Pumps arrived"}, {"bob", t0 + minutes{5}});
    write_transaction(f.store, [&] {
        f.store.append_event(f.id, {"carol", t0 + minutes{6}}, "handoff", {{"to", "dave"}});
    });
    CHECK(f.store.last_handover_note(f.id) == "Pumps arrived");
    f.run(f.request("frontline", "stdout"));
    CHECK(f.store.find_notice(1)->fields["handover_note"] == "Pumps arrived");
}

TEST_CASE("notify::the next update a message promises is its audience's clock") {
    Fixture f;
    // Assessed SEV1 at t0: the first update is owed 30 minutes later.
    CHECK(f.store.update_clocks(f.id) == UpdateClocks{{first_update, t0 + minutes{30}}});
    Timestamp at = t0 + minutes{10};
    NotifyRequest request = f.customers(two_contacts);
    notify(f.store, f.env, request, {"alice", at}, {}, {f.channels.factory(), f.files.opener()});

    // Promised in the message, and the same time on the clock: now plus the SEV1 interval.
    Timestamp promised = at + minutes{30};
    REQUIRE(f.channels.channel.sent.size() == 2);
    CHECK(f.channels.channel.sent[0].body.find("Next update by " + format_local(promised)) !=
          std::string::npos);
    CHECK(f.store.update_clocks(f.id) == UpdateClocks{{"customers", promised}});
    CHECK(f.store.find_incident(f.id)->next_update_due == promised);
    auto timeline = f.store.timeline(f.id);
    auto recorded = std::find_if(timeline.begin(), timeline.end(),
                                 [](const Event& e) { return e.kind == "notice"; });
    REQUIRE(recorded != timeline.end());
    auto notice = std::get<events::Notice>(decode(*recorded, MissingField::error));
    CHECK(notice.next_update_due == promised);
    CHECK(notice.clocks == UpdateClocks{{"customers", promised}});

    // The ETA given is kept for later messages.
    CHECK(f.store.find_incident(f.id)->eta == t0 + hours{2});

    // A template that promises nothing starts no clock: the front-line briefing here.
    NotifyRequest frontline = f.request("frontline", "email");
    frontline.to = {"desk@example.com"};
    notify(f.store, f.env, frontline, {"alice", at + minutes{5}}, {},
           {f.channels.factory(), f.files.opener()});
    CHECK(f.store.update_clocks(f.id) == UpdateClocks{{"customers", promised}});
}

TEST_CASE("notify::the same call once sent is the next update, but not moments later") {
    Fixture f;
    NotifyRequest request = f.customers(two_contacts);
    auto io = NotifyIo{f.channels.factory(), f.files.opener()};
    NotifyResult first = notify(f.store, f.env, request, {"alice", t0}, {}, io);
    CHECK(first.counts.sent == 2);

    std::string before = f.store.dump();
    std::string message;
    CHECK(exit_of(
              [&] {
                  notify(f.store, f.env, request, {"alice", t0 + seconds{90}}, {}, io);
              },
              message) == Exit::conflict);
    CHECK(message == "notice 1 to customers went out 1m ago with the same message; to send it "
                     "again as a new update, add --again");
    CHECK(f.store.dump() == before);
    CHECK(f.channels.channel.sent.size() == 2);

    // Two hours later the same call is the next update, with a fresh promise.
    NotifyResult second = notify(f.store, f.env, request, {"alice", t0 + hours{2}}, {}, io);
    CHECK(second.notice_id == 2);
    CHECK_FALSE(second.resumed);
    CHECK(f.channels.channel.sent.size() == 4);
    CHECK(f.store.update_clocks(f.id) == UpdateClocks{{"customers", t0 + hours{2} + minutes{30}}});
    CHECK(f.store.find_notice(2)->fields["update_number"] == "2");

    // --again sends at once.
    request.again = true;
    NotifyResult third = notify(f.store, f.env, request, {"alice", t0 + hours{2}}, {}, io);
    CHECK(third.notice_id == 3);
    CHECK(f.channels.channel.sent.size() == 6);
}

TEST_CASE("notify::a notice on a closed incident promises nothing") {
    Fixture f;
    close_incident(f.store, f.id, {"Pumped out", {}, {}, {}}, {"alice", t0 + hours{1}});
    NotifyRequest request = f.customers(two_contacts);
    notify(f.store, f.env, request, {"alice", t0 + hours{2}}, {},
           {f.channels.factory(), f.files.opener()});
    CHECK(f.store.update_clocks(f.id).empty());
    CHECK_FALSE(f.store.find_incident(f.id)->next_update_due);
    REQUIRE_FALSE(f.channels.channel.sent.empty());
    CHECK(f.channels.channel.sent[0].body.find("Next update") == std::string::npos);
}

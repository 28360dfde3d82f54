#pragma once

#include "outage/cli/context.hpp"
#include "outage/model/error.hpp"
#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/notify.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace outage::cli {

// Text from the log, a file or a server as a human-readable line shows it: every control
// character (line breaks and tabs too), C1 control, bidi and zero-width character and every
// byte that is not UTF-8 written as an escape (`\x1b`, `\n`, `\u202e`), so a value recorded
// before outage refused such characters, or typed into a file, can neither drive the terminal
// nor break or reorder the line it is shown on. Every line of human output that holds such a
// value prints it through this; JSON is escaped by its own rules (docs/security.md).
// `keep_line_feeds` is for a whole message printed as it would be sent: its line feeds, tabs
// and a CR before a line feed stay as they are.
std::string shown(std::string_view text, bool keep_line_feeds = false);

// Standard output for whole messages (the stdout channel, dry runs): each line is written
// through shown(line, true) once it is complete, or at a flush, so a message made from an
// older log's values cannot drive the terminal either.
class ShownStdout : public std::ostream {
  public:
    ShownStdout();
    ~ShownStdout() override;

  private:
    class Lines : public std::streambuf {
      public:
        void write_out();

      protected:
        int_type overflow(int_type c) override;
        std::streamsize xsputn(const char* text, std::streamsize count) override;
        int sync() override;

      private:
        std::string m_line;
    };
    Lines m_lines;
};

// A condition in the shape runbooks write it ({"question": .., "equals": ..}, {"all": [..]}).
nlohmann::json condition_json(const Condition& condition);

// A notify run: {"notice", "audience", "resumed", "attempted", "sent", "failed", "pending"}.
nlohmann::json notice_result_json(const NotifyResult& result, const std::string& audience);

// "Notice 7 to customers: 998 sent, 2 failed, 0 pending." and how to retry failures.
void print_notice_result(const NotifyResult& result, const std::string& audience);

// Lint results: each problem as `file:line:column: message` (or a JSON array of
// {"file", "line", "column", "message"}) and a count on stderr; exit 4 when there is any.
Exit print_problems(const std::vector<Problem>& problems, const Output& out);

// One JSON document on stdout; arrays print one element per line.
void print_json(const nlohmann::json& document);

// Writes the file an option names (`-o FILE`, `--html FILE`) whole or not at all, with `mode`
// whatever the umask, after refusing a folder someone else may write (a sticky one such as
// /tmp is fine: no one else can replace or remove the file there). Never creates folders.
void write_output_file(const std::string& file, std::string_view content, mode_t mode,
                       std::string_view option);
// A JSON array printed one element per line as the elements come, in pieces: a list of
// 100,000 incidents never exists as one document. finish() closes it.
class JsonArrayPrinter {
  public:
    JsonArrayPrinter();
    void add(const nlohmann::json& element);
    void finish();

  private:
    std::string m_out = "[";
    // One serializer for all the elements, writing straight into the buffer (json::dump
    // makes both anew for each).
    nlohmann::detail::serializer<nlohmann::json> m_serializer;
    size_t m_count = 0;
};

// "SEV1", coloured on a terminal; "unassessed" before the first assessment.
std::string severity_label(const std::optional<std::string>& severity, bool color);

// The incident's facts, one per line, for `show` and the commands that change it.
void print_incident(const Incident& incident, const Output& out);

// One line per incident under a header, for `list`.
void print_incident_table(const std::vector<Incident>& incidents, const Output& out);

// One line per event: local time, actor, what happened.
void print_timeline(const std::vector<Event>& events);

// The checklist: "[x] id  role  title", one step per line.
void print_steps(const std::vector<StepView>& steps);

// The deadlines with how long is left or how long ago they were missed.
// "due 2026-11-22 14:00 CET (in 3h)", "MISSED 1h ago" or "met ...".
std::string deadline_state(const Deadline& deadline, Timestamp now);
void print_deadlines(const std::vector<Deadline>& deadlines, Timestamp now);

} // namespace outage::cli

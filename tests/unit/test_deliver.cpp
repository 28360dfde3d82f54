#include "outage/deliver/email.hpp"
#include "outage/deliver/recipients.hpp"
#include "outage/io/atomic_file.hpp"
#include "outage/model/error.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace outage;

namespace {

using Rows = std::vector<std::vector<std::string>>;

} // namespace

TEST_CASE("deliver::CsvReader RFC 4180") {
    CHECK(read_csv("a,b\r\n1,2\r\n") == Rows{{"a", "b"}, {"1", "2"}});
    CHECK(read_csv("a,b\n1,2") == Rows{{"a", "b"}, {"1", "2"}});
    CHECK(read_csv("\xef\xbb\xbf"
                   "email\nx@example.com\n") == Rows{{"email"}, {"x@example.com"}});
    CHECK(read_csv("\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\"\n") ==
          Rows{{"a, b", "say \"hi\"", "two\nlines"}});
    CHECK(read_csv("a,,\n") == Rows{{"a", "", ""}});
    std::string message;
    CHECK(exit_of([] { read_csv("a,\"open\n"); }, message) == Exit::usage);
    CHECK(message == "1: a quoted field is not closed");
    CHECK(exit_of([] { read_csv("ok\n\"a\"b\n"); }, message) == Exit::usage);
    CHECK(message == "2: text after a closing quote");
    CHECK(exit_of([] { read_csv("ok\nab\"c\n"); }, message) == Exit::usage);
    CHECK(message == "2: a quote inside an unquoted field");
}

TEST_CASE("deliver::RecipientReader") {
    std::istringstream in("name,email,lang,organisation\n"
                          "Ann,ann@example.com,nl,Acme\n"
                          "\n"
                          "\"Bo, Jr\",bo@example.org,,Acme\n");
    RecipientReader reader(in, "contacts.csv");
    auto ann = reader.next();
    REQUIRE(ann);
    CHECK(ann->address == "ann@example.com");
    CHECK(ann->lang == "nl");
    CHECK(ann->organisation == "Acme");
    CHECK(ann->columns.at("name") == "Ann");
    CHECK_FALSE(ann->columns.count("email"));
    auto bo = reader.next();
    REQUIRE(bo);
    CHECK(bo->columns.at("name") == "Bo, Jr");
    CHECK(bo->lang.empty());
    CHECK_FALSE(reader.next());

    std::string message;
    auto first_error = [&](const std::string& text) {
        std::istringstream input(text);
        exit_of(
            [&] {
                RecipientReader r(input, "c.csv");
                while (r.next()) {
                }
            },
            message);
        return message;
    };
    CHECK(first_error("name\nAnn\n") == "c.csv:1: the header has no 'email' column");
    CHECK(first_error("") == "c.csv:1: the file is empty; it needs a header row with an email "
                             "column");
    CHECK(first_error("email,email\n") == "c.csv:1: column 'email' appears twice");
    CHECK(first_error("email,name\nann@example.com\n") ==
          "c.csv:2: 1 fields where the header has 2");
    CHECK(first_error("email\nann@example.com\nnot-an-address\n") ==
          "c.csv:3: invalid e-mail address 'not-an-address'");
    CHECK(first_error("email\n\"ann@example.com\r\nBcc: x@example.com\"\n") ==
          "c.csv:2: column 'email': character U+000D (CARRIAGE RETURN) at position 16 is not "
          "allowed; it must be one line");
    CHECK(first_error(std::string("email,name\nann@example.com,An") + '\0' + "n\n") ==
          "c.csv:2: column 'name': character U+0000 (NULL) at position 3 is not allowed");
    CHECK(first_error("email\n\"unterminated\n") == "c.csv:2: a quoted field is not closed");
}

TEST_CASE("deliver::is_valid_address") {
    for (const char* good :
         {"a@example.com", "first.last+tag@sub.example.co.uk", "o'neil@x.ie", "zoë@example.nl"})
        CHECK(is_valid_address(good));
    for (const char* bad :
         {"", "a", "a@", "@example.com", "a@example", "a b@example.com", "a@exa mple.com",
          "a..b@example.com", ".a@example.com", "a@example.com\n", "<a@example.com>",
          "a@example.com, b@example.com", "a@-example..com"})
        CHECK_FALSE(is_valid_address(bad));
}

TEST_CASE("deliver::format_email") {
    Email email{"Ops <ops@example.com>",
                "ann@example.com",
                "Storing: telefonie en e-mail — update 2",
                "Beste Ann,\nDe telefooncentrale is weer bereikbaar = goed nieuws.\n",
                *parse_iso_utc("2026-11-22T10:05:09Z"),
                "outage.1.2.3@example.com"};
    std::string text = format_email(email);
    CHECK(text ==
          "From: Ops <ops@example.com>\r\n"
          "To: ann@example.com\r\n"
          "Subject: =?UTF-8?B?U3RvcmluZzogdGVsZWZvbmllIGVuIGUtbWFpbCDigJQgdXBkYXRlIDI=?=\r\n"
          "Date: Sun, 22 Nov 2026 10:05:09 +0000\r\n"
          "Message-ID: <outage.1.2.3@example.com>\r\n"
          "MIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=UTF-8\r\n"
          "Content-Transfer-Encoding: quoted-printable\r\n"
          "Auto-Submitted: auto-generated\r\n"
          "\r\n"
          "Beste Ann,\r\n"
          "De telefooncentrale is weer bereikbaar =3D goed nieuws.\r\n");
    CHECK(encode_header_text("Plain subject") == "Plain subject");
    CHECK(encode_header_text(std::string(60, 'x') + "é").find("\r\n =?UTF-8?B?") !=
          std::string::npos);
    CHECK(rfc5322_date(*parse_iso_utc("2026-02-01T00:00:00Z")) ==
          "Sun, 01 Feb 2026 00:00:00 +0000");
    CHECK(bare_address("Ops <ops@example.com>") == "ops@example.com");
    CHECK(bare_address("ops@example.com") == "ops@example.com");
}

TEST_CASE("deliver::format_email refuses header injection") {
    Email email{
        "ops@example.com", "ann@example.com", "ok", "body", *parse_iso_utc("2026-11-22T10:00:00Z"),
        "id@example.com"};
    std::string message;
    email.subject = "Outage\r\nBcc: everyone@example.com";
    CHECK(exit_of([&] { format_email(email); }, message) == Exit::usage);
    CHECK(message == "the Subject header would contain a line break; refused (header injection)");
    email.subject = "ok";
    email.to = "ann@example.com\nBcc: x@example.com";
    CHECK(exit_of([&] { format_email(email); }, message) == Exit::usage);
    CHECK(message == "the To header would contain a line break; refused (header injection)");
}

TEST_CASE("deliver::quoted_printable") {
    CHECK(quoted_printable("a=b\n") == "a=3Db\r\n");
    CHECK(quoted_printable("trailing space \nx") == "trailing space=20\r\nx");
    CHECK(quoted_printable("é") == "=C3=A9");
    std::string long_line(100, 'a');
    std::string encoded = quoted_printable(long_line);
    CHECK(encoded.find("=\r\n") == 75);
    CHECK(quoted_printable("crlf\r\nline") == "crlf\r\nline");
}

TEST_CASE("deliver::write_file_atomically and abandoned temp files") {
    TempDir dir;
    namespace fs = std::filesystem;
    fs::path file = dir.file("page.html");
    write_file_atomically(file, "<p>old</p>", 0644);
    write_file_atomically(file, "<p>new</p>", 0644);
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text == "<p>new</p>");
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644); // whatever the umask
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);

    // A writer that was killed (its process is gone) left a file; one that runs still has one.
    pid_t gone = ::fork();
    if (gone == 0)
        ::_exit(0);
    ::waitpid(gone, nullptr, 0);
    std::vector<std::string> names{".a.eml.tmp" + std::to_string(gone),
                                   ".b.eml.tmp" + std::to_string(::getpid()), ".c.txt",
                                   "d.eml.tmp" + std::to_string(gone), ".e.eml.tmpx"};
    for (const auto& name : names)
        std::ofstream(dir.file(name)) << "half";
    remove_abandoned_temp_files(dir.path);
    CHECK_FALSE(fs::exists(dir.file(names[0])));
    for (size_t i = 1; i < names.size(); ++i)
        CHECK(fs::exists(dir.file(names[i])));
    CHECK_THROWS_WITH(write_file_atomically(dir.file("missing/x"), "x", 0600),
                      Catch::Contains("cannot write") && Catch::Contains("No such file"));
}

#pragma once

#include <string>
#include <string_view>

namespace outage {

// Text made safe inside HTML elements and quoted attributes (& < > " ' escaped), as the
// status page, the HTML report and the stats charts need for every value they show.
std::string html_escape(std::string_view text);

// The start of a self-contained page, up to and including <main>: doctype, UTF-8, the title
// (escaped), inline `style`, and a Content-Security-Policy that lets nothing run or load, in
// case a value ever slipped through unescaped.
std::string html_page_start(std::string_view title, std::string_view style);

// Closes what html_page_start opened.
inline constexpr std::string_view html_page_end = "</main>\n</body>\n</html>\n";

} // namespace outage

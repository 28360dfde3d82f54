#pragma once

#include <string>
#include <string_view>

namespace outage {

// Text made safe inside HTML elements and quoted attributes (& < > " ' escaped), as the
// status page, the HTML report and the stats charts need for every value they show.
std::string html_escape(std::string_view text);

} // namespace outage

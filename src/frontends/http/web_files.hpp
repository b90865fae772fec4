// The web page's files (src/frontends/web/), embedded in the library at build time: CMake runs
// src/frontends/web/embed.cmake, which writes web_files_data.cpp (the definition of
// web_files()) into the build tree. Nothing is read from the file system at run time.
#pragma once

#include <string_view>
#include <vector>

namespace movierec {

struct WebFile {
  std::string_view path;          // the URL path it is served at: "/app.js"; index.html is "/"
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view content;
};

// Every embedded file.
const std::vector<WebFile>& web_files();

}  // namespace movierec

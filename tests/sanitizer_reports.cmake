# ctest -P script of the sanitized build's last test: fails, showing them, when the tests left
# sanitizer reports in DIR.
file(GLOB reports "${DIR}/*")
if(reports)
  foreach(report ${reports})
    file(READ ${report} text)
    message("${report}:\n${text}")
  endforeach()
  list(LENGTH reports count)
  message(FATAL_ERROR "${count} sanitizer report(s) in ${DIR}")
endif()
message("no sanitizer reports")

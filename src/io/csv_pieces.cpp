#include "movierec/io/csv_pieces.hpp"

#include <algorithm>
#include <exception>
#include <future>
#include <istream>
#include <memory>
#include <streambuf>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "movierec/io/csv.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/parallel.hpp"

namespace movierec {
namespace {

// Bytes of text each thread parses at a time: about 40,000 rating rows, many times the cost of
// starting the threads, while the chunk buffer stays small and is reused. Every page of a fresh
// buffer costs a page fault, and on the README's virtual machine the faults of a few tens of
// megabytes cost as much as parsing a 1M-rating file.
constexpr std::size_t kPieceBytes = std::size_t{1} << 20;
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

std::size_t count_newlines(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::size_t count_quotes(std::string_view text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '"'));
}

// Calls visit(begin, end) for each stretch of `text` outside quoted fields, in order; `text`
// starts outside quotes. An unterminated quote leaves the rest of the text inside.
template <typename Visit>
void outside_quotes(std::string_view text, Visit visit) {
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t quote = text.find('"', at);
    visit(at, quote == std::string_view::npos ? text.size() : quote);
    if (quote == std::string_view::npos) return;
    const std::size_t close = text.find('"', quote + 1);
    if (close == std::string_view::npos) return;
    at = close + 1;
  }
}

// One past the last line break of `text` outside quotes: the end of its last whole record (0
// when it holds none).
std::size_t last_record_end(std::string_view text) {
  std::size_t end = 0;
  outside_quotes(text, [&](std::size_t begin, std::size_t stop) {
    const std::size_t at = text.substr(begin, stop - begin).rfind('\n');
    if (at != std::string_view::npos) end = begin + at + 1;
  });
  return end;
}

// Where to cut `text` (whole records) into up to `parts` pieces of about equal size: each cut
// just after the first line break outside quotes at or past its share of the text.
std::vector<std::size_t> piece_bounds(std::string_view text, std::size_t parts) {
  std::vector<std::size_t> bounds{0};
  std::size_t part = 1;
  outside_quotes(text, [&](std::size_t begin, std::size_t stop) {
    while (part < parts) {
      const std::size_t target = std::max({bounds.back(), text.size() * part / parts, begin});
      const std::size_t at = target < stop ? text.find('\n', target) : std::string_view::npos;
      if (at == std::string_view::npos || at >= stop) return;
      if (at + 1 < text.size()) bounds.push_back(at + 1);
      ++part;
    }
  });
  bounds.push_back(text.size());
  return bounds;
}

// The file's start up to and including its header line's break, verbatim: blank lines before
// it (which CsvReader skips), the header, and the lines a quoted header field runs over. Empty
// when `in` holds nothing.
std::string read_prefix(std::istream& in) {
  std::string prefix;
  std::string line;
  while (std::getline(in, line)) {
    const bool first = prefix.empty();
    prefix.append(line).append("\n");
    std::string_view text(line);
    if (first && text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (!text.empty() && count_quotes(prefix) % 2 == 0) break;
  }
  return prefix;
}

// What became of one piece's parse: its line breaks, and its error if it failed.
struct PieceOutcome {
  std::size_t newlines = 0;
  std::exception_ptr error;
  bool input_error = false;  // an InputError: its line is re-counted in the whole file
  std::size_t error_line = 0;
  std::string error_problem;
};

}  // namespace

void parse_csv_pieces(
    std::istream& in, const std::string& source,
    const std::function<void(std::size_t slot, std::istream& piece, std::size_t bytes)>& parse,
    const std::function<void(std::size_t slot)>& consume, unsigned threads,
    std::size_t piece_bytes) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (piece_bytes == 0) piece_bytes = kPieceBytes;
  const std::string prefix = read_prefix(in);
  const std::size_t prefix_lines = count_newlines(prefix);
  {
    // The header alone (or nothing, for an empty file): its errors are the reader's own.
    MemoryText buffer(prefix);
    std::istream header(&buffer);
    parse(0, header, 0);
  }
  if (prefix.empty()) return;
  in.clear();  // getline may have met the end of a file that is all header

  std::size_t lines_before = prefix_lines;  // line breaks of the file before the next piece
  // The chunk's buffer is never zero-filled: a small file touches only the pages it fills.
  std::unique_ptr<char[]> chunk;
  std::size_t room = 0;
  std::size_t carried = 0;  // bytes of an unfinished record carried over from the last chunk
  // Two sets of slots: one chunk's pieces are consumed on another thread while the next chunk's
  // are parsed into the other set.
  std::vector<PieceOutcome> outcomes(2 * threads);
  std::size_t set = 0;  // the slots this chunk parses into start at set * threads
  std::future<void> consuming;
  for (bool end = false; !end;) {
    const std::size_t want = std::max<std::size_t>(threads * piece_bytes, 2 * carried);
    if (carried + want > room) {
      // With room for the part of a record the next chunk carries over.
      const std::size_t bigger_room = carried + want + want / 16;
      auto bigger = std::make_unique_for_overwrite<char[]>(bigger_room);
      if (carried > 0) std::copy(chunk.get(), chunk.get() + carried, bigger.get());
      chunk = std::move(bigger);
      room = bigger_room;
    }
    in.read(chunk.get() + carried, static_cast<std::streamsize>(want));
    const std::size_t got = carried + static_cast<std::size_t>(in.gcount());
    end = got < carried + want;
    const std::size_t cut = end ? got : last_record_end({chunk.get(), got});
    if (cut == 0 && !end) {  // one record longer than a chunk: read more of it
      carried = got;
      continue;
    }
    const std::string_view text(chunk.get(), cut);
    const std::vector<std::size_t> bounds = piece_bounds(text, threads);
    const std::size_t count = bounds.size() - 1;
    const std::size_t first_slot = set * threads;
    parallel_for(
        count,
        [&](std::size_t p) {
          const std::string_view records = text.substr(bounds[p], bounds[p + 1] - bounds[p]);
          PieceOutcome& outcome = outcomes[first_slot + p];
          outcome = PieceOutcome();
          outcome.newlines = count_newlines(records);
          MemoryText buffer(prefix, records);
          std::istream stream(&buffer);
          try {
            parse(first_slot + p, stream, records.size());
          } catch (const InputError& e) {
            outcome.error = std::current_exception();
            outcome.input_error = true;
            outcome.error_line = e.line();
            outcome.error_problem = e.problem();
          } catch (...) {
            outcome.error = std::current_exception();
          }
        },
        threads);
    if (consuming.valid()) consuming.get();  // the last chunk's pieces, and their errors, first
    std::size_t good = 0;                    // this chunk's pieces before its first error
    while (good < count && !outcomes[first_slot + good].error) ++good;
    consuming = std::async(std::launch::async, [&consume, first_slot, good] {
      for (std::size_t p = 0; p < good; ++p) consume(first_slot + p);
    });
    for (std::size_t p = 0; p < good; ++p) lines_before += outcomes[first_slot + p].newlines;
    if (good < count) {
      consuming.get();
      const PieceOutcome& outcome = outcomes[first_slot + good];
      if (!outcome.input_error) std::rethrow_exception(outcome.error);
      // The piece stream's lines after the prefix are the file's lines after lines_before.
      const std::size_t line = outcome.error_line > prefix_lines
                                   ? lines_before + (outcome.error_line - prefix_lines)
                                   : outcome.error_line;
      throw InputError(source, line, outcome.error_problem);
    }
    set = 1 - set;
    carried = got - cut;
    std::copy(chunk.get() + cut, chunk.get() + got, chunk.get());
  }
  if (consuming.valid()) consuming.get();
}

}  // namespace movierec

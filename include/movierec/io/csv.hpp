// Text input and output: a strict RFC 4180 CSV reader and writer, and a line reader for the
// non-CSV MovieLens layouts. Readers take any std::istream so tests run in memory; the name
// given as `source` (usually the file path) appears in every error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace movierec {

// Text already in memory as a stream: `first`, then `second`, never copied. CsvReader reads such
// a stream in place instead of copying it into a buffer of its own. The text must outlive it.
class MemoryText : public std::streambuf {
 public:
  explicit MemoryText(std::string_view first, std::string_view second = {});
  // The unread rest of the text up to the next seam (the end of `first`, or of `second`), which
  // then counts as read; empty at the end.
  std::string_view take();

 protected:
  int_type underflow() override;

 private:
  void show(std::string_view text);
  std::string_view second_;
};

// Reads CSV records one at a time. Fields are separated by `delimiter`, records by LF or CRLF;
// a field may be double-quoted, and then holds delimiters, line breaks and doubled quotes ("").
// A UTF-8 byte order mark at the start is skipped; blank lines are skipped. Every record must have
// exactly as many fields as the header. Errors throw InputError naming source and line.
class CsvReader {
 public:
  CsvReader(std::istream& in, std::string source, char delimiter = ',');

  // Reads the header record. Throws InputError if the input is empty.
  void read_header();
  const std::vector<std::string>& header() const { return header_; }
  // Index of the named header column; throws InputError listing the header when it is missing.
  std::size_t column(std::string_view name) const;
  std::optional<std::size_t> find_column(std::string_view name) const;

  // Reads the next record; false at the end of input. Views returned by field() stay valid
  // until the next call.
  bool next();
  std::size_t field_count() const { return fields_.size(); }
  std::string_view field(std::size_t column) const { return fields_[column]; }
  // Conversions of the current record's fields. Throw InputError naming the line, the column
  // and the offending text when the field is empty, not a number, or (for doubles) not finite.
  std::int64_t to_int(std::size_t column) const;
  double to_double(std::size_t column) const;

  // 1-based line on which the current record (or the header) starts.
  std::size_t line() const { return record_line_; }
  const std::string& source() const { return source_; }
  // Throws InputError at the current record's line.
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  // Where the next record lies in text_.
  struct Record {
    std::size_t begin = 0;     // its first byte
    std::size_t end = 0;       // one past its fields (before the line break and a CR)
    std::size_t next = 0;      // where the record after it starts
    std::size_t newlines = 0;  // line breaks inside quoted fields
    bool quoted = false;       // it holds a '"'
  };
  // A field of a quoted record: in text_, or in unescaped_ once its doubled quotes are undone.
  struct Span {
    std::size_t begin, size;
    bool unescaped;
  };

  bool parse_record();
  bool find_record(Record& record);
  void skip_blank_lines();
  bool scan_record(std::size_t& scan, bool& in_quotes, Record& record) const;
  void split_plain(const Record& record);
  void split_quoted(const Record& record);
  std::size_t quoted_field(std::size_t at, std::size_t end, std::size_t column);
  std::size_t plain_field(std::size_t at, std::size_t end, std::size_t column);
  bool refill();
  std::size_t read_stream();
  std::size_t take_memory();

  std::istream& in_;
  MemoryText* memory_;  // in_'s text when it is in memory (then buffer_ holds only a seam)
  std::string source_;
  char delimiter_;
  std::string buffer_;     // the bytes read from in_, when they are copied
  std::string_view text_;  // the bytes being parsed: buffer_, or MemoryText's text
  std::size_t chunk_;      // bytes the next refill reads: grows from small to large
  std::size_t pos_ = 0;
  bool eof_ = false;
  bool started_ = false;
  std::size_t line_ = 1;
  std::size_t record_line_ = 0;
  std::vector<std::string> header_;
  std::vector<std::string_view> fields_;
  std::string unescaped_;    // storage for quoted fields that contained doubled quotes
  std::vector<Span> spans_;  // the current quoted record's fields
};

// Reads lines with LF or CRLF endings, skipping a leading UTF-8 byte order mark.
class LineReader {
 public:
  LineReader(std::istream& in, std::string source);
  // Next line without its line ending; false at the end of input. Empty lines are returned.
  bool next(std::string& line);
  std::size_t line() const { return line_; }
  const std::string& source() const { return source_; }
  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::istream& in_;
  std::string source_;
  std::size_t line_ = 0;
};

// Splits `text` at every occurrence of `separator` (which may be several characters, like "::").
std::vector<std::string_view> split(std::string_view text, std::string_view separator);

// Strict number parsing: the whole text must be the number. Return nullopt otherwise.
std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);  // finite values only

// Writes CSV records, quoting a field only when it holds a comma, quote or line break, with LF
// line endings. Buffered; flush() (or the destructor, which cannot report errors) writes out.
class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out);
  ~CsvWriter();
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;

  CsvWriter& field(std::string_view text);
  CsvWriter& field(const char* text) { return field(std::string_view(text)); }
  CsvWriter& field(std::int64_t value);
  CsvWriter& field(int value) { return field(static_cast<std::int64_t>(value)); }
  // Shortest text that reads back to the same double.
  CsvWriter& field(double value);
  void end_row();

  template <typename... Fields>
  void row(const Fields&... fields) {
    (field(fields), ...);
    end_row();
  }

  // Writes the buffer to the stream; throws Error if the stream fails.
  void flush();

 private:
  void separate();

  std::ostream& out_;
  std::string buffer_;
  bool row_started_ = false;
};

}  // namespace movierec

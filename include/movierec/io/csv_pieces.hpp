// Large CSV files parsed on every core: the records after the header are read in chunks of a few
// megabytes, each chunk is cut into pieces of whole records, and the pieces are parsed at once,
// each as a small CSV file of its own (the header line, then the piece's records), by the same
// reader code that parses a whole file in one go. The rows come out in file order and the first
// error in file order wins, naming the line of the whole file: the result and the messages are
// those of one reader over the whole file.
#pragma once

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>

namespace movierec {

// Parses `in` piece by piece.
//   parse(slot, piece, bytes)  parses `piece` (a stream holding the header line, then `bytes` of
//                              whole records) into the caller's storage for `slot` (0 ..
//                              2·threads − 1); called for different slots on up to `threads`
//                              threads at once (0: one per core).
//   consume(slot)              takes what parse() left in `slot`; called piece after piece in
//                              file order, one call at a time, before the slot is parsed into
//                              again, on a thread of its own: while one chunk's pieces are
//                              consumed, the next chunk's are parsed into the other slots.
// The header alone is parsed first (slot 0, bytes 0; not consumed), so that an empty file or a
// missing column fails as with one reader. Pieces are cut at line breaks outside quoted fields,
// where CsvReader ends its records (a '"' toggles quoting; a doubled one toggles twice), so a
// quoted field may hold line breaks. An InputError thrown by parse() names a line of its piece
// stream (the header being line 1); it is rethrown naming the same line of `in`, and the pieces
// after it are never consumed. Other exceptions pass through unchanged. `source` is the file's name
// for messages; `piece_bytes` the text each thread parses at a time (0: 1 MB; tests cut finer).
void parse_csv_pieces(
    std::istream& in, const std::string& source,
    const std::function<void(std::size_t slot, std::istream& piece, std::size_t bytes)>& parse,
    const std::function<void(std::size_t slot)>& consume, unsigned threads = 0,
    std::size_t piece_bytes = 0);

}  // namespace movierec

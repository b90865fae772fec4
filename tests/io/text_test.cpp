#include "movierec/io/text.hpp"

#include <catch2/catch.hpp>

using namespace movierec;

TEST_CASE("utf-8 validation and Latin-1 conversion") {
  CHECK(is_valid_utf8("Am\xC3\xA9lie"));
  CHECK_FALSE(is_valid_utf8("Am\xE9lie"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
  CHECK(latin1_to_utf8("Am\xE9lie") == "Am\xC3\xA9lie");
  CHECK(to_utf8("Am\xE9lie") == "Am\xC3\xA9lie");
  CHECK(to_utf8("Am\xC3\xA9lie") == "Am\xC3\xA9lie");
}

TEST_CASE("fold_for_search lower-cases, strips accents and punctuation") {
  CHECK(fold_for_search("Am\xC3\xA9lie (Fabuleux destin d'Am\xC3\xA9lie Poulain, Le)") ==
        "amelie fabuleux destin damelie poulain le");
  CHECK(fold_for_search("  Matrix,   The (1999) ") == "matrix the 1999");
  CHECK(fold_for_search("Schindler's List") == "schindlers list");
  CHECK(fold_for_search("Stra\xC3\x9F"
                        "e \xC5\x81\xC3\xB3"
                        "d\xC5\xBA") == "strasse lodz");
  CHECK(fold_for_search("bad \xFF byte") == "bad byte");
}

TEST_CASE("edit distance counts edits and adjacent transpositions") {
  CHECK(edit_distance("forest gump", "forrest gump") == 1);
  CHECK(edit_distance("teh", "the") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abcdef", "uvwxyz", 2) == 3);
}

TEST_CASE("nearest_word suggests only plausible typos") {
  const std::vector<std::string> words{"learning_rate", "negative_weight", "exploration_rate"};
  CHECK(nearest_word("learning_rat", words) == "learning_rate");
  CHECK(nearest_word("negativ_weight", words) == "negative_weight");
  CHECK(nearest_word("colour", words).empty());
}

TEST_CASE("count_code_points counts characters, a malformed byte as one") {
  CHECK(count_code_points("") == 0);
  CHECK(count_code_points("Heat") == 4);
  CHECK(count_code_points("Amélie") == 6);          // é is two bytes
  CHECK(count_code_points("\xE6\x97\xA5本") == 2);  // three bytes each
  CHECK(count_code_points("a\xFF"
                          "b") == 3);         // a stray byte counts once
  CHECK(count_code_points("\xE6\x97") == 2);  // cut short: each byte once
}

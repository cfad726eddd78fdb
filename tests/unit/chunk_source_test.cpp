// A JSON answer read piece by piece (util/chunk_source.h, util/chunk_queue.h): however the
// pieces fall, a parse sees what it sees in the whole text, errors at the same offsets, and
// stops at the size limit; pieces cross threads in order.

#include "meshca/util/chunk_queue.h"
#include "meshca/util/chunk_source.h"
#include "test_files.h"
#include "text_pieces.h"

#include <doctest/doctest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <string>
#include <thread>
#include <vector>

using namespace meshca;
using namespace std::string_literals;
using meshca::testing::read_file;
using Pieces = meshca::testing::TextPieces;

namespace {

struct Parsed {
  std::string compact; // the document written back, compact
  bool error = false;
  std::size_t offset = 0;
  rapidjson::ParseErrorCode code = rapidjson::kParseErrorNone;
};

// In place, through the stream, as config_dump_clusters.cpp reads.
Parsed parse_streamed(ChunkSource& source, std::size_t max_bytes = std::size_t{1} << 30) {
  JsonChunkStream stream(source, max_bytes);
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  rapidjson::Reader reader;
  const auto result =
      reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag>(stream, writer);
  return {out.GetString(), result.IsError(), result.Offset(), result.Code()};
}

Parsed parse_whole(std::string text) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  rapidjson::Reader reader;
  rapidjson::InsituStringStream stream(text.data());
  const auto result =
      reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag>(stream, writer);
  return {out.GetString(), result.IsError(), result.Offset(), result.Code()};
}

void check_every_split(const std::string& text) {
  const Parsed whole = parse_whole(text);
  for (std::size_t size : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{64},
                           std::size_t{4096}, std::size_t{32768}, text.size() + 1}) {
    CAPTURE(size);
    Pieces pieces(text, size, Pieces::EmptyBetween::yes);
    const Parsed streamed = parse_streamed(pieces);
    CHECK(streamed.error == whole.error);
    CHECK(streamed.code == whole.code);
    if (whole.error)
      CHECK(streamed.offset == whole.offset);
    else
      CHECK(streamed.compact == whole.compact);
  }
}

} // namespace

TEST_CASE("a streamed in-place parse gives the whole text's events, however the pieces fall") {
  const std::string samples = MESHCA_SAMPLES_DIR;
  for (const std::string& path : {samples + "/ossm-2.6_istio-1.20.8_sidecar_config_dump.json",
                                  samples + "/istio-testdata_secret_spire_config_dump.json",
                                  samples + "/meshca_spiffe_bundle_jwks.json"}) {
    CAPTURE(path);
    const std::string text = read_file(path);
    REQUIRE(text.size() > 1000);
    check_every_split(text);
  }
}

TEST_CASE("a streamed parse: escapes, one line, CRLF, and text after the last line end") {
  check_every_split(R"({"a":"x\"y\\z\u00e9\ud83d\ude00","b":[1,-2.5e3,true,false,null]})");
  check_every_split("{\r\n \"a\": \"line\\nend\",\r\n \"b\": {}\r\n}\r\n");
  check_every_split("{\n \"a\": [\n  1,\n  2\n ]\n}"); // no final line end
  check_every_split("\n\n  {\"a\":1}  \n\n");
}

TEST_CASE("a streamed parse: escapes anywhere in strings longer than a 16-byte scan") {
  // After an escape the string is moved down as it is scanned: every position, every length.
  std::string text = "{\n";
  for (std::size_t length = 0; length <= 40; ++length)
    for (std::size_t at = 0; at <= length; at += 3) {
      std::string value(length, 'v');
      value.insert(at, at % 2 == 0 ? "\\\"" : "\\u00e9\\n");
      text +=
          " \"k" + std::to_string(length) + "_" + std::to_string(at) + "\": \"" + value + "\",\n";
    }
  text += " \"end\": 0\n}\n";
  check_every_split(text);
  const Parsed whole = parse_whole(text);
  CHECK_FALSE(whole.error);
  CHECK(whole.compact.find("\"k40_39\":\"" + std::string(39, 'v') + "\xc3\xa9\\nv\"") !=
        std::string::npos);
}

TEST_CASE("a streamed parse fails where a whole-text parse fails, at the same offset") {
  check_every_split("{\n \"a\": 1,\n \"b\": tru\n}\n");          // a bad literal
  check_every_split("{\n \"a\": \"no end\n\"\n}\n");             // a raw line end in a string
  check_every_split("{\n \"a\": \"cut");                         // cut inside a string
  check_every_split("{\n \"a\": [1, 2\n");                       // cut inside an array
  check_every_split("{\n \"a\": 1\n}\n{\"b\": 2}\n");            // a second document
  check_every_split("{\n \"a\": \"bad \\x escape\"\n}\n");       // an invalid escape
  check_every_split("{\n \"a\": \"\\ud800 lone surrogate\"\n}"); // an invalid surrogate
  check_every_split("");                                         // nothing at all
}

TEST_CASE("a NUL byte inside the text ends the parse with an error, as in a whole text") {
  const std::string text = "{\n \"a\": \"x\0y\"\n}\n"s;
  Pieces pieces(text, 3);
  const Parsed streamed = parse_streamed(pieces);
  CHECK(streamed.error);
  CHECK(streamed.offset == 10);
}

TEST_CASE("a streamed parse stops at the size limit, and says so") {
  const std::string text = "{\n \"a\": \"" + std::string(5000, 'x') + "\"\n}\n";
  Pieces under(text, 100);
  CHECK_FALSE(parse_streamed(under, text.size()).error);

  Pieces over(text, 100);
  JsonChunkStream stream(over, text.size() - 1);
  rapidjson::Reader reader;
  rapidjson::BaseReaderHandler<> ignore;
  const auto result =
      reader.Parse<rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag>(stream, ignore);
  CHECK(result.IsError());
  CHECK(stream.over_limit());
}

TEST_CASE("a document with no line ends is read whole, and right") {
  std::string text = "{\"items\":[";
  for (int i = 0; i < 2000; ++i)
    text += (i == 0 ? "" : ",") + R"({"name":"item-)"s + std::to_string(i) + R"(","v":[1,2,3]})";
  text += "]}";
  check_every_split(text);
}

TEST_CASE("a chunk queue hands pieces across threads in order, and ends") {
  ChunkQueue queue;
  CHECK_FALSE(queue.started());
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i)
      queue.push(std::to_string(i) + ",");
    queue.push(""); // ignored
    queue.finish();
  });
  std::string read;
  while (const auto piece = queue.next())
    read += *piece;
  producer.join();
  std::string expected;
  for (int i = 0; i < 1000; ++i)
    expected += std::to_string(i) + ",";
  CHECK(read == expected);
  CHECK(queue.started());
  CHECK_FALSE(queue.next()); // stays ended
}

TEST_CASE("a chunk queue drops what comes after the reader stopped, and never blocks it") {
  ChunkQueue queue;
  queue.push("first");
  const auto piece = queue.next();
  REQUIRE(piece);
  CHECK(*piece == "first");
  queue.push("second");
  queue.stop_reading();
  queue.push("third");
  CHECK_FALSE(queue.next());
  queue.finish();
  CHECK_FALSE(queue.next());
}

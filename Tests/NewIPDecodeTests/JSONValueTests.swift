import Foundation
import NewIPJSON
import XCTest

/// Reading JSON into `JSONValue` (Foundation's decoder underneath), the typed accessors, and
/// errors that name where the text or a field is wrong.
final class JSONValueTests: XCTestCase {
    /// Quotes, backslashes, every control character, DEL, non-ASCII and an astral scalar.
    static let awkward = "a \"quoted\" \\back\\slash/" + String((0..<0x20).map { Character(Unicode.Scalar($0)!) })
        + "\u{7F} é 日本 \u{2028} 🙂"

    func testScalars() throws {
        XCTAssertEqual(try JSONValue.parse("null"), .null)
        XCTAssertEqual(try JSONValue.parse("true").boolValue, true)
        XCTAssertEqual(try JSONValue.parse(" false ").boolValue, false)
        XCTAssertEqual(try JSONValue.parse("-42").serialized, "-42")
        XCTAssertEqual(try JSONValue.parse("9223372036854775807").intValue, Int.max)
        let big = try JSONValue.parse("18446744073709551615")
        guard case .unsigned(UInt64.max) = big else { return XCTFail("\(big)") }
        XCTAssertNil(big.intValue)
        XCTAssertEqual(big.unsignedValue, .max)
        let fraction = try JSONValue.parse("2.5")
        guard case .double(2.5) = fraction else { return XCTFail("\(fraction)") }
        XCTAssertNil(fraction.intValue)
        XCTAssertEqual(try JSONValue.parse("1e3").intValue, 1000)
        XCTAssertEqual(try JSONValue.parse("-1.5e-3").doubleValue, -0.0015)
        XCTAssertEqual(try JSONValue.parse(#""a\u00e9\n""#).stringValue, "aé\n")
        XCTAssertEqual(JSONValue.decimal(3, digits: 3).intValue, 3)
        XCTAssertNil(JSONValue.string("3").intValue)
    }

    func testArraysAndObjects() throws {
        let value = try JSONValue.parse(Array(#"{"b": [1, "two", null, {"z": true, "a": {}}], "a": {"n": -1}}"#.utf8))
        // JSONDecoder does not keep key order: a parsed object has its keys sorted.
        XCTAssertEqual(value.serialized, #"{"a": {"n": -1}, "b": [1, "two", null, {"a": {}, "z": true}]}"#)
        XCTAssertEqual(value["b"]?[1]?.stringValue, "two")
        XCTAssertEqual(value["b"]?[2]?.isNull, true)
        XCTAssertNil(value["b"]?[4])
        XCTAssertNil(value["nope"])
        XCTAssertNil(value["b"]?["a"])
        XCTAssertEqual(try value.int("a", "n"), -1)
        XCTAssertEqual(value.dictionaryValue?.keys.sorted(), ["a", "b"])
        XCTAssertEqual(try value.array("b").count, 4)
        XCTAssertEqual(try JSONValue.parse("[]").arrayValue?.count, 0)
        XCTAssertEqual(try JSONValue.parse(#"{"drops": {"late": 1, "queue-full": 5}}"#).intMembers("drops"), ["late": 1, "queue-full": 5])
    }

    /// Two spaces per level, `[]` and `{}` for empty containers, a newline at the end; the
    /// bytes are the text's UTF-8.
    func testIndentedLayout() {
        let value = JSONValue.object([("a", .array([.int(1), .object([("b", .decimal(0.5, digits: 3))])])), ("c", .array([])),
                                      ("d", .object([])), ("é", .string("x\ty"))])
        let expected = "{\n  \"a\": [\n    1,\n    {\n      \"b\": 0.500\n    }\n  ],\n  \"c\": [],\n  \"d\": {},\n  \"é\": \"x\\ty\"\n}\n"
        XCTAssertEqual(value.indentedText, expected)
        XCTAssertEqual(value.indentedBytes, Array(expected.utf8))
        XCTAssertEqual(value.serialized, #"{"a": [1, {"b": 0.500}], "c": [], "d": {}, "é": "x\ty"}"#)
    }

    /// What the writer prints, the reader (and Foundation's own reader) gets back exactly.
    func testAwkwardStringsRoundTrip() throws {
        let value = JSONValue.object([(Self.awkward, .array([.string(Self.awkward)])), ("n", .unsigned(.max))])
        for text in [value.serialized, value.indentedText] {
            XCTAssertFalse(text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "a raw control character in \(text)")
            let back = try JSONValue.parse(text)
            XCTAssertEqual(try back.array(Self.awkward).first?.stringValue, Self.awkward)
            XCTAssertEqual(back["n"]?.unsignedValue, .max)
            let foundation = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            XCTAssertEqual((foundation[Self.awkward] as? [String])?.first, Self.awkward)
        }
        XCTAssertEqual(JSONValue.string("\"\\\u{01}\u{1F}é").serialized, #""\"\\\u0001\u001fé""#)
    }

    func testSyntaxErrorsSayWhere() {
        func failure(_ text: String) -> JSONValue.ParseError? {
            do { _ = try JSONValue.parse(text); return nil } catch { return error }
        }
        let missingComma = failure("{\n  \"a\": 1\n  \"b\": 2\n}")
        XCTAssertEqual(missingComma?.line, 3, missingComma?.description ?? "")
        XCTAssertEqual(missingComma?.column, 3, missingComma?.description ?? "")
        XCTAssertTrue(missingComma?.description.hasPrefix("not JSON at line 3, column 3: ") == true, missingComma?.description ?? "")
        let cut = failure(#"{"a": [1, 2"#)
        XCTAssertEqual(cut?.line, 1)
        XCTAssertEqual(cut?.column, 12, cut?.description ?? "")
        XCTAssertEqual(failure("")?.description, "not JSON: the text is empty")
        XCTAssertNotNil(failure("[1] x"))
        XCTAssertNotNil(failure("{'a': 1}"))
        XCTAssertNotNil(failure(#"{"a": tru}"#))
        // A number no Swift type holds: the path to it.
        let huge = failure(#"{"flows": [{"p50": 1e400}]}"#)
        XCTAssertEqual(huge?.path, "flows[0].p50", huge?.description ?? "")
        XCTAssertTrue(huge?.description.contains("`flows[0].p50`") == true, huge?.description ?? "")
    }

    func testFieldErrorsNameTheField() throws {
        let value = try JSONValue.parse(#"{"name": "h1", "pid": "12", "interfaces": {"eth0": {"rx_packets": 1.5}}, "list": [1]}"#)
        func problem(_ read: (JSONValue) throws -> Void) -> String {
            do { try read(value); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(problem { _ = try $0.string("name") }, "no error")
        XCTAssertEqual(problem { _ = try $0.int("uptime") }, "`uptime` is missing")
        XCTAssertEqual(problem { _ = try $0.int("pid") }, #"`pid` is a string ("12"), not an integer"#)
        XCTAssertEqual(problem { _ = try $0.int("interfaces", "eth0", "rx_packets") },
                       "`interfaces.eth0.rx_packets` is a number with a fraction (1.5), not an integer")
        XCTAssertEqual(problem { _ = try $0.int("interfaces", "eth1", "rx_packets") }, "`interfaces.eth1` is missing")
        XCTAssertEqual(problem { _ = try $0.int("name", "first") }, "`name` is a string, not an object")
        XCTAssertEqual(problem { _ = try $0.object("list") }, "`list` is an array, not an object")
        XCTAssertEqual(problem { _ = try $0.intMembers("interfaces", "eth0") },
                       "`interfaces.eth0.rx_packets` is a number with a fraction (1.5), not an integer")
        XCTAssertEqual(JSONValue.FieldError(field: "name", problem: "is missing").inside("flows[2]").description,
                       "`flows[2].name` is missing")
        XCTAssertNil(try value.optionalField("latency_ns", "p50"))
        XCTAssertEqual(try value.optionalField("name")?.stringValue, "h1")
    }
}

@testable import NewIPEmulator
import XCTest

final class CSVTextTests: XCTestCase {
    /// Plain fields as written; a comma, a quote or a line break quotes the field, and a
    /// quote inside is doubled (RFC 4180); every row ends in a line feed.
    func testFieldsAreQuotedOnlyWhenNeeded() {
        let bytes = CSVText.bytes(header: ["flow", "note"], rows: [["f1", "a,b"], ["f2", "say \"hi\""], ["f3", "two\nlines"], ["é", ""]])
        XCTAssertEqual(String(decoding: bytes, as: UTF8.self),
                       "flow,note\nf1,\"a,b\"\nf2,\"say \"\"hi\"\"\"\nf3,\"two\nlines\"\né,\n")
    }

    /// Without rows the table is its header line.
    func testHeaderAlone() {
        XCTAssertEqual(CSVText.table(header: ["link", "time_ns"], rows: []), "link,time_ns\n")
    }
}

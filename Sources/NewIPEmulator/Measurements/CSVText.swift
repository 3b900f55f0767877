import Foundation
import NewIPTopology

/// RFC 4180 CSV: a header row, then one row per record; fields with commas, quotes or line
/// breaks are quoted.
enum CSVText {
    static func table(header: [String], rows: [[String]]) -> String {
        String(decoding: bytes(header: header, rows: rows), as: UTF8.self)
    }

    /// The table as UTF-8, written into one byte array (flows.csv of 100,000 flows: no
    /// string per row or per table).
    static func bytes(header: [String], rows: [[String]]) -> [UInt8] {
        var out: [UInt8] = []
        append(row: header, to: &out)
        for row in rows { append(row: row, to: &out) }
        return out
    }

    private static func append(row: [String], to out: inout [UInt8]) {
        for (index, text) in row.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            append(text, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
    }

    private static func append(_ text: String, to out: inout [UInt8]) {
        let quote = UInt8(ascii: "\"")
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == quote || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
        else { out += text.utf8; return }
        out.append(quote)
        for byte in text.utf8 {
            if byte == quote { out.append(quote) }
            out.append(byte)
        }
        out.append(quote)
    }
}
